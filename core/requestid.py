"""A request id on every log line written while a request is served.

The id comes from the reverse proxy (``X-Request-ID``, when it looks like one) or is drawn
here; it is sent back in the response's ``X-Request-ID`` header, so an error a user reports
with that id leads to its lines in the logs.
"""

from __future__ import annotations

import contextvars
import logging
import re
import secrets
from collections.abc import Callable

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

HEADER = "X-Request-ID"


def current() -> str:
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _VALID.match(incoming) else secrets.token_hex(8)
        # Kept until the request is finished (not only while the middleware runs): Django
        # logs a 404 or a slow response after the middleware chain has returned.
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished)
def _forget(**_kwargs: object) -> None:
    _current.set("-")


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` ("-" outside a request) for the log format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True
