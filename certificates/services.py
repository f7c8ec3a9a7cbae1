"""Issuing, rendering, revoking and verifying certificates. Rendering happens in Celery
only; a task claims each row with a conditional update, so running it twice is harmless."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.access import AnyUser, Role, has_role
from accounts.models import Notification, User
from accounts.services import email_store
from accounts.tasks import send_outgoing_emails
from certificates import codes, documents, issuer_services, pdf
from certificates.models import Batch, Certificate, Edition, Kind
from core import queueing, signing, workers
from core.storage import stage_file
from curriculum.models import Module
from enrollment import locks
from enrollment.models import Cohort, Student
from studies.models import Jury

logger = logging.getLogger(__name__)


def _stuck_before() -> datetime:
    """Claims older than this are orphaned (``CERTIFICATES_STUCK_AFTER`` seconds ago)."""
    return timezone.now() - timedelta(seconds=settings.CERTIFICATES_STUCK_AFTER)


PER_STUDENT = (Kind.ENROLLMENT, Kind.TRANSCRIPT, Kind.CUMULATIVE, Kind.SUCCESS, Kind.MODULE)
#: Every kind a coordinator issues for a cohort: one per eligible student, or the jury record.
BATCH_KINDS = (*PER_STUDENT, Kind.JURY_RECORD)


CHUNK = 25


def _queue(ids: list[int]) -> None:
    """Chunks of 25 per task, sent after commit. A chunk the broker accepted is stamped
    ``queued_at``; while the broker is down the rows stay pending and unstamped, and the
    periodic sweep (every 30 s) sends them as soon as it is back."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        transaction.on_commit(lambda chunk=chunk: _send(chunk))  # type: ignore[misc]


def _send(chunk: list[int]) -> bool:
    from certificates.tasks import render_certificates

    if not queueing.send(render_certificates, chunk):
        return False
    Certificate.objects.filter(pk__in=chunk, status=Certificate.Status.PENDING).update(
        queued_at=timezone.now()
    )
    return True


def eligible_list(
    *, cohort: Cohort, kind: str, semester: int | None = None, module: Module | None = None
) -> list[documents.Eligibility]:
    students = (
        Student.objects.filter(cohort=cohort)
        .select_related("user__applicant_profile", "cohort__programme")
        .order_by("registration_number")
    )
    return documents.eligibilities(kind, list(students), semester=semester, module=module)


def taught_modules(cohort: Cohort) -> list[Module]:
    """The modules delivered to a cohort: those a module certificate can be issued for."""
    return list(Module.objects.filter(offerings__cohort=cohort).distinct().order_by("code"))


def recordable_juries(cohort: Cohort) -> list[Jury]:
    """The juries of a cohort whose record (PV) can be drawn up: closed or published."""
    return list(
        Jury.objects.filter(cohort=cohort)
        .exclude(status=Jury.Status.OPEN)
        .order_by("semester", "session")
    )


def _new_certificate(
    *,
    student: Student,
    kind: str,
    semester: int | None,
    actor: User | None,
    batch: Batch | None,
    edition: str = Edition.FR,
) -> Certificate:
    """A pending certificate; the current one of the same document is superseded by it."""
    return _new_certificates(
        students=[student],
        kind=kind,
        semester=semester,
        module=None,
        actor=actor,
        batch=batch,
        edition=edition,
    )[0]


