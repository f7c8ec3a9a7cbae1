"""Admissions at scale, on PostgreSQL (DATABASE_URL must point at one):

1. the coordinators' filtered, sorted list over 20,000 applications: p50/p95 of its first
   and its 500th page (20 per page), with query counts;
2. the CSV export of all 20,000: time and peak Python memory while streaming;
3. 50 applicants submitting at the same moment against gunicorn: how many succeed.

Usage:  DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… \\
        .venv/bin/python benchmarks/admissions.py [--applications 20000] [--requests 40]
The data it creates lives in its own intake ("bench-intake") and is reused by later runs.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import os
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from benchmarks.web import WebSession, free_port, percentile, start_gunicorn, wait_until_up  # noqa: E402
from curriculum.models import Programme  # noqa: E402
from enrollment import exports, selectors  # noqa: E402
from enrollment.demo import cohort_get_or_create  # noqa: E402
from enrollment.models import Application, DocumentRequirement, Intake  # noqa: E402

STATUSES = ["submitted", "eligible", "shortlisted", "interviewed", "waitlisted", "rejected"]
SECTORS = ["agro_food", "precision_mechanics", "digital", "other"]


def bench_intake() -> Intake:
    programme = Programme.objects.order_by("pk").first()
    assert programme is not None
    cohort = cohort_get_or_create(
        slug="bench-cohort", programme=programme, start=dt.date(2027, 10, 3), seats=100
    )
    now = timezone.now()
    intake, _ = Intake.objects.get_or_create(
        slug="bench-intake",
        defaults={
            "cohort": cohort,
            "title_fr": "Appel de charge",
            "opens_at": now - dt.timedelta(days=30),
            "closes_at": now + dt.timedelta(days=3650),
            "seats": 100,
        },
    )
    DocumentRequirement.objects.get_or_create(intake=intake, kind="cv", defaults={"required": True})
    return intake


def seed(intake: Intake, total: int) -> None:
    have = Application.objects.filter(intake=intake).count()
    missing = total - have
    if missing <= 0:
        return
    print(f"seeding {missing} applications …", flush=True)
    password = make_password(None)
    start = time.perf_counter()
    for offset in range(0, missing, 5000):
        n = min(5000, missing - offset)
        users = User.objects.bulk_create(
            [
                User(email=f"bench.{have + offset + i:06d}@example.dz", password=password)
                for i in range(n)
            ]
        )
        base = timezone.now() - dt.timedelta(days=20)
        Application.objects.bulk_create(
            [
                Application(
                    number=f"BENCH-{have + offset + i:06d}",
                    applicant=user,
                    intake=intake,
                    status=STATUSES[(have + offset + i) % len(STATUSES)],
                    sector=SECTORS[(have + offset + i) % len(SECTORS)],
                    wilaya="Alger",
                    degree="licence",
                    full_name=f"CANDIDAT{have + offset + i:06d} Test / مترشح",
                    submitted_at=base + dt.timedelta(seconds=have + offset + i),
                    dossier_score=Decimal((have + offset + i) % 2000) / 100,
                    final_score=Decimal((have + offset + i) * 7 % 2000) / 100,
                )
                for i, user in enumerate(users)
            ]
        )
    print(f"  done in {time.perf_counter() - start:.1f} s", flush=True)


def bench_list(intake: Intake, requests: int) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user, _ = User.objects.get_or_create(
        email="benchmark.coordinator@example.dz", defaults={"is_coordinator": True}
    )
    if not Authenticator.objects.filter(user=user).exists():
        TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user)
    query = {
        "intake": intake.pk,
        "status": ["submitted", "eligible", "shortlisted", "waitlisted"],
        "sort": "-final_score",
        "per_page": 20,
    }
    print(
        f"\n1. list of applications ({Application.objects.filter(intake=intake).count()} "
        "in the intake, "
        f"filtered on 4 statuses, sorted by final score, 20 per page)"
    )
    print(f"   {'page':>6} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8}")
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["*"]):
        for page in (1, 500):
            timings, queries = [], 0
            for i in range(requests + 3):
                reset_queries()
                start = time.perf_counter()
                response = client.get("/staff/admissions/", {**query, "page": page})  # type: ignore[arg-type]
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200, response.status_code
                if i >= 3:
                    timings.append(elapsed)
                queries = len(connection.queries)
            p50, p95 = statistics.median(timings), percentile(timings, 0.95)
            print(f"   {page:>6} {queries:>8} {p50:>8.1f} {p95:>8.1f}")


def bench_export(intake: Intake) -> None:
    _, queryset = selectors.application_list(filters={"intake": str(intake.pk)})
    tracemalloc.start()
    start = time.perf_counter()
    size = rows = 0
    for chunk in exports.csv_stream(queryset):
        size += len(chunk.encode())
        rows += 1
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"\n2. CSV export: {rows - 1} rows, {size / 1e6:.1f} MB in {elapsed:.2f} s; "
        f"peak Python memory while streaming {peak / 1e6:.1f} MB"
    )


def bench_concurrent_submissions(intake: Intake, count: int) -> None:
    from tests.factories.enrollment import ready_application  # the tests' own builder

    users = []
    for i in range(count):
        user, _ = User.objects.get_or_create(email=f"bench.submit.{i:03d}@example.dz")
        Application.objects.filter(applicant=user, intake=intake).delete()
        users.append(user)
    applications = [ready_application(user, intake) for user in users]
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    sessions = [WebSession.signed_in(base_url, user) for user in users]
    server = start_gunicorn(port, workers=4, threads=4)
    try:
        wait_until_up(base_url)

        def submit(index: int) -> int:
            path = f"/me/applications/{applications[index].number}/submit/"
            try:
                return sessions[index].post(path).status
            except OSError:
                return 0

        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
            codes = list(pool.map(submit, range(count)))
        elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=20)
    submitted = Application.objects.filter(
        pk__in=[a.pk for a in applications], status="submitted"
    ).count()
    print(
        f"\n3. {count} simultaneous submissions through gunicorn (4 workers × 4 threads): "
        f"{codes.count(302)} redirected to their status page, "
        f"{submitted} submitted in the database, "
        f"in {elapsed:.2f} s (other answers: {sorted(set(codes) - {302}) or 'none'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--submitters", type=int, default=50)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL: set DATABASE_URL (see the docstring).")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    intake = bench_intake()
    seed(intake, args.applications)
    bench_list(intake, args.requests)
    bench_export(intake)
    bench_concurrent_submissions(intake, args.submitters)


if __name__ == "__main__":
    main()
