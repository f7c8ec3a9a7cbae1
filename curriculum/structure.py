"""Structure checks of a programme (academic-rules.md §1.2, §4 "Seed-data checks"): shown to the
coordinators where they edit, and run by ``manage.py check_curriculum``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from curriculum.models import Programme


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def structure_problems(programme: Programme) -> list[Problem]:
    """Every rule the structure breaks; empty when it is sound.

    Expects ``programme`` loaded by ``selectors.programme_with_structure`` (no query here).
    """
    problems: list[Problem] = []
    semesters = list(programme.semesters.all())
    numbers = {s.number for s in semesters}
    for number in range(1, programme.semester_count + 1):
        if number not in numbers:
            problems.append(
                Problem(programme.code, _("semester S%(n)s is missing") % {"n": number})
            )
    for semester in semesters:
        if semester.number > programme.semester_count:
            problems.append(
                Problem(
                    f"S{semester.number}",
                    _("the programme has only %(n)s semesters") % {"n": programme.semester_count},
                )
            )
    total = 0
    for semester in semesters:
        units = list(semester.units.all())
        credits = sum(u.credits for u in units)
        total += credits
        if credits != programme.semester_credits:
            problems.append(
                Problem(
                    f"S{semester.number}",
                    _("%(credits)s credits instead of %(expected)s")
                    % {"credits": credits, "expected": programme.semester_credits},
                )
            )
        for unit in units:
            problems.extend(_unit_problems(unit))
    if total != programme.total_credits:
        problems.append(
            Problem(
                programme.code,
                _("%(credits)s credits in all instead of %(expected)s")
                % {"credits": total, "expected": programme.total_credits},
            )
        )
    return problems


def _unit_problems(unit) -> list[Problem]:  # type: ignore[no-untyped-def]
    problems = []
    modules = list(unit.modules.all())
    if not modules:
        return [Problem(unit.code, _("the unit has no module"))]
    credits = sum(m.credits for m in modules)
    if credits != unit.credits:
        problems.append(
            Problem(
                unit.code,
                _("the unit carries %(unit)s credits but its modules add up to %(modules)s")
                % {"unit": unit.credits, "modules": credits},
            )
        )
    coefficient = sum(m.coefficient for m in modules)
    if coefficient != unit.coefficient:
        problems.append(
            Problem(
                unit.code,
                _("the unit's coefficient is %(unit)s but its modules add up to %(modules)s")
                % {"unit": unit.coefficient, "modules": coefficient},
            )
        )
    for module in modules:
        if module.w_cc + module.w_exam != Decimal(1):
            problems.append(
                Problem(
                    module.code,
                    _("the weights of continuous assessment and exam add up to %(sum)s, not 1")
                    % {"sum": module.w_cc + module.w_exam},
                )
            )
    return problems
