"""What the benchmarks that go through HTTP share: a free port, a gunicorn of their own, a
signed-in session made in-process (no password hash per person), and a small client that
keeps its cookies and never follows a redirect, so the first answer is what gets counted.

Import it after ``django.setup()``."""

from __future__ import annotations

import html
import http.client
import http.cookies
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.test import Client

from accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
_MESSAGE = re.compile(r'<li class="message ([^"]*)">(.*?)</li>', re.S)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(0, round(q * len(values)) - 1)]


def start_gunicorn(port: int, *, workers: int = 4, threads: int = 4) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:port with the environment of this process (DEBUG on)."""
    env = {**os.environ, "DEBUG": "on", "ALLOWED_HOSTS": "127.0.0.1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def wait_until_up(base_url: str, timeout: float = 20) -> int | None:
    """Poll /healthz until it answers (any status); the status, or None at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return WebSession(base_url).get("/healthz", timeout=2).status
        except OSError:
            time.sleep(0.2)
    return None


def session_cookie(user: User) -> str:
    """The session key of a fresh signed-in session of ``user``, made by Django's own login
    machinery in this process and stored by the session engine the server reads."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class NoAnswer(OSError):
    """No HTTP answer: the connection was refused, reset or timed out (which request, when)."""


@dataclass
class Answer:
    status: int
    location: str
    body: str
    seconds: float

    def title(self) -> str:
        """The page's title: with DEBUG on, a 500 names the exception ("OperationalError at …")."""
        found = re.search(r"<title>(.*?)</title>", self.body, re.S)
        return " ".join(html.unescape(found.group(1)).split()) if found else ""

    def messages(self) -> list[tuple[str, str]]:
        """The (tags, text) of the messages the page shows (templates/base.html)."""
        return [
            (tags, html.unescape(re.sub(r"<[^>]+>", "", text)).strip())
            for tags, text in _MESSAGE.findall(self.body)
        ]


@dataclass
class WebSession:
    """One browser: its cookies, a CSRF secret it chose itself (sent as cookie and field, as
    a page's form would), and one connection per request."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    language: str = "en"

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.base_url)
        if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
            raise ValueError(f"only http://127.0.0.1 (or localhost) is probed, not {self.base_url}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.cookies.setdefault(settings.CSRF_COOKIE_NAME, secrets.token_hex(16))

    @classmethod
    def signed_in(cls, base_url: str, user: User) -> WebSession:
        return cls(base_url, {settings.SESSION_COOKIE_NAME: session_cookie(user)})

    def get(self, path: str, *, timeout: float = 60) -> Answer:
        return self._send("GET", path, None, timeout)

    def post(self, path: str, data: dict[str, str] | None = None, *, timeout: float = 60) -> Answer:
        form = {"csrfmiddlewaretoken": self.cookies[settings.CSRF_COOKIE_NAME], **(data or {})}
        return self._send("POST", path, urllib.parse.urlencode(form).encode(), timeout)

    def follow(self, answer: Answer, *, timeout: float = 60) -> Answer | None:
        """The page a redirect leads to (on this server), read with this session's cookies."""
        if answer.status not in (301, 302, 303) or not answer.location:
            return None
        target = urllib.parse.urlsplit(answer.location)
        return self.get(target.path + (f"?{target.query}" if target.query else ""), timeout=timeout)

    def _send(self, method: str, path: str, body: bytes | None, timeout: float) -> Answer:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Accept-Language": self.language,
            "Connection": "close",
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except OSError as exc:
            elapsed = time.perf_counter() - start
            raise NoAnswer(f"{method} {path}: {exc!r} after {elapsed:.2f} s") from exc
        finally:
            connection.close()
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            jar: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Answer(
            status=response.status,
            location=response.headers.get("Location", ""),
            body=content.decode("utf-8", "replace"),
            seconds=elapsed,
        )
