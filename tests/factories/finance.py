"""A cohort with a fee schedule of two instalments, and its students."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import User
from enrollment.models import Cohort, Student
from enrollment.services.decisions import student_create
from finance.models import FeeSchedule, Instalment
from finance.services.schedules import PlannedInstalment, instalments_plan, schedule_set
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
