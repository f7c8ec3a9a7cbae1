"""State changes of partners: organisations, contacts, agreements."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import email_queue
from core.uploads import check_image, random_name, safe_filename
from partners.models import (
    EXPIRY_WARNING_DAYS,
    MAX_LOGO_BYTES,
    Agreement,
    Contact,
    Organisation,
)

logger = logging.getLogger(__name__)


def organisation_save(
    *, organisation: Organisation, logo: UploadedFile | None = None
) -> Organisation:
    """Create or update an organisation; a new logo (checked by content) is stored under a
    random name once the row is known to be valid, and removed again if the save fails."""
    organisation.full_clean(exclude=["logo"])
    stored = ""
    saved = False
    try:
        with transaction.atomic():
            if logo is not None:
                extension = check_image(logo, max_bytes=MAX_LOGO_BYTES)
                organisation.logo.save(random_name("logos", extension), logo, save=False)
                stored = organisation.logo.name or ""
            organisation.save()
        saved = True
    finally:
        if stored and not saved:
            organisation.logo.storage.delete(stored)
    return organisation


@transaction.atomic
def contact_save(*, contact: Contact) -> Contact:
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    contact.delete()


def agreement_save(
    *,
    agreement: Agreement,
    parties: Iterable[Organisation],
    signed_pdf: UploadedFile | None = None,
    remove_pdf: bool = False,
) -> Agreement:
    """Create or update an agreement with its parties and its private signed copy.

    A change of the end date re-arms the expiry reminder. The signed copy is written last,
    and removed again if the row cannot be saved, so nothing is stored half-way.
    """
    parties = list(parties)
    if len({p.pk for p in parties}) < 2:
        raise ValidationError({"parties": _("An agreement has two parties at least.")})
    stored_name = ""
    saved = False
    try:
        with transaction.atomic():
            if agreement.pk:
                previous = Agreement.objects.select_for_update().get(pk=agreement.pk)
                if previous.valid_until != agreement.valid_until:
                    agreement.expiry_notified_at = None
                old_file = previous.signed_pdf.name if (signed_pdf or remove_pdf) else ""
            else:
                old_file = ""
            if signed_pdf is not None:
                stored_name = agreement.signed_pdf.storage.save(
                    random_name("agreements", "pdf"), signed_pdf
                )
                agreement.signed_pdf.name = stored_name
                agreement.signed_pdf_name = safe_filename(signed_pdf.name or "agreement.pdf")
            elif remove_pdf:
                agreement.signed_pdf.name = ""
                agreement.signed_pdf_name = ""
            agreement.full_clean()
            agreement.save()
            agreement.parties.set(parties)
            if old_file:
                storage = agreement.signed_pdf.storage
                transaction.on_commit(lambda: storage.delete(old_file))
        saved = True
    finally:
        if stored_name and not saved:
            agreement.signed_pdf.storage.delete(stored_name)
    return agreement


def coordinators() -> list[User]:
    return list(User.objects.filter(is_coordinator=True, is_active=True))


def agreements_notify_expiring(*, today: dt.date | None = None) -> int:
    """E-mail the coordinators about each agreement entering its last 60 days, once.

    Each agreement is claimed with a conditional update, so two runs at the same time never
    send the same reminder twice. Returns the number of agreements notified.
    """
    today = today or timezone.localdate()
    candidates = (
        Agreement.objects.with_status(today)
        # current_status is annotated by with_status(), which the type checker cannot see.
        .filter(current_status=Agreement.Status.EXPIRING, expiry_notified_at__isnull=True)  # type: ignore[misc]
        .values_list("pk", flat=True)
    )
    recipients = coordinators()
    notified = 0
    for pk in candidates:
        with transaction.atomic():
            claimed = Agreement.objects.filter(pk=pk, expiry_notified_at__isnull=True).update(
                expiry_notified_at=timezone.now()
            )
            if not claimed:
                continue
            agreement = Agreement.objects.prefetch_related("parties").get(pk=pk)
            for person in recipients:
                _send_expiry_reminder(agreement, person, today)
            notified += 1
    return notified


def _send_expiry_reminder(agreement: Agreement, person: User, today: dt.date) -> None:
    from django.core.mail import EmailMultiAlternatives

    language = person.preferred_language or "fr"
    with translation.override(language):
        assert agreement.valid_until is not None
        context = {
            "agreement": agreement,
            "person": person,
            "days_left": (agreement.valid_until - today).days,
            "warning_days": EXPIRY_WARNING_DAYS,
        }
        subject = _("Agreement expiring: %(title)s") % {"title": agreement.title}
        body = render_to_string("partners/email/agreement_expiring.txt", context)
    email_queue(EmailMultiAlternatives(subject=subject, body=body, to=[person.email]))
