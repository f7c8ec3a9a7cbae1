"""Read queries of studies: mark sheets, juries, the modules a cohort is taught and a
student's own programme."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts.access import Role, has_role
from accounts.models import User
from curriculum.models import Module
from enrollment.models import Cohort, Student
from partners.models import Organisation
from studies.models import (
    Attendance,
    CalendarFeed,
    FinalResult,
    Jury,
    JuryEvent,
    Mark,
    MarkSheet,
    ModuleResult,
    Offering,
    SemesterResult,
    UnitResult,
    YearResult,
)


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
    """The jury's table: the record it wrote once decided, lmd's preview while open."""
    from studies.lifecycles import JURY
    from studies.services.juries import jury_compute, semester_structure

    cohort = jury.cohort
    context: dict[str, Any] = {
        "jury": jury,
        "cohort": cohort,
        "actions": JURY.actions(jury.status),
        "events": jury.events.select_related("actor"),
        "anomalies": [],
        "units": [],
        "rows": [],
    }
    if jury.year is not None:
        context["years"] = list(
            YearResult.objects.filter(jury=jury, version=jury.version)
            .select_related("student__user")
            .order_by("student__registration_number")
        )
        return context
    assert jury.semester is not None
    structure = semester_structure(cohort.programme, jury.semester)
    units = [u.code for u in structure.semester.units]
    context["units"] = units
    if jury.status in (Jury.Status.OPEN, Jury.Status.REOPENED):
        table = jury_compute(cohort=cohort, semester=jury.semester, session=jury.session)
        context["rows"] = [
            {
                "student": row.student,
                "units": [row.result.units[u].average if row.result else None for u in units],
                "average": row.result.average if row.result else None,
                "credits": row.result.credits if row.result else None,
                "total_credits": row.result.total_credits if row.result else None,
                "decision": row.result.decision if row.result else "",
                "anomalies": row.anomalies,
            }
            for row in table.rows
        ]
        context["anomalies"] = table.anomalies
        context["table"] = table
        return context
    results = (
        SemesterResult.objects.filter(jury=jury, version=jury.version)
        .select_related("student__user")
        .prefetch_related(Prefetch("units", queryset=UnitResult.objects.select_related("unit")))
        .order_by("student__registration_number")
    )
    context["rows"] = [
        {
            "student": r.student,
            "units": [
                next((u.average for u in r.units.all() if u.unit.code == c), None) for c in units
            ],
            "average": r.average,
            "credits": r.credits,
            "total_credits": r.total_credits,
            "decision": r.decision,
            "anomalies": [],
        }
        for r in results
    ]
    return context


def decided_count(*, jury: Jury) -> int:
    """How many students the jury's latest version decided on."""
    model = YearResult if jury.year is not None else SemesterResult
    return model.objects.filter(jury=jury, version=jury.version).count()


def jury_export_rows(context: dict[str, Any]) -> list[list[object]]:
    from django.utils.translation import gettext as _

    from curriculum.templatetags.lmd import decision

    if context["jury"].year is not None:
        rows: list[list[object]] = [
            [
                _("Registration number"),
                _("Name"),
                _("Annual average"),
                _("Credits"),
                _("Decision"),
                _("Progression"),
            ]
        ]
        for y in context["years"]:
            rows.append(
                [
                    y.student.registration_number,
                    y.student.user.get_full_name(),
                    y.average,
                    y.credits,
                    decision(y.decision),
                    decision(y.progression),
                ]
            )
        return rows
    rows = [
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
                *["" if v is None else v for v in row["units"]],
                "" if row["average"] is None else row["average"],
                "" if row["credits"] is None else row["credits"],
                decision(row["decision"]),
            ]
        )
    return rows


# --- The academic record, as stored by the juries --------------------------------------------
def _with_detail(queryset: QuerySet[SemesterResult]) -> QuerySet[SemesterResult]:
    return queryset.select_related("jury").prefetch_related(
        Prefetch(
            "units",
            queryset=UnitResult.objects.select_related("unit").order_by(
                "unit__position", "unit__code"
            ),
        ),
        Prefetch(
            "modules",
            queryset=ModuleResult.objects.select_related("module__unit").order_by(
                "module__unit__position", "module__position"
            ),
        ),
    )


def published_semesters(
    *, students: Iterable[Student], detail: bool = True
) -> dict[int, dict[int, SemesterResult]]:
    """Per student, per semester, the result as last published: the newest row of a published
    jury's latest version (the resit's after the first session's, the year's after both).
    A constant number of queries whatever the number of students."""
    queryset = SemesterResult.objects.filter(
        student__in=[s.pk for s in students],
        jury__status=Jury.Status.PUBLISHED,
        version=F("jury__version"),
    ).order_by("student_id", "semester", "pk")
    queryset = _with_detail(queryset) if detail else queryset.select_related("jury")
    found: dict[int, dict[int, SemesterResult]] = defaultdict(dict)
    for result in queryset:
        found[result.student_id][result.semester] = result  # the newest comes last
    return found


