"""The applicant's side: drafts, documents, submission, withdrawal."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core import queueing
from core.storage import delete_when_unreferenced
from core.uploads import check_image, check_pdf, private_storage, random_name, safe_filename
from enrollment import history, locks
from enrollment.lifecycles import APPLICATION
from enrollment.models import (
    ApplicantProfile,
    Application,
    ApplicationDocument,
    DocumentRequirement,
    Intake,
)
from enrollment.services.common import next_number, notify, record, set_status
from enrollment.services.profiles import profile_check, profile_get_or_create

S = Application.Status


def application_start(*, applicant: User, intake: Intake) -> Application:
    """Open a draft for an intake (or return the one that exists). A draft withdrawn before
    it was ever submitted is reopened as a draft while the call is open: withdrawing a
    draft never closes the call to its author (its history keeps both steps)."""
    existing = Application.objects.filter(applicant=applicant, intake=intake).first()
    if existing is not None:
        if may_reopen(existing):
            return _reopen(existing, applicant)
        return existing
    if not intake.is_open():
        raise ValidationError(_("This call for applications is not open."))
    try:
        with transaction.atomic():
            number = next_number(
                key=f"APP-{intake.opens_at.year}", prefix=f"APP-{intake.opens_at.year}"
            )
            application = Application.objects.create(
                number=number,
                applicant=applicant,
                intake=intake,
                language=translation.get_language() or "fr",
            )
            record(application, actor=applicant, after=S.DRAFT, code="draft_started")
            return application
    except IntegrityError:
        # Two tabs opened the same draft at once: the first one won.
        return Application.objects.get(applicant=applicant, intake=intake)


def may_reopen(application: Application) -> bool:
    """A withdrawn draft (never submitted) may be started again."""
    return application.status == S.WITHDRAWN and application.submitted_at is None


def _reopen(application: Application, actor: User) -> Application:
    with transaction.atomic():
        locked = locks.lock_application(application.pk, "intake")
        if locked.applicant_id != actor.pk:
            raise PermissionDenied
        if not may_reopen(locked):
            return locked  # reopened meanwhile (another tab), or no longer a withdrawn draft
        if not locked.intake.is_open():
            raise ValidationError(_("This call for applications is not open."))
        status = APPLICATION.next(locked.status, "reopen")
        set_status(locked, status, actor=actor, code="draft_reopened")
    return locked


def _editable(application: Application, actor: User) -> Application:
    locked = locks.lock_application(application.pk, "intake")
    if locked.applicant_id != actor.pk:
        raise PermissionDenied
    if locked.status != S.DRAFT:
        raise ValidationError(
            _("This application has been submitted and can no longer be changed.")
        )
    return locked


@transaction.atomic
def application_save_draft(
    *,
    application: Application,
    actor: User,
    motivation: str,
    project: str,
    financing: Mapping[str, Any] | None = None,
) -> Application:
    """Save the motivation and project of a draft and, when ``financing`` is given (the
    values of ``FINANCING_FIELDS``), who pays the fees: all saved, or nothing when one of
    them breaks the rules."""
    locked = _editable(application, actor)
    fields = ["motivation", "project", "updated_at"]
    if financing is not None:
        values, errors = financing_clean(financing)
        if errors:
            raise ValidationError(errors)
        for name, value in values.items():
            setattr(locked, name, value)
        fields += list(FINANCING_FIELDS)
    locked.motivation = motivation
    locked.project = project
    locked.full_clean()
    locked.save(update_fields=fields)
    return locked


# --- Who pays the fees -------------------------------------------------------------------------
#: The declaration of financing: the fields of the application it sets.
FINANCING_FIELDS = (
    "financing",
    "sponsor_organisation",
    "sponsor_name",
    "sponsor_share",
    "sponsor_consent",
)
HUNDRED = Decimal(100)
#: The part of the fees an organisation pays in a split, in percent.
SPLIT_SHARE_MIN, SPLIT_SHARE_MAX = Decimal(1), Decimal(99)


def financing_clean(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The rules of the declaration of financing — one truth for the form of the step and
    for submission: the values to store, and the messages per field.

    Paying oneself keeps no sponsor (what was typed for one is dropped). An organisation
    that pays is chosen in the partners' list or, when it is not there, named — not both;
    it pays 100 % ("sponsor") or, in a split, 1 to 99 % (two decimals at most). The consent
    to show it attendance and results is the applicant's choice, never required. No choice
    yet is not an error here: a draft may wait, submission asks for it."""
    financing = values.get("financing") or ""
    organisation = values.get("sponsor_organisation")
    name = (values.get("sponsor_name") or "").strip()
    share = values.get("sponsor_share")
    consent = bool(values.get("sponsor_consent"))
    errors: dict[str, list[str]] = {}
    F = Application.Financing
    if financing not in ("", *F.values):
        errors["financing"] = [_("Choose who pays your fees.")]
    if financing in ("", F.SELF):
        cleared = {"sponsor_organisation": None, "sponsor_name": "", "sponsor_share": None}
        return {"financing": financing, **cleared, "sponsor_consent": False}, errors
    if organisation is not None and name:
        errors["sponsor_name"] = [
            _("Choose the organisation in the list or type its name, not both.")
        ]
    elif organisation is None and not name:
        errors["sponsor_organisation"] = [
            _("Choose the organisation that pays, or type its name if it is not in the list.")
        ]
    if share is not None and not isinstance(share, Decimal):
        try:
            share = Decimal(str(share))
        except InvalidOperation:
            share = Decimal("NaN")
    if financing == F.SPONSOR:
        if share is not None and share != HUNDRED:
            errors["sponsor_share"] = [
                _("An organisation that pays all of your fees pays 100 %: leave the share empty.")
            ]
        share = HUNDRED
    elif share is None:
        errors["sponsor_share"] = [_("Give the part the organisation pays, in percent (1 to 99).")]
    elif (
        not share.is_finite()
        or not SPLIT_SHARE_MIN <= share <= SPLIT_SHARE_MAX
        or share != share.quantize(Decimal("0.01"))
    ):
        errors["sponsor_share"] = [
            _(
                "In a split, the organisation pays from 1 to 99 percent of the fees (two "
                "decimals at most)."
            )
        ]
    return {
        "financing": financing,
        "sponsor_organisation": organisation,
        "sponsor_name": "" if organisation is not None else name,
        "sponsor_share": share if "sponsor_share" not in errors else None,
        "sponsor_consent": consent,
    }, errors


