"""Read queries of studies: mark sheets, juries, the modules a cohort is taught and a
student's own programme."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from accounts.access import Role, has_role
from accounts.models import User
from curriculum.models import Module
from enrollment.models import Cohort, Student
from partners.models import Organisation
from studies.models import Jury, JuryResult, Mark, MarkSheet, Offering


def cohort_sheets(*, cohort: Cohort) -> QuerySet[MarkSheet]:
    return (
        MarkSheet.objects.filter(offering__cohort=cohort)
        .select_related("offering__module")
        .order_by(
            "offering__semester",
            "session",
            "offering__module__unit__position",
            "offering__module__position",
        )
    )


def sheets_for(*, user: User) -> QuerySet[MarkSheet]:
    queryset = MarkSheet.objects.select_related("offering__module", "offering__cohort").order_by(
        "offering__cohort__start_date", "offering__semester", "offering__module__code", "session"
    )
    if has_role(user, Role.COORDINATOR):
        return queryset
    return queryset.filter(offering__lecturers=user)


def sheet_rows(*, sheet: MarkSheet, students: list[Student]) -> list[tuple[Student, Mark | None]]:
    marks = {m.student_id: m for m in Mark.objects.filter(sheet=sheet)}
    return [(s, marks.get(s.pk)) for s in students]


def jury_context(*, jury: Jury) -> dict[str, Any]:
    """The jury's table: recorded results once closed, computed by lmd while open."""
    from studies.services.juries import jury_compute, semester_structure

    cohort = jury.cohort
    structure = semester_structure(cohort.programme, jury.semester)
    units = [u.code for u in structure.units]
    if jury.status == Jury.Status.OPEN:
        table = jury_compute(cohort=cohort, semester=jury.semester, session=jury.session)
        rows = [
            {
                "student": row.student,
                "units": [row.result.units[u].average if row.result else None for u in units],
                "average": row.result.average if row.result else None,
                "credits": row.result.credits if row.result else None,
                "decision": row.result.decision if row.result else "",
                "anomalies": row.anomalies,
            }
            for row in table.rows
        ]
        anomalies = table.anomalies
    else:
        rows = [
            {
                "student": r.student,
                "units": [r.detail["units"].get(u, {}).get("average") for u in units],
                "average": r.average,
                "credits": r.credits,
                "decision": r.decision,
                "anomalies": [],
            }
            for r in jury.results.select_related("student__user").order_by(
                "student__registration_number"
            )
        ]
        anomalies = []
    return {
        "jury": jury,
        "cohort": cohort,
        "units": units,
        "rows": rows,
        "anomalies": anomalies,
        "events": jury.events.select_related("actor"),
    }


def jury_export_rows(context: dict[str, Any]) -> list[list[object]]:
    from django.utils.translation import gettext as _

    rows: list[list[object]] = [
        [
            _("Registration number"),
            _("Name"),
            *context["units"],
            _("Average"),
            _("Credits"),
            _("Decision"),
        ]
    ]
    for row in context["rows"]:
        rows.append(
            [
                row["student"].registration_number,
                row["student"].user.get_full_name(),
                *[str(v) if v is not None else "" for v in row["units"]],
                "" if row["average"] is None else str(row["average"]),
                row["credits"] or "",
                row["decision"],
            ]
        )
    return rows


# What "My programme" prints of the student record, its cohort and programme, and each module.
STUDENT_COLUMNS = (
    "registration_number",
    "cohort__name_fr",
    "cohort__name_ar",
    "cohort__name_en",
    "cohort__programme__semester_credits",
    "cohort__programme__semester_count",
)
MODULE_COLUMNS = ("code", "title_fr", "title_ar", "title_en")


@dataclass
class TaughtModule:
    """A module delivered to a cohort, as its students read it: the semester, the module
    (its code and titles), the lecturers (by e-mail) and the co-teaching partners (by name)."""

    semester: int
    module: Module
    lecturers: list[User] = field(default_factory=list)
    partners: list[Organisation] = field(default_factory=list)


def taught_modules(*, cohort: Cohort) -> list[TaughtModule]:
    """The modules delivered to ``cohort`` in the programme's order, in one query.

    Every student of the cohort reads this table on results day: one join costs less than the
    offerings and two prefetches. It has a row per lecturer and partner of each offering,
    sorted by the lecturer's e-mail then the partner's name (their models' own orderings), so
    each person's first row comes in that order; only the printed columns are read."""
    rows = (
        Offering.objects.filter(cohort=cohort)
        .order_by(
            "semester",
            "module__unit__position",
            "module__position",
            "pk",
            "lecturers__email",
            "partners__name_fr",
        )
        .values_list(
            "pk",
            "semester",
            *(f"module__{name}" for name in MODULE_COLUMNS),
            "lecturers__pk",
            "lecturers__first_name",
            "lecturers__last_name",
            "lecturers__email",
            "partners__pk",
            "partners__acronym",
            "partners__name_fr",
        )
    )
    modules: dict[int, TaughtModule] = {}
    for row in rows:
        pk, semester, code, title_fr, title_ar, title_en = row[:6]
        lecturer, first_name, last_name, email, partner, acronym, name_fr = row[6:]
        taught = modules.get(pk)
        if taught is None:
            module = Module(code=code, title_fr=title_fr, title_ar=title_ar, title_en=title_en)
            taught = modules[pk] = TaughtModule(semester=semester, module=module)
        if lecturer is not None and all(u.pk != lecturer for u in taught.lecturers):
            taught.lecturers.append(
                User(pk=lecturer, first_name=first_name, last_name=last_name, email=email)
            )
        if partner is not None and all(o.pk != partner for o in taught.partners):
            taught.partners.append(Organisation(pk=partner, acronym=acronym, name_fr=name_fr))
    return list(modules.values())


def student_programme(*, user: User) -> dict[str, Any] | None:
    """A student's own view: cohort, modules with lecturers and partners, published results."""
    student = (
        Student.objects.filter(user=user)
        .select_related("cohort__programme")
        .only(*STUDENT_COLUMNS)
        .order_by("-created_at")
        .first()
    )
    if student is None:
        return None
    published = (
        JuryResult.objects.filter(student=student, jury__status=Jury.Status.PUBLISHED)
        .select_related("jury")
        .order_by("jury__semester", "jury__session")
    )
    best: dict[int, JuryResult] = {}
    for result in published:
        best[result.jury.semester] = result  # the resit, when there is one, comes last
    programme = student.cohort.programme
    earned = sum(r.credits for r in best.values())
    return {
        "student": student,
        "offerings": taught_modules(cohort=student.cohort),
        "results": list(best.values()),
        "earned": earned,
        "total": programme.total_credits,
        "percent": int(100 * earned / programme.total_credits) if programme.total_credits else 0,
    }
