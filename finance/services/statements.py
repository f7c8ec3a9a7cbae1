"""Bank and CCP statements: a file uploaded by finance is kept, its lines matched to invoices
and shown for review; nothing is recorded until finance confirms. The statement page and
``manage.py import_statement`` share this matching.

Matching, line by line in the order of the file:

- a line that cannot be read is *invalid*; a line identical to an earlier one of the file
  (same fingerprint: date, amount, reference, payer) is a *duplicate in this file*; a line
  recorded from any statement before is *already recorded* — each is skipped;
- its reference names an invoice: ``FAC-YYYY-NNNN``, in any case, with spaces, dots,
  slashes or nothing between the parts (``fac 2026 12``, ``FAC20260012``); the first such
  invoice that exists is proposed, paid or not;
- else its reference names a student's registration number (``MCRT-2026-0001``, the same
  tolerance) or an applicant's application number (``APP-2026-0001``): the open invoices
  addressed to that student (or applicant) are proposed, oldest first — a student paying
  their fees gives the registration number they know;
- the amount is compared with what is left on the proposed invoices (``finance.selectors``),
  less what earlier lines of the same file take from them: equal is *matched*, less is
  *partial*, more is an *over-payment*, its rest kept as the payer's credit; no invoice is
  *unmatched*. A line whose payer already has a payment of the same reference and amount
  (recorded by hand, say) is *already recorded*: ``payment_record`` would refuse it.

Confirming records, in one transaction for the whole file, a payment per matched, partial
or over-paying line (allocated to the proposed invoices' lines first), its ``StatementLine``
and a ``statement`` money event. The import's row is locked first, so two finance users
confirming it at once record it once; then every payer of the file, in one order (students,
then organisations, by id), so two imports of the same lines confirmed at once record each
line once (the second finds them recorded); the lines are matched again under those locks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.access import AnyUser
from accounts.models import Notification
from accounts.notifications import notify
from core import queueing
from core.confirmation import moment
from core.numbers import amount_text
from core.spreadsheets import SpreadsheetError
from core.uploads import get_private_storage, random_name, safe_filename
from enrollment.models import Application, Student
from finance import selectors
from finance.models import (
    ZERO,
    InvoiceLine,
    MoneyEvent,
    Payment,
    StatementImport,
    StatementLine,
)
from finance.selectors import InvoiceDue, PaymentKey
from finance.services.common import event_values, require_finance
from finance.services.locks import SELF
from finance.services.payments import PaymentResult, normalise_reference, payment_record
from finance.statements import StatementRow, read_statement
from partners.models import Organisation

INVOICE_NUMBER = re.compile(r"FAC[\s\-_/.]*(\d{4})[\s\-_/.]*(\d{1,6})(?!\d)")
#: A registration number (the programme's code, the year, the number: MCRT-2026-0001) or an
#: application number (APP-2026-0001).
PAYER_NUMBER = re.compile(r"(?<![A-Z0-9])([A-Z]{1,10})[\s\-_/.]*(\d{4})[\s\-_/.]*(\d{1,6})(?!\d)")
#: How a statement's payments were made: the upload form's choice.
METHODS = (Payment.Method.TRANSFER, Payment.Method.CCP)
#: A statement queued this long ago and not recorded is queued again (its worker is gone).
REQUEUE_AFTER = dt.timedelta(minutes=10)
M = TypeVar("M", bound=models.Model)


class Outcome(models.TextChoices):
    MATCHED = "matched", gettext_lazy("Matched")
    PARTIAL = "partial", gettext_lazy("Partial payment")
    OVERPAYMENT = "overpayment", gettext_lazy("Over-payment: the rest kept as credit")
    UNMATCHED = "unmatched", gettext_lazy("Unmatched")
    RECORDED = "recorded", gettext_lazy("Already recorded")
    DUPLICATE = "duplicate", gettext_lazy("Duplicate in this file")
    INVALID = "invalid", gettext_lazy("Invalid line")


RECORDABLE = frozenset(o.value for o in (Outcome.MATCHED, Outcome.PARTIAL, Outcome.OVERPAYMENT))


@dataclass
class ProposedLine:
    """A line of the statement, what it would pay and why."""

    line: StatementRow
    outcome: str
    invoices: list[InvoiceDue] = field(default_factory=list)
    left: Decimal = ZERO
    reason: str = ""

    def __post_init__(self) -> None:
        self.outcome = Outcome(self.outcome).value

    @property
    def recordable(self) -> bool:
        return self.outcome in RECORDABLE

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)

    @property
    def invoice_numbers(self) -> str:
        return ", ".join(invoice.number for invoice in self.invoices)

    @property
    def payer(self) -> str:
        return self.invoices[0].payer if self.invoices else ""

    @property
    def student_id(self) -> int | None:
        return self.invoices[0].student_id if self.invoices else None

    @property
    def organisation_id(self) -> int | None:
        return self.invoices[0].organisation_id if self.invoices else None

    @property
    def application_id(self) -> int | None:
        return self.invoices[0].application_id if self.invoices else None


@dataclass
class Proposal:
    lines: list[ProposedLine]

    @property
    def to_record(self) -> list[ProposedLine]:
        return [p for p in self.lines if p.recordable]

    @property
    def total(self) -> Decimal:
        return sum((p.line.amount or ZERO for p in self.to_record), ZERO)

    @property
    def counts(self) -> list[tuple[str, int]]:
        """(label, number of lines) of each outcome present, in the order of ``Outcome``."""
        found = Counter(p.outcome for p in self.lines)
        return [(str(o.label), found[o.value]) for o in Outcome if found[o.value]]


@dataclass
class ConfirmResult:
    recorded: list[tuple[ProposedLine, PaymentResult]]
    skipped: list[ProposedLine]
    message: str


def _numbers(pattern: re.Pattern[str], reference: str) -> list[tuple[str, str]]:
    """(prefix, PREFIX-YYYY-NNNN) of each number the reference names."""
    found = []
    for match in pattern.finditer(reference.upper()):
        groups = match.groups()
        prefix = groups[0] if len(groups) == 3 else "FAC"
        year, number = groups[-2], groups[-1]
        found.append((prefix, f"{prefix}-{year}-{number.zfill(4)}"))
    return found


def invoice_numbers(reference: str) -> list[str]:
    return [number for _prefix, number in _numbers(INVOICE_NUMBER, reference)]


def payer_numbers(reference: str) -> list[str]:
    """The registration or application numbers the reference names."""
    return [n for prefix, n in _numbers(PAYER_NUMBER, reference) if prefix != "FAC"]


def statement_match(rows: list[StatementRow]) -> Proposal:
    """What each line would pay (see the module's docstring); reads only, in four queries at
    most whatever the number of lines."""
    valid = [row for row in rows if row.valid]
    by_number, by_payer = selectors.invoices_due(
        numbers=sorted({n for row in valid for n in invoice_numbers(row.reference)}),
        payer_numbers=sorted({n for row in valid for n in payer_numbers(row.reference)}),
    )
    recorded = selectors.statement_lines_recorded([row.fingerprint for row in valid])
    paid_keys = selectors.payment_keys(
        sorted({normalise_reference(row.reference) for row in valid if row.reference})
    )
    left = {i.pk: i.left for i in by_number.values()}
    left.update({i.pk: i.left for group in by_payer.values() for i in group})
    seen_fingerprints: dict[str, int] = {}
    seen_keys: dict[PaymentKey, int] = {}
    proposed = []
    for row in rows:
        if not row.valid:
            proposed.append(ProposedLine(row, Outcome.INVALID, reason="; ".join(row.problems)))
            continue
        fingerprint = row.fingerprint
        if fingerprint in seen_fingerprints:
            reason = _("the same as line %(row)s") % {"row": seen_fingerprints[fingerprint]}
            proposed.append(ProposedLine(row, Outcome.DUPLICATE, reason=reason))
            continue
        seen_fingerprints[fingerprint] = row.row
        if fingerprint in recorded:
            done = recorded[fingerprint]
            reason = _("recorded from %(file)s (import %(pk)s), line %(row)s") % {
                "file": done.statement.filename,
                "pk": done.statement_id,
                "row": done.row,
            }
            proposed.append(ProposedLine(row, Outcome.RECORDED, reason=reason))
            continue
        proposed.append(_match(row, by_number, by_payer, left, paid_keys, seen_keys))
    return Proposal(proposed)


def _match(
    row: StatementRow,
    by_number: dict[str, InvoiceDue],
    by_payer: dict[str, list[InvoiceDue]],
    left: dict[int, Decimal],
    paid_keys: set[PaymentKey],
    seen_keys: dict[PaymentKey, int],
) -> ProposedLine:
    assert row.amount is not None
    named = invoice_numbers(row.reference)
    invoices = [by_number[n] for n in named if n in by_number][:1]
    if not invoices:
        payers = [n for n in payer_numbers(row.reference) if n in by_payer]
        invoices = by_payer[payers[0]] if payers else []
    if not invoices:
        if named:
            reason = _("no invoice %(number)s") % {"number": named[0]}
        else:
            reason = _(
                "the reference names no invoice (FAC-YYYY-NNNN) and no student or applicant "
                "with an open invoice (registration or application number)"
            )
        return ProposedLine(row, Outcome.UNMATCHED, reason=reason)
    key = (
        invoices[0].student_id,
        invoices[0].organisation_id,
        invoices[0].application_id,
        normalise_reference(row.reference),
        row.amount,
    )
    if key in paid_keys:
        reason = _("a payment of this payer with this reference and amount is recorded")
        return ProposedLine(row, Outcome.RECORDED, invoices=invoices, reason=reason)
    if key in seen_keys:
        reason = _("the same payer, reference and amount as line %(row)s") % {"row": seen_keys[key]}
        return ProposedLine(row, Outcome.DUPLICATE, invoices=invoices, reason=reason)
    seen_keys[key] = row.row
    due = sum((left[i.pk] for i in invoices), ZERO)
    remaining = row.amount
    for invoice in invoices:  # what this line takes, so that a later line sees the rest
        part = min(remaining, left[invoice.pk])
        left[invoice.pk] -= part
        remaining -= part
    if row.amount == due:
        return ProposedLine(row, Outcome.MATCHED, invoices=invoices, left=due)
    if row.amount < due:
        reason = _("%(rest)s DZD will be left to pay") % {"rest": amount_text(due - row.amount)}
        return ProposedLine(row, Outcome.PARTIAL, invoices=invoices, left=due, reason=reason)
    reason = _("%(credit)s DZD more than what is left to pay, kept as the payer's credit") % {
        "credit": amount_text(row.amount - due)
    }
    return ProposedLine(row, Outcome.OVERPAYMENT, invoices=invoices, left=due, reason=reason)


# --- The import: upload, review, confirm ---------------------------------------------------
def _file_kind(upload: UploadedFile) -> str:
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    return "xlsx" if head == b"PK\x03\x04" else "csv"


def statement_upload(*, actor: AnyUser, upload: UploadedFile) -> StatementImport:
    """Keep a statement (private storage) once it reads as a statement; records nothing.
    A file that cannot be read, or whose columns are not the statement's, is refused with a
    ValidationError on ``file``."""
    user = require_finance(actor)
    try:
        read_statement(upload)
    except SpreadsheetError as exc:
        raise ValidationError({"file": str(exc)}) from None
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    storage = get_private_storage()
    stored = storage.save(random_name("statements", _file_kind(upload)), upload)
    try:
        statement = StatementImport(
            filename=safe_filename(PurePath(upload.name or "statement").name, max_length=200),
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        statement.file.name = stored
        statement.save()
    except BaseException:
        storage.delete(stored)
        raise
    return statement


def _stored_rows(statement: StatementImport) -> list[StatementRow]:
    # A handle of its own (not the field's, which ``statement.file.open`` shares with whoever
    # holds the same row object — two confirmations at once closed each other's file).
    storage = statement.file.storage
    name = statement.file.name or ""
    with storage.open(name, "rb") as handle:
        upload = UploadedFile(handle, name=statement.filename, size=storage.size(name))
        return read_statement(upload)


def statement_proposal(*, user: AnyUser, statement: StatementImport) -> Proposal:
    """What the import would record now (the review page): its lines matched."""
    require_finance(user)
    return statement_match(_stored_rows(statement))


def same_file_imports(statement: StatementImport) -> list[StatementImport]:
    """The other imports of the same file (same content), oldest first."""
    return list(
        StatementImport.objects.filter(sha256=statement.sha256)
        .exclude(pk=statement.pk)
        .order_by("uploaded_at", "pk")
    )


@dataclass
class _Payers:
    students: dict[int, Student]
    organisations: dict[int, Organisation]
    applications: dict[int, Application]


def _lock_payers(proposal: Proposal) -> _Payers:
    """Every payer of the lines to record — students, then organisations, then applicants'
    applications, each by id: one order for every import, so that two confirmations wait
    for each other, never deadlock."""
    lines = proposal.to_record
    return _Payers(
        students=_locked(Student, {p.student_id for p in lines if p.student_id}),
        organisations=_locked(
            Organisation, {p.organisation_id for p in lines if p.organisation_id}
        ),
        applications=_locked(Application, {p.application_id for p in lines if p.application_id}),
    )


def _locked(model: type[M], ids: set[int]) -> dict[int, M]:
    rows = model._default_manager.select_for_update(of=SELF).filter(pk__in=ids).order_by("pk")
    return {row.pk: row for row in rows}


def statement_confirm(*, actor: AnyUser, statement: StatementImport, method: str) -> ConfirmResult:
    """Record the import's matched, partial and over-paying lines (see the module's
    docstring), all or nothing; an import is confirmed once."""
    user = require_finance(actor)
    if method not in METHODS:
        raise ValidationError({"method": _("Choose how the statement's payments were made.")})
    rows = _stored_rows(statement)
    with transaction.atomic():
        locked = StatementImport.objects.select_for_update(of=SELF).get(pk=statement.pk)
        _refuse_confirmed(locked)
        payers = _lock_payers(statement_match(rows))
        # Matched again under the locks: a concurrent import has committed what it recorded.
        proposal = statement_match(rows)
        if not proposal.to_record:
            raise ValidationError(
                _("No line of this statement can be recorded: nothing was recorded."),
                code="empty",
            )
        recorded: list[tuple[ProposedLine, PaymentResult]] = []
        skipped: list[ProposedLine] = []
        events = []
        for proposed in proposal.lines:
            if not proposed.recordable:
                skipped.append(proposed)
                continue
            result = _record(proposed, user, method, payers)
            if result is None:
                skipped.append(proposed)
                continue
            row = proposed.line
            assert row.booked_on is not None
            assert row.amount is not None
            StatementLine.objects.create(
                statement=locked,
                row=row.row,
                booked_on=row.booked_on,
                amount=row.amount,
                reference=row.reference,
                payer=row.payer,
                fingerprint=row.fingerprint,
                payment=result.payment,
            )
            events.append(
                MoneyEvent(
                    kind=MoneyEvent.Kind.STATEMENT,
                    actor=user,
                    payment=result.payment,
                    student_id=proposed.student_id,
                    organisation_id=proposed.organisation_id,
                    before=event_values(left=proposed.left),
                    after=event_values(
                        statement=locked.pk,
                        row=row.row,
                        outcome=proposed.outcome,
                        invoices=[i.number for i in proposed.invoices],
                        allocated=result.allocated,
                        credit=result.credit,
                    ),
                    why=locked.filename,
                )
            )
            recorded.append((proposed, result))
        MoneyEvent.objects.bulk_create(events)
        locked.confirmed_by = user
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["confirmed_by", "confirmed_at"])
    total = sum((r.payment.amount for _p, r in recorded), ZERO)
    message = ngettext(
        "%(n)s payment recorded from the statement, %(amount)s DZD in all; %(skipped)s "
        "line not recorded.",
        "%(n)s payments recorded from the statement, %(amount)s DZD in all; %(skipped)s "
        "lines not recorded.",
        len(recorded),
    ) % {"n": len(recorded), "amount": amount_text(total), "skipped": len(skipped)}
    return ConfirmResult(recorded, skipped, message)


def statement_confirm_start(
    *, actor: AnyUser, statement: StatementImport, method: str
) -> ConfirmResult | None:
    """Confirm from the page: a statement with at most
    ``settings.FINANCE_STATEMENT_LINES_AT_ONCE`` lines to record is recorded now (its result
    returned); a larger one — a minute or more of work, longer than a request may last — is
    queued for the worker (None), the page showing that it is being recorded, then the
    outcome, and the person who asked is notified."""
    user = require_finance(actor)
    if method not in METHODS:
        raise ValidationError({"method": _("Choose how the statement's payments were made.")})
    proposal = statement_match(_stored_rows(statement))
    if len(proposal.to_record) <= settings.FINANCE_STATEMENT_LINES_AT_ONCE:
        return statement_confirm(actor=user, statement=statement, method=method)
    from finance.tasks import confirm_statement

    with transaction.atomic():
        locked = StatementImport.objects.select_for_update(of=SELF).get(pk=statement.pk)
        _refuse_confirmed(locked)
        if locked.recording:
            assert locked.queued_at is not None
            raise ValidationError(
                _("This statement is already being recorded, since %(when)s.")
                % {"when": moment(locked.queued_at)},
                code="recording",
            )
        locked.queued_by = user
        locked.queued_at = timezone.now()
        locked.method = method
        locked.failure = ""
        locked.save(update_fields=["queued_by", "queued_at", "method", "failure"])
        queueing.after_commit(confirm_statement, locked.pk)
    return None


def statement_confirm_queued(*, pk: int) -> bool:
    """The worker's part of ``statement_confirm_start``: records the statement as its
    requester, in their language, and tells them the outcome (a notification with a link to
    the statement). A statement recorded meanwhile is left alone, so a task run twice
    records once. Returns whether it was recorded by this call."""
    statement = StatementImport.objects.select_related("queued_by").filter(pk=pk).first()
    if statement is None or not statement.recording or statement.queued_by is None:
        return False
    user = statement.queued_by
    link = reverse("finance:statement_review", args=[statement.pk])
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        try:
            result = statement_confirm(actor=user, statement=statement, method=statement.method)
        except PermissionDenied:
            failure = _("%(who)s may no longer record payments.") % {"who": user.email}
        except (SpreadsheetError, OSError):  # the stored file is gone or unreadable
            failure = _("The file of this statement can no longer be read.")
        except ValidationError as exc:
            if exc.code == "confirmed":  # another task or person recorded it meanwhile
                return False
            failure = "; ".join(exc.messages)
        else:
            notify(
                user,
                Notification.Kind.PAYMENTS,
                _("Statement %(file)s recorded") % {"file": statement.filename},
                body=result.message,
                link=link,
            )
            return True
        StatementImport.objects.filter(pk=statement.pk).update(failure=failure)
        notify(
            user,
            Notification.Kind.PAYMENTS,
            _("Statement %(file)s not recorded") % {"file": statement.filename},
            body=failure,
            link=link,
        )
    return False


def statements_requeue() -> int:
    """Every minute (beat): a statement queued more than ``REQUEUE_AFTER`` ago and still not
    recorded (the broker lost its message, a worker died with it) is queued again."""
    from finance.tasks import confirm_statement

    stale = StatementImport.objects.filter(
        queued_at__lt=timezone.now() - REQUEUE_AFTER, confirmed_at__isnull=True, failure=""
    ).values_list("pk", flat=True)
    sent = 0
    for pk in stale:
        sent += queueing.send(confirm_statement, pk)
    return sent


def _refuse_confirmed(locked: StatementImport) -> None:
    if locked.confirmed_at is not None:
        assert locked.confirmed_by is not None
        who = locked.confirmed_by.get_full_name() or locked.confirmed_by.email
        raise ValidationError(
            _("This statement was already confirmed by %(who)s on %(when)s.")
            % {"who": who, "when": moment(locked.confirmed_at)},
            code="confirmed",
        )


def _record(
    proposed: ProposedLine,
    user: AnyUser,
    method: str,
    payers: _Payers,
) -> PaymentResult | None:
    """One line's payment, or None (the line then says why) when ``payment_record``
    refuses it."""
    row = proposed.line
    assert row.booked_on is not None
    assert row.amount is not None
    lines = list(InvoiceLine.objects.filter(invoice_id__in=[i.pk for i in proposed.invoices]))
    try:
        return payment_record(
            actor=user,
            method=method,
            paid_on=row.booked_on,
            amount=row.amount,
            reference=row.reference,
            student=payers.students.get(proposed.student_id or 0),
            organisation=payers.organisations.get(proposed.organisation_id or 0),
            application=payers.applications.get(proposed.application_id or 0),
            lines=lines,
        )
    except ValidationError as exc:
        proposed.outcome = (Outcome.RECORDED if _duplicate(exc) else Outcome.UNMATCHED).value
        proposed.reason = "; ".join(exc.messages)
        return None


def _duplicate(exc: ValidationError) -> bool:
    errors = getattr(exc, "error_dict", {}).get("reference", [])
    return any(error.code == "duplicate" for error in errors)
