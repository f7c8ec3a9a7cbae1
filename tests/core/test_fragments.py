"""core.fragments: parts of a page rendered once, kept, and read back as rendered."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.safestring import SafeString

from core.fragments import Fragment, fragments


def spec(calls: list[int], name: str = "Ada <b>") -> Fragment:
    def context() -> dict[str, str]:
        calls.append(1)
        return {"student": name}

    return Fragment(
        template="studies/_my_upcoming.html", vary_on=("test", name), context=context, timeout=60
    )


def test_a_part_is_rendered_once_then_read_from_the_cache():
    cache.clear()
    calls: list[int] = []
    first = fragments({"part": spec(calls)})["part"]
    again = fragments({"part": spec(calls)})["part"]
    assert calls == [1]
    assert isinstance(again, SafeString)
    assert again == first


def test_parts_depend_on_what_they_vary_on():
    cache.clear()
    calls: list[int] = []
    fragments({"a": spec(calls, "one"), "b": spec(calls, "two")})
    assert spec(calls, "one").key != spec(calls, "two").key
    assert len(calls) == 2


def test_a_plain_string_under_the_key_is_not_output_as_markup():
    """Only a rendered template (a SafeString) is taken from the cache: anything else there
    is rendered again, never printed unescaped."""
    cache.clear()
    calls: list[int] = []
    cache.set(spec(calls).key, "<script>alert(1)</script>", 60)
    part = fragments({"part": spec(calls)})["part"]
    assert calls == [1]
    assert "<script>" not in part
    assert isinstance(cache.get(spec(calls).key), SafeString)
