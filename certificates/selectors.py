"""Read queries of certificates: the documents issued from a version of the academic record
that is no longer the standing one, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from certificates.models import Certificate, Kind
from enrollment.models import Cohort
from studies.models import FinalResult, Jury, SemesterResult, Session

#: The documents that print a decision of a jury (an enrollment attestation prints none).
RECORD_KINDS = (Kind.TRANSCRIPT, Kind.CUMULATIVE, Kind.SUCCESS, Kind.MODULE, Kind.JURY_RECORD)


@dataclass(frozen=True)
class Change:
    """One decision a document printed that has since been taken again: of a semester (its
    number), of the final result (``semester`` None) or the jury's own record (``jury``)."""

    semester: int | None
    #: the row the document printed ([pk, jury, version]), or the record's jury version
    printed: list[Any]
    #: the standing row now (its pk), or the jury's version now
    standing: int
    jury: bool = False


@dataclass(frozen=True)
class StaleCertificate:
    certificate: Certificate
    reasons: tuple[str, ...]


def _published(model: type[SemesterResult] | type[FinalResult]) -> QuerySet[Any]:
    """The rows students see: of a published jury, in that jury's latest version (as
    ``studies.selectors.published_semesters`` reads them)."""
    return model.objects.filter(jury__status=Jury.Status.PUBLISHED, version=F("jury__version"))


def _candidates(cohort: Cohort) -> QuerySet[Certificate]:
    """The cohort's ready documents that print a decision, each with the standing published
    row of every semester and of the final result beside the rows it printed: one query,
    however many documents (the snapshot itself is not loaded, only its record entries)."""
    standing = {
        f"standing_{n}": Subquery(
            _published(SemesterResult)
            .filter(student=OuterRef("holder"), semester=n)
            .order_by("-pk")
            .values("pk")[:1]
        )
        for n in range(1, cohort.programme.semester_count + 1)
    }
    return (
        Certificate.objects.filter(
            cohort=cohort, status=Certificate.Status.READY, kind__in=RECORD_KINDS
        )
        .defer("snapshot")
        .annotate(
            jury_version=F("jury__version"),
            printed_semester=F("snapshot__semester__record"),
            printed_semesters=F("snapshot__semesters"),
            printed_final=F("snapshot__final__record"),
            printed_module=F("snapshot__result__record"),
            module_semester=F("snapshot__module__semester"),
            printed_jury_version=F("snapshot__jury__version"),
            standing_final=Subquery(
                _published(FinalResult)
                .filter(student=OuterRef("holder"))
                .order_by("-pk")
                .values("pk")[:1]
            ),
            **standing,
        )
    )


def _is_record(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 3 and all(isinstance(v, int) for v in value)


def _changes(row: Certificate) -> list[Change]:
    """What the document printed that a later published decision replaced. A row whose jury
    was reopened and is not yet published again is not a change yet: it is re-issued once the
    new decision is published (until then the document cannot be issued again anyway)."""
    found: list[Change] = []

    def value(name: str) -> Any:
        return getattr(row, name, None)

    def semester(number: Any, printed: Any) -> None:
        if not isinstance(number, int) or not _is_record(printed):
            return
        now = value(f"standing_{number}")
        if now is not None and now > printed[0]:
            found.append(Change(number, printed, now))

    if row.kind == Kind.JURY_RECORD:
        printed_version = value("printed_jury_version")
        current_version = value("jury_version")
        if isinstance(printed_version, int) and current_version not in (None, printed_version):
            found.append(Change(row.semester, [printed_version], current_version, jury=True))
        return found
    if row.kind == Kind.TRANSCRIPT:
        semester(row.semester, value("printed_semester"))
    elif row.kind == Kind.MODULE:
        semester(value("module_semester"), value("printed_module"))
    else:
        for item in value("printed_semesters") or []:
            if isinstance(item, dict):
                semester(item.get("number"), item.get("record"))
    final = value("printed_final")
    now = value("standing_final")
    if _is_record(final) and now is not None and now > final[0]:
        found.append(Change(None, final, now))
    return found


def _reason(change: Change, certificate: Certificate, rows: dict[int, Any]) -> str:
    if change.jury:
        jury = certificate.jury
        if jury is not None and jury.year is not None:
            return _("year %(n)s deliberated again (version %(version)s)") % {
                "n": jury.year,
                "version": change.standing,
            }
        return _("semester %(n)s decided again (version %(version)s)") % {
            "n": change.semester,
            "version": change.standing,
        }
    if change.semester is None:
        final = rows.get(change.standing)
        return _("final result decided again (version %(version)s)") % {
            "version": final.version if final else "?"
        }
    now = rows.get(change.standing)
    if now is None:  # pragma: no cover - the row was read in the same request
        return _("semester %(n)s decided again") % {"n": change.semester}
    values = {"n": change.semester, "version": now.version}
    if now.jury_id != change.printed[1] and now.jury.year is not None:
        return _(
            "semester %(n)s decided again by the annual deliberation of year %(year)s "
            "(version %(version)s)"
        ) % {**values, "year": now.jury.year}
    if now.jury_id != change.printed[1] and now.jury.session == Session.RESIT:
        return _("semester %(n)s decided at the resit (version %(version)s)") % values
    return _("semester %(n)s decided again (version %(version)s)") % values


def stale_count(*, cohort: Cohort) -> int:
    """How many documents of the cohort are to be issued again: one query (the cohort's
    programme is read with the cohort)."""
    return sum(
        1
        for row in _candidates(cohort).only("pk", "kind", "semester", "holder_id", "jury_id")
        if _changes(row)
    )


def stale_certificates(*, cohort: Cohort) -> list[StaleCertificate]:
    """The cohort's ready documents printed from rows of the academic record that are no
    longer the standing published ones (a semester or the final result decided again, a jury
    closed again), each with the reasons in words. Three queries whatever their number."""
    rows = list(
        _candidates(cohort)
        .select_related("holder__user", "module", "jury")
        .order_by("kind", "semester", "module__code", "holder__registration_number", "pk")
    )
    changed = [(row, changes) for row in rows if (changes := _changes(row))]
    semester_pks = {c.standing for _r, cs in changed for c in cs if c.semester and not c.jury}
    final_pks = {c.standing for _r, cs in changed for c in cs if c.semester is None and not c.jury}
    standing: dict[int, Any] = {}
    if semester_pks:
        standing.update(
            SemesterResult.objects.filter(pk__in=semester_pks)
            .select_related("jury")
            .only("pk", "version", "jury_id", "jury__year", "jury__session")
            .in_bulk()
        )
    finals: dict[int, Any] = {}
    if final_pks:
        finals = FinalResult.objects.filter(pk__in=final_pks).only("pk", "version").in_bulk()
    return [
        StaleCertificate(
            row,
            tuple(
                _reason(c, row, finals if c.semester is None and not c.jury else standing)
                for c in changes
            ),
        )
        for row, changes in changed
    ]