def _new_certificates(
    *,
    students: list[Student],
    kind: str,
    semester: int | None,
    module: Module | None,
    actor: User | None,
    batch: Batch | None,
    snapshots: list[dict] | None = None,
    edition: str = Edition.FR,
) -> list[Certificate]:
    """Pending certificates for these students, in a few queries whatever their number; the
    current certificate of the same document (kind, semester, module and edition: an English
    copy leaves the French one standing) of each student is superseded by the new one."""
    if snapshots is None:
        snapshots = documents.snapshots(
            kind, students, semester=semester, module=module, edition=edition
        )
    for _attempt in range(5):
        certificates = [
            Certificate(
                kind=kind,
                code=codes.new_code(),
                holder=student,
                cohort=student.cohort,
                semester=semester,
                module=module,
                batch=batch,
                edition=edition,
                snapshot=snapshot,
                template_version=pdf.TEMPLATE_VERSION,
                issued_by=actor,
            )
            for student, snapshot in zip(students, snapshots, strict=True)
        ]
        try:
            with transaction.atomic():
                created = Certificate.objects.bulk_create(certificates)
                break
        except IntegrityError:  # a code drawn twice (65 bits: never in practice); draw again
            continue
    else:  # pragma: no cover - 5 collisions of 65-bit codes do not happen
        raise RuntimeError("Could not draw unique certificate codes.")
    newer = {c.holder_id: c for c in created}
    previous = list(
        _current(
            Certificate.objects.filter(
                holder__in=list(newer), kind=kind, semester=semester, module=module, edition=edition
            )
        )
        .exclude(pk__in=[c.pk for c in created])
        .only("pk", "holder_id")
    )
    for old in previous:
        old.status = Certificate.Status.SUPERSEDED
        old.superseded_by = newer[old.holder_id]
    Certificate.objects.bulk_update(previous, ["status", "superseded_by"], batch_size=500)
    return created


def _current(certificates: QuerySet[Certificate]) -> QuerySet[Certificate]:
    """Those not yet superseded or revoked: a new issue of the same document replaces them."""
    return certificates.filter(
        status__in=(
            Certificate.Status.READY,
            Certificate.Status.PENDING,
            Certificate.Status.FAILED,
            Certificate.Status.RENDERING,
        )
    )


def _new_jury_record(
    *, jury: Jury, actor: User, batch: Batch, snapshot: dict | None = None
) -> Certificate:
    """The jury's record (PV de délibération); a new one supersedes the previous one."""
    if snapshot is None:
        snapshot = documents.jury_record_snapshot(jury)
    certificate = Certificate.objects.create(
        kind=Kind.JURY_RECORD,
        code=codes.new_code(),
        holder=None,
        cohort=jury.cohort,
        semester=jury.semester,
        jury=jury,
        batch=batch,
        snapshot=snapshot,
        template_version=pdf.TEMPLATE_VERSION,
        issued_by=actor,
    )
    _current(Certificate.objects.filter(kind=Kind.JURY_RECORD, jury=jury)).exclude(
        pk=certificate.pk
    ).update(status=Certificate.Status.SUPERSEDED, superseded_by=certificate)
    return certificate


