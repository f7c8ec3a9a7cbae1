"""A cohort with a fee schedule of two instalments, and its students."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from enrollment.models import Cohort, Intake, Student
from enrollment.services.decisions import student_create
from finance.models import FeeSchedule, Instalment, StatementImport
from finance.services.schedules import PlannedInstalment, instalments_plan, schedule_set
from finance.services.statements import statement_upload
from tests.factories.accounts import UserFactory
from tests.factories.enrollment import CohortFactory

PAST = dt.date(2026, 1, 15)
FUTURE = dt.date(2099, 1, 15)


def finance_user() -> User:
    return UserFactory.create(is_finance=True)


def schedule_with_instalments(
    *, actor: User, cohort: Cohort | None = None, amounts: tuple[str, ...] = ("300000", "200000")
) -> tuple[FeeSchedule, list[Instalment]]:
    """A schedule whose first instalment is past due and the others due in the future."""
    cohort = cohort or CohortFactory.create()
    tuition = sum((Decimal(a) for a in amounts), Decimal(0))
    schedule = schedule_set(actor=actor, cohort=cohort, tuition_per_year=tuition)
    planned = [
        PlannedInstalment(
            label_fr=f"Tranche {n}",
            label_en=f"Instalment {n}",
            amount=Decimal(amount),
            due_date=PAST if n == 1 else FUTURE,
        )
        for n, amount in enumerate(amounts, 1)
    ]
    return schedule, instalments_plan(actor=actor, schedule=schedule, year=1, instalments=planned)


def students(cohort: Cohort, n: int) -> list[Student]:
    return [student_create(user=UserFactory.create(), cohort=cohort) for _ in range(n)]


def statement_csv(lines: list[str], *, name: str = "releve.csv") -> SimpleUploadedFile:
    """A bank statement as a ";"-separated CSV with a BOM, the French headers first."""
    text = "\n".join(["date;montant;référence;payeur", *lines]) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def statement_import(
    *, actor: User | None = None, lines: list[str] | None = None
) -> StatementImport:
    """An uploaded statement (nothing recorded): one line that pays no invoice by default."""
    return statement_upload(
        actor=actor or finance_user(),
        upload=statement_csv(lines or ["15/11/2026;1000,00;VIR 118;SARL Inconnue"]),
    )


def accepted_student(intake: Intake, **financing: object) -> Student:
    """A student who applied to ``intake`` (declaring ``financing``: the application's
    financing fields, paying oneself by default), was admitted and accepted the offer —
    through the services. The intake should wait for nothing but eligibility
    (``NOT_GUARDED``)."""
    from enrollment.services.applications import application_submit
    from enrollment.services.decisions import Decision, decide, offer_accept
    from enrollment.services.review import eligibility_set
    from tests.factories.enrollment import ready_application

    coordinator = UserFactory.create(is_coordinator=True)
    user = UserFactory.create()
    application = ready_application(user, intake)
    for name, value in financing.items():
        setattr(application, name, value)
    application.save()
    application_submit(application=application, actor=user)
    eligibility_set(application=application, actor=coordinator, eligible=True)
    decide(applications=[application], actor=coordinator, decision=Decision.ADMIT)
    application.refresh_from_db()
    return offer_accept(offer=application.offer, actor=user)
