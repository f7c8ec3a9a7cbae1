"""Results day: N students log in and read their results, "My programme" and their documents
at once, through gunicorn on PostgreSQL, as production runs it (DEBUG off).

Usage:  DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… CACHE_URL=rediscache://… \\
        .venv/bin/python benchmarks/results_day.py [--sessions 300] [--concurrency 50]
                                                    [--students N] [--small 50] [--workers 2]

1. Data, through the project's own code: `seed_demo --students N --cohort results-day-N` (and a
   small cohort `results-day-50`), `seed_marks` (S1 marked, its jury closed and published),
   then the enrollment attestations and S1 transcripts issued with `batch_start` and rendered
   in this process (Celery eager: nothing goes to the broker). The students get a verified
   address and one known password (hashed once). Reused by later runs. Then what the
   publication queues for the worker: each student's transcript of "My programme" rendered
   ahead into the shared cache (studies/results_cache.py), its time printed.
2. Query counts of every page for a student of each cohort (Django's test client in-process):
   no page may make more queries for the larger cohort.
3. gunicorn (sync workers, DEBUG off, collected static files, TRUSTED_PROXY_COUNT=1 as behind
   nginx) on a free port of 127.0.0.1; every session keeps its own cookies and its own address
   (X-Forwarded-For, so the log-in limits count per student, as behind the proxy). Each
   page type runs in its own phase, every session once, at the given concurrency:
   - the log-in page, and the log-in POST (password hashing: reported, not held to the target);
   - "My space" (/me/, where the log-in lands);
   - "My programme" (/me/programme/): the published results, the transcript so far and the
     credits (the site has no other results page for students), the timetable, the modules;
   - "My documents" (/me/certificates/) and the download of the S1 transcript;
   - the trivial view, first and last: the code look-up form /verify/, anonymous (a full page,
     no session, no query); and once with the student's session, which shows what being
     logged in costs every page (session and user read, logged-in menu), not held to the target.
   The server's CPU of a phase is the gunicorn workers' utime + stime (/proc/<pid>/stat) after
   minus before, divided by the requests of the phase.

Traffic goes to 127.0.0.1 only, each phase sends a bounded number of requests, the whole run
stops at --max-seconds, and gunicorn is stopped at the end, error or not.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import hashlib
import http.client
import http.cookies
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The preparation renders its certificates here, in this process, and sends no e-mail: nothing
# reaches the broker, whose workers may belong to another database.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "on"
os.environ["EMAIL_URL"] = "dummymail://"
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = "benchmark-results-day"
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Every document is signed (#11): without a certificate of its own, the benchmark signs with
# the development one of `make run` (created in main() if missing).
DEV_P12 = ROOT / "var" / "signing" / "dev.p12"
if not os.environ.get("SIGNING_P12"):
    os.environ["SIGNING_P12"] = str(DEV_P12)
    os.environ.setdefault("SIGNING_P12_PASSWORD", "development-only")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from certificates.models import Certificate, Kind  # noqa: E402
from certificates.services import batch_start  # noqa: E402
from enrollment.models import Cohort, Student  # noqa: E402
from studies.demo import seed_marks  # noqa: E402
from studies.models import Jury, SemesterResult  # noqa: E402
from studies.results_cache import results_warm  # noqa: E402

PASSWORD = "results-day-2026"  # noqa: S105  (benchmark students only, invented people)
TRIVIAL = "/verify/"
LOGIN = "/accounts/login/"


# --- 1. Data --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Holder:
    email: str
    registration_number: str
    code: str  # the S1 transcript this student downloads
    sha256: str


def prepare(slug: str, size: int, coordinator: User) -> list[Holder]:
    """A cohort of ``size`` students with S1 published and two ready documents each."""
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", "--students", str(size), "--cohort", slug, stdout=quiet)
    cohort = Cohort.objects.get(slug=slug)
    seed_marks(cohort=cohort, coordinator=coordinator)  # once: S1 marked, closed, published
    # What the publication queues (Celery): the transcripts rendered ahead, into the cache
    # the web processes share. Done here too, for a cohort published by an earlier run.
    start = time.perf_counter()
    warmed = results_warm(cohort_pk=cohort.pk)
    print(
        f"  {slug}: {warmed} transcripts of My programme rendered ahead in "
        f"{time.perf_counter() - start:.1f} s (the worker's part, after the publication)",
        flush=True,
    )
    students = cohort.students.filter(status=Student.Status.ACTIVE)
    users = User.objects.filter(student_records__cohort=cohort)
    # Seeded students have no usable password: give them all the same one, hashed once.
    users.filter(password__startswith=UNUSABLE_PASSWORD_PREFIX).update(
        password=make_password(PASSWORD)
    )
    have = set(EmailAddress.objects.filter(user__in=users).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=u, email=u.email, verified=True, primary=True)
            for u in users.exclude(pk__in=have)
        ]
    )
    ready = Certificate.objects.filter(cohort=cohort, status=Certificate.Status.READY)
    for kind, semester in ((Kind.ENROLLMENT, None), (Kind.TRANSCRIPT, 1)):
        if ready.filter(kind=kind).count() < students.count():
            start = time.perf_counter()
            batch = batch_start(cohort=cohort, kind=kind, semester=semester, actor=coordinator)
            print(
                f"  {slug}: {batch.certificates.filter(status='ready').count()} {kind} "
                f"rendered in {time.perf_counter() - start:.0f} s",
                flush=True,
            )
    published = SemesterResult.objects.filter(
        student__cohort=cohort, jury__status=Jury.Status.PUBLISHED
    )
    transcripts = {c.holder_id: c for c in ready.filter(kind=Kind.TRANSCRIPT).order_by("issued_at")}
    holders = []
    for student in students.select_related("user").order_by("registration_number"):
        certificate = transcripts.get(student.pk)
        if certificate is None or not certificate.pdf.storage.exists(certificate.pdf.name or ""):
            sys.exit(f"{student} has no ready S1 transcript on disk: delete cohort {slug}.")
        holders.append(
            Holder(student.user.email, student.registration_number, certificate.code,
                   certificate.sha256)
        )  # fmt: skip
    if published.values("student").distinct().count() != len(holders):
        sys.exit(f"Some students of {slug} have no published result: delete the cohort.")
    return holders


# --- 2. Query counts, in-process ------------------------------------------------------------
def query_counts(holder: Holder) -> dict[str, int]:
    """Queries of each page for one student, the second time it is asked (warm caches)."""
    counts: dict[str, int] = {}

    def count(name: str, call: Callable[[], object]) -> None:
        call()
        with CaptureQueriesContext(connection) as ctx:
            call()
        counts[name] = len(ctx.captured_queries)

    with override_settings(ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False):
        anonymous = Client()
        count("trivial", lambda: expect(anonymous.get(TRIVIAL), 200))
        count("login page", lambda: expect(anonymous.get(LOGIN), 200))
        student = Client()
        count(
            "login POST",
            lambda: expect(
                Client().post(LOGIN, {"login": holder.email, "password": PASSWORD}), 302
            ),
        )
        expect(student.post(LOGIN, {"login": holder.email, "password": PASSWORD}), 302)
        count("my space", lambda: expect(student.get("/me/"), 200))
        count("my programme", lambda: expect(student.get("/me/programme/"), 200))
        count("my documents", lambda: expect(student.get("/me/certificates/"), 200))

        def download() -> None:
            response = expect(student.get(f"/certificates/{holder.code}/download/"), 200)
            b"".join(response.streaming_content)

        count("download", download)
        count("logged in", lambda: expect(student.get(TRIVIAL), 200))
    return counts


def expect(response, status: int):
    if response.status_code != status:
        sys.exit(f"{response.request['PATH_INFO']}: {response.status_code}, expected {status}")
    return response


# --- 3. Load through gunicorn ---------------------------------------------------------------
@dataclass
class Session:
    holder: Holder
    address: str  # the student's own address, as the proxy forwards it
    cookies: dict[str, str] = field(default_factory=dict)
    form_token: str = ""  # the log-in form's CSRF field, from the log-in page


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


class Server:
    def __init__(self, port: int, workers: int, static_root: str) -> None:
        self.port = port
        self.env = {
            **os.environ,
            "DEBUG": "off",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"https://127.0.0.1:{port}",
            "STATIC_ROOT": static_root,
            "TRUSTED_PROXY_COUNT": "1",  # the proxy's X-Forwarded-For names each student
            "CELERY_TASK_ALWAYS_EAGER": "off",
        }
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def collectstatic(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT, env=self.env, check=True,
        )  # fmt: skip

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "config.wsgi",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers),
                "--worker-class", "sync",
                "--timeout", "120",
                "--log-level", "warning",
            ],
            cwd=ROOT, env=self.env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped on start")
            try:
                if request(self.port, "GET", TRIVIAL).status == 200 and len(self.pids()) == (
                    self.workers
                ):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def pids(self) -> list[int]:
        assert self.process is not None
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return sorted(int(p) for p in path.read_text().split())

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: the workers finish and leave
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes, in seconds: every thread, the exited ones included
    (Argon2 hashes a password in threads that end with the request), in 10 ms ticks."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of proc(5)
    return total / TICKS


def request(
    port: int, method: str, path: str, session: Session | None = None, form: dict | None = None
) -> Answer:
    headers = {
        "Host": f"127.0.0.1:{port}",
        "X-Forwarded-Proto": "https",  # what the TLS proxy says; the site redirects plain HTTP
        "Accept-Language": "fr",
    }
    body = None
    if session is not None:
        headers["X-Forwarded-For"] = session.address  # as the proxy appends it
        if session.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = f"https://127.0.0.1:{port}"
        headers["Referer"] = f"https://127.0.0.1:{port}{path}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        answer = Answer(response.status, response.msg, response.read())
    finally:
        connection.close()
    if session is not None:
        for line in answer.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(line)
            for name, morsel in cookie.items():
                session.cookies[name] = morsel.value
    return answer


CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Step:
    """One page of a session: the request, and what makes its answer right."""

    name: str
    call: Callable[[int, Session], bool]


def step_login_page(port: int, session: Session) -> bool:
    answer = request(port, "GET", LOGIN, session)
    match = CSRF_FIELD.search(answer.body)
    if answer.status == 200 and match:
        session.form_token = match.group(1).decode()
        return True
    return False


def step_login(port: int, session: Session) -> bool:
    form = {"csrfmiddlewaretoken": session.form_token, "login": session.holder.email}
    answer = request(port, "POST", LOGIN, session, {**form, "password": PASSWORD})
    return (
        answer.status == 302
        and answer.headers.get("Location") == "/me/"
        and (settings.SESSION_COOKIE_NAME in session.cookies)
    )


def page(path: str, marker: Callable[[Holder], str]) -> Callable[[int, Session], bool]:
    def call(port: int, session: Session) -> bool:
        answer = request(port, "GET", path, session)
        return answer.status == 200 and marker(session.holder).encode() in answer.body

    return call


def step_download(port: int, session: Session) -> bool:
    holder = session.holder
    answer = request(port, "GET", f"/certificates/{holder.code}/download/", session)
    return (
        answer.status == 200
        and answer.headers.get("Content-Type") == "application/pdf"
        and hashlib.sha256(answer.body).hexdigest() == holder.sha256
    )


def step_trivial(port: int, session: Session) -> bool:
    # Anonymous on purpose: no session row to read, no user, no query.
    return request(port, "GET", TRIVIAL).status == 200


def step_trivial_logged_in(port: int, session: Session) -> bool:
    # The same page with the student's session: what being logged in costs any page.
    answer = request(port, "GET", TRIVIAL, session)
    return answer.status == 200 and session.holder.email.encode() in answer.body


STEPS = {
    "trivial": Step("trivial (/verify/)", step_trivial),
    "login page": Step("login page", step_login_page),
    "login POST": Step("login POST", step_login),
    "my space": Step("my space (/me/)", page("/me/", lambda h: h.registration_number)),
    "my programme": Step("my programme", page("/me/programme/", lambda h: h.registration_number)),
    "my documents": Step("my documents", page("/me/certificates/", lambda h: h.code)),
    "download": Step("download (PDF)", step_download),
    "logged in": Step("trivial, logged in", step_trivial_logged_in),
}
HELD_TO_TARGET = ("login page", "my space", "my programme", "my documents", "download")


@dataclass
class Phase:
    name: str
    count: int = 0
    errors: int = 0
    skipped: int = 0
    timings: list[float] = field(default_factory=list)
    cpu: float = 0.0  # server CPU seconds over the phase
    wall: float = 0.0
    error_samples: list[str] = field(default_factory=list)


def run_phase(
    key: str, sessions: list[Session], server: Server, concurrency: int, deadline: float
) -> Phase:
    step = STEPS[key]
    phase = Phase(key)

    def one(session: Session) -> tuple[bool, float, str] | None:
        if time.monotonic() > deadline:
            return None
        start = time.perf_counter()
        try:
            ok, why = step.call(server.port, session), ""
        except (OSError, http.client.HTTPException) as exc:
            ok, why = False, f"{type(exc).__name__}: {exc}"
        return ok, (time.perf_counter() - start) * 1000, why

    pids = server.pids()
    before, start = cpu_seconds(pids), time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        outcomes = list(pool.map(one, sessions))
    phase.wall = time.perf_counter() - start
    if server.pids() != pids:
        sys.exit(f"A gunicorn worker was replaced during the phase {key}: CPU figures void.")
    phase.cpu = cpu_seconds(pids) - before
    for outcome in outcomes:
        if outcome is None:
            phase.skipped += 1
            continue
        ok, ms, why = outcome
        phase.count += 1
        phase.timings.append(ms)
        if not ok:
            phase.errors += 1
            if len(phase.error_samples) < 3:
                phase.error_samples.append(why or "wrong answer")
    return phase


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def address(index: int) -> str:
    return f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255 or 1}"


def merge(tallies: dict[str, Phase], phase: Phase) -> None:
    """Add one phase to the run's tally of its page."""
    tally = tallies.setdefault(phase.name, Phase(phase.name))
    tally.count += phase.count
    tally.errors += phase.errors
    tally.skipped += phase.skipped
    tally.timings += phase.timings
    tally.cpu += phase.cpu
    tally.wall += phase.wall
    tally.error_samples += phase.error_samples[: 3 - len(tally.error_samples)]


