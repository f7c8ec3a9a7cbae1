"""The programme's structure (maquette) as rows, CSV and XLSX."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from django.utils.translation import gettext as _

from core import spreadsheets
from curriculum.models import Programme


def maquette_header() -> list[str]:
    return [
        _("Semester"), _("Unit"), _("Unit type"), _("Unit credits"), _("Unit coefficient"),
        _("Module"), _("Title (French)"), _("Title (English)"), _("Title (Arabic)"),
        _("Credits"), _("Coefficient"), _("Lecture h/week"), _("Tutorial h/week"),
        _("Practical h/week"), _("Hours per semester"), _("Continuous assessment"),
        _("Exam"), _("Partners"), _("Lecturers"),
    ]  # fmt: skip


def maquette_rows(programme: Programme) -> Iterator[list[object]]:
    """One row per module; expects ``selectors.programme_with_structure``."""
    for semester in programme.semesters.all():
        for unit in semester.units.all():
            for module in unit.modules.all():
                hours = (
                    module.semester_hours(semester.weeks)
                    if module.weekly_hours
                    else module.student_work_hours or 0
                )
                yield [
                    f"S{semester.number}", unit.code, unit.kind, unit.credits, unit.coefficient,
                    module.code, module.title_fr, module.title_en, module.title_ar,
                    module.credits, module.coefficient, module.hours_lecture,
                    module.hours_tutorial, module.hours_practical, hours, module.w_cc,
                    module.w_exam,
                    ", ".join(str(r.organisation) for r in module.partner_roles.all()),
                    ", ".join(_person(r.lecturer) for r in module.lecturer_roles.all()),
                ]  # fmt: skip


def _person(user: object) -> str:
    return str(user.get_full_name() or user.email)  # type: ignore[attr-defined]


def maquette_csv(programme: Programme, *, sep: str | None = None) -> bytes:
    return spreadsheets.csv_bytes(
        itertools.chain([maquette_header()], maquette_rows(programme)), sep=sep
    )


def maquette_xlsx(programme: Programme) -> bytes:
    return spreadsheets.xlsx_bytes(
        itertools.chain([maquette_header()], maquette_rows(programme)),
        title=programme.code,
        bold_header=True,
        freeze_header=True,
    )
