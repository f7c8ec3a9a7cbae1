"""Parts of a page rendered once and kept in the cache, read in one round trip.

Django's ``{% cache %}`` tag asks the cache once per fragment, as the template reaches it; a
page made of several cached parts (the results-day pages, #16) asks for all of them at
once here, renders only those missing and stores them. A rendered template is a
``SafeString`` and the cache keeps its type, so what comes back is output as it was."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Fragment:
    template: str
    #: What the fragment's content depends on; the cache key is made of it.
    vary_on: tuple[Any, ...]
    #: The template's context, built only when the fragment must be rendered.
    context: Callable[[], Mapping[str, Any]]
    timeout: int

    @property
    def key(self) -> str:
        return make_template_fragment_key(self.template, [str(v) for v in self.vary_on])


def fragments(
    specs: Mapping[str, Fragment], *, request: HttpRequest | None = None
) -> dict[str, SafeString]:
    """Each fragment by name: from the cache, or rendered (and stored) when missing."""
    found = cache.get_many([spec.key for spec in specs.values()])
    rendered: dict[str, SafeString] = {}
    for name, spec in specs.items():
        value = found.get(spec.key)
        if not isinstance(value, SafeString):  # missing (or not a rendered template)
            value = render_to_string(spec.template, spec.context(), request=request)
            assert isinstance(value, SafeString)  # what Django's templates render
            cache.set(spec.key, value, spec.timeout)
        rendered[name] = value
    return rendered
