"""Concurrency probes through the real web endpoints of a running instance.

Each probe prepares its people in this process with the project's services (and the demo
helpers of enrollment/demo.py), against the database of the environment — the one the server
uses —, then sends a bounded number of requests to that server (127.0.0.1 only) with a time
limit, checks the database and prints a table:

  seats                  N applicants holding offers accept at once for a cohort of S seats,
                         R rounds (a fresh cohort each): accepted, refused as full, 5xx, other;
                         exactly S students, registration numbers 0001..S without gaps
  submissions            N complete drafts (documents included) submitted through the web
                         within a few seconds: submitted, 5xx, other, p50/p95; the database
                         count of submitted and drafts
  batches                two `manage.py issue_certificates` started at the same moment for the
                         same cohort and kind: both succeed, or the second is told a batch is
                         already running — never "database is locked"
  requests-during-batch  a batch of enrollment attestations for a cohort of N students and,
                         while it renders, those students request theirs from /me/certificates/;
                         afterwards /healthz, the workers, the batch finishing, and one more
                         request after a quiet while (is anything still rendered?)

Usage (a server and a Celery worker running on the same DATABASE_URL, CELERY_BROKER_URL and
CELERY_TASK_DEFAULT_QUEUE as this process; `manage.py seed_demo` done):

  .venv/bin/python benchmarks/concurrency.py --url http://127.0.0.1:8000 [--probe all]
      [--seat-applicants 50 --seats 10 --seat-rounds 5] [--submissions 100 --spread 3]
      [--batch-rounds 3 --batch-students 10] [--batch-size 200 --requests 200 --parallel 20]
      [--time-limit 120] [--render-timeout 600] [--quiet 15]

Exits 1 when a probe saw an HTTP 5xx, a request with no HTTP answer at all (connection reset
or timed out), a database inconsistency (or, on SQLite, a failed quick_check), or certificates
that were not rendered in time.
The data lives in cohorts and intakes named probe-… (a new set per run, except --batch-cohort).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import functools
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter as Tally
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, QuerySet  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from django.utils.translation import gettext  # noqa: E402

from accounts.models import User  # noqa: E402
from benchmarks.web import Answer, WebSession, percentile, wait_until_up  # noqa: E402
from certificates.models import Batch, Certificate  # noqa: E402
from curriculum.models import Programme  # noqa: E402
from enrollment import demo  # noqa: E402
from enrollment.models import (  # noqa: E402
    ApplicantProfile,
    Application,
    Cohort,
    Counter,
    DocumentRequirement,
    Education,
    Intake,
    Offer,
    Student,
)
from enrollment.services import applications as app_services  # noqa: E402
from enrollment.services.decisions import Decision, decide  # noqa: E402
from enrollment.services.intakes import cohort_save, intake_save, requirement_save  # noqa: E402
from enrollment.services.profiles import education_save, profile_save  # noqa: E402

# The English source strings of the answers (requests are sent with Accept-Language: en).
WELCOME = "Welcome! Your registration number is"
FULL = "Every seat of the cohort is taken."
REQUESTED = "Your request is being prepared"
CURRENT = (
    Certificate.Status.PENDING,
    Certificate.Status.RENDERING,
    Certificate.Status.READY,
    Certificate.Status.FAILED,
)
OPEN: tuple[str, ...] = (Certificate.Status.PENDING, Certificate.Status.RENDERING)


def _translations(text: str) -> tuple[str, ...]:
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(gettext(text))
    return tuple(sorted(found))


# What the command says, in the language of the settings, when a batch is already running.
RUNNING = _translations("A batch of this document is already running for this cohort.")
MAX_REQUESTS = 500  # per burst: a probe, not a load test


# --- Reporting ---------------------------------------------------------------------------------
@dataclass
class Findings:
    failures: list[str] = field(default_factory=list)

    def fail(self, probe: str, text: str) -> None:
        self.failures.append(f"{probe}: {text}")
        print(f"   FAIL {text}", flush=True)


def table(headers: list[str], rows: list[list[object]]) -> None:
    """Columns of figures aligned right, the others left."""
    cells = [headers, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    figures = [
        i > 0 and all(re.fullmatch(r"[-\d.]+", row[i]) for row in cells[1:])
        for i in range(len(headers))
    ]

    def line(row: list[str]) -> str:
        return "   " + "  ".join(
            c.rjust(w) if right else c.ljust(w)
            for c, w, right in zip(row, widths, figures, strict=True)
        )

    print(line(headers))
    print("   " + "  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))
    sys.stdout.flush()


def ms(values: list[float], q: float) -> str:
    return f"{1000 * percentile(values, q):.0f}" if values else "-"


# --- Requests in parallel, bounded -------------------------------------------------------------
@dataclass
class Outcome:
    kind: str
    status: int = 0  # the first answer's HTTP status; 0 when none came
    seconds: float = 0.0
    detail: str = ""


def burst(
    jobs: Sequence[Callable[[], Outcome]],
    *,
    parallel: int,
    limit: float,
    together: bool = False,
    spread: float = 0.0,
) -> tuple[list[Outcome], float]:
    """Run the jobs on ``parallel`` threads: all released at once (``together``), or started
    evenly over ``spread`` seconds. Whatever has not answered after ``limit`` seconds counts
    as "timeout"; a request never outlives its own socket timeout, so stragglers end too."""
    barrier = threading.Barrier(len(jobs)) if together else None
    start = time.perf_counter()

    def run(index: int) -> Outcome:
        if barrier is not None:
            barrier.wait(timeout=limit)
        elif spread:
            time.sleep(max(0.0, start + spread * index / len(jobs) - time.perf_counter()))
        try:
            return jobs[index]()
        except OSError as exc:  # refused, reset, timed out: no HTTP answer at all
            return Outcome("no answer", 0, time.perf_counter() - start, str(exc))

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=parallel)
    futures = [pool.submit(run, i) for i in range(len(jobs))]
    done, _pending = concurrent.futures.wait(futures, timeout=limit)
    pool.shutdown(wait=False, cancel_futures=True)
    elapsed = time.perf_counter() - start
    outcomes = [
        f.result() if f in done else Outcome("timeout", 0, limit, f"no answer in {limit:.0f} s")
        for f in futures
    ]
    return outcomes, elapsed


def check_answers(ctx: Context, probe: str, where: str, outcomes: list[Outcome]) -> None:
    """5xx answers and requests that got no HTTP answer at all (reset, refused, timed out)."""
    errors = [o for o in outcomes if o.kind == "5xx"]
    if errors:
        ctx.findings.fail(
            probe, f"{where}{len(errors)} HTTP 5xx answers (first: {errors[0].detail})"
        )
    dropped = [o for o in outcomes if o.kind in ("no answer", "timeout")]
    if dropped:
        ctx.findings.fail(
            probe, f"{where}{len(dropped)} requests got no HTTP answer (first: {dropped[0].detail})"
        )


def server_error(*answers: Answer | None) -> Answer | None:
    return next((a for a in answers if a is not None and a.status >= 500), None)


def messages_text(answer: Answer | None) -> str:
    return " | ".join(text for _tags, text in answer.messages()) if answer else ""


# --- Data, through the services ----------------------------------------------------------------
@dataclass
class Context:
    url: str
    run: str
    programme: Programme
    coordinator: User
    findings: Findings
    args: argparse.Namespace
    rng: random.Random = field(default_factory=lambda: random.Random(2026))

    @property
    def manage(self) -> list[str]:
        return [sys.executable, str(ROOT / "manage.py")]


def free_year(programme: Programme) -> int:
    """A cohort year no cohort and no registration counter uses yet: the round's registration
    numbers then start at 0001, and a gap is this probe's finding, not someone else's."""
    prefix = f"REG-{programme.code}-"
    keys = set(Counter.objects.filter(key__startswith=prefix).values_list("key", flat=True))
    years = {d.year for d in Cohort.objects.values_list("start_date", flat=True)}
    year = 3000
    while year in years or f"{prefix}{year}" in keys:
        year += 1
    return year


def probe_intake(ctx: Context, slug: str, *, seats: int, year: int) -> Intake:
    cohort = demo.cohort_get_or_create(
        slug=slug, programme=ctx.programme, start=dt.date(year, 10, 1), seats=seats
    )
    now = timezone.now()
    intake = intake_save(
        intake=Intake(
            cohort=cohort,
            slug=slug,
            title_fr=f"Appel de la sonde {slug}",
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=30),
            seats=seats,
        )
    )
    for position, (kind, accepts) in enumerate(
        [
            ("cv", DocumentRequirement.Accepts.PDF),
            ("identity", DocumentRequirement.Accepts.PDF_OR_IMAGE),
        ],
        start=1,
    ):
        requirement_save(
            requirement=DocumentRequirement(
                intake=intake, kind=kind, accepts=accepts, position=position, required=True
            )
        )
    return intake


PDF = demo._pdf()  # the demo's one-page PDF, which the upload checks accept


def ready_draft(ctx: Context, intake: Intake, email: str, index: int) -> Application:
    """A complete draft as the five steps leave it: profile, a degree, motivation, documents."""
    user = User.objects.create_user(email)  # no usable password: the session is made here
    profile = ApplicantProfile(user=user)
    demo._identity(profile, index, ctx.rng)
    profile_save(profile=profile, consent=True)
    education_save(
        education=Education(
            profile=profile,
            degree=Education.Degree.LICENCE,
            field="Sciences économiques",
            institution="Université d'Alger 3",
            year=2016,
            average=Decimal("13.40"),
        )
    )
    application = app_services.application_start(applicant=user, intake=intake)
    application = app_services.application_save_draft(
        application=application,
        actor=user,
        motivation="Animer le cluster de ma filière et structurer son réseau.",
        project="Prendre en charge l'animation d'un cluster régional.",
    )
    for requirement in intake.requirements.filter(required=True):
        upload = SimpleUploadedFile(f"{requirement.kind}.pdf", PDF, content_type="application/pdf")
        app_services.document_upload(
            application=application, actor=user, requirement=requirement, upload=upload
        )
    return application


def drafts(ctx: Context, intake: Intake, label: str, count: int) -> list[Application]:
    start = time.perf_counter()
    made = [
        ready_draft(ctx, intake, f"probe.{label}.{ctx.run}.{i:03d}@example.dz", i)
        for i in range(count)
    ]
    print(f"   ({count} drafts prepared in {time.perf_counter() - start:.1f} s)", flush=True)
    return made


def signed_in(ctx: Context, users: list[User]) -> list[WebSession]:
    return [WebSession.signed_in(ctx.url, user) for user in users]


# --- 1. Seats ----------------------------------------------------------------------------------
def probe_seats(ctx: Context) -> None:
    a = ctx.args
    print(
        f"\n1. seats: {a.seat_applicants} applicants holding offers accept at once for "
        f"{a.seats} seats, {a.seat_rounds} rounds (POST /me/applications/<n>/offer/accept/)",
        flush=True,
    )
    rows: list[list[object]] = []
    for round_ in range(1, a.seat_rounds + 1):
        year = free_year(ctx.programme)
        slug = f"probe-seats-{ctx.run}-{round_}"
        # Offers for everyone first (the decision refuses more offers than free seats), then
        # the cohort shrinks to its real size: more offers than seats, as after a mistake.
        intake = probe_intake(ctx, slug, seats=a.seat_applicants, year=year)
        applications = drafts(ctx, intake, f"seats{round_}", a.seat_applicants)
        for application in applications:
            app_services.application_submit(application=application, actor=application.applicant)
        decide(applications=applications, actor=ctx.coordinator, decision=Decision.ADMIT)
        cohort = intake.cohort
        cohort.seats = a.seats
        cohort_save(cohort=cohort)
        sessions = signed_in(ctx, [app.applicant for app in applications])

        def accept(session: WebSession, number: str) -> Outcome:
            answer = session.post(
                f"/me/applications/{number}/offer/accept/", timeout=a.request_timeout
            )
            page = None if answer.status >= 500 else session.follow(answer)
            text = messages_text(page)
            if (bad := server_error(answer, page)) is not None:
                return Outcome("5xx", answer.status, answer.seconds, f"{bad.status} {bad.title()}")
            if WELCOME in text:
                return Outcome("accepted", answer.status, answer.seconds, text)
            if FULL in text:
                return Outcome("refused: full", answer.status, answer.seconds, text)
            return Outcome("other", answer.status, answer.seconds, f"{answer.status} {text}")

        jobs = [
            functools.partial(accept, s, app.number)
            for s, app in zip(sessions, applications, strict=True)
        ]
        outcomes, wall = burst(jobs, parallel=len(jobs), limit=a.time_limit, together=True)
        tally = Tally(o.kind for o in outcomes)
        students = list(
            Student.objects.filter(cohort=cohort)
            .order_by("registration_number")
            .values_list("registration_number", "user_id")
        )
        numbers = [n for n, _user in students]
        code = ctx.programme.code
        expected = [f"{code}-{year}-{i:04d}" for i in range(1, len(numbers) + 1)]
        counter = Counter.objects.filter(key=f"REG-{code}-{year}").values_list("last", flat=True)
        taken = counter.first() or 0
        accepted_offers = Offer.objects.filter(
            application__intake=intake, status=Offer.Status.ACCEPTED
        ).count()
        said = sorted(
            m.group(0)
            for o in outcomes
            if o.kind == "accepted" and (m := re.search(rf"{code}-\d{{4}}-\d{{4}}", o.detail))
        )
        latencies = [o.seconds for o in outcomes if o.status]
        rows.append(
            [
                round_,
                tally["accepted"],
                tally["refused: full"],
                tally["5xx"],
                sum(v for k, v in tally.items() if k not in ("accepted", "refused: full", "5xx")),
                len(numbers),
                f"{numbers[0][-4:]}..{numbers[-1][-4:]}" if numbers else "-",
                "yes" if numbers == expected and taken == len(numbers) else "NO",
                f"{wall:.1f}",
                ms(latencies, 0.5),
                ms(latencies, 0.95),
            ]
        )
        where = f"round {round_} ({slug})"
        check_answers(ctx, "seats", f"{where}: ", outcomes)
        if len(numbers) != a.seats:
            ctx.findings.fail(
                "seats", f"{where}: {len(numbers)} students in the database for {a.seats} seats"
            )
        if numbers != expected or taken != len(numbers):
            ctx.findings.fail(
                "seats",
                f"{where}: registration numbers {numbers} (counter at {taken}), "
                f"expected {code}-{year}-0001..{len(numbers):04d}",
            )
        if tally["accepted"] != len(numbers) or said != numbers:
            ctx.findings.fail(
                "seats",
                f"{where}: the pages welcomed {tally['accepted']} ({said}), "
                f"the database has {len(numbers)} students",
            )
        if accepted_offers != len(numbers):
            ctx.findings.fail(
                "seats", f"{where}: {accepted_offers} accepted offers for {len(numbers)} students"
            )
        for other in [o for o in outcomes if o.kind not in ("accepted", "refused: full")][:5]:
            print(f"   {where}: {other.kind}: {other.detail}", flush=True)
    table(
        [
            "round",
            "accepted",
            "refused:full",
            "5xx",
            "other",
            "students(db)",
            "numbers",
            "no gap",
            "wall s",
            "p50 ms",
            "p95 ms",
        ],
        rows,
    )


# --- 2. Submissions ----------------------------------------------------------------------------
def probe_submissions(ctx: Context) -> None:
    a = ctx.args
    print(
        f"\n2. submissions: {a.submissions} complete drafts submitted through the web within "
        f"{a.spread:.0f} s (POST /me/applications/<n>/submit/, one session each)",
        flush=True,
    )
    slug = f"probe-submit-{ctx.run}"
    intake = probe_intake(ctx, slug, seats=a.submissions, year=free_year(ctx.programme))
    applications = drafts(ctx, intake, "submit", a.submissions)
    sessions = signed_in(ctx, [app.applicant for app in applications])

    def submit(session: WebSession, number: str) -> Outcome:
        answer = session.post(f"/me/applications/{number}/submit/", timeout=a.request_timeout)
        if answer.status >= 500:
            return Outcome("5xx", answer.status, answer.seconds, answer.title())
        if answer.status == 302 and answer.location.endswith(f"/me/applications/{number}/"):
            return Outcome("submitted", answer.status, answer.seconds)
        page = session.follow(answer)
        if (bad := server_error(page)) is not None:
            return Outcome("5xx", bad.status, answer.seconds, f"the page it led to: {bad.title()}")
        detail = f"{answer.status} → {answer.location} {messages_text(page)}"
        return Outcome("other", answer.status, answer.seconds, detail)

    jobs = [
        functools.partial(submit, s, app.number)
        for s, app in zip(sessions, applications, strict=True)
    ]
    outcomes, wall = burst(jobs, parallel=len(jobs), limit=a.time_limit, spread=a.spread)
    tally = Tally(o.kind for o in outcomes)
    statuses = Tally(
        Application.objects.filter(pk__in=[app.pk for app in applications]).values_list(
            "status", flat=True
        )
    )
    latencies = [o.seconds for o in outcomes if o.status]
    table(
        [
            "submitted",
            "5xx",
            "other",
            "wall s",
            "p50 ms",
            "p95 ms",
            "max ms",
            "db submitted",
            "db drafts",
            "db other",
        ],
        [
            [
                tally["submitted"],
                tally["5xx"],
                sum(v for k, v in tally.items() if k not in ("submitted", "5xx")),
                f"{wall:.1f}",
                ms(latencies, 0.5),
                ms(latencies, 0.95),
                f"{1000 * max(latencies):.0f}" if latencies else "-",
                statuses["submitted"],
                statuses["draft"],
                sum(v for k, v in statuses.items() if k not in ("submitted", "draft")),
            ]
        ],
    )
    for other in [o for o in outcomes if o.kind != "submitted"][:5]:
        print(f"   {other.kind}: {other.detail}", flush=True)
    check_answers(ctx, "submissions", "", outcomes)
    if statuses["submitted"] != tally["submitted"]:
        ctx.findings.fail(
            "submissions",
            f"{tally['submitted']} answered as submitted, {statuses['submitted']} in the database",
        )


# --- 3. Two batches at once --------------------------------------------------------------------
def last_line(text: str) -> str:
    lines = [part.strip() for part in re.split(r"[\r\n]+", text) if part.strip()]
    return lines[-1] if lines else ""


def command(ctx: Context, *arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*ctx.manage, *arguments],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], limit: float) -> tuple[int | None, str, str]:
    try:
        out, err = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        return None, out, err + f"\n(killed after {limit:.0f} s)"
    return process.returncode, out, err


def wait_rendered(
    certificates: QuerySet[Certificate], limit: float, label: str
) -> tuple[Tally[str], float]:
    """Wait until none of these certificates is pending or rendering (at most ``limit`` s)."""
    start = time.monotonic()
    shown = start
    while True:
        counts = Tally(certificates.values_list("status", flat=True))
        left = counts["pending"] + counts["rendering"]
        if not left or time.monotonic() - start > limit:
            return counts, time.monotonic() - start
        if time.monotonic() - shown >= 15:
            shown = time.monotonic()
            print(
                f"   … {label}: {counts['ready']} ready, {counts['failed']} failed, "
                f"{left} still open after {shown - start:.0f} s",
                flush=True,
            )
        time.sleep(1)


def probe_batches(ctx: Context) -> None:
    a = ctx.args
    print(
        f"\n3. batches: two `manage.py issue_certificates --kind enrollment` started at the same "
        f"moment for the same cohort of {a.batch_students}, {a.batch_rounds} rounds",
        flush=True,
    )
    rows: list[list[object]] = []
    cohorts: list[Cohort] = []
    for round_ in range(1, a.batch_rounds + 1):
        slug = f"probe-batches-{ctx.run}-{round_}"
        cohort, _created = demo.seed_students(
            count=a.batch_students, cohort_slug=slug, programme=ctx.programme
        )
        cohorts.append(cohort)
        arguments = ["issue_certificates", "--cohort", slug, "--kind", "enrollment"]
        processes = [command(ctx, *arguments), command(ctx, *arguments)]
        results = [finish(p, a.time_limit) for p in processes]
        verdicts = []
        for index, (code, out, err) in enumerate(results, start=1):
            text = f"{out}\n{err}"
            if "database is locked" in text:
                verdict = "DATABASE IS LOCKED"
            elif code == 0:
                verdict = "queued"
            elif code is not None and any(t in text for t in RUNNING):
                verdict = "told running"
            else:
                verdict = "ERROR"
            verdicts.append(verdict)
            message = last_line(err) if code else last_line(out)
            rows.append([round_, index, "-" if code is None else code, verdict, message[:90]])
            if verdict in ("DATABASE IS LOCKED", "ERROR"):
                ctx.findings.fail("batches", f"round {round_}, command {index}: {message}")
                tail = "\n".join(err.strip().splitlines()[-15:])
                if tail:
                    print("   " + tail.replace("\n", "\n   "), flush=True)
        batches = Batch.objects.filter(cohort=cohort)
        current = (
            Certificate.objects.filter(cohort=cohort, kind="enrollment", status__in=CURRENT)
            .values("holder")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .count()
        )
        if batches.count() != verdicts.count("queued"):
            ctx.findings.fail(
                "batches",
                f"round {round_}: {verdicts.count('queued')} commands queued a batch, "
                f"{batches.count()} batches in the database",
            )
        if current:
            ctx.findings.fail(
                "batches", f"round {round_}: {current} students hold two current attestations"
            )
        if verdicts.count("queued") == 0 and all(v == "told running" for v in verdicts):
            ctx.findings.fail("batches", f"round {round_}: both commands were refused")
    table(["round", "cmd", "exit", "verdict", "message"], rows)
    certificates = Certificate.objects.filter(cohort__in=cohorts)
    counts, waited = wait_rendered(certificates, a.render_timeout, "batches")
    not_done = Batch.objects.filter(cohort__in=cohorts).exclude(status=Batch.Status.DONE).count()
    print(
        f"   rendering afterwards: {counts['ready']} ready, {counts['failed']} failed, "
        f"{counts['pending'] + counts['rendering']} still open after {waited:.0f} s; "
        f"batches not done: {not_done}",
        flush=True,
    )
    if counts["pending"] + counts["rendering"]:
        ctx.findings.fail("batches", f"not rendered within {a.render_timeout:.0f} s")
    elif not_done:
        ctx.findings.fail("batches", f"{not_done} batch(es) not marked done with nothing left")
    if counts["failed"]:
        ctx.findings.fail("batches", f"{counts['failed']} certificates failed to render")


# --- 4. Student requests while a batch renders -------------------------------------------------
def workers_replying() -> str:
    """Which Celery workers answer a ping on this broker (Redis; the file broker cannot)."""
    if not str(settings.CELERY_BROKER_URL).startswith("redis"):
        return "not asked (broker without remote control)"
    from config.celery import app

    try:
        replies = app.control.ping(timeout=3) or []
    except Exception as exc:  # the probe reports any broker failure rather than stopping
        return f"ping failed: {exc}"
    return f"{len(replies)} worker(s): " + ", ".join(name for r in replies for name in r)


def probe_requests_during_batch(ctx: Context) -> None:
    a = ctx.args
    slug = a.batch_cohort
    print(
        f"\n4. requests during a batch: enrollment attestations for {slug} ({a.batch_size} "
        f"students) and meanwhile {a.requests} requests from their page, {a.parallel} at once "
        f"(POST /me/certificates/)",
        flush=True,
    )
    call_command(
        "seed_demo",
        "--students",
        str(a.batch_size),
        "--cohort",
        slug,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    cohort = Cohort.objects.get(slug=slug)
    earlier = Batch.objects.filter(cohort=cohort, kind="enrollment").exclude(
        status=Batch.Status.DONE
    )
    if earlier.exists():
        counts, _waited = wait_rendered(
            Certificate.objects.filter(batch__in=earlier), a.render_timeout, "earlier batch"
        )
        print(
            f"   an earlier batch of this cohort is still "
            f"{list(earlier.values_list('status', flat=True))}"
            f" with {counts['pending'] + counts['rendering']} certificates open: it is closed "
            "here so this run can start one (a batch left open by an earlier run)",
            flush=True,
        )
        earlier.update(status=Batch.Status.DONE)
    students = list(
        Student.objects.filter(cohort=cohort, status=Student.Status.ACTIVE)
        .select_related("user")
        .order_by("registration_number")[: a.batch_size]
    )
    sessions = signed_in(ctx, [s.user for s in students])
    started = timezone.now()
    code, out, err = finish(
        command(ctx, "issue_certificates", "--cohort", slug, "--kind", "enrollment"), a.time_limit
    )
    print(f"   issue_certificates: exit {code}: {last_line(out if code == 0 else err)}", flush=True)
    if code != 0:
        ctx.findings.fail("requests-during-batch", f"the batch did not start: {last_line(err)}")
        return
    batch = Batch.objects.filter(cohort=cohort, created_at__gte=started).order_by("-pk").first()
    assert batch is not None
    in_batch = Certificate.objects.filter(batch=batch)
    deadline = time.monotonic() + 60
    while (
        not in_batch.exclude(status=Certificate.Status.PENDING).exists()
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    before = Tally(in_batch.values_list("status", flat=True))
    print(
        f"   batch {batch.pk}: {sum(before.values())} certificates; when the requests start: "
        f"{before['ready']} ready, {before['rendering']} rendering, {before['pending']} pending",
        flush=True,
    )

    def ask(session: WebSession) -> Outcome:
        answer = session.post(
            "/me/certificates/", {"kind": "enrollment"}, timeout=a.request_timeout
        )
        if answer.status >= 500:
            return Outcome("5xx", answer.status, answer.seconds, answer.title())
        if answer.status == 429:
            return Outcome("429", answer.status, answer.seconds)
        if not 200 <= answer.status < 400:
            return Outcome("other", answer.status, answer.seconds, f"{answer.status}")
        page = session.follow(answer)
        if (bad := server_error(page)) is not None:
            return Outcome("5xx", bad.status, answer.seconds, f"the page it led to: {bad.title()}")
        text = messages_text(page)
        kind = "asked" if REQUESTED in text else "2xx/3xx, refused"
        return Outcome(kind, answer.status, answer.seconds, text)

    jobs = [functools.partial(ask, sessions[i % len(sessions)]) for i in range(a.requests)]
    outcomes, wall = burst(jobs, parallel=a.parallel, limit=a.time_limit)
    during = Tally(in_batch.values_list("status", flat=True))
    tally = Tally(o.kind for o in outcomes)
    latencies = [o.seconds for o in outcomes if o.status]
    table(
        [
            "2xx/3xx asked",
            "2xx/3xx refused",
            "429",
            "5xx",
            "other",
            "wall s",
            "p50 ms",
            "p95 ms",
            "batch open before",
            "batch open after",
        ],
        [
            [
                tally["asked"],
                tally["2xx/3xx, refused"],
                tally["429"],
                tally["5xx"],
                sum(
                    v
                    for k, v in tally.items()
                    if k not in ("asked", "2xx/3xx, refused", "429", "5xx")
                ),
                f"{wall:.1f}",
                ms(latencies, 0.5),
                ms(latencies, 0.95),
                before["pending"] + before["rendering"],
                during["pending"] + during["rendering"],
            ]
        ],
    )
    for other in [o for o in outcomes if o.kind not in ("asked",)][:5]:
        print(f"   {other.kind}: {other.detail}", flush=True)
    probe_page = WebSession(ctx.url)
    try:
        health = probe_page.get("/healthz", timeout=10)
        health_text = f"{health.status} {json.loads(health.body)}"
    except (OSError, ValueError) as exc:
        health, health_text = None, f"no answer ({exc})"
    print(f"   /healthz: {health_text}", flush=True)
    print(f"   workers: {workers_replying()}", flush=True)
    requested = Certificate.objects.filter(
        holder__cohort=cohort, batch__isnull=True, issued_at__gte=started
    )
    counts, waited = wait_rendered(
        Certificate.objects.filter(cohort=cohort, issued_at__gte=started),
        a.render_timeout,
        "batch and requests",
    )
    batch.refresh_from_db()
    rows = []
    for label, rows_of in (("batch", in_batch), ("requests", requested)):
        by = Tally(rows_of.values_list("status", flat=True))
        rows.append(
            [
                label,
                sum(by.values()),
                by["ready"],
                by["failed"],
                by["pending"],
                by["rendering"],
                by["superseded"],
            ]
        )
    print(f"   after {waited:.0f} s of waiting (limit {a.render_timeout:.0f} s):")
    table(["certificates", "total", "ready", "failed", "pending", "rendering", "superseded"], rows)
    print(f"   batch {batch.pk} status: {batch.status}", flush=True)
    after = WebSession(ctx.url)
    try:
        after_health = after.get("/healthz", timeout=10)
        print(f"   /healthz afterwards: {after_health.status} {json.loads(after_health.body)}")
    except (OSError, ValueError) as exc:
        after_health = None
        print(f"   /healthz afterwards: no answer ({exc})")
    print(f"   workers afterwards: {workers_replying()}", flush=True)

    f = ctx.findings
    check_answers(ctx, "requests-during-batch", "", outcomes)
    if requested.count() != tally["asked"]:
        f.fail(
            "requests-during-batch",
            f"{tally['asked']} requests answered as being prepared, {requested.count()} "
            "certificates requested in the database",
        )
    doubles = (
        Certificate.objects.filter(cohort=cohort, kind="enrollment", status__in=CURRENT)
        .values("holder")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    if doubles:
        f.fail("requests-during-batch", f"{doubles} students hold two current attestations")
    if counts["pending"] + counts["rendering"]:
        f.fail(
            "requests-during-batch",
            f"{counts['pending'] + counts['rendering']} certificates still open after "
            f"{a.render_timeout:.0f} s",
        )
    elif batch.status != Batch.Status.DONE:
        f.fail(
            "requests-during-batch",
            f"batch {batch.pk} is still '{batch.status}' with nothing left to render: the next "
            "batch of this cohort would be refused as already running",
        )
    if counts["failed"]:
        errors = Tally(
            Certificate.objects.filter(
                cohort=cohort, issued_at__gte=started, status=Certificate.Status.FAILED
            ).values_list("error", flat=True)
        )
        f.fail("requests-during-batch", f"{counts['failed']} certificates failed: {dict(errors)}")
    for label, answer in (("before", health), ("after", after_health)):
        if answer is None or answer.status != 200:
            f.fail("requests-during-batch", f"/healthz {label} the wait did not answer 200")
    canary(ctx, students[0], sessions[0])


def canary(ctx: Context, student: Student, session: WebSession) -> None:
    """One more request after a quiet while, with this process's connection closed as when
    a command ends: does a worker still render? (A worker can look alive to /healthz and
    to a ping while every task of its children fails on the database.)"""
    a = ctx.args
    connection.close()
    time.sleep(a.quiet)
    asked = timezone.now()
    answer = session.post("/me/certificates/", {"kind": "enrollment"}, timeout=a.request_timeout)
    mine = Certificate.objects.filter(holder=student, batch__isnull=True, issued_at__gte=asked)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = mine.values_list("status", flat=True).first()
        if status not in (None, *OPEN):
            break
        time.sleep(0.5)
    waited = 60 - max(0.0, deadline - time.monotonic())
    print(
        f"   one more request after {a.quiet:.0f} s of quiet: HTTP {answer.status}, "
        f"certificate {status or 'not created'} after {waited:.1f} s",
        flush=True,
    )
    if status != Certificate.Status.READY:
        ctx.findings.fail(
            "requests-during-batch",
            f"a request made after {a.quiet:.0f} s of quiet was not rendered within 60 s "
            f"({status or 'no certificate'}): the workers no longer render",
        )


# --- Main --------------------------------------------------------------------------------------
PROBES: dict[str, Callable[[Context], None]] = {
    "seats": probe_seats,
    "submissions": probe_submissions,
    "batches": probe_batches,
    "requests-during-batch": probe_requests_during_batch,
}


def describe(url: str) -> None:
    database = settings.DATABASES["default"]
    commit = (
        subprocess.run(
            ["git", "log", "-1", "--format=%h"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        or f"unknown ({ROOT} is not a git checkout)"
    )
    dirty = subprocess.run(
        ["git", "status", "--short", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    print(
        f"server {url}; commit {commit}" + (f" (changed: {' '.join(dirty[1::2])})" if dirty else "")
    )
    print(
        f"database {connection.vendor} {database['NAME']}; "
        f"options {database.get('OPTIONS') or '{}'}"
    )
    print(
        f"broker {settings.CELERY_BROKER_URL}, queue {settings.CELERY_TASK_DEFAULT_QUEUE}; "
        f"this process's settings, which the server is expected to share"
    )


def final_checks(ctx: Context) -> None:
    """After every probe: the server still healthy, and an SQLite file still sound (several
    processes writing one file is where a lost journal or lock shows up as corruption)."""
    print("\nafterwards:", flush=True)
    try:
        health = WebSession(ctx.url).get("/healthz", timeout=10)
        print(f"   /healthz: {health.status} {health.body.strip()}")
        if health.status != 200:
            ctx.findings.fail("afterwards", f"/healthz answered {health.status}: {health.body}")
    except OSError as exc:
        ctx.findings.fail("afterwards", f"/healthz gave no answer: {exc}")
    if connection.vendor == "sqlite":
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA quick_check")
                verdict = [row[0] for row in cursor.fetchall()]
        except Exception as exc:  # a damaged file raises rather than answers
            verdict = [f"{type(exc).__name__}: {exc}"]
        print(f"   SQLite quick_check: {'; '.join(verdict[:5])}", flush=True)
        if verdict != ["ok"]:
            ctx.findings.fail("afterwards", f"SQLite file damaged: {'; '.join(verdict[:5])}")


def bounded(value: str) -> int:
    number = int(value)
    if not 1 <= number <= MAX_REQUESTS:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_REQUESTS}")
    return number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="the running server, http://127.0.0.1:PORT")
    parser.add_argument("--probe", choices=[*PROBES, "all"], default="all")
    parser.add_argument("--seat-applicants", type=bounded, default=50)
    parser.add_argument("--seats", type=int, default=10)
    parser.add_argument("--seat-rounds", type=int, default=5)
    parser.add_argument("--submissions", type=bounded, default=100)
    parser.add_argument("--spread", type=float, default=3.0, help="seconds the submissions span")
    parser.add_argument("--batch-rounds", type=int, default=3)
    parser.add_argument("--batch-students", type=int, default=10)
    parser.add_argument("--batch-cohort", default="probe-batch")
    parser.add_argument("--batch-size", type=int, default=200, help="students of --batch-cohort")
    parser.add_argument("--requests", type=bounded, default=200)
    parser.add_argument("--parallel", type=bounded, default=20)
    parser.add_argument("--time-limit", type=float, default=120, help="seconds per burst")
    parser.add_argument("--request-timeout", type=float, default=60)
    parser.add_argument("--render-timeout", type=float, default=600, help="seconds of waiting")
    parser.add_argument(
        "--quiet", type=float, default=15, help="seconds before the last, single request"
    )
    args = parser.parse_args()
    try:
        WebSession(args.url)
    except ValueError as exc:
        sys.exit(str(exc))
    if args.seats >= args.seat_applicants:
        sys.exit("--seats must be fewer than --seat-applicants")
    status = wait_until_up(args.url, timeout=10)
    if status != 200:
        sys.exit(f"{args.url}/healthz answered {status}: is the server (and its broker) up?")
    programme = Programme.objects.order_by("pk").first()
    if programme is None:
        sys.exit("No programme: run `manage.py seed_demo` first.")
    coordinator, _ = User.objects.get_or_create(
        email="probe.coordinator@example.dz", defaults={"is_coordinator": True}
    )
    ctx = Context(
        url=args.url.rstrip("/"),
        run=timezone.now().strftime("%m%d%H%M%S"),
        programme=programme,
        coordinator=coordinator,
        findings=Findings(),
        args=args,
    )
    describe(ctx.url)
    for name, probe in PROBES.items():
        if args.probe in (name, "all"):
            try:
                probe(ctx)
            except Exception as exc:  # a probe that breaks is a finding; the others still run
                traceback.print_exc()
                ctx.findings.fail(name, f"the probe stopped: {type(exc).__name__}: {exc}")
    final_checks(ctx)
    print()
    if ctx.findings.failures:
        print(f"{len(ctx.findings.failures)} problem(s):")
        for failure in ctx.findings.failures:
            print(f"  - {failure}")
        sys.exit(1)
    print("no HTTP 5xx, no inconsistency.")


if __name__ == "__main__":
    main()
