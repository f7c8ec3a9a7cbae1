"""A jury for 1,000 students × 9 modules: the time lmd's table takes to compute, and the
time to close it (results recorded, grids locked). PostgreSQL via DATABASE_URL, or the
embedded SQLite.

Usage:  .venv/bin/python benchmarks/juries.py [--students 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from curriculum.models import Programme  # noqa: E402
from enrollment.demo import seed_students  # noqa: E402
from studies.models import (  # noqa: E402
    Jury,
    Mark,
    MarkSheet,
    ModuleResult,
    SemesterResult,
    Session,
    UnitResult,
)
from studies.services.juries import jury_close, jury_compute, jury_get_or_create  # noqa: E402
from studies.services.marks import offerings_open  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    programme = Programme.objects.get(code="MCRT")
    slug = f"bench-jury-{args.students}"
    cohort, _ = seed_students(count=args.students, cohort_slug=slug, programme=programme)
    coordinator, _ = User.objects.get_or_create(
        email="benchmark.coordinator@example.dz", defaults={"is_coordinator": True}
    )
    offerings_open(cohort=cohort, semester=1, academic_year="2026-2027", actor=coordinator)
    sheets = list(MarkSheet.objects.filter(offering__cohort=cohort, session=Session.NORMAL))
    rng = random.Random(1)
    if not Mark.objects.filter(sheet__in=sheets).exists():
        students = list(cohort.students.values_list("pk", flat=True))
        with transaction.atomic():
            Mark.objects.bulk_create(
                [
                    Mark(
                        sheet=sheet,
                        student_id=pk,
                        cc=Decimal(rng.randint(10, 40)) / 2,
                        exam=Decimal(rng.randint(6, 40)) / 2,
                        mark=Decimal(rng.randint(600, 2000)) / 100,
                    )
                    for sheet in sheets
                    for pk in students
                ],
                batch_size=5000,
            )
        MarkSheet.objects.filter(pk__in=[s.pk for s in sheets]).update(
            status=MarkSheet.Status.SUBMITTED
        )
    marks = Mark.objects.filter(sheet__in=sheets).count()
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        table = jury_compute(cohort=cohort, semester=1)
        timings.append(time.perf_counter() - start)
    decided = sum(1 for row in table.rows if row.result)
    print(
        f"engine: {connection.vendor}; {args.students} students × {len(sheets)} modules "
        f"= {marks} marks"
    )
    print(
        f"jury table computed by lmd: median {statistics.median(timings):.2f} s, "
        f"worst {max(timings):.2f} s "
        f"over {args.repeat} runs ({decided} results)"
    )
    jury = jury_get_or_create(cohort=cohort, semester=1, session=Session.NORMAL)
    Jury.objects.filter(pk=jury.pk).update(status=Jury.Status.OPEN)
    MarkSheet.objects.filter(pk__in=[s.pk for s in sheets]).update(
        status=MarkSheet.Status.SUBMITTED
    )
    SemesterResult.objects.filter(student__cohort=cohort).delete()
    closes = []
    for _ in range(args.repeat):
        Jury.objects.filter(pk=jury.pk).update(status=Jury.Status.REOPENED)
        MarkSheet.objects.filter(pk__in=[s.pk for s in sheets]).update(
            status=MarkSheet.Status.SUBMITTED
        )
        start = time.perf_counter()
        closed = jury_close(jury=jury, actor=coordinator)
        closes.append(time.perf_counter() - start)
    rows = SemesterResult.objects.filter(jury=closed, version=closed.version)
    print(
        f"closing the jury (compute + {rows.count()} semester, "
        f"{UnitResult.objects.filter(semester_result__in=rows).count()} unit and "
        f"{ModuleResult.objects.filter(semester_result__in=rows).count()} module results "
        "recorded as a new version + grids locked + resit sheets opened): "
        f"median {statistics.median(closes):.2f} s, worst {max(closes):.2f} s "
        f"over {args.repeat} closes"
    )


if __name__ == "__main__":
    main()
