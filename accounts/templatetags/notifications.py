"""``{% unread_notifications as count %}`` (``{% load notifications %}``): the signed-in
person's unread notifications, for the page header — read from the user the authentication
backend loaded (no query of its own, ``accounts.backends``)."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import User
from accounts.notifications import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    user = context.get("user")
    if not isinstance(user, User) or not user.is_authenticated:
        return 0
    return unread_count(user)
