"""allauth customised through its adapter: e-mails go through the worker, in the reader's
language, and a new account remembers the language it signed up in."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils import translation
from django.utils.crypto import get_random_string

from accounts.services import email_queue
from core.clientip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Rendered now, in the language of the request; sent by Celery after commit.
        message = self.render_mail(template_prefix, email, context)
        email_queue(message)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user.preferred_language = translation.get_language() or ""
        return super().save_user(request, user, form, commit=commit)

    def send_account_already_exists_mail(self, email: str) -> None:
        # A signup for an address that has an account must cost what a new account costs,
        # or its answer time tells who is registered (93 ms against 1.7 s): the password
        # hash the new account would have computed is computed here too, and dropped.
        make_password(get_random_string(24))
        super().send_account_already_exists_mail(email)

    def get_client_ip(self, request: HttpRequest) -> str:
        # The client behind the trusted proxies (core/clientip.py), for allauth's limits.
        return client_ip(request)
