"""allauth customised through its adapter: e-mails go through the worker, in the reader's
language, and a new account remembers the language it signed up in."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation

from accounts.services import email_queue


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Rendered now, in the language of the request; sent by Celery after commit.
        message = self.render_mail(template_prefix, email, context)
        email_queue(message)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user.preferred_language = translation.get_language() or ""
        return super().save_user(request, user, form, commit=commit)