def batch_start(
    *,
    cohort: Cohort,
    kind: str,
    actor: User,
    semester: int | None = None,
    module: Module | None = None,
    jury: Jury | None = None,
    exclude: set[int] | None = None,
    edition: str = Edition.FR,
) -> Batch:
    """A batch for every eligible student of a cohort (minus those deselected), or for the
    record of one of its juries; in French and Arabic, or for the kinds that have one, in the
    English edition. Two coordinators starting the same batch at once: the cohort row is
    locked, the second one is told a batch is already running. The data each document
    prints (the issuer and signatories included) is read once, before the lock: a signatory
    changed while the batch renders changes none of its documents."""
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    if kind not in BATCH_KINDS:
        raise ValidationError(_("This document is not issued for a cohort."))
    _check_edition(kind, edition)
    if kind == Kind.JURY_RECORD:
        if jury is None or jury.cohort_id != cohort.pk:
            raise ValidationError(_("Choose one of this cohort's juries."), code="jury")
        if jury.status == Jury.Status.OPEN:
            raise ValidationError(
                _("The record of a jury is drawn up once the jury is closed."), code="open"
            )
        _refuse(documents.jury_record_problem(jury), code="jury")
        semester, module = jury.semester, None
    else:
        jury = None
        # Only what the kind needs is kept: an attestation asked "for semester 2" is the same
        # document as any other, and must supersede it.
        semester = semester if kind == Kind.TRANSCRIPT else None
        module = module if kind == Kind.MODULE else None
    if kind == Kind.MODULE and module is None:
        raise ValidationError(_("Choose a module taught to this cohort."), code="module")
    chosen: list[Student] = []
    snapshots: list[dict] = []
    record_snapshot: dict | None = None
    if jury is not None:
        record_snapshot = documents.jury_record_snapshot(jury)
    else:
        _refuse(issuer_services.issuer_problem(kind), code="issuer")
        # The heavy part (eligibility, the data each document prints) is read before the
        # cohort is locked, so the lock is held only to check and write.
        chosen = [
            e.student
            for e in eligible_list(cohort=cohort, kind=kind, semester=semester, module=module)
            if e.ok and e.student.pk not in (exclude or set())
        ]
        if not chosen:
            raise ValidationError(
                _("No student of this cohort is eligible for this document."), code="empty"
            )
        snapshots = documents.snapshots(
            kind, chosen, semester=semester, module=module, edition=edition
        )
    with transaction.atomic():
        locks.lock_cohort(cohort.pk)
        if (
            Batch.objects.filter(
                cohort=cohort,
                kind=kind,
                semester=semester,
                module=module,
                jury=jury,
                edition=edition,
            )
            .exclude(status=Batch.Status.DONE)
            .exists()
        ):
            raise ValidationError(
                _("A batch of this document is already running for this cohort."), code="running"
            )
        if jury is not None:
            assert record_snapshot is not None
            batch = Batch.objects.create(
                cohort=cohort, kind=kind, semester=semester, jury=jury, created_by=actor
            )
            record = _new_jury_record(jury=jury, actor=actor, batch=batch, snapshot=record_snapshot)
            _queue([record.pk])
            return batch
        batch = Batch.objects.create(
            cohort=cohort,
            kind=kind,
            semester=semester,
            module=module,
            edition=edition,
            created_by=actor,
        )
        created = _new_certificates(
            students=chosen,
            kind=kind,
            semester=semester,
            module=module,
            actor=actor,
            batch=batch,
            snapshots=snapshots,
            edition=edition,
        )
        _queue([c.pk for c in created])
    return batch


def _refuse(problem: str, *, code: str) -> None:
    """A problem in words ("no signatory for this document: …") refused as a sentence."""
    if problem:
        raise ValidationError(problem[:1].upper() + problem[1:] + ".", code=code)


def _check_edition(kind: str, edition: str) -> None:
    _refuse(documents.edition_problem(kind, edition), code="edition")


def certificate_request(
    *,
    student: Student,
    kind: str,
    actor: User,
    semester: int | None = None,
    edition: str = Edition.FR,
) -> Certificate:
    """A student asks for their own enrollment attestation or transcript, in French and
    Arabic or in the English edition."""
    if student.user_id != actor.pk and not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    if kind not in (Kind.ENROLLMENT, Kind.TRANSCRIPT):
        raise ValidationError(_("Ask the coordination for this document."))
    _check_edition(kind, edition)
    semester = semester if kind == Kind.TRANSCRIPT else None
    if student.user_id == actor.pk:
        _throttle_requests(
            student=student, actor=actor, kind=kind, semester=semester, edition=edition
        )
    verdict = documents.eligibility(kind, student, semester=semester)
    if not verdict.ok:
        raise ValidationError(_("Not available: %(reason)s.") % {"reason": verdict.reason})
    with transaction.atomic():
        certificate = _new_certificate(
            student=student,
            kind=kind,
            semester=semester,
            actor=actor,
            batch=None,
            edition=edition,
        )
        _queue([certificate.pk])
    return certificate


