"""Reminders before a deadline (#12): an offer to answer within 48 h, documents missing a week
before the call closes, a rejected document to replace within 48 h — each sent once, again
for a new deadline, in the applicant's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.models import OutgoingEmail
from enrollment.models import Application, ApplicationDocument, Offer, ReminderSent
from enrollment.services.applications import application_start, application_submit
from enrollment.services.reminders import (
    MISSING_DOCUMENTS,
    OFFER_DEADLINE,
    REPLACEMENT_DEADLINE,
    reminders_send,
)
from enrollment.services.review import document_review
from enrollment.tasks import send_reminders
from tests.enrollment.test_emails import html_part
from tests.factories.enrollment import IntakeFactory, complete_profile, ready_application

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def _run(capture) -> int:
    with capture(execute=True):
        return send_reminders()


def _admitted(make_user, *, deadline_in: dt.timedelta, language: str = "fr") -> Offer:
    application = ready_application(make_user(), IntakeFactory.create())
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.ADMITTED, language=language
    )
    return Offer.objects.create(application=application, deadline=timezone.now() + deadline_in)


def test_an_offer_due_within_48_hours_is_reminded_once_even_when_the_task_runs_twice(
    make_user, django_capture_on_commit_callbacks
):
    offer = _admitted(make_user, deadline_in=30 * HOUR)
    _admitted(make_user, deadline_in=60 * HOUR)  # not yet
    answered = _admitted(make_user, deadline_in=20 * HOUR)
    Offer.objects.filter(pk=answered.pk).update(status=Offer.Status.ACCEPTED)

    assert _run(django_capture_on_commit_callbacks) == 1
    assert _run(django_capture_on_commit_callbacks) == 0
    [message] = mail.outbox
    assert message.to == [offer.application.applicant.email]
    assert offer.application.number in message.subject
    assert ReminderSent.objects.get().kind == OFFER_DEADLINE
    # The reminder row and its e-mail were written together.
    assert OutgoingEmail.objects.count() == ReminderSent.objects.count() == 1


def test_a_new_offer_deadline_is_reminded_again(make_user, django_capture_on_commit_callbacks):
    offer = _admitted(make_user, deadline_in=30 * HOUR)
    assert _run(django_capture_on_commit_callbacks) == 1
    Offer.objects.filter(pk=offer.pk).update(deadline=timezone.now() + 40 * HOUR)
    assert _run(django_capture_on_commit_callbacks) == 1
    assert _run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.filter(application=offer.application).count() == 2


def test_the_reminder_is_in_the_applicants_language(make_user, django_capture_on_commit_callbacks):
    offer = _admitted(make_user, deadline_in=30 * HOUR, language="ar")
    _run(django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert 'dir="rtl"' in html_part(message)
    assert "أمينة بن علي" in str(message.body)
    with translation.override("ar"):
        label = translation.gettext("Answer the offer")
    assert label in str(message.body)
    assert offer.application.number in message.subject


def _draft(make_user, intake, *, documents: bool) -> Application:
    user = make_user()
    if documents:
        return ready_application(user, intake)
    complete_profile(user)
    return application_start(applicant=user, intake=intake)


def test_a_draft_missing_documents_is_reminded_a_week_before_the_call_closes(
    make_user, django_capture_on_commit_callbacks
):
    closing = IntakeFactory.create(closes_at=timezone.now() + dt.timedelta(days=5))
    later = IntakeFactory.create(closes_at=timezone.now() + dt.timedelta(days=10))
    incomplete = _draft(make_user, closing, documents=False)
    _draft(make_user, closing, documents=True)
    _draft(make_user, later, documents=False)

    assert _run(django_capture_on_commit_callbacks) == 1
    assert _run(django_capture_on_commit_callbacks) == 0
    [message] = mail.outbox
    assert message.to == [incomplete.applicant.email]
    assert ReminderSent.objects.get().kind == MISSING_DOCUMENTS
    body = str(message.body)
    with translation.override("fr"):
        required = [r.display_label for r in closing.requirements.filter(required=True)]
        optional = [r.display_label for r in closing.requirements.filter(required=False)]
    assert required
    assert optional
    assert all(f"- {label}" in body for label in required)
    assert not any(f"- {label}" in body for label in optional)
    assert f"/me/applications/{incomplete.number}/step/documents/" in body


def test_a_call_that_is_extended_reminds_the_drafts_again(
    make_user, django_capture_on_commit_callbacks
):
    intake = IntakeFactory.create(closes_at=timezone.now() + dt.timedelta(days=5))
    _draft(make_user, intake, documents=False)
    assert _run(django_capture_on_commit_callbacks) == 1
    intake.closes_at = timezone.now() + dt.timedelta(days=6)
    intake.save(update_fields=["closes_at"])
    assert _run(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 2


def _rejected(make_user, *, replace_in: dt.timedelta) -> ApplicationDocument:
    coordinator = make_user("coordinator")
    user = make_user()
    application = ready_application(user, IntakeFactory.create())
    application_submit(application=application, actor=user)
    document = application.documents.first()
    assert document is not None
    document_review(document=document, actor=coordinator, accept=False, reason="Illisible")
    ApplicationDocument.objects.filter(pk=document.pk).update(
        replace_until=timezone.now() + replace_in
    )
    return ApplicationDocument.objects.get(pk=document.pk)


def test_a_rejected_document_not_replaced_is_reminded_48_hours_before_its_deadline(
    make_user, django_capture_on_commit_callbacks
):
    document = _rejected(make_user, replace_in=20 * HOUR)
    _rejected(make_user, replace_in=5 * 24 * HOUR)  # not yet
    mail.outbox.clear()

    assert _run(django_capture_on_commit_callbacks) == 1
    assert _run(django_capture_on_commit_callbacks) == 0
    [message] = mail.outbox
    assert message.to == [document.application.applicant.email]
    assert "Illisible" in str(message.body)
    assert ReminderSent.objects.get().kind == REPLACEMENT_DEADLINE


def test_a_replaced_document_is_not_reminded_and_a_new_rejection_is(
    make_user, django_capture_on_commit_callbacks
):
    document = _rejected(make_user, replace_in=20 * HOUR)
    ApplicationDocument.objects.filter(pk=document.pk).update(
        status=ApplicationDocument.Status.PROVIDED, replace_until=None
    )
    mail.outbox.clear()
    assert _run(django_capture_on_commit_callbacks) == 0

    ApplicationDocument.objects.filter(pk=document.pk).update(
        status=ApplicationDocument.Status.REJECTED, replace_until=timezone.now() + 30 * HOUR
    )
    assert _run(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1


def test_a_withdrawn_application_gets_no_replacement_reminder(
    make_user, django_capture_on_commit_callbacks
):
    document = _rejected(make_user, replace_in=20 * HOUR)
    Application.objects.filter(pk=document.application_id).update(
        status=Application.Status.WITHDRAWN
    )
    assert reminders_send() == 0
