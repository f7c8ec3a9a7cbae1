"""Issue N enrollment attestations through real Celery workers and time it, beside the naive
way (one WeasyPrint document per certificate, default options, one process).

Usage:  DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… \\
        .venv/bin/python benchmarks/certificates.py [--students 1000] [--naive-sample 50]
Or the embedded default of `make run` (SQLite, a private Redis on a unix socket):
        DATABASE_URL=sqlite:////tmp/b/db.sqlite3 CELERY_BROKER_URL=redis+socket:///tmp/b/r.sock …
Prints wall time end to end (batch started → last PDF stored, every PDF signed), per-certificate
time, peak resident memory of each worker process, the cost of the signature alone (sign_pdf
over --sign-sample renders), and the naive time (measured on a sample and scaled to N, said
so). The documents are signed with SIGNING_P12, or the development certificate of `make run`."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# A queue of its own, emptied at the end: the holders' e-mails still queued when the worker
# stops do not linger in the queue the application's workers read.
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = "benchmark-certificates"
# The holders' e-mails are sent (claimed, marked sent) but not printed: the embedded default
# prints each one through the worker's log, which is not what a mail server costs.
os.environ.setdefault("EMAIL_URL", "dummymail://")
# Every document is signed: without a certificate of its own, the benchmark signs with the
# development one of `make run` (created below if missing), in this process and the workers.
if not os.environ.get("SIGNING_P12"):
    os.environ["SIGNING_P12"] = str(ROOT / "var" / "signing" / "dev.p12")
    os.environ.setdefault("SIGNING_P12_PASSWORD", "development-only")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from weasyprint import HTML  # noqa: E402

from accounts.models import User  # noqa: E402
from certificates import documents, pdf, services  # noqa: E402
from certificates.codes import new_code  # noqa: E402
from certificates.models import Certificate, Kind  # noqa: E402
from core import signing  # noqa: E402
from enrollment.models import Cohort  # noqa: E402


def peak_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--naive-sample", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument(
        "--sign-sample", type=int, default=50, help="renders signed alone, to time sign_pdf"
    )
    args = parser.parse_args()
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        sys.exit("Run it with a Redis broker (see the docstring).")
    call_command("migrate", verbosity=0)
    if os.environ["SIGNING_P12"] == str(ROOT / "var" / "signing" / "dev.p12"):
        call_command("signing_dev_certificate", "--out", os.environ["SIGNING_P12"])
    slug = f"bench-certs-{args.students}"
    call_command(
        "seed_demo",
        "--students",
        str(args.students),
        "--cohort",
        slug,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    cohort = Cohort.objects.get(slug=slug)
    Certificate.objects.filter(cohort=cohort).update(status=Certificate.Status.SUPERSEDED)
    from certificates.models import Batch

    Batch.objects.filter(cohort=cohort).update(status=Batch.Status.DONE)
    coordinator, _ = User.objects.get_or_create(
        email="benchmark.coordinator@example.dz", defaults={"is_coordinator": True}
    )

    # The naive way, on a sample.
    student = cohort.students.order_by("pk").first()
    assert student is not None
    snapshot = documents.snapshot(Kind.ENROLLMENT, student)
    start = time.perf_counter()
    for _ in range(args.naive_sample):
        HTML(string=pdf.render_html(snapshot, new_code()), base_url=str(ROOT)).write_pdf(
            stylesheets=[str(pdf.STYLESHEET)]
        )
    naive = (time.perf_counter() - start) / args.naive_sample

    # The signature alone: sign_pdf over a sample of renders (the signer loaded first, as a
    # worker has it after its first document), beside the render it follows.
    start = time.perf_counter()
    renders = [pdf.render_pdf(snapshot, new_code()) for _ in range(args.sign_sample)]
    render_alone = (time.perf_counter() - start) / args.sign_sample
    signing.sign_pdf(renders[0])
    start = time.perf_counter()
    signed_bytes = sum(len(signing.sign_pdf(content)) for content in renders)
    sign_alone = (time.perf_counter() - start) / args.sign_sample
    added = (signed_bytes - sum(map(len, renders))) / args.sign_sample
    key = signing.inspect_p12(
        Path(os.environ["SIGNING_P12"]), password=os.environ.get("SIGNING_P12_PASSWORD", "")
    ).public_key()
    key_name = f"{type(key).__name__.removeprefix('_')} {getattr(key, 'key_size', '')}".strip()

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            f"--concurrency={args.concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=dict(os.environ),
    )
    try:
        time.sleep(4)
        start = time.perf_counter()
        batch = services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
        recorded = time.perf_counter() - start
        while services.batch_progress(batch)["remaining"]:
            time.sleep(0.2)
        wall = time.perf_counter() - start
        progress = services.batch_progress(batch)
        peaks = [peak_rss_kib(pid) for pid in children(worker.pid)]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        from config.celery import app

        app.control.purge()  # the configured queue: benchmark-certificates
    n = progress["total"]
    print(
        f"{n} enrollment attestations through {args.concurrency} worker processes: "
        f"{wall:.1f} s end to end, {1000 * wall / n:.1f} ms per certificate "
        f"({progress['done']} ready, {progress['failed']} failed); the batch itself "
        f"(eligibility, snapshots, rows) was recorded in {recorded:.2f} s of that"
    )
    print(
        "peak resident memory per worker process: "
        + ", ".join(f"{p / 1024:.0f} MiB" for p in peaks)
    )
    print(
        f"naive (one WeasyPrint document per certificate, default options, one process): "
        f"{1000 * naive:.0f} ms per certificate on a sample of {args.naive_sample}, "
        f"i.e. about {naive * n:.0f} s for {n}"
    )
    print(
        f"signing alone (sign_pdf, PAdES B-{'T' if os.environ.get('SIGNING_TSA_URL') else 'B'}, "
        f"{key_name} key, one process): {1000 * sign_alone:.1f} ms per certificate over "
        f"{args.sign_sample} renders, +{added / 1024:.1f} KiB per file; the render it follows: "
        f"{1000 * render_alone:.0f} ms, so signing adds {100 * sign_alone / render_alone:.0f} % "
        f"of a worker's time per certificate (about {1000 * sign_alone / args.concurrency:.1f} ms "
        f"of the per-certificate time above, with {args.concurrency} worker processes)"
    )
    print(
        f"database {connection.vendor}, broker {os.environ['CELERY_BROKER_URL'].split(':')[0]}: "
        f"pipeline (signed) / naive = {wall / n / naive:.2f} per certificate (target: at most 0.50)"
    )


if __name__ == "__main__":
    main()
