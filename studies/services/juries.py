"""Juries and the academic record. The only callers of ``curriculum.lmd``'s evaluation and
the only writers of the record (``studies.models.record``): every close writes a new
version of the rows it decides, in the same transaction (academic-rules.md §8).

A semester jury (first session, then resit) decides module, unit and semester results. The
year's deliberation (``Jury.year``) applies annual compensation between its two semesters
(R-ANN-1) — writing new versions of a semester it compensates — decides the year and the
progression (R-PROG-1); the last year's also decides the final result and the ranking
(academic-rules.md §1.9, arrêté 714).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import Notification, User
from accounts.services import email_queue
from core import queueing
from curriculum import lmd
from curriculum.models import Module, Programme
from enrollment.models import Cohort, Student
from studies import locks
from studies.lifecycles import JURY, SHEET
from studies.models import (
    AcquiredBy,
    FinalResult,
    Jury,
    JuryEvent,
    Mark,
    MarkSheet,
    ModuleResult,
    Offering,
    SemesterResult,
    Session,
    UnitResult,
    YearResult,
)

ACTIVE = (Student.Status.ACTIVE,)
DECIDED = (Jury.Status.CLOSED, Jury.Status.PUBLISHED)


# --- Structure --------------------------------------------------------------------------------
class NoStructureError(ValidationError):
    """The programme has no module in this semester: there is nothing to deliberate on."""


@dataclass(frozen=True)
class Structure:
    """A semester as lmd sees it, with the curriculum rows its results are stored against."""

    semester: lmd.Semester
    modules: dict[str, Module]
    units: dict[str, int]


def semester_structure(programme: Programme, number: int) -> Structure:
    modules = list(
        Module.objects.filter(programme=programme, unit__semester__number=number)
        .select_related("unit")
        .order_by("unit__position", "unit__code", "position")
    )
    units: dict[str, list[lmd.Module]] = defaultdict(list)
    for module in modules:
        units[module.unit.code].append(
            lmd.Module(code=module.code, coefficient=module.coefficient, credits=module.credits)
        )
    if not units:
        raise NoStructureError(
            _("The programme has no module in semester %(n)s.") % {"n": number}, code="no_structure"
        )
    return Structure(
        semester=lmd.Semester(
            number=number,
            units=[lmd.Unit(code=code, modules=items) for code, items in units.items()],
            final=number == programme.semester_count,
        ),
        modules={m.code: m for m in modules},
        units={m.unit.code: m.unit_id for m in modules},
    )


# --- A semester's table -----------------------------------------------------------------------
@dataclass
class JuryRow:
    student: Student
    result: lmd.SemesterResult | None
    anomalies: list[str] = field(default_factory=list)
    #: module codes whose kept mark is the resit's (a resit that improved the mark)
    from_resit: frozenset[str] = frozenset()


@dataclass
class JuryTable:
    structure: Structure
    units: list[str]
    rows: list[JuryRow]
    anomalies: list[str]


def _marks_by_student(sheets: Iterable[MarkSheet]) -> dict[int, dict[str, Mark]]:
    marks: dict[int, dict[str, Mark]] = defaultdict(dict)
    codes = {s.pk: s.offering.module.code for s in sheets}
    for mark in Mark.objects.filter(sheet__in=list(codes)).only(
        "student_id", "sheet_id", "mark", "absence", "excluded"
    ):
        marks[mark.student_id][codes[mark.sheet_id]] = mark
    return marks


def jury_compute(*, cohort: Cohort, semester: int, session: str = Session.NORMAL) -> JuryTable:
    """The semester's table for every active student, computed by ``lmd`` from the marks; the
    anomalies (missing marks, grids not submitted) say why a row has no result. At the resit,
    only the students whom the first session sent there, with the better mark kept."""
    programme = cohort.programme
    rules = programme.rules()
    structure = semester_structure(programme, semester)
    codes = [m.code for m in structure.semester.modules]
    sheets = list(
        MarkSheet.objects.filter(offering__cohort=cohort, offering__semester=semester)
        .select_related("offering__module")
        .order_by("session")
    )
    first_sheets = [s for s in sheets if s.session == Session.NORMAL]
    resit_sheets = [s for s in sheets if s.session == Session.RESIT]
    watched = first_sheets if session == Session.NORMAL else resit_sheets
    anomalies = [
        _("Grid of %(code)s not submitted.") % {"code": s.offering.module.code}
        for s in watched
        if s.status == MarkSheet.Status.OPEN
    ]
    offered = {s.offering.module.code for s in first_sheets}
    anomalies += [
        _("No grid for %(code)s.") % {"code": code} for code in codes if code not in offered
    ]
    marks = _marks_by_student(first_sheets)
    resit_marks = _marks_by_student(resit_sheets) if session == Session.RESIT else {}
    # A semester that the year's deliberation acquired by compensation is not resat.
    compensated = (
        set(
            SemesterResult.objects.filter(
                student__cohort=cohort,
                semester=semester,
                current=True,
                acquired_by=AcquiredBy.ANNUAL,
            ).values_list("student_id", flat=True)
        )
        if session == Session.RESIT
        else set()
    )
    rows = []
    for student in (
        Student.objects.filter(cohort=cohort, status__in=ACTIVE)
        .select_related("user")
        .order_by("registration_number")
    ):
        own = marks.get(student.pk, {})
        missing = [
            code
            for code in codes
            if code not in own or (own[code].mark is None and own[code].absence == "")
        ]
        if missing:
            rows.append(
                JuryRow(
                    student, None, [_("Missing marks: %(codes)s.") % {"codes": ", ".join(missing)}]
                )
            )
            continue
        values: dict[str, Decimal | None] = {code: own[code].mark for code in codes}
        excluded = {code for code in codes if own[code].excluded}
        justified = {code for code in codes if own[code].absence == Mark.Absence.JUSTIFIED}
        for code in justified:
            values.pop(code, None)
        result = lmd.evaluate_semester(
            structure.semester, values, excluded=excluded, absent_justified=justified, rules=rules
        )
        from_resit: frozenset[str] = frozenset()
        if session == Session.RESIT:
            if result.acquired or not result.resit_modules or student.pk in compensated:
                continue  # only the students sent to the resit sit before the resit jury
            second = {
                code: mark.mark
                for code, mark in resit_marks.get(student.pk, {}).items()
                if code in result.resit_modules
            }
            missing = sorted(
                code for code in result.resit_modules if code not in resit_marks.get(student.pk, {})
            )
            if missing:
                rows.append(
                    JuryRow(
                        student,
                        None,
                        [_("Missing resit marks: %(codes)s.") % {"codes": ", ".join(missing)}],
                    )
                )
                continue
            first = result
            result = lmd.evaluate_resit(
                structure.semester, first=first, resit_marks=second, rules=rules
            )
            from_resit = frozenset(
                code
                for code, value in second.items()
                if value is not None
                and result.modules[code].mark == value
                and ((before := first.modules[code].mark) is None or value > before)
            )
        rows.append(JuryRow(student, result, from_resit=from_resit))
    return JuryTable(structure, [u.code for u in structure.semester.units], rows, anomalies)


# --- Writing the record -----------------------------------------------------------------------
def _semester_acquired_by(result: lmd.SemesterResult) -> str:
    if not result.acquired:
        return AcquiredBy.NONE
    if result.session == lmd.SESSION_RESIT:
        return AcquiredBy.RESIT
    if result.decision == lmd.ADMIS_COMP:
        return AcquiredBy.SEMESTER
    return AcquiredBy.DIRECT


def _unit_acquired_by(unit: lmd.UnitResult, semester: lmd.SemesterResult) -> str:
    if unit.acquired:
        if unit.compensated:
            return AcquiredBy.UNIT
        return AcquiredBy.RESIT if semester.session == lmd.SESSION_RESIT else AcquiredBy.DIRECT
    if semester.acquired:
        return AcquiredBy.SEMESTER
    return AcquiredBy.NONE


def _module_acquired_by(
    module: lmd.ModuleResult,
    unit: lmd.UnitResult,
    semester: lmd.SemesterResult,
    from_resit: bool,
) -> str:
    if module.acquired:
        return AcquiredBy.RESIT if from_resit else AcquiredBy.DIRECT
    if module.credits == 0:
        return AcquiredBy.NONE
    if unit.acquired:
        return AcquiredBy.UNIT
    return AcquiredBy.SEMESTER


def _unit_of(structure: Structure, code: str) -> str:
    for unit in structure.semester.units:
        if any(m.code == code for m in unit.modules):
            return unit.code
    raise KeyError(code)


def _supersede(semester: int, students: Iterable[int]) -> None:
    SemesterResult.objects.filter(
        student_id__in=list(students), semester=semester, current=True
    ).update(current=False)


def _write_semester(jury: Jury, table: JuryTable) -> int:
    """One new version of the semester's results of the students in ``table``."""
    rows = [row for row in table.rows if row.result is not None]
    semester = table.structure.semester.number
    _supersede(semester, [row.student.pk for row in rows])
    results = SemesterResult.objects.bulk_create(
        [
            SemesterResult(
                jury=jury,
                version=jury.version,
                student=row.student,
                semester=semester,
                session=row.result.session,
                average=row.result.average,
                credits=row.result.credits,
                total_credits=row.result.total_credits,
                decision=row.result.decision,
                acquired_by=_semester_acquired_by(row.result),
                resit_modules=sorted(row.result.resit_modules),
            )
            for row in rows
            if row.result is not None
        ]
    )
    structure = table.structure
    units: list[tuple[object, ...]] = []
    modules: list[tuple[object, ...]] = []
    for stored, row in zip(results, rows, strict=True):
        result = row.result
        assert result is not None
        for code, unit in result.units.items():
            units.append(
                (
                    stored.pk,
                    structure.units[code],
                    unit.average,
                    unit.credits,
                    unit.total_credits,
                    _unit_acquired_by(unit, result),
                )
            )
        for code, module in result.modules.items():
            unit = result.units[_unit_of(structure, code)]
            modules.append(
                (
                    stored.pk,
                    structure.modules[code].pk,
                    module.mark,
                    Session.RESIT if code in row.from_resit else Session.NORMAL,
                    module.credits,
                    module.status,
                    _module_acquired_by(module, unit, result, code in row.from_resit),
                )
            )
    _insert(UnitResult, UNIT_COLUMNS, units)
    _insert(ModuleResult, MODULE_COLUMNS, modules)
    return len(results)