def published_years(*, students: Iterable[Student]) -> dict[int, dict[int, YearResult]]:
    found: dict[int, dict[int, YearResult]] = defaultdict(dict)
    for result in YearResult.objects.filter(
        student__in=[s.pk for s in students],
        jury__status=Jury.Status.PUBLISHED,
        version=F("jury__version"),
    ).order_by("student_id", "year", "pk"):
        found[result.student_id][result.year] = result
    return found


def published_finals(*, students: Iterable[Student]) -> dict[int, FinalResult]:
    return {
        r.student_id: r
        for r in FinalResult.objects.filter(
            student__in=[s.pk for s in students],
            jury__status=Jury.Status.PUBLISHED,
            version=F("jury__version"),
        ).select_related("jury")
    }


def credits_held(semesters: dict[int, SemesterResult]) -> int:
    """The credits a student holds: those of each semester's standing result."""
    return sum(result.credits for result in semesters.values())


def year_rows(*, cohort: Cohort, year: int) -> list[YearResult]:
    """The annual deliberation's current results (staff pages and exports)."""
    return list(
        YearResult.objects.filter(student__cohort=cohort, year=year, current=True)
        .select_related("student__user", "jury")
        .order_by("student__registration_number")
    )


def final_rows(*, cohort: Cohort) -> list[FinalResult]:
    return list(
        FinalResult.objects.filter(student__cohort=cohort, current=True)
        .select_related("student__user", "jury")
        .order_by("rank", "student__registration_number")
    )


def roster_export_rows(students: Iterable[Student]) -> list[list[object]]:
    """The cohort's roster as a spreadsheet: identity in both scripts, level, group, status."""
    from django.utils.translation import gettext as _

    from enrollment.models import ApplicantProfile

    students = list(students)
    profiles = {
        p.user_id: p
        for p in ApplicantProfile.objects.filter(user__in=[s.user_id for s in students])
    }
    rows: list[list[object]] = [
        [
            _("Registration number"),
            _("Surname"),
            _("Given names"),
            _("Surname (Arabic script)"),
            _("Given names (Arabic script)"),
            _("E-mail"),
            _("Level"),
            _("Group"),
            _("Status"),
        ]
    ]
    for student in students:
        profile = profiles.get(student.user_id)
        rows.append(
            [
                student.registration_number,
                profile.surname_latin if profile else student.user.last_name,
                profile.given_names_latin if profile else student.user.first_name,
                profile.surname_ar if profile else "",
                profile.given_names_ar if profile else "",
                student.user.email,
                student.get_level_display(),
                student.group,
                student.get_status_display(),
            ]
        )
    return rows


