"""Links a higher app offers on a lower app's pages, so that dependencies keep pointing one
way: certificates offers "Issue documents" on a cohort page of studies without studies (its
code or its templates) naming certificates. An app registers its links in its
``AppConfig.ready``; a page shows them with ``{% offered_links "place" object %}``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Link:
    label: str | Promise
    href: Callable[[Any], str]
    shown: Callable[[Any], bool] = lambda obj: True
    testid: str = ""


_OFFERED: dict[str, list[Link]] = defaultdict(list)


def offer(place: str, link: Link) -> None:
    if link not in _OFFERED[place]:
        _OFFERED[place].append(link)


def offered(place: str, obj: Any) -> list[tuple[Link, str]]:
    """The links offered at ``place`` that apply to ``obj``, each with its address."""
    return [(link, link.href(obj)) for link in _OFFERED.get(place, []) if link.shown(obj)]