UNIT_COLUMNS = (
    "semester_result_id",
    "unit_id",
    "average",
    "credits",
    "total_credits",
    "acquired_by",
)
MODULE_COLUMNS = (
    "semester_result_id",
    "module_id",
    "mark",
    "session",
    "credits",
    "status",
    "acquired_by",
)


def _insert(
    model: type[UnitResult] | type[ModuleResult],
    columns: tuple[str, ...],
    rows: list[tuple[object, ...]],
) -> None:
    """Many rows of a unit's or module's results at once. Thousands of them are written when a
    jury of a large promotion closes: PostgreSQL takes them by COPY, others by one
    multi-row statement per batch, without building a model instance per row."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 (names are ours)
            [[str(v) if isinstance(v, Decimal) else v for v in row] for row in rows],  # type: ignore[misc]
        )


# --- Lifecycle --------------------------------------------------------------------------------
def jury_get_or_create(*, cohort: Cohort, semester: int, session: str) -> Jury:
    jury, _created = Jury.objects.get_or_create(cohort=cohort, semester=semester, session=session)
    return jury


def year_jury_get_or_create(*, cohort: Cohort, year: int) -> Jury:
    years = cohort.programme.semester_count // 2
    if not 1 <= year <= years:
        raise ValidationError(
            _("The programme has %(n)s year(s); there is no year %(year)s.")
            % {"n": years, "year": year}
        )
    jury, _created = Jury.objects.get_or_create(cohort=cohort, year=year, semester=None)
    return jury


def _coordinator(actor: User) -> None:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied


def jury_problems(jury: Jury, table: JuryTable | None = None) -> list[str]:
    """What stops a jury from closing now, in words (empty: it may close); ``table`` is the
    semester's table when the caller has computed it already."""
    if jury.year is not None:
        return _year_problems(jury)
    if table is None:
        table = jury_compute(cohort=jury.cohort, semester=jury.semester or 0, session=jury.session)
    problems = table.anomalies + [
        f"{row.student}: {' '.join(row.anomalies)}" for row in table.rows if row.anomalies
    ]
    from studies.services.appeals import open_appeals

    problems += open_appeals(cohort=jury.cohort, semester=jury.semester or 0)
    return problems


