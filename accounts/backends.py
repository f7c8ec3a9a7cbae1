"""The authentication backends of the site: Django's and allauth's, whose ``get_user`` —
the query that loads ``request.user`` on every request — also counts the person's unread
notifications, so that the page header shows the count without a query of its own."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from accounts.models import User
from accounts.notifications import unread_subquery


class _UnreadCount:
    def get_user(self, user_id: Any) -> User | None:
        user = (
            User._default_manager.annotate(unread_notifications=unread_subquery())
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):  # type: ignore[attr-defined]
            return None
        return user


class ModelBackend(_UnreadCount, DjangoModelBackend):
    pass


class AuthenticationBackend(_UnreadCount, AllauthBackend):
    pass