def results_export_rows(*, cohort: Cohort) -> list[list[object]]:
    """The annual and final results of a cohort as recorded, one row per student."""
    from django.utils.translation import gettext as _

    from curriculum.templatetags.lmd import decision

    years = range(1, cohort.programme.semester_count // 2 + 1)
    by_year = {
        year: {r.student_id: r for r in year_rows(cohort=cohort, year=year)} for year in years
    }
    finals = {r.student_id: r for r in final_rows(cohort=cohort)}
    header: list[object] = [_("Registration number"), _("Name")]
    for year in years:
        header += [
            _("Year %(n)s: average") % {"n": year},
            _("Year %(n)s: credits") % {"n": year},
            _("Year %(n)s: decision") % {"n": year},
            _("Year %(n)s: progression") % {"n": year},
        ]
    header += [_("Final average"), _("Ranking average"), _("Mention"), _("Rank")]
    rows: list[list[object]] = [header]
    for student in (
        Student.objects.filter(cohort=cohort).select_related("user").order_by("registration_number")
    ):
        row: list[object] = [student.registration_number, student.user.get_full_name()]
        for year in years:
            y = by_year[year].get(student.pk)
            row += (
                [y.average, y.credits, decision(y.decision), decision(y.progression)]
                if y
                else ["", "", "", ""]
            )
        final = finals.get(student.pk)
        row += (
            [final.average, final.ranking_average, decision(final.mention), final.rank or ""]
            if final
            else ["", "", "", ""]
        )
        rows.append(row)
    return rows


def two(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def academic_record(*, student: Student) -> dict[str, Any]:
    """The stored record of a student (current rows), as ``manage.py academic_record --json``
    prints it: numbers as strings with two decimals."""
    semesters = list(
        SemesterResult.objects.filter(student=student, current=True).order_by("semester")
    )
    years = list(YearResult.objects.filter(student=student, current=True).order_by("year"))
    final = FinalResult.objects.filter(student=student, current=True).first()
    return {
        "registration_number": student.registration_number,
        "cohort": student.cohort.slug,
        "semesters": [
            {
                "number": r.semester,
                "session": "resit" if r.session == "R" else "normal",
                "average": two(r.average),
                "credits": r.credits,
                "decision": r.decision,
                "acquired_by": r.acquired_by,
                "version": r.version,
            }
            for r in semesters
        ],
        "years": [
            {
                "number": y.year,
                "average": two(y.average),
                "credits": y.credits,
                "decision": y.decision,
                "progression": y.progression,
                "debt_credits": y.debt_credits,
            }
            for y in years
        ],
        "total_credits": sum(r.credits for r in semesters),
        "final": None
        if final is None
        else {
            "average": two(final.average),
            "ranking_average": two(final.ranking_average),
            "mention": final.mention,
            "rank": final.rank,
            "repeats": final.repeats,
            "debts": final.debts,
            "resits": final.resits,
        },
    }


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
    offering_id: int = 0  # for the link to the module's materials


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
            taught = modules[pk] = TaughtModule(semester=semester, module=module, offering_id=pk)
        if lecturer is not None and all(u.pk != lecturer for u in taught.lecturers):
            taught.lecturers.append(
                User(pk=lecturer, first_name=first_name, last_name=last_name, email=email)
            )
        if partner is not None and all(o.pk != partner for o in taught.partners):
            taught.partners.append(Organisation(pk=partner, acronym=acronym, name_fr=name_fr))
    return list(modules.values())


def programme_student(*, user: User) -> Student | None:
    """The student record "My programme" shows (the latest), in one query with what the
    page's cached parts are keyed on (templates/studies/my_programme.html):

    - ``results_stamp``: the cohort's last jury event. Every close, reopen and publication
      of a jury writes one (studies/services/juries.py), so what is published changes only
      with it: the cached transcript of a stamp is the transcript;
    - ``feed_key``: the key of the person's calendar feed (``None``: never made one);
    - ``others_active``: another active record of the same person (then the timetable is
      not the cohort group's alone, and is not taken from the group's cache)."""
    return (
        Student.objects.filter(user=user)
        .select_related("cohort__programme")
        .only(*STUDENT_COLUMNS, "group", "status", "user_id", "cohort_id")
        .annotate(
            results_stamp=results_stamp(),
            feed_key=Subquery(CalendarFeed.objects.filter(user=OuterRef("user")).values("key")[:1]),
            others_active=Exists(
                Student.objects.filter(user=OuterRef("user"), status=Student.Status.ACTIVE).exclude(
                    pk=OuterRef("pk")
                )
            ),
        )
        .order_by("-created_at")
        .first()
    )


def results_stamp() -> Subquery:
    """For a query of students: their cohort's last jury event (see ``programme_student``)."""
    return Subquery(
        JuryEvent.objects.filter(jury__cohort=OuterRef("cohort")).order_by("-pk").values("pk")[:1]
    )


def students_results(students: Sequence[Student]) -> dict[int, dict[str, Any]]:
    """Per student, the published results "My programme" shows: each semester's and year's
    standing result, the credits held out of the programme's. A constant number of queries
    whatever the number of students (the cached transcripts are rendered ahead in one go)."""
    semesters = published_semesters(students=students)
    years = published_years(students=students)
    records = {}
    for student in students:
        held = semesters.get(student.pk, {})
        kept = years.get(student.pk, {})
        total = student.cohort.programme.total_credits
        earned = credits_held(held)
        records[student.pk] = {
            "results": [held[n] for n in sorted(held)],
            "years": [kept[n] for n in sorted(kept)],
            "earned": earned,
            "total": total,
            "percent": int(100 * earned / total) if total else 0,
        }
    return records


def student_results(student: Student) -> dict[str, Any]:
    return students_results([student])[student.pk]


def attendance_rates(*, students: Iterable[Student]) -> dict[int, int]:
    """Per student, the percentage of the class sessions taken whose attendance says present
    (the rule of ``certificates.documents.attendance_rate``, over every module); a student
    with no attendance taken has no entry. One query whatever the number of students."""
    rows = (
        Attendance.objects.filter(student__in=[s.pk for s in students])
        .values("student")
        .annotate(
            taken=Count("pk"), present=Count("pk", filter=Q(status=Attendance.Status.PRESENT))
        )
        .values_list("student", "taken", "present")
    )
    return {student: int(100 * present / taken) for student, taken, present in rows if taken}