def jury_close(*, jury: Jury, actor: User) -> Jury:
    """Close a jury: the record it decides is written as a new version, its grids locked.
    The row lock makes a second coordinator closing at the same moment get a message."""
    _coordinator(actor)
    with transaction.atomic():
        locked = locks.lock_jury(jury.pk, "cohort__programme")
        status = JURY.next(locked.status, "close", label=locked.get_status_display())
        locked.version += 1
        if locked.year is not None:
            problems = _year_problems(locked)
            if problems:
                raise ValidationError(problems)
            _close_year(locked)
        else:
            assert locked.semester is not None
            year = (locked.semester + 1) // 2
            if Jury.objects.filter(cohort=locked.cohort_id, year=year, status__in=DECIDED).exists():
                raise ValidationError(
                    _(
                        "The annual deliberation of year %(n)s is closed: reopen it first, "
                        "and close it again after this jury so that it takes these results "
                        "into account."
                    )
                    % {"n": year},
                    code="year_decided",
                )
            table = jury_compute(
                cohort=locked.cohort, semester=locked.semester, session=locked.session
            )
            problems = jury_problems(locked, table)
            if problems:
                raise ValidationError(problems)
            _write_semester(locked, table)
            MarkSheet.objects.filter(
                offering__cohort=locked.cohort,
                offering__semester=locked.semester,
                session=locked.session,
                status__in=[s for s in SHEET.table if SHEET.allows(s, "lock")],
            ).update(status=MarkSheet.Status.LOCKED)
        locked.status = status
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.save(update_fields=["status", "version", "closed_at", "closed_by"])
        JuryEvent.objects.create(jury=locked, actor=actor, action="closed")
        if locked.year is None and locked.session == Session.NORMAL:
            _open_resit_sheets(locked)
        return locked