def _throttle_requests(
    *, student: Student, actor: User, kind: str, semester: int | None, edition: str = Edition.FR
) -> None:
    """A student's own requests: one at a time per document, and a few an hour in all (each
    one is a PDF to render; 13 requests in 3.5 s were seen)."""
    asked = Certificate.objects.filter(holder=student, issued_by=actor, batch__isnull=True)
    if asked.filter(
        kind=kind,
        semester=semester,
        edition=edition,
        status__in=(Certificate.Status.PENDING, Certificate.Status.RENDERING),
    ).exists():
        raise ValidationError(
            _("This document is being prepared: it will appear in the list in a moment."),
            code="pending",
        )
    limit = settings.CERTIFICATE_REQUESTS_PER_HOUR
    if asked.filter(issued_at__gte=timezone.now() - timedelta(hours=1)).count() >= limit:
        raise ValidationError(
            _(
                "You have asked for %(count)d documents in the last hour: the ones you have"
                " are in the list; ask again later."
            )
            % {"count": limit},
            code="throttled",
        )


def _claim(ids: list[int], now: datetime, *, abandoned_by: str = "") -> set[int]:
    """The conditional updates that make each render happen once, however often a row is
    queued: the rows of a chunk that this process may render, all claimed in one go (so a
    worker that dies leaves every row of its chunk claimed by a dead process, which the sweep
    releases at once, rather than pending in a lost message).

    A row another process is rendering is left alone, unless that process is gone (dead on
    this host, silent heartbeat elsewhere: core/workers.py), the claim is older than
    ``CERTIFICATES_STUCK_AFTER``, or it is the claim of the attempt this task retries
    (``abandoned_by``)."""
    me = workers.process_name()
    takeable = Q(status__in=(Certificate.Status.PENDING, Certificate.Status.FAILED)) | Q(
        status=Certificate.Status.RENDERING, claimed_at__lt=_stuck_before()
    )
    if abandoned_by:
        takeable |= Q(status=Certificate.Status.RENDERING, claimed_by=abandoned_by)
    Certificate.objects.filter(pk__in=ids).filter(takeable).update(
        status=Certificate.Status.RENDERING, claimed_at=now, claimed_by=me
    )
    held = (
        Certificate.objects.filter(pk__in=ids, status=Certificate.Status.RENDERING)
        .exclude(claimed_by=me)
        .values_list("pk", "claimed_by", "claimed_at")
    )
    for pk, claimed_by, claimed_at in held:
        if workers.claimant_gone(claimed_by, claimed_at):
            Certificate.objects.filter(
                pk=pk,
                status=Certificate.Status.RENDERING,
                claimed_by=claimed_by,
                claimed_at=claimed_at,
            ).update(claimed_at=now, claimed_by=me)
    return set(
        Certificate.objects.filter(
            pk__in=ids, status=Certificate.Status.RENDERING, claimed_by=me
        ).values_list("pk", flat=True)
    )


def render_one(certificate_id: int) -> bool:
    """Claim, render, store and mark ready one certificate; False when another run has it."""
    return render_many([certificate_id]) == 1


def _fail(certificate_id: int, exc: BaseException) -> None:
    Certificate.objects.filter(
        pk=certificate_id,
        status=Certificate.Status.RENDERING,
        claimed_by=workers.process_name(),
    ).update(status=Certificate.Status.FAILED, error=str(exc)[:2000], attempts=F("attempts") + 1)