def financing_errors(application: Application) -> dict[str, list[str]]:
    """``financing_clean``'s messages for what an application holds."""
    return financing_clean({name: getattr(application, name) for name in FINANCING_FIELDS})[1]


def _financing_snapshot(application: Application) -> dict[str, object]:
    """The declaration as submitted, frozen with the profile."""
    organisation = application.sponsor_organisation
    return {
        "financing": application.financing,
        "sponsor_organisation": organisation.pk if organisation else None,
        "sponsor_organisation_name": str(organisation) if organisation else "",
        "sponsor_name": application.sponsor_name,
        "sponsor_share": None
        if application.sponsor_share is None
        else str(application.sponsor_share),
        "sponsor_consent": application.sponsor_consent,
    }


def _check_upload(requirement: DocumentRequirement, upload: UploadedFile) -> tuple[str, str]:
    """Check a file against what the requirement accepts; returns (extension, content type)."""
    limit = requirement.max_size_mb * 1024 * 1024
    accepts = requirement.accepts
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-" and accepts in (
        DocumentRequirement.Accepts.PDF,
        DocumentRequirement.Accepts.PDF_OR_IMAGE,
    ):
        check_pdf(upload, max_bytes=limit)
        return "pdf", "application/pdf"
    if accepts == DocumentRequirement.Accepts.PDF:
        check_pdf(upload, max_bytes=limit)  # raises with the precise reason
    extension = check_image(upload, max_bytes=limit)
    if accepts == DocumentRequirement.Accepts.PDF:
        raise ValidationError(_("The file is not a PDF document."), code="not_pdf")
    return extension, {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}[extension]


def document_upload(
    *, application: Application, actor: User, requirement: DocumentRequirement, upload: UploadedFile
) -> ApplicationDocument:
    """Add or replace the document of a requirement: in a draft, or — for a rejected
    document — until its replacement deadline. The file is checked by its content and
    stored under a random name; an old file is deleted only once the new one is saved."""
    if requirement.intake_id != application.intake_id:
        raise ValidationError(_("This document is not asked for by this intake."))
    extension, content_type = _check_upload(requirement, upload)
    stored = ""
    saved = False
    try:
        with transaction.atomic():
            locked = locks.lock_application(application.pk)
            if locked.applicant_id != actor.pk:
                raise PermissionDenied
            document = ApplicationDocument.objects.filter(
                application=locked, requirement=requirement
            ).first()
            if locked.status != S.DRAFT and not _may_replace(document):
                raise ValidationError(
                    _("This application has been submitted and can no longer be changed.")
                )
            storage = private_storage
            stored = storage.save(random_name("applications", extension), upload)
            old_name = document.file.name if document else ""
            if document is None:
                document = ApplicationDocument(application=locked, requirement=requirement)
            document.file.name = stored
            document.original_name = safe_filename(upload.name or f"{requirement.kind}.{extension}")
            document.size = upload.size or 0
            document.content_type = content_type
            document.uploaded_at = timezone.now()
            replacing_rejected = document.status == ApplicationDocument.Status.REJECTED
            document.status = ApplicationDocument.Status.PROVIDED
            document.replace_until = None
            document.save()
            if replacing_rejected:
                record(
                    locked,
                    actor=actor,
                    kind="document",
                    before=ApplicationDocument.Status.REJECTED,
                    after=ApplicationDocument.Status.PROVIDED,
                    code="document_replaced",
                    params={"document": history.in_languages(lambda: requirement.display_label)},
                )
            if old_name != stored:
                delete_when_unreferenced(document.file.storage, old_name)
        saved = True
    finally:
        if stored and not saved:
            private_storage.delete(stored)
    return document


