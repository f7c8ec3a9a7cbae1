"""Hours taught (#14): per lecturer and per partner organisation, planned and done, by kind
of session, and each agreement's co-teaching hours against what its partners taught.

One module computes them; the staff page, its CSV/XLSX export, ``manage.py hours_report``
and the weekly alert read them. The rules:

- *planned*: the scheduled (not cancelled) sessions of the period; *done*: those of them
  whose attendance was taken (at least one ``Attendance`` row) — done ⊆ planned;
- a lecturer counts the whole length of each session they teach (two co-teaching lecturers
  both count it); an organisation counts each session once, however many of its lecturers
  teach it (``SessionLecturer.organisation``: who the lecturer teaches for);
- an agreement (teaching in its scope, co-teaching hours promised, signed, in force during
  the period) counts each session taught for any of its parties once; ``promised`` is its
  yearly figure (``Agreement.co_teaching_hours``, per academic year);
- periods: a month (sessions starting in it, on the clock of Algiers), a semester (the
  sessions of the offerings of that semester — of the cohort asked, else of the current
  academic year), by default the current academic year (1 September – 31 August).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from enrollment.models import Cohort
from partners.models import Agreement, Organisation
from studies.models import Attendance, ClassSession, SessionLecturer

KINDS = tuple(ClassSession.Kind.values)
ZERO = Decimal("0.00")
HOUR = Decimal(3600)


def academic_year_start(day: dt.date) -> int:
    """The first calendar year of the academic year holding ``day`` (September to August)."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


@dataclass(frozen=True)
class Period:
    """What a report covers: local dates (inclusive) and/or a semester of the offerings."""

    label: str
    first: dt.date
    last: dt.date
    semester: int | None = None
    academic_year: str = ""
    by_dates: bool = True

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        start = academic_year_start(first)
        label = formats.date_format(first, "YEAR_MONTH_FORMAT")
        return cls(label=label, first=first, last=last, academic_year=academic_year_label(start))

    @classmethod
    def year(cls, start_year: int) -> Period:
        label = academic_year_label(start_year)
        return cls(
            label=label,
            first=dt.date(start_year, 9, 1),
            last=dt.date(start_year + 1, 8, 31),
            academic_year=label,
        )

    @classmethod
    def of_semester(cls, semester: int, start_year: int) -> Period:
        """Semester ``semester`` of the offerings; its dates (for the agreements in force) are
        those of the academic year."""
        year = cls.year(start_year)
        return cls(
            label=_("Semester %(n)s") % {"n": semester},
            first=year.first,
            last=year.last,
            semester=semester,
            academic_year=year.academic_year,
            by_dates=False,
        )


def period_from(
    *, month: str | None = None, semester: int | None = None, cohort: Cohort | None = None,
    today: dt.date | None = None,
) -> Period:  # fmt: skip
    """The period of the command's ``--month YYYY-MM`` / ``--semester N`` (neither: the
    current academic year). Raises ValueError on a month not written YYYY-MM."""
    today = today or timezone.localdate()
    if month:
        year_text, _sep, month_text = month.partition("-")
        if not (len(year_text) == 4 and year_text.isdigit() and month_text.isdigit()):
            raise ValueError(month)
        number = int(month_text)
        if not 1 <= number <= 12:
            raise ValueError(month)
        return Period.month(int(year_text), number)
    if semester:
        start = academic_year_start(today)
        if cohort is not None:
            # A cohort's semester N is one academic year: the one its offerings name.
            named = (
                cohort.offerings.filter(semester=semester)
                .values_list("academic_year", flat=True)
                .first()
            )
            if named and named[:4].isdigit():
                start = int(named[:4])
        return Period.of_semester(semester, start)
    return Period.year(academic_year_start(today))


@dataclass
class Figures:
    planned: Decimal = ZERO
    done: Decimal = ZERO
    by_type: dict[str, dict[str, Decimal]] = field(
        default_factory=lambda: {kind: {"planned": ZERO, "done": ZERO} for kind in KINDS}
    )

    def add(self, kind: str, hours: Decimal, done: bool) -> None:
        self.planned += hours
        self.by_type[kind]["planned"] += hours
        if done:
            self.done += hours
            self.by_type[kind]["done"] += hours


@dataclass
class Line:
    name: str
    figures: Figures
    pk: int | None = None


@dataclass
class AgreementLine:
    agreement: Agreement
    partner: str
    promised: Decimal
    planned: Decimal
    done: Decimal


@dataclass
class HoursReport:
    period: Period
    cohort: Cohort | None
    lecturers: list[Line]
    partners: list[Line]
    agreements: list[AgreementLine]