def render_many(ids: list[int], *, abandoned_by: str = "") -> int:
    """Render a chunk of certificates in this process; returns how many became ready.

    The chunk is claimed at once; then each row is rendered, stored and marked ready on its
    own, so a worker killed half-way leaves the rest claimed by a dead process (the sweep
    releases and re-queues them within 30 s). The file is
    written under a temporary name and moved to ``certificates/<code>.pdf`` inside the
    transaction that marks the row ready, so a ready row always has its complete file and a
    failure leaves no partial one; a retry writes the same name. The e-mail to the holder is
    stored in the same transaction and sent, for the whole chunk, by one task afterwards (a
    row left unsent is picked up by the e-mail sweep). A database error is not caught here:
    the task retries the chunk with back-off, taking over its own claims."""
    me = workers.process_name()
    mine = _claim(ids, timezone.now(), abandoned_by=abandoned_by)
    rows = Certificate.objects.filter(pk__in=mine).select_related("holder__user").in_bulk()
    ready = 0
    emails: list[int] = []
    batches: set[int] = set()
    for certificate_id in ids:
        certificate = rows.get(certificate_id)
        if certificate is None:
            continue
        if certificate.batch_id is not None:
            batches.add(certificate.batch_id)
        try:
            content = pdf.render_pdf(certificate.snapshot, certificate.code)
        except Exception as exc:  # a rendering failure is kept on the row, with a retry
            logger.exception("Certificate %s failed to render", certificate_id)
            _fail(certificate_id, exc)
            continue
        try:
            # Signed after the PDF/A rendering and before anything is stored: the file kept,
            # and the hash a visitor's copy is compared with, are the signed ones.
            with translation.override("fr"):
                signed = signing.sign(
                    content,
                    reason=_("Issued by the institute; verify it at %(url)s")
                    % {"url": pdf.verify_url(certificate.code)},
                    location=_("Algiers"),
                )
        except signing.SigningError as exc:  # no certificate, a wrong password, expired: said
            logger.error("Certificate %s could not be signed: %s", certificate_id, exc)
            _fail(certificate_id, exc)
            continue
        except Exception as exc:  # kept on the row as a rendering failure is, with a retry
            logger.exception("Certificate %s could not be signed", certificate_id)
            _fail(certificate_id, exc)
            continue
        content = signed.content
        name = f"certificates/{certificate.code}.pdf"
        try:
            # Written and flushed before the transaction: on SQLite a transaction holds the
            # database's one write lock, which the other workers wait for.
            staged = stage_file(certificate.pdf.storage, name, content)
        except OSError as exc:  # storage full or unwritable: nothing was kept
            logger.exception("Certificate %s could not be stored", certificate_id)
            _fail(certificate_id, exc)
            continue
        message = _message_to_holder(certificate) if certificate.holder_id else None
        try:
            with transaction.atomic():
                updated = Certificate.objects.filter(
                    pk=certificate_id, status=Certificate.Status.RENDERING, claimed_by=me
                ).update(
                    status=Certificate.Status.READY,
                    pdf=name,
                    sha256=hashlib.sha256(content).hexdigest(),
                    signed_by=signed.signed_by,
                    signed_at=signed.signed_at,
                    ready_at=timezone.now(),
                    error="",
                    attempts=F("attempts") + 1,
                )
                if updated:
                    # Renamed into place before the commit: no ready row without its file.
                    staged.publish()
                    if message is not None:
                        stored = email_store(message, kind=Notification.Kind.DOCUMENTS)
                        if stored is not None:  # None: the holder turned these e-mails off
                            emails.append(stored.pk)
        except OSError as exc:  # the rename failed: the ready mark was rolled back
            logger.exception("Certificate %s could not be stored", certificate_id)
            _fail(certificate_id, exc)
            continue
        finally:
            staged.discard()
        ready += updated
    if emails:
        queueing.send(send_outgoing_emails, emails)
    for batch_id in sorted(batches):
        _finish_batch(batch_id)
    return ready


def _message_to_holder(certificate: Certificate) -> EmailMultiAlternatives:
    user = certificate.holder.user  # type: ignore[union-attr]
    with translation.override(user.preferred_language or "fr"):
        subject = _("Your document is ready: %(document)s") % {
            "document": certificate.get_kind_display()
        }
        body = render_to_string("certificates/email/ready.txt", {"certificate": certificate})
    return EmailMultiAlternatives(subject=subject, body=body, to=[user.email])


