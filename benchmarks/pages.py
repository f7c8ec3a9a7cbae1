"""Time the public and staff pages in-process (Django's test client, no network).

Usage:  .venv/bin/python benchmarks/pages.py [--requests 50]
Runs against the database of the environment (DATABASE_URL; the embedded SQLite by
default), after `manage.py seed_demo`. Prints, per page: status, queries, p50 and p95 in ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402


def measure(client: Client, path: str, n: int, headers: dict[str, str] | None = None) -> str:
    timings, status, queries = [], 0, 0
    for i in range(n + 3):
        reset_queries()
        start = time.perf_counter()
        response = client.get(path, headers=headers or {})
        elapsed = (time.perf_counter() - start) * 1000
        if i >= 3:  # the first requests warm caches and templates
            timings.append(elapsed)
        status, queries = response.status_code, len(connection.queries)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return f"{path:<45} {status:>4} {queries:>8} {statistics.median(timings):>9.1f} {p95:>9.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["*"]):
        anonymous = Client()
        # A coordinator of the benchmark's own (staff pages need MFA), not a demo account.
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        user, _ = User.objects.get_or_create(
            email="benchmark.coordinator@example.dz", defaults={"is_coordinator": True}
        )
        if not Authenticator.objects.filter(user=user).exists():
            TOTP.activate(user, generate_totp_secret())
        coordinator = Client()
        coordinator.force_login(user)
        print(f"{'page':<45} {'code':>4} {'queries':>8} {'p50 ms':>9} {'p95 ms':>9}")
        print(f"engine: {connection.vendor}, {args.requests} requests per page")
        for path in (
            "/",
            "/programme/mcrt/",
            "/programme/mcrt/modules/F2.2.1/",
            "/partners/",
            "/partners/enp/",
        ):
            print(measure(anonymous, path, args.requests))
        print(measure(anonymous, "/programme/mcrt/", args.requests, {"accept-language": "ar"}))
        for path in ("/staff/curriculum/mcrt/", "/staff/agreements/", "/staff/partners/"):
            print(measure(coordinator, path, args.requests))


if __name__ == "__main__":
    main()
