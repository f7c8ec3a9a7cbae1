"""The address of the client, as the trusted reverse proxies saw it.

Behind the documented nginx, ``REMOTE_ADDR`` is the proxy's own address: every visitor would
share one rate limit (ten failed log-ins by one client locked out another user; /verify/
answered 403 to everyone after 60 requests). Each trusted proxy appends the address it
received the request from to ``X-Forwarded-For``; with ``TRUSTED_PROXY_COUNT = N`` the client
is the N-th address from the right. What a client writes itself into the header stands to
the left of it and is ignored. With 0 (the default: no proxy), the header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """Used by allauth's limits (accounts/adapter.py), django-ratelimit and our throttles."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - a unix socket
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if trusted <= 0:
        return remote
    chain = [part for part in request.headers.get("X-Forwarded-For", "").split(",") if part]
    if len(chain) < trusted:  # the request did not come through every proxy
        return remote
    return _valid(chain[-trusted]) or remote
