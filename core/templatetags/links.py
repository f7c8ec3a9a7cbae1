from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.links import offered

register = template.Library()


@register.simple_tag
def offered_links(place: str, obj: Any) -> SafeString:
    """The links other apps offer here, each after a " · " separator."""
    return format_html_join(
        "",
        " · {}",
        (
            (
                format_html('<a href="{}" data-testid="{}">{}</a>', href, link.testid, link.label)
                if link.testid
                else format_html('<a href="{}">{}</a>', href, link.label),
            )
            for link, href in offered(place, obj)
        ),
    )