def _may_replace(document: ApplicationDocument | None) -> bool:
    return bool(
        document is not None
        and document.status == ApplicationDocument.Status.REJECTED
        and document.replace_until is not None
        and document.replace_until > timezone.now()
    )


@transaction.atomic
def document_remove(*, document: ApplicationDocument, actor: User) -> None:
    _editable(document.application, actor)
    name, storage = document.file.name or "", document.file.storage
    document.delete()
    delete_when_unreferenced(storage, name)


def application_problems(
    application: Application, profile: ApplicantProfile | None = None
) -> list[str]:
    """Everything that prevents submission, in the applicant's words."""
    problems = []
    now = timezone.now()
    intake = application.intake
    if now < intake.opens_at:
        problems.append(_("The call for applications is not open yet."))
    elif now >= intake.closes_at:
        problems.append(_("The call for applications is closed."))
    profile = profile or profile_get_or_create(user=application.applicant)
    check = profile_check(profile, intake=intake)
    if check.missing:
        problems.append(
            _("Your profile is incomplete: %(fields)s.") % {"fields": ", ".join(check.missing)}
        )
    for label, error in check.invalid:
        problems.append(
            _("To correct in your profile — %(field)s: %(error)s")
            % {"field": label, "error": error}
        )
    if not application.motivation.strip():
        problems.append(_("Write your motivation."))
    if not application.financing:
        problems.append(_("Say who pays your fees (in the Motivation step)."))
    for messages in financing_errors(application).values():
        problems.extend(
            _("To correct — who pays your fees: %(error)s") % {"error": message}
            for message in messages
        )
    provided = set(application.documents.values_list("requirement_id", flat=True))
    for requirement in intake.requirements.filter(required=True):
        if requirement.pk not in provided:
            problems.append(
                _("Missing document: %(document)s.") % {"document": requirement.display_label}
            )
    return problems


def application_submit(*, application: Application, actor: User) -> Application:
    """Submit a complete draft inside the intake window; it is frozen, a receipt e-mailed.

    The row lock makes a double click or a second tab harmless: the second call finds the
    application already submitted and says so.
    """
    with transaction.atomic():
        locked = locks.lock_application(application.pk, "intake", "applicant")
        if locked.applicant_id != actor.pk:
            raise PermissionDenied
        status = APPLICATION.next(locked.status, "submit")
        profile = profile_get_or_create(user=actor)
        problems = application_problems(locked, profile)
        if problems:
            raise ValidationError(problems)
        locked.snapshot = {**_snapshot(profile), "financing": _financing_snapshot(locked)}
        locked.full_name = f"{profile.full_name_latin} / {profile.full_name_ar}"[:260]
        locked.sector = profile.sector
        locked.wilaya = profile.wilaya
        highest = profile.education.order_by("-year").first()
        locked.degree = highest.degree if highest else ""
        locked.submitted_at = timezone.now()
        locked.language = translation.get_language() or locked.language
        locked.save()
        set_status(locked, status, actor=actor)
        notify(locked, "submitted")
        # The printable receipt is rendered by a worker once the submission is committed.
        from enrollment.tasks import render_receipt

        queueing.after_commit(render_receipt, locked.pk)
    return locked


def _snapshot(profile: ApplicantProfile) -> dict[str, object]:
    def value(v: object) -> object:
        return (
            v.isoformat() if hasattr(v, "isoformat") else (str(v) if isinstance(v, Decimal) else v)
        )

    fields = [
        f.name for f in ApplicantProfile._meta.fields if f.name not in {"id", "user", "updated_at"}
    ]
    data: dict[str, object] = {name: value(getattr(profile, name)) for name in fields}
    data["education"] = [
        {
            "degree": e.degree,
            "field": e.field,
            "institution": e.institution,
            "year": e.year,
            "average": value(e.average),
        }
        for e in profile.education.all()
    ]
    data["experience"] = [
        {
            "employer": x.employer,
            "position": x.position,
            "start": value(x.start),
            "end": value(x.end),
            "description": x.description,
        }
        for x in profile.experience.all()
    ]
    return data


@transaction.atomic
def application_withdraw(*, application: Application, actor: User, reason: str = "") -> Application:
    locked = locks.lock_application(application.pk)
    if locked.applicant_id != actor.pk:
        raise PermissionDenied
    status = APPLICATION.next(locked.status, "withdraw")
    set_status(locked, status, actor=actor, note=reason)
    return locked


def withdraw_refusal(application: Application) -> str:
    """Why the application can no longer be withdrawn, in the applicant's words ("" when it
    can): the page offers the step, and its confirmation, only when it is empty."""
    if APPLICATION.allows(application.status, "withdraw"):
        return ""
    return " ".join(APPLICATION.refusal(application.status, "withdraw").messages)