def _finish_batch(batch_id: int) -> None:
    open_rows = Certificate.objects.filter(
        batch_id=batch_id, status__in=(Certificate.Status.PENDING, Certificate.Status.RENDERING)
    )
    if not open_rows.exists():
        Batch.objects.filter(pk=batch_id).exclude(status=Batch.Status.DONE).update(
            status=Batch.Status.DONE
        )
    else:
        Batch.objects.filter(pk=batch_id, status=Batch.Status.QUEUED).update(
            status=Batch.Status.RUNNING
        )


def batch_progress(batch: Batch) -> dict[str, int]:
    counts = dict.fromkeys(Certificate.Status.values, 0)
    for status in Certificate.objects.filter(batch=batch).values_list("status", flat=True):
        counts[status] += 1
    total = sum(counts.values())
    done = counts["ready"]
    return {
        "total": total,
        "done": done,
        "failed": counts["failed"],
        "remaining": counts["pending"] + counts["rendering"],
        "percent": int(100 * done / total) if total else 100,
    }


def certificate_retry(*, certificate: Certificate, actor: User) -> None:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    if certificate.status != Certificate.Status.FAILED:
        raise ValidationError(_("Only a failed document can be tried again."))
    if certificate.batch_id is not None:
        Batch.objects.filter(pk=certificate.batch_id).update(status=Batch.Status.RUNNING)
    with transaction.atomic():
        _queue([certificate.pk])


#: A pending row created this recently may still be waiting for its own after-commit send.
JUST_CREATED = timedelta(seconds=10)


def requeue_stuck() -> int:
    """Periodic (every 30 s): claims of dead workers are released, and pending rows the
    broker never accepted (or whose message was lost) are sent again. Returns how many."""
    now = timezone.now()
    stuck_before = _stuck_before()
    held = Certificate.objects.filter(status=Certificate.Status.RENDERING).values_list(
        "pk", "claimed_by", "claimed_at"
    )
    for pk, claimed_by, claimed_at in held:  # a handful: one per busy worker process
        if (claimed_at is not None and claimed_at < stuck_before) or workers.claimant_gone(
            claimed_by, claimed_at
        ):
            # Pending again, so any worker may take it; the claim still makes it render once.
            Certificate.objects.filter(
                pk=pk,
                status=Certificate.Status.RENDERING,
                claimed_by=claimed_by,
                claimed_at=claimed_at,
            ).update(status=Certificate.Status.PENDING, queued_at=None)
    requeue_before = now - timedelta(seconds=settings.CERTIFICATES_REQUEUE_AFTER)
    with transaction.atomic():
        stuck = list(
            Certificate.objects.filter(status=Certificate.Status.PENDING)
            .filter(
                Q(queued_at__isnull=True, issued_at__lt=now - JUST_CREATED)
                | Q(queued_at__isnull=True, claimed_at__isnull=False)
                | Q(queued_at__lt=requeue_before)
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:5000]
        )
        _queue(stuck)
    return len(stuck)


REASON_MAX = 2000
REVOCABLE = (Certificate.Status.READY, Certificate.Status.SUPERSEDED)


def can_revoke(user: AnyUser, certificate: Certificate) -> bool:
    return has_role(user, Role.COORDINATOR) and certificate.status in REVOCABLE


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the document is revoked.")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX}}
        )
    locked = Certificate.objects.select_for_update(of=("self",)).get(pk=certificate.pk)
    if locked.status == Certificate.Status.REVOKED:
        raise ValidationError(_("This document is already revoked."))
    if locked.status not in REVOCABLE:
        raise ValidationError(_("Only an issued document can be revoked."))
    locked.status = Certificate.Status.REVOKED
    locked.revoked_by, locked.revoked_at, locked.revocation_reason = (
        actor,
        timezone.now(),
        reason.strip(),
    )
    locked.save(update_fields=["status", "revoked_by", "revoked_at", "revocation_reason"])
    return locked


def current_version(certificate: Certificate) -> Certificate:
    seen = 0
    while certificate.superseded_by_id and seen < 50:
        certificate = Certificate.objects.get(pk=certificate.superseded_by_id)
        seen += 1
    return certificate