def _hours(starts_at: dt.datetime, ends_at: dt.datetime) -> Decimal:
    return Decimal(int((ends_at - starts_at).total_seconds())) / HOUR


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(period.first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def sessions_in(period: Period, cohort: Cohort | None = None) -> QuerySet[ClassSession]:
    """The scheduled sessions a report counts."""
    sessions = ClassSession.objects.filter(status=ClassSession.Status.SCHEDULED)
    if cohort is not None:
        sessions = sessions.filter(offering__cohort=cohort)
    if period.by_dates:
        start, end = _bounds(period)
        sessions = sessions.filter(starts_at__gte=start, starts_at__lt=end)
    if period.semester is not None:
        sessions = sessions.filter(offering__semester=period.semester)
        if cohort is None:
            sessions = sessions.filter(offering__academic_year=period.academic_year)
    return sessions


def _rows(sessions: QuerySet[ClassSession]) -> list[Any]:
    return list(
        SessionLecturer.objects.filter(session__in=sessions.values("pk"))
        .annotate(done=Exists(Attendance.objects.filter(session=OuterRef("session"))))
        .values(
            "session_id",
            "lecturer_id",
            "organisation_id",
            "done",
            "session__kind",
            "session__starts_at",
            "session__ends_at",
        )
    )


def agreements_in(period: Period) -> QuerySet[Agreement]:
    """The agreements whose co-teaching hours a period compares: teaching in their scope,
    hours promised, signed, in force at some day of the period."""
    return (
        Agreement.objects.filter(
            scope_teaching=True,
            co_teaching_hours__gt=0,
            signed_on__isnull=False,
            valid_from__lte=period.last,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=period.first))
        .prefetch_related("parties")
        .order_by("title", "pk")
    )


def hours_report(*, period: Period, cohort: Cohort | None = None) -> HoursReport:
    """The figures of a period (module docstring for the rules), names sorted."""
    rows = _rows(sessions_in(period, cohort))
    per_lecturer: dict[int, Figures] = defaultdict(Figures)
    per_organisation: dict[int, Figures] = defaultdict(Figures)
    by_session: dict[int, dict[str, Any]] = {}
    organisations_of: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        hours = _hours(row["session__starts_at"], row["session__ends_at"])
        per_lecturer[row["lecturer_id"]].add(row["session__kind"], hours, row["done"])
        session_id = row["session_id"]
        by_session[session_id] = {"hours": hours, "done": row["done"]}
        organisation_id = row["organisation_id"]
        if organisation_id is not None and organisation_id not in organisations_of[session_id]:
            organisations_of[session_id].add(organisation_id)
            per_organisation[organisation_id].add(row["session__kind"], hours, row["done"])
    users = User.objects.filter(pk__in=per_lecturer).only("first_name", "last_name", "email")
    lecturers = [
        Line(name=user.get_full_name() or user.email, figures=per_lecturer[user.pk], pk=user.pk)
        for user in users
    ]
    organisations = Organisation.objects.filter(pk__in=per_organisation)
    partners = [
        Line(name=o.display_name, figures=per_organisation[o.pk], pk=o.pk) for o in organisations
    ]
    agreements = []
    for agreement in agreements_in(period):
        parties = {party.pk for party in agreement.parties.all()}
        planned = done = ZERO
        for session_id, taught_for in organisations_of.items():
            if taught_for & parties:
                planned += by_session[session_id]["hours"]
                if by_session[session_id]["done"]:
                    done += by_session[session_id]["hours"]
        agreements.append(
            AgreementLine(
                agreement=agreement,
                partner=", ".join(sorted(party.display_name for party in agreement.parties.all())),
                promised=Decimal(agreement.co_teaching_hours or 0),
                planned=planned,
                done=done,
            )
        )
    return HoursReport(
        period=period,
        cohort=cohort,
        lecturers=sorted(lecturers, key=lambda line: line.name.casefold()),
        partners=sorted(partners, key=lambda line: line.name.casefold()),
        agreements=agreements,
    )


def _two(value: Decimal) -> str:
    return f"{value:.2f}"


def _line_json(line: Line) -> dict[str, Any]:
    return {
        "name": line.name,
        "planned": _two(line.figures.planned),
        "done": _two(line.figures.done),
        "by_type": {
            kind: {"planned": _two(values["planned"]), "done": _two(values["done"])}
            for kind, values in line.figures.by_type.items()
        },
    }


def report_json(report: HoursReport) -> dict[str, Any]:
    """``manage.py hours_report --json``: hours as strings with two decimals."""
    return {
        "period": report.period.label,
        "from": report.period.first.isoformat(),
        "to": report.period.last.isoformat(),
        "semester": report.period.semester,
        "cohort": report.cohort.slug if report.cohort else None,
        "lecturers": [_line_json(line) for line in report.lecturers],
        "partners": [_line_json(line) for line in report.partners],
        "agreements": [
            {
                "agreement": line.agreement.title,
                "partner": line.partner,
                "promised": _two(line.promised),
                "planned": _two(line.planned),
                "done": _two(line.done),
            }
            for line in report.agreements
        ],
    }


def report_rows(report: HoursReport) -> list[list[object]]:
    """The export (CSV/XLSX): one row per lecturer and per partner, hours by kind."""
    kinds = ClassSession.Kind
    header: list[object] = [_("Who"), _("Name"), _("Planned"), _("Done")]
    for kind in kinds:
        header += [
            _("%(kind)s planned") % {"kind": kind.label},
            _("%(kind)s done") % {"kind": kind.label},
        ]
    rows: list[list[object]] = [header]
    for who, lines in ((_("Lecturer"), report.lecturers), (_("Partner"), report.partners)):
        for line in lines:
            row: list[object] = [who, line.name, line.figures.planned, line.figures.done]
            for kind in kinds:
                row += [line.figures.by_type[kind]["planned"], line.figures.by_type[kind]["done"]]
            rows.append(row)
    for agreement in report.agreements:
        rows.append(
            [_("Agreement"), f"{agreement.agreement.title} ({agreement.partner})",
             agreement.planned, agreement.done, _("promised per year"), agreement.promised]
        )  # fmt: skip
    return rows
