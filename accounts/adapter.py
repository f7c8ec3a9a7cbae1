"""allauth customised through its adapter: e-mails go through the worker, in the reader's
language, and a new account remembers the language it signed up in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils import translation
from django.utils.crypto import get_random_string

from accounts.models import Notification
from accounts.services import email_queue
from core.clientip import client_ip


@dataclass(frozen=True)
class EmailSite:
    """What allauth's e-mail templates read as ``current_site``: the site's name in the
    reader's language (``SITE_NAME``) and the host of ``SITE_URL``. (django.contrib.sites is
    not installed: one site, whose name is a translatable string rather than a row.)"""

    name: str
    domain: str


def email_site() -> EmailSite:
    return EmailSite(name=str(settings.SITE_NAME), domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Rendered now, in the language of the request; sent by Celery after commit. What
        # allauth's own send_mail puts in the context (the request, the address, the site)
        # is put here too, with the name to greet (templates/account/email/base_message.txt).
        user = context.get("user")
        full = {
            "request": allauth_context.request,
            "email": email,
            "current_site": email_site(),
            "site_url": settings.SITE_URL,
            "greeting_name": user.get_full_name() if user is not None else "",
            **context,
        }
        message = self.render_mail(template_prefix, email, full)
        # Its notification keeps the subject only: the body may carry a one-time link
        # (a password reset, an address to confirm) that must not outlive the e-mail.
        email_queue(message, kind=Notification.Kind.ACCOUNT, show_body=False)

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