# --- Report -----------------------------------------------------------------------------------
def per_request_ms(phase: Phase | None) -> float:
    return phase.cpu / phase.count * 1000 if phase and phase.count else float("nan")


def report(
    tallies: dict[str, Phase],
    paired: dict[str, Phase],
    counts: dict[str, dict[str, int]],
    sizes: tuple[int, int],
    args: argparse.Namespace,
) -> None:
    small, large = sizes
    print(
        f"\nResults day through gunicorn ({args.workers} sync workers, DEBUG off, PostgreSQL): "
        f"{args.sessions} student sessions at concurrency {args.concurrency}, cohort of {large} "
        f"students, {args.rounds} round(s); each page type in its own phase, right after a "
        "phase of the trivial view."
    )
    header = (
        f"{'page':<22} {'count':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'CPU ms/req':>10} {'× trivial':>9} {'req/s':>7} "
        f"{f'queries@{small}':>11} {f'queries@{large}':>11}"
    )
    print(header)
    print("-" * len(header))
    ratios: dict[str, float] = {}
    for key, step in STEPS.items():
        phase = tallies.get(key)
        if phase is None:
            continue
        cpu = per_request_ms(phase)
        ratios[key] = 1.0 if key == "trivial" else cpu / per_request_ms(paired.get(key))
        timings = phase.timings or [float("nan")]
        print(
            f"{step.name:<22} {phase.count:>6} {phase.errors:>6} "
            f"{statistics.median(timings):>8.1f} {percentile(timings, 0.95):>8.1f} "
            f"{percentile(timings, 0.99):>8.1f} {cpu:>10.2f} {ratios[key]:>9.2f} "
            f"{phase.count / phase.wall if phase.wall else 0:>7.1f} "
            f"{counts[str(small)].get(key, ''):>11} {counts[str(large)].get(key, ''):>11}"
        )
        for sample in phase.error_samples:
            print(f"    error: {sample}")
        if phase.skipped:
            print(f"    {phase.skipped} not sent: --max-seconds reached")
    print(
        "\nCPU: the gunicorn workers' utime + stime per request (/proc/<pid>/stat, "
        f"{1000 // TICKS} ms ticks). "
        "× trivial: a page's CPU per request over that of the trivial phase run just before it "
        "(the machine's load drifts; each page is compared with its neighbour)."
    )
    print("Target: ≤ 2 × trivial CPU, 0 errors, query count independent of the cohort's size.")
    for key in HELD_TO_TARGET:
        held = tallies.get(key)
        if held is None or not held.count:
            continue
        same = counts[str(small)][key] == counts[str(large)][key]
        verdict = "meets" if ratios[key] <= 2 and not held.errors and same else "MISSES"
        print(
            f"  {STEPS[key].name:<22} {verdict:<6} ×{ratios[key]:.2f}, {held.errors} errors, "
            f"queries {counts[str(small)][key]} → {counts[str(large)][key]}"
        )
    login = tallies.get("login POST")
    if login and login.count:
        print(
            f"  {'login POST':<22} (not held to the target: password hashing) "
            f"{per_request_ms(login):.0f} ms CPU each, {login.errors} errors"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=300, help="student sessions (≤ 2000)")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--students", type=int, help="size of the cohort (default: --sessions)")
    parser.add_argument("--small", type=int, default=50, help="size of the cohort compared")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--rounds", type=int, default=1, help="times the logged-in pages are measured (1–5)"
    )
    parser.add_argument("--max-seconds", type=int, default=1200, help="the load stops then")
    args = parser.parse_args()
    if not (1 <= args.sessions <= 2000 and 1 <= args.concurrency <= 200 and 1 <= args.rounds <= 5):
        sys.exit("--sessions must be 1–2000, --concurrency 1–200 and --rounds 1–5.")
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL: set DATABASE_URL (see the docstring).")
    if not os.environ.get("CACHE_URL", "").startswith("rediscache://"):
        sys.exit(
            "Give the web processes a shared cache, as production does: CACHE_URL=rediscache://…"
        )
    large = args.students or args.sessions
    small = min(args.small, large)

    call_command("migrate", verbosity=0)
    if os.environ["SIGNING_P12"] == str(DEV_P12):
        call_command("signing_dev_certificate", "--out", str(DEV_P12))
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    coordinator, _ = User.objects.get_or_create(
        email="benchmark.coordinator@example.dz", defaults={"is_coordinator": True}
    )
    print("preparing the cohorts …", flush=True)
    holders = prepare(f"results-day-{large}", large, coordinator)
    smaller = prepare(f"results-day-{small}", small, coordinator) if small < large else holders

    print("counting queries in-process …", flush=True)
    counts = {str(small): query_counts(smaller[-1]), str(large): query_counts(holders[-1])}

    sessions = [Session(holders[i % len(holders)], address(i + 1)) for i in range(args.sessions)]
    warm = [Session(holders[i % len(holders)], address(60000 + i)) for i in range(8)]
    port = free_port()
    deadline = time.monotonic() + args.max_seconds
    # Stopped from outside (kill, timeout): leave through the `finally` that stops gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="results-day-static-") as static_root:
        server = Server(port, args.workers, static_root)
        server.collectstatic()
        try:
            server.start()
            print(f"gunicorn on 127.0.0.1:{port}, warming up …", flush=True)
            for key in STEPS:  # every page once per warm session, then measured phases
                run_phase(key, warm, server, 2, deadline)
            tallies: dict[str, Phase] = {}
            paired: dict[str, Phase] = {}  # the trivial phases run right before each page's
            for round_ in range(args.rounds):
                for key in STEPS:
                    if key == "trivial" or (round_ and key in ("login page", "login POST")):
                        continue  # the log-in once: the later rounds reuse its sessions
                    trivial = run_phase("trivial", sessions, server, args.concurrency, deadline)
                    phase = run_phase(key, sessions, server, args.concurrency, deadline)
                    merge(tallies, trivial)
                    merge(tallies, phase)
                    merge(paired, dataclasses.replace(trivial, name=key, timings=[]))
                    print(
                        f"  {key:<13} {phase.count} requests in {phase.wall:.1f} s, "
                        f"{phase.errors} errors",
                        flush=True,
                    )
        finally:
            server.stop()
    report(tallies, paired, counts, (small, large), args)


if __name__ == "__main__":
    main()
