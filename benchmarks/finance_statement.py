"""Match a bank statement of 5,000 lines against a cohort's open invoices and time it (the
reading of the CSV and the matching, as the statement page and ``import_statement`` do them);
then, with ``--confirm N``, time recording N of its lines.

Usage:  DATABASE_URL=postgres://…/throwaway .venv/bin/python benchmarks/finance_statement.py
            [--students 3000] [--lines 5000] [--confirm 0]
It migrates the database it is given and creates its data there (a cohort of N students,
each invoiced one instalment, on the first run): point it at a throwaway database.
Target: matching 5,000 lines in under 5 s. Each run's references are new, so runs repeat."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import User  # noqa: E402
from curriculum.models import Programme  # noqa: E402
from enrollment.models import Cohort, Student  # noqa: E402
from finance import selectors  # noqa: E402
from finance.models import FeeSchedule, Instalment, Invoice  # noqa: E402
from finance.services.invoices import invoice_issue  # noqa: E402
from finance.services.schedules import (  # noqa: E402
    PlannedInstalment,
    instalments_plan,
    schedule_set,
)
from finance.services.statements import (  # noqa: E402
    statement_confirm,
    statement_match,
    statement_upload,
)
from finance.statements import read_statement  # noqa: E402


def _cohort(slug: str, size: int) -> Cohort:
    """A cohort of ``size`` students, created in bulk (the first run only)."""
    programme, _ = Programme.objects.get_or_create(
        code="BST", slug="bench-statement", defaults={"title_fr": "Benchmark"}
    )
    cohort, _ = Cohort.objects.get_or_create(
        slug=slug,
        defaults={
            "programme": programme,
            "name_fr": slug,
            "start_date": dt.date(2026, 10, 4),
            "seats": size,
        },
    )
    have = Student.objects.filter(cohort=cohort).count()
    users = User.objects.bulk_create(
        User(email=f"{slug}.{n}@example.dz", first_name="Étudiant", last_name=f"N{n}")
        for n in range(have, size)
    )
    Student.objects.bulk_create(
        Student(user=user, cohort=cohort, registration_number=f"BST-{size}-{n:05d}")
        for n, user in enumerate(users, have)
    )
    return cohort


def _open_invoices(cohort: Cohort, cashier: User) -> list[tuple[str, str, Decimal]]:
    """(number, registration number, left) of the cohort's open invoices, issuing one
    instalment to every student the first time."""
    schedule = FeeSchedule.objects.filter(cohort=cohort).first() or schedule_set(
        actor=cashier, cohort=cohort, tuition_per_year=Decimal("450000")
    )
    if not Instalment.objects.filter(schedule=schedule).exists():
        plan = instalments_plan(
            actor=cashier,
            schedule=schedule,
            year=1,
            instalments=[
                PlannedInstalment(
                    label_fr="Année 1, tranche unique",
                    amount=schedule.tuition_per_year,
                    due_date=dt.date(2026, 10, 1),
                )
            ],
        )
        people = list(Student.objects.filter(cohort=cohort).order_by("registration_number"))
        invoice_issue(actor=cashier, students=people, instalments=plan)
    rows = (
        selectors.invoices_with_totals()
        .filter(cohort=cohort, left__gt=0)  # type: ignore[misc]
        .values_list("number", "payer_student__registration_number", "left")
    )
    return list(rows)


def _statement(invoices: list[tuple[str, str, Decimal]], lines: int, run: str) -> bytes:
    """Lines of every kind: 60 % naming an invoice with its exact amount, 15 % a partial
    payment, 10 % a registration number, 5 % an over-payment, 10 % unmatched."""
    rng = random.Random(run)
    out = ["date;montant;référence;payeur"]
    day = dt.date(2026, 11, 2)
    for n in range(lines):
        number, registration, left = rng.choice(invoices)
        kind = rng.random()
        if kind < 0.6:
            reference, amount = f"VIR {number} {run}-{n}", left
        elif kind < 0.75:
            reference, amount = f"fac {number[4:]} {run}-{n}", (left / 3).quantize(Decimal("1"))
        elif kind < 0.85:
            reference, amount = f"FRAIS {registration} {run}-{n}", Decimal("1000")
        elif kind < 0.9:
            reference, amount = f"{number} {run}-{n}", left + 5000
        else:
            reference, amount = f"VIR {run}-{n}", Decimal("2500")
        out.append(f"{day:%d/%m/%Y};{amount:.2f}".replace(".", ",") + f";{reference};Payeur {n}")
    return ("\n".join(out) + "\n").encode("utf-8-sig")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=3000)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--confirm", type=int, default=0, help="record this many lines too")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    slug = f"bench-statement-{args.students}"
    cohort = _cohort(slug, args.students)
    cashier, _ = User.objects.get_or_create(
        email="benchmark.finance@example.dz", defaults={"is_finance": True}
    )
    invoices = _open_invoices(cohort, cashier)
    run = f"R{time.time_ns() % 10**9}"
    content = _statement(invoices, args.lines, run)
    started = time.perf_counter()
    rows = read_statement(SimpleUploadedFile("releve.csv", content))
    read = time.perf_counter() - started
    started = time.perf_counter()
    proposal = statement_match(rows)
    matched = time.perf_counter() - started
    print(
        f"Database: {connection.vendor}; {Invoice.objects.filter(cohort=cohort).count()} "
        f"invoices of cohort {slug}, {len(invoices)} of them open."
    )
    print(
        f"Statement of {len(rows)} lines: read in {read:.2f} s, matched in {matched:.2f} s, "
        f"{read + matched:.2f} s in all (target: under 5 s for 5,000 lines)."
    )
    print("Outcomes: " + ", ".join(f"{label} {count}" for label, count in proposal.counts))
    if args.confirm:
        part = b"\n".join(content.split(b"\n")[: args.confirm + 1]) + b"\n"
        statement = statement_upload(actor=cashier, upload=SimpleUploadedFile("part.csv", part))
        started = time.perf_counter()
        result = statement_confirm(actor=cashier, statement=statement, method="transfer")
        print(
            f"Confirming {args.confirm} lines: {len(result.recorded)} payments recorded in "
            f"{time.perf_counter() - started:.2f} s."
        )


if __name__ == "__main__":
    main()
