"""Shared fixtures: personas per role, a live Celery worker, a browser."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from accounts.models import User
from config.celery import app as celery_app
from tests.factories.accounts import UserFactory
from tests.helpers import enable_totp, mfa_login, start_celery_worker, stop_celery_worker

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, request):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate limits and used TOTP codes live in the cache: each test starts clean.
    cache.clear()
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


# --- The signing certificate -------------------------------------------------------------------
SIGNING_PASSWORD = "test-signing-password"


@pytest.fixture(scope="session", autouse=True)
def signing_certificate(tmp_path_factory) -> Iterator[Path]:
    """Every issued PDF is signed (core/signing.py): the suite signs with a self-signed
    certificate of its own, in this process and in the worker processes it starts."""
    from core.signing import create_self_signed_p12

    path = tmp_path_factory.mktemp("signing") / "test.p12"
    create_self_signed_p12(path, password=SIGNING_PASSWORD)
    values = {"SIGNING_P12": str(path), "SIGNING_P12_PASSWORD": SIGNING_PASSWORD}
    environment = {name: os.environ.get(name) for name in (*values, "SIGNING_TSA_URL")}
    os.environ.update(values)
    os.environ.pop("SIGNING_TSA_URL", None)
    override = override_settings(**values, SIGNING_TSA_URL="")
    override.enable()
    try:
        yield path
    finally:
        override.disable()
        for name, value in environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --- Personas -------------------------------------------------------------------------------
ROLE_FLAGS = {
    "applicant": {},
    "student": {"is_student": True},
    "lecturer": {"is_lecturer": True},
    "coordinator": {"is_coordinator": True},
    "finance": {"is_finance": True},
    "sponsor": {"is_sponsor": True},
    "admin": {"is_superuser": True, "is_staff": True},
}
STAFF = {"lecturer", "coordinator", "finance", "admin"}


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(role: str = "applicant", *, mfa: bool | None = None, **kwargs: object) -> User:
        user = UserFactory.create(**ROLE_FLAGS[role], **kwargs)
        if mfa if mfa is not None else role in STAFF:
            enable_totp(user)
        return user

    return make


@pytest.fixture
def persona_client(make_user) -> Callable[[str], Client]:
    """A client logged in as a persona: anonymous, applicant, student, lecturer, coordinator,
    admin (staff log in through allauth's pages: password, then the TOTP code), the staff
    roles without MFA (``lecturer-no-mfa``, ``coordinator-no-mfa``, ``admin-no-mfa``) and a
    coordinator with MFA enabled whose session did not pass it (``coordinator-password-only``:
    signed in with the password alone, as before MFA was enabled)."""

    def make(persona: str) -> Client:
        client = Client()
        if persona == "anonymous":
            return client
        role, _, rest = persona.partition("-")
        user = make_user(role, mfa=False if rest == "no-mfa" else None)
        if role in STAFF and rest == "":
            mfa_login(client, user)
        else:
            client.force_login(user)
        return client

    return make


# --- A real Celery worker ---------------------------------------------------------------------
@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("worker-mail")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, mail_dir) -> Iterator[None]:
    """A worker in its own process, on the test broker and the test database."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.fail("The worker tests need CELERY_BROKER_URL=redis://… (make test starts one).")
    proc = start_celery_worker(
        mail_dir.parent / "worker.log",
        EMAIL_URL=f"filemail:///{mail_dir}",  # environ drops one leading slash
    )
    try:
        yield
    finally:
        stop_celery_worker(proc)
