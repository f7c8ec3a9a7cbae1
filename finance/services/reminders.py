"""Payment reminders (#13), e-mailed by a daily task to the payer of each open invoice.

An invoice is reminded relative to its earliest due date with something left to pay, on each
offset of ``settings.FINANCE_REMINDER_DAYS`` (−7: a week before; 1, 15, 30: after). Each
reminder is a ``PaymentReminder`` row (unique invoice, due date, offset) inserted in the
transaction that stores its e-mails: a second run, the same day or on a second worker,
sends nothing. A run sends, per invoice, only the latest offset already reached: after days
without a worker, the one reminder whose day passed last goes out late, once, and the
earlier missed ones are never sent. When what is left is paid off up to a later due date,
that date starts its own reminders.

Who is written to: a student, at their account's address in their language; an
organisation, each of its sponsor contacts in theirs (none: nothing is sent and the run
logs it, so that the reminder goes out once a contact is set); an applicant (an application
fee), at their account's address in the application's language.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from accounts.emails import absolute_url, email_compose
from accounts.services import email_queue
from finance import selectors
from finance.models import Invoice, PaymentReminder, SponsorContact

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    name: str
    path: str = ""


def reminders_send(*, today: dt.date | None = None) -> int:
    """Send the reminders due today and not sent yet; returns how many invoices were
    reminded."""
    today = today or timezone.localdate()
    offsets = sorted(set(settings.FINANCE_REMINDER_DAYS))
    due = []
    for item in selectors.invoices_to_remind():
        reached = [days for days in offsets if item.due_on + dt.timedelta(days=days) <= today]
        if reached:
            due.append((item, reached[-1]))
    if not due:
        return 0
    sent: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    for invoice_id, due_on, days in PaymentReminder.objects.filter(
        invoice__in=[item.invoice.pk for item, _days in due]
    ).values_list("invoice_id", "due_on", "days"):
        sent[invoice_id, due_on].add(days)
    contacts = _contacts(
        [
            item.invoice.payer_organisation_id
            for item, _days in due
            if item.invoice.payer_organisation_id
        ]
    )
    count = 0
    for item, days in due:
        if any(done >= days for done in sent[item.invoice.pk, item.due_on]):
            continue
        recipients = _recipients(item.invoice, contacts)
        if not recipients:
            logger.warning(
                "Payment reminder of %s not sent: %s has no sponsor contact.",
                item.invoice.number,
                item.invoice.payer_organisation,
            )
            continue
        count += _remind(item, days, recipients, today)
    return count


def _contacts(organisation_ids: list[int]) -> dict[int, list[SponsorContact]]:
    result: dict[int, list[SponsorContact]] = defaultdict(list)
    for contact in SponsorContact.objects.filter(organisation__in=organisation_ids).order_by(
        "name", "pk"
    ):
        result[contact.organisation_id].append(contact)
    return result


def _recipients(invoice: Invoice, contacts: dict[int, list[SponsorContact]]) -> list[Recipient]:
    if invoice.payer_student is not None:
        user = invoice.payer_student.user
        language = user.preferred_language or settings.LANGUAGE_CODE
        return [Recipient(user.email, language, user.get_full_name(), reverse("finance:my_fees"))]
    if invoice.payer_application is not None:
        application = invoice.payer_application
        applicant = application.applicant
        language = application.language or applicant.preferred_language or settings.LANGUAGE_CODE
        return [
            Recipient(
                applicant.email, language, applicant.get_full_name(), reverse("finance:my_fees")
            )
        ]
    return [
        Recipient(
            contact.email,
            contact.language,
            contact.name,
            reverse("finance:sponsor_home") if contact.user_id else "",
        )
        for contact in contacts.get(invoice.payer_organisation_id or 0, [])
    ]


def _remind(
    item: selectors.InvoiceToRemind, days: int, recipients: list[Recipient], today: dt.date
) -> bool:
    """Record the reminder and store its e-mails in one transaction; False if another run
    recorded it first (the unique constraint makes the second insert find the first)."""
    with transaction.atomic():
        _reminder, created = PaymentReminder.objects.get_or_create(
            invoice=item.invoice,
            due_on=item.due_on,
            days=days,
            defaults={"sent_to": recipients[0].email},
        )
        if created:
            for recipient in recipients:
                email_queue(_message(item, recipient, today))
    return created


def _message(
    item: selectors.InvoiceToRemind, recipient: Recipient, today: dt.date
) -> EmailMultiAlternatives:
    late = (today - item.due_on).days
    context = {
        "invoice": item.invoice,
        "left": item.left,
        "due_on": item.due_on,
        "late": late,
        "early": -late,
        "bank_account": settings.FINANCE_ISSUER.get("bank_account", ""),
    }
    with translation.override(recipient.language):
        return email_compose(
            to=[recipient.email],
            subject=render_to_string("finance/emails/reminder_subject.txt", context),
            content=render_to_string("finance/emails/reminder.txt", context),
            name=recipient.name,
            link_url=absolute_url(recipient.path) if recipient.path else "",
            link_label=str(LINK_LABEL) if recipient.path else "",
            reply_to=[settings.FINANCE_EMAIL],
        )


LINK_LABEL = gettext_lazy("See the invoices and payments")
