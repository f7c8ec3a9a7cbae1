"""The issuer of the documents and their signatories: the coordination's changes, and what a
document copies of them when it is issued (academic-rules.md §0, §3).

Signatories are versioned: a change retires the row and adds a new one, so the history keeps
who signed when; a document already issued keeps the names copied into its snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import User
from certificates.models import IssuingAuthority, Kind, Signatory
from core.uploads import check_image, random_name

MAX_LOGO_BYTES = 1024 * 1024
#: What the documents print of a logo (certificates/pdf.py inlines PNG and JPEG only).
LOGO_EXTENSIONS = ("png", "jpg")

AUTHORITY_FIELDS = (
    "name_fr",
    "name_ar",
    "name_en",
    "legal_basis_fr",
    "legal_basis_ar",
    "address_fr",
    "address_ar",
    "phone",
    "email",
)
SIGNATORY_FIELDS = ("name_fr", "name_ar", "title_fr", "title_ar", "title_en", "order")


def _coordination(actor: User) -> None:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied


# --- Reading ----------------------------------------------------------------------------------
def active_authority() -> IssuingAuthority | None:
    return IssuingAuthority.objects.filter(active=True).first()


def _signing(at: dt.datetime) -> Q:
    """The rows that sign a document issued at ``at``: in office that day, not yet retired."""
    return Q(active_from__lte=timezone.localdate(at)) & (
        Q(retired_at__isnull=True) | Q(retired_at__gt=at)
    )


def signatories_for(
    kind: str, *, authority: IssuingAuthority | None = None, at: dt.datetime | None = None
) -> list[Signatory]:
    """Who signs this kind of document issued now (or at ``at``), in their order."""
    authority = authority if authority is not None else active_authority()
    if authority is None:
        return []
    return list(
        Signatory.objects.filter(authority=authority, kind=kind)
        .filter(_signing(at or timezone.now()))
        .order_by("order", "pk")
    )


def current_signatories(authority: IssuingAuthority) -> list[Signatory]:
    """Every row not retired, future ones included (the staff page lists them)."""
    return list(
        Signatory.objects.filter(authority=authority)
        .filter(Q(retired_at__isnull=True) | Q(retired_at__gt=timezone.now()))
        .order_by("kind", "order", "pk")
    )


def signatory_history(authority: IssuingAuthority, kind: str) -> list[Signatory]:
    """Every row of a kind, the retired ones too: who signed when."""
    return list(
        Signatory.objects.filter(authority=authority, kind=kind)
        .select_related("created_by")
        .order_by("-active_from", "-pk")
    )


def issuer_data(authority: IssuingAuthority) -> dict[str, str]:
    """The issuer as a snapshot prints it (``snapshot["issuer"]``)."""
    return {
        "name_fr": authority.name_fr,
        "name_ar": authority.name_ar,
        "name_en": authority.name_en,
        "legal_basis_fr": authority.legal_basis_fr,
        "legal_basis_ar": authority.legal_basis_ar,
        "address_fr": authority.address_fr,
        "address_ar": authority.address_ar,
        "logo": authority.logo.name or "",
    }


def signatory_data(signatory: Signatory) -> dict[str, str]:
    """A signatory as a snapshot prints it (an item of ``snapshot["signatories"]``)."""
    return {
        "name_fr": signatory.name_fr,
        "name_ar": signatory.name_ar,
        "title_fr": signatory.title_fr,
        "title_ar": signatory.title_ar,
        "title_en": signatory.title_en,
    }


def issuer_problem(kind: str) -> str:
    """Why a document of this kind cannot be issued now for want of an issuer or a
    signatory, in words; "" when it can."""
    signed = Signatory.objects.filter(authority__active=True, kind=kind).filter(
        _signing(timezone.now())
    )
    if signed.exists():  # one query when all is well (the list of who is eligible asks it)
        return ""
    if active_authority() is None:
        return _("no issuing authority for the documents: set it in the staff space")
    return _("no signatory for this document: add one in the staff space")


# --- The authority ----------------------------------------------------------------------------
def authority_save(
    *,
    actor: User,
    data: dict[str, Any],
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
) -> IssuingAuthority:
    """Create or change the active issuing authority. A new logo is checked by its content
    (PNG or JPEG, 1 MB at most) and stored under a random name once the row is known to be
    valid; if anything fails nothing is stored. The old logo file stays: documents issued
    with it name it in their snapshot."""
    _coordination(actor)
    authority = active_authority() or IssuingAuthority(active=True)
    for field in AUTHORITY_FIELDS:
        if field in data:
            value = data[field]
            setattr(authority, field, value.strip() if isinstance(value, str) else value)
    authority.updated_by = actor
    authority.full_clean(exclude=["logo"])
    extension = ""
    if logo is not None:
        try:
            extension = check_image(logo, max_bytes=MAX_LOGO_BYTES)
        except ValidationError as exc:
            raise ValidationError({"logo": exc.messages}) from exc
        if extension not in LOGO_EXTENSIONS:
            raise ValidationError(
                {"logo": _("The logo must be a PNG or JPEG image: the documents print only those.")}
            )
    stored = ""
    saved = False
    try:
        with transaction.atomic():
            if logo is not None:
                authority.logo.save(random_name("issuer", extension), logo, save=False)
                stored = authority.logo.name or ""
            elif remove_logo:
                authority.logo = ""
            authority.save()
        saved = True
    finally:
        if stored and not saved:
            authority.logo.storage.delete(stored)
    return authority


# --- Signatories ------------------------------------------------------------------------------
def _clean_signatory(signatory: Signatory, data: dict[str, Any]) -> None:
    for field in SIGNATORY_FIELDS:
        if field in data:
            value = data[field]
            setattr(signatory, field, value.strip() if isinstance(value, str) else value)
    if data.get("active_from"):
        signatory.active_from = data["active_from"]
    signatory.full_clean(exclude=["authority", "replaces", "created_by"])


@transaction.atomic
def signatory_add(*, kind: str, actor: User, data: dict[str, Any]) -> Signatory:
    """A new signatory of a kind of document, for the active authority."""
    _coordination(actor)
    if kind not in Kind.values:
        raise ValidationError(_("Unknown document."))
    authority = active_authority()
    if authority is None:
        raise ValidationError(_("Set the issuing authority first."))
    signatory = Signatory(
        authority=authority, kind=kind, created_by=actor, active_from=timezone.localdate()
    )
    _clean_signatory(signatory, data)
    signatory.save()
    return signatory


def _locked(signatory: Signatory) -> Signatory:
    """The row, locked; one already retired (or replaced from a later date) is not changed
    again, so a row has one successor at most."""
    locked = Signatory.objects.select_for_update(of=("self",)).get(pk=signatory.pk)
    if locked.retired_at is not None:
        raise ValidationError(_("This signatory is retired or replaced already."))
    return locked


@transaction.atomic
def signatory_edit(*, signatory: Signatory, actor: User, data: dict[str, Any]) -> Signatory:
    """A change of a signatory: the row is retired and a new one replaces it, from the date
    given (today by default). Until then the old one still signs."""
    _coordination(actor)
    old = _locked(signatory)
    new = Signatory(
        authority_id=old.authority_id,
        kind=old.kind,
        **{field: getattr(old, field) for field in SIGNATORY_FIELDS},
        active_from=timezone.localdate(),
        replaces=old,
        created_by=actor,
    )
    _clean_signatory(new, data)
    if all(getattr(new, f) == getattr(old, f) for f in SIGNATORY_FIELDS):
        raise ValidationError(_("Nothing was changed."))
    now = timezone.now()
    takes_over = timezone.make_aware(dt.datetime.combine(new.active_from, dt.time.min))
    old.retired_at = max(now, takes_over)
    old.save(update_fields=["retired_at"])
    new.save()
    return new


@transaction.atomic
def signatory_retire(*, signatory: Signatory, actor: User, confirm: bool) -> Signatory:
    """The signatory signs no more documents from now on; asked twice (``confirm``)."""
    _coordination(actor)
    if not confirm:
        raise ValidationError(
            {"confirm": _("Tick the box to confirm that this signatory signs no more documents.")}
        )
    locked = _locked(signatory)
    locked.retired_at = timezone.now()
    locked.save(update_fields=["retired_at"])
    return locked