def _open_resit_sheets(jury: Jury) -> None:
    codes = {
        code
        for modules in SemesterResult.objects.filter(jury=jury, version=jury.version).values_list(
            "resit_modules", flat=True
        )
        for code in modules
    }
    for offering in Offering.objects.filter(
        cohort=jury.cohort, semester=jury.semester or 0, module__code__in=codes
    ):
        MarkSheet.objects.get_or_create(offering=offering, session=Session.RESIT)


def jury_reopen(*, jury: Jury, actor: User, reason: str) -> Jury:
    """Reopen a decided jury with a reason. Its rows stay the standing record until it closes
    again, which writes a new version and keeps this one."""
    _coordinator(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the jury is reopened.")})
    with transaction.atomic():
        locked = locks.lock_jury(jury.pk, "cohort")
        status = JURY.next(locked.status, "reopen", label=locked.get_status_display())
        blocking = _blocking_reopen(locked)
        if blocking:
            raise ValidationError(blocking)
        locked.status = status
        locked.save(update_fields=["status"])
        if locked.year is None:
            MarkSheet.objects.filter(
                offering__cohort=locked.cohort_id,
                offering__semester=locked.semester or 0,
                session=locked.session,
                status__in=[s for s in SHEET.table if SHEET.allows(s, "unlock")],
            ).update(status=MarkSheet.Status.SUBMITTED)
        JuryEvent.objects.create(jury=locked, actor=actor, action="reopened", reason=reason.strip())
        return locked


def _blocking_reopen(jury: Jury) -> str:
    """A later deliberation that rests on this one must be reopened first."""
    later = Jury.objects.filter(cohort=jury.cohort_id, status__in=DECIDED)
    if jury.year is None:
        assert jury.semester is not None
        if (
            jury.session == Session.NORMAL
            and later.filter(semester=jury.semester, session=Session.RESIT).exists()
        ):
            return _("Reopen the resit jury of this semester first.")
        if later.filter(year=(jury.semester + 1) // 2).exists():
            return _("Reopen the annual deliberation of year %(n)s first.") % {
                "n": (jury.semester + 1) // 2
            }
        return ""
    if later.filter(year__gt=jury.year).exists():
        return _("Reopen the annual deliberation of a later year first.")
    return ""


@transaction.atomic
def jury_publish(*, jury: Jury, actor: User) -> Jury:
    """Show the results to the students and tell them by e-mail (Celery, after commit)."""
    _coordinator(actor)
    locked = locks.lock_jury(jury.pk, "cohort")
    status = JURY.next(locked.status, "publish", label=locked.get_status_display())
    locked.status = status
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at"])
    JuryEvent.objects.create(jury=locked, actor=actor, action="published")
    # The students' transcripts of "My programme", rendered ahead by the worker (#16).
    from studies.tasks import warm_results

    queueing.after_commit(warm_results, locked.cohort_id)
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    model = YearResult if locked.year is not None else SemesterResult
    for result in model.objects.filter(jury=locked, version=locked.version).select_related(
        "student__user"
    ):
        user = result.student.user
        with translation.override(user.preferred_language or "fr"):
            context = {"jury": locked, "result": result, "user": user}
            if locked.year is not None:
                subject = _("Your results of year %(n)s are published") % {"n": locked.year}
            else:
                subject = _("Your results of semester %(n)s are published") % {"n": locked.semester}
            body = render_to_string("studies/email/results_published.txt", context)
        email_queue(
            EmailMultiAlternatives(subject=subject, body=body, to=[user.email]),
            kind=Notification.Kind.RESULTS,
        )
    return locked


# --- The year's deliberation and the final result ----------------------------------------------
def _semester_juries(jury: Jury) -> dict[tuple[int, str], Jury]:
    return {
        (j.semester or 0, j.session): j
        for j in Jury.objects.filter(cohort=jury.cohort_id, semester__in=jury.semesters)
    }


def _year_problems(jury: Jury) -> list[str]:
    """The year is deliberated on its semesters' standing results: after the first sessions
    (what annual compensation settles, nobody resits) and again after the resits."""
    juries = _semester_juries(jury)
    problems = []
    for number in jury.semesters:
        first = juries.get((number, Session.NORMAL))
        if first is None or first.status not in DECIDED:
            problems.append(
                _("The first-session jury of semester %(n)s is not closed.") % {"n": number}
            )
        resit = juries.get((number, Session.RESIT))
        if resit is not None and resit.status == Jury.Status.REOPENED:
            problems.append(_("The resit jury of semester %(n)s is reopened.") % {"n": number})
    return problems


def _as_lmd(result: SemesterResult, programme: Programme) -> lmd.SemesterResult:
    """A stored semester result as ``lmd.evaluate_year`` reads it (averages as published)."""
    return lmd.SemesterResult(
        number=result.semester,
        session=result.session,
        final=result.semester == programme.semester_count,
        average=result.average,
        exact_average=result.average,
        credits=result.credits,
        total_credits=result.total_credits,
        acquired=result.acquired,
        compensated=result.acquired_by == AcquiredBy.SEMESTER,
        exclusion=any(m.status == lmd.MODULE_EXCLU for m in result.modules.all()),
        decision=result.decision,
        units={},
        modules={},
        resit_modules=frozenset(result.resit_modules),
    )


def _close_year(jury: Jury) -> None:
    cohort = jury.cohort
    programme = cohort.programme
    rules = programme.rules()
    odd, even = jury.semesters
    # What the semester juries decided (their latest versions; the resit's after the first
    # session's), leaving out what an earlier version of this deliberation wrote.
    decided: dict[int, dict[int, SemesterResult]] = defaultdict(dict)
    for result in (
        SemesterResult.objects.filter(
            student__cohort=cohort,
            student__status__in=ACTIVE,
            semester__in=(odd, even),
            version=F("jury__version"),
            jury__semester__isnull=False,
        )
        .select_related("student")
        .prefetch_related("units", "modules")
        .order_by("pk")
    ):
        decided[result.student_id][result.semester] = result
    complete = {pk: pair for pk, pair in decided.items() if len(pair) == 2}
    YearResult.objects.filter(
        student_id__in=list(complete), year=jury.year or 0, current=True
    ).update(current=False)
    years, compensated, standing = [], [], []
    for pair in complete.values():
        first, second = pair[odd], pair[even]
        year = lmd.evaluate_year(
            first=_as_lmd(first, programme), second=_as_lmd(second, programme), rules=rules
        )
        progression = (
            lmd.progression_m1_m2(year.credits, rules)
            if jury.year == 1 and programme.semester_count > 2
            else ""
        )
        years.append(
            YearResult(
                jury=jury,
                version=jury.version,
                student=first.student,
                year=jury.year or 0,
                average=year.average,
                credits=year.credits,
                total_credits=year.total_credits,
                decision=year.decision,
                progression=progression,
                debt_credits=year.total_credits - year.credits
                if progression == lmd.ADMIS_DETTES
                else 0,
            )
        )
        for number, flags in year.flags.items():
            if lmd.ACQUIS_PAR_COMPENSATION_ANNUELLE in flags:
                compensated.append(pair[number])
            else:
                standing.append(pair[number].pk)
    YearResult.objects.bulk_create(years)
    SemesterResult.objects.filter(
        student_id__in=list(complete), semester__in=(odd, even), current=True
    ).update(current=False)
    SemesterResult.objects.filter(pk__in=standing).update(current=True)
    _write_compensated(jury, compensated)
    if jury.year == programme.semester_count // 2:
        _close_final(jury)


def _write_compensated(jury: Jury, results: list[SemesterResult]) -> None:
    """New versions of the semesters acquired by annual compensation: every credit held, the
    modules and units not acquired on their own marked as acquired that way (R-ANN-1)."""
    stored = SemesterResult.objects.bulk_create(
        [
            SemesterResult(
                jury=jury,
                version=jury.version,
                student_id=r.student_id,
                semester=r.semester,
                session=r.session,
                average=r.average,
                credits=r.total_credits,
                total_credits=r.total_credits,
                decision=lmd.ADMIS_COMP,
                acquired_by=AcquiredBy.ANNUAL,
                resit_modules=[],
            )
            for r in results
        ]
    )
    units, modules = [], []
    for new, old in zip(stored, results, strict=True):
        for unit in old.units.all():
            units.append(
                UnitResult(
                    semester_result=new,
                    unit_id=unit.unit_id,
                    average=unit.average,
                    credits=unit.total_credits,
                    total_credits=unit.total_credits,
                    acquired_by=unit.acquired_by or AcquiredBy.ANNUAL,
                )
            )
        for module in old.modules.all():
            modules.append(
                ModuleResult(
                    semester_result=new,
                    module_id=module.module_id,
                    mark=module.mark,
                    session=module.session,
                    credits=module.credits if module.acquired_by else 0,
                    status=module.status,
                    acquired_by=module.acquired_by or AcquiredBy.ANNUAL,
                )
            )
    module_credits = dict(
        Module.objects.filter(pk__in={m.module_id for m in modules}).values_list("pk", "credits")
    )
    for module in modules:
        if module.acquired_by == AcquiredBy.ANNUAL:
            module.credits = module_credits[module.module_id]
    UnitResult.objects.bulk_create(units, batch_size=2000)
    ModuleResult.objects.bulk_create(modules, batch_size=2000)


def _close_final(jury: Jury) -> None:
    """MSE, ranking average MC with the real counts of repeats, debts and resits, mention and
    rank, for the students of the cohort who hold every credit of the programme."""
    cohort = jury.cohort
    programme = cohort.programme
    rules = programme.rules()
    count = programme.semester_count
    semesters: dict[int, dict[int, SemesterResult]] = defaultdict(dict)
    for result in SemesterResult.objects.filter(
        student__cohort=cohort, student__status__in=ACTIVE, current=True
    ):
        semesters[result.student_id][result.semester] = result
    students = {
        s.pk: s for s in Student.objects.filter(pk__in=list(semesters)).select_related("user")
    }
    # Every year ever deliberated for the same person in this programme (earlier cohorts too).
    history: dict[int, list[YearResult]] = defaultdict(list)
    for year in YearResult.objects.filter(
        student__user__in=[s.user_id for s in students.values()],
        student__cohort__programme=programme,
        current=True,
    ).select_related("student"):
        history[year.student.user_id].append(year)
    finals = []
    for pk, own in semesters.items():
        if len(own) != count or sum(r.credits for r in own.values()) < programme.total_credits:
            continue
        student = students[pk]
        years = history[student.user_id]
        repeats = sum(1 for y in years if y.decision == lmd.AJOURNE)
        debts = sum(1 for y in years if y.progression == lmd.ADMIS_DETTES)
        resits = sum(1 for r in own.values() if r.session == Session.RESIT and r.acquired)
        outcome = lmd.final_result(
            semester_averages=[own[n].average for n in range(1, count + 1)],
            repeats=repeats,
            debts=debts,
            resits=resits,
            rules=rules,
        )
        finals.append(
            FinalResult(
                jury=jury,
                version=jury.version,
                student=student,
                average=outcome.average,
                ranking_average=outcome.ranking_average,
                credits=sum(r.credits for r in own.values()),
                total_credits=programme.total_credits,
                repeats=repeats,
                debts=debts,
                resits=resits,
                mention=outcome.mention or "",
            )
        )
    finals.sort(key=lambda f: (-f.ranking_average, f.student.registration_number))
    previous: FinalResult | None = None
    for position, row in enumerate(finals, start=1):
        # Equal ranking averages share a rank (1, 2, 2, 4).
        same = previous is not None and previous.ranking_average == row.ranking_average
        row.rank = previous.rank if same and previous is not None else position
        previous = row
    FinalResult.objects.filter(student__cohort=cohort, current=True).update(current=False)
    FinalResult.objects.bulk_create(finals)


def semester_outcomes(*, cohort: Cohort, semester: int) -> dict[int, Any]:
    """Each student's standing semester result (the current row of the record)."""
    return {
        r.student_id: r
        for r in SemesterResult.objects.filter(
            student__cohort=cohort, semester=semester, current=True
        )
    }


__all__ = [
    "JuryRow",
    "JuryTable",
    "NoStructureError",
    "jury_close",
    "jury_compute",
    "jury_get_or_create",
    "jury_problems",
    "jury_publish",
    "jury_reopen",
    "semester_structure",
    "year_jury_get_or_create",
]
