"""Helpers for tests: TOTP codes, waiting, ports, the output folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories.accounts import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def totp_code(secret: str) -> str:
    """The current TOTP code; near the end of a 30-second window, wait for the next one, so
    the code is still valid when a browser submits it (allauth accepts the current window)."""
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def enable_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def login(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def totp_secret_of(user: User) -> str | None:
    """The TOTP secret of a user who enabled it (as allauth stores it, encrypted)."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None


def _window_codes(secret: str) -> list[str]:
    # allauth accepts the codes of the steps around now (MFA_TOTP_TOLERANCE = 1) and each
    # code once: a test client (no typing delay) may use any of them, current one first.
    step = int(time.time()) // 30
    return [format_hotp_value(hotp_value(secret, step + i)) for i in (0, 1, -1)]


def _post_a_code(client: Client, url: str, secret: str) -> None:
    for code in _window_codes(secret):
        response = client.post(url, {"code": code})
        if response.status_code == 302:
            return
    raise AssertionError(f"No TOTP code of the window was accepted at {url}")


def mfa_login(client: Client, user: User, password: str = PASSWORD) -> None:
    """Log in as allauth's pages do it: the password, then the authenticator code."""
    response = login(client, user.email, password)
    assert response.status_code == 302, response
    assert response["Location"] == reverse("mfa_authenticate")
    secret = totp_secret_of(user)
    assert secret is not None, f"{user} has no TOTP"
    _post_a_code(client, reverse("mfa_authenticate"), secret)
    assert client.session.get("_auth_user_id") == str(user.pk)


def pass_mfa(client: Client, user: User) -> None:
    """A signed-in session passes its second factor through allauth's own page."""
    secret = totp_secret_of(user)
    assert secret is not None, f"{user} has no TOTP"
    _post_a_code(client, reverse("mfa_reauthenticate"), secret)


def logged_in(user: User) -> Client:
    """A client signed in as ``user``: a staff member with TOTP passes it in this session,
    as staff pages require (``force_login`` alone is a password-only session)."""
    client = Client()
    client.force_login(user)
    if totp_secret_of(user) is not None:
        pass_mfa(client, user)
    return client


def wait_for(predicate: Callable[[], object], timeout: float = 20, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout}s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_server_binary() -> str:
    path = shutil.which("redis-server")
    if path is None:
        pytest.fail("redis-server is not installed (make test installs it).")
    return path


def output_dir_for(name: str) -> Path:
    base = Path(os.environ.get("TEST_OUTPUT_DIR", ROOT / "var" / "test-output"))
    path = base / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """The URL of the database the tests use (the test database once it is set up)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_celery_worker(log: Path, *, pool: str = "solo", **env: str) -> subprocess.Popen:
    """A Celery worker in its own process (solo pool unless told) on the test database and
    broker, with ``env`` on top; returns once it says it is ready, fails the test if not."""
    from django.conf import settings

    environment = dict(
        os.environ,
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        DJANGO_SETTINGS_MODULE="config.settings",
        **env,
    )
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}",
             "--concurrency=2",
             f"--hostname={log.stem}@%h", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while " ready." not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"The Celery worker did not start:\n{log.read_text()}")
        time.sleep(0.1)
    return proc


def stop_celery_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
