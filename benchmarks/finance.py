"""Invoice one instalment to a cohort of N students (30 % of them sponsored 70/30 by five
organisations, so grouped invoices too) and time it; then time the balances of the cohort.

Usage:  DATABASE_URL=postgres://… .venv/bin/python benchmarks/finance.py [--students 1000]
Target: invoicing 1,000 students in under 10 s. Each run plans a new academic year of the
cohort's schedule and invoices its first instalment, so runs can be repeated."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import User  # noqa: E402
from enrollment.models import Cohort, Student  # noqa: E402
from finance import selectors  # noqa: E402
from finance.models import FeeSchedule, Instalment, Invoice, Sponsorship  # noqa: E402
from finance.services.invoices import invoice_issue  # noqa: E402
from finance.services.schedules import (  # noqa: E402
    PlannedInstalment,
    instalments_plan,
    schedule_set,
    sponsorship_confirm,
)
from partners.models import Organisation  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=1000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    slug = f"bench-finance-{args.students}"
    call_command(
        "seed_demo",
        "--students",
        str(args.students),
        "--cohort",
        slug,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    cohort = Cohort.objects.get(slug=slug)
    cashier, _ = User.objects.get_or_create(
        email="benchmark.finance@example.dz", defaults={"is_finance": True}
    )
    schedule = FeeSchedule.objects.filter(cohort=cohort).first() or schedule_set(
        actor=cashier, cohort=cohort, tuition_per_year=Decimal("450000")
    )
    people = list(Student.objects.filter(cohort=cohort).order_by("registration_number"))
    sponsors = [
        Organisation.objects.get_or_create(
            slug=f"bench-sponsor-{n}",
            defaults={"kind": Organisation.Kind.COMPANY, "name_fr": f"Entreprise {n}"},
        )[0]
        for n in range(5)
    ]
    sponsored = {s.student_id for s in Sponsorship.objects.filter(student__cohort=cohort)}
    for n, student in enumerate(people[: len(people) * 3 // 10]):
        if student.pk not in sponsored:
            sponsorship_confirm(
                actor=cashier, student=student, organisation=sponsors[n % 5], share=Decimal(70)
            )
    year = (Instalment.objects.filter(schedule=schedule).order_by("-year").values_list(
        "year", flat=True
    ).first() or 0) + 1  # fmt: skip
    plan = instalments_plan(
        actor=cashier,
        schedule=schedule,
        year=year,
        instalments=[
            PlannedInstalment(
                label_fr=f"Année {year}, tranche unique",
                amount=schedule.tuition_per_year,
                due_date=dt.date(2026, 10, 1) + dt.timedelta(days=365 * (year - 1)),
            )
        ],
    )
    before = Invoice.objects.count()
    started = time.perf_counter()
    invoices = invoice_issue(actor=cashier, students=people, instalments=plan)
    invoiced = time.perf_counter() - started
    assert Invoice.objects.count() - before == len(invoices)
    started = time.perf_counter()
    rows = selectors.student_balances(cohort=cohort)
    sponsors_rows = selectors.sponsor_balances(cohort=cohort)
    balances = time.perf_counter() - started
    print(f"Database: {connection.vendor}; cohort {slug}: {len(people)} students, year {year}.")
    print(
        f"Invoicing: {len(invoices)} invoices issued in {invoiced:.2f} s "
        f"(target: under 10 s for 1,000 students)."
    )
    print(
        f"Balances of the cohort: {len(rows)} students and {len(sponsors_rows)} sponsors "
        f"in {balances:.2f} s."
    )


if __name__ == "__main__":
    main()
