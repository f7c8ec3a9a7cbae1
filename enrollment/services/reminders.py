"""Reminders e-mailed to applicants before a deadline, each once (#12).

- an offer still unanswered 48 hours before its deadline;
- a draft of an open call still missing a required document, a week before the call closes;
- a rejected document not yet replaced, 48 hours before its replacement deadline.

Each reminder is a ``ReminderSent`` row (unique application, kind, key) inserted in the
transaction that stores the e-mail: a run that finds the row sends nothing, so the periodic
task may run twice, or on two workers at once. The key names the deadline (and the offer or
the document), so a deadline that moves is reminded again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from enrollment.models import (
    Application,
    ApplicationDocument,
    DocumentRequirement,
    Offer,
    ReminderSent,
)
from enrollment.services.common import notify

S = Application.Status

OFFER_DEADLINE = "offer_deadline"
MISSING_DOCUMENTS = "missing_documents"
REPLACEMENT_DEADLINE = "replacement_deadline"

#: How long before each deadline the reminder goes out.
OFFER_NOTICE = timedelta(hours=48)
DOCUMENTS_NOTICE = timedelta(days=7)
REPLACEMENT_NOTICE = timedelta(hours=48)

#: Applications that are over: nothing to replace any more.
FINISHED = (S.WITHDRAWN, S.INELIGIBLE, S.REJECTED, S.DECLINED, S.EXPIRED)


def reminders_send(*, now: datetime | None = None) -> int:
    """Send every reminder that is due and not sent yet; returns how many were sent."""
    now = now or timezone.now()
    return _offer_deadlines(now) + _missing_documents(now) + _replacement_deadlines(now)


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class _Due:
    application: Application
    key: str
    context: dict[str, Any]


def _send(kind: str, template: str, due: list[_Due]) -> int:
    """Send the reminders not recorded yet (those already recorded are read in one query)."""
    recorded = set(
        ReminderSent.objects.filter(
            kind=kind, application__in=[item.application.pk for item in due]
        ).values_list("application_id", "key")
    )
    return sum(
        _remind(item, kind, template)
        for item in due
        if (item.application.pk, item.key) not in recorded
    )


def _remind(item: _Due, kind: str, template: str) -> bool:
    """Record the reminder and store its e-mail in one transaction; False if already sent
    (by another run: the unique constraint makes the second insert find the first)."""
    with transaction.atomic():
        _reminder, created = ReminderSent.objects.get_or_create(
            application=item.application, kind=kind, key=item.key
        )
        if created:
            notify(item.application, template, item.context)
    return created


def _offer_deadlines(now: datetime) -> int:
    offers = Offer.objects.filter(
        status=Offer.Status.PENDING,
        application__status=S.ADMITTED,
        deadline__gt=now,
        deadline__lte=now + OFFER_NOTICE,
    ).select_related("application__intake__cohort", "application__applicant")
    due = [
        _Due(offer.application, f"offer-{offer.pk}@{_moment(offer.deadline)}", {"offer": offer})
        for offer in offers
    ]
    return _send(OFFER_DEADLINE, "reminder_offer", due)


def _missing_documents(now: datetime) -> int:
    missing_requirement = DocumentRequirement.objects.filter(
        intake=OuterRef("intake"), required=True
    ).exclude(
        Exists(
            ApplicationDocument.objects.filter(
                application=OuterRef(OuterRef("pk")), requirement=OuterRef("pk")
            )
        )
    )
    drafts = (
        Application.objects.filter(
            status=S.DRAFT,
            intake__opens_at__lte=now,
            intake__closes_at__gt=now,
            intake__closes_at__lte=now + DOCUMENTS_NOTICE,
        )
        .filter(Exists(missing_requirement))
        .select_related("intake", "applicant")
        .prefetch_related("intake__requirements", "documents")
    )
    due = []
    for draft in drafts:
        provided = {document.requirement_id for document in draft.documents.all()}
        missing = [
            requirement
            for requirement in draft.intake.requirements.all()
            if requirement.required and requirement.pk not in provided
        ]
        key = f"closes@{_moment(draft.intake.closes_at)}"
        due.append(_Due(draft, key, {"missing": missing}))
    return _send(MISSING_DOCUMENTS, "reminder_documents", due)


def _replacement_deadlines(now: datetime) -> int:
    documents = (
        ApplicationDocument.objects.filter(
            status=ApplicationDocument.Status.REJECTED,
            replace_until__gt=now,
            replace_until__lte=now + REPLACEMENT_NOTICE,
        )
        .exclude(application__status__in=FINISHED)
        .select_related("application__applicant", "requirement")
    )
    due = [
        _Due(
            document.application,
            f"document-{document.pk}@{_moment(document.replace_until)}",
            {"document": document},
        )
        for document in documents
        if document.replace_until is not None
    ]
    return _send(REPLACEMENT_DEADLINE, "reminder_replacement", due)
