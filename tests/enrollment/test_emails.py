"""The admissions e-mails (#12): each greets the applicant by name, leads to the page
concerned, has an HTML part (right-to-left in Arabic), names the coordination as Reply-To
and never asks to reply to the no-reply sender — in French, English and Arabic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import OutgoingEmail
from enrollment.models import (
    Application,
    ApplicationDocument,
    Interview,
    Offer,
    Student,
)
from enrollment.services.common import notify
from tests.factories.enrollment import IntakeFactory, ready_application

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "enrollment" / "email"
LANGUAGES = ("fr", "en", "ar")
# The site's name as each language writes it (already in the catalogues).
SITE_NAMES = {"fr": "Master TEMA–WTC", "en": "TEMA–WTC Master", "ar": "ماستر TEMA–WTC"}
# The applicant of complete_profile(), as each script writes the name.
NAMES = {"fr": "Amina Benali", "en": "Amina Benali", "ar": "أمينة بن علي"}
# What asks to reply to the message, in each language ("answer the offer" may stay).
REPLY_WORDS = (
    "reply",
    "répondez à ce",
    "répondre à ce",
    "en répondant",
    "الرد على هذه الرسالة",
    "بالرد على هذا",
)


def _document(application: Application) -> ApplicationDocument:
    document = application.documents.select_related("requirement").first()
    assert document is not None
    document.status = ApplicationDocument.Status.REJECTED
    document.rejection_reason = "Illisible"
    document.replace_until = timezone.now() + dt.timedelta(hours=30)
    document.save()
    return document


def _offer(application: Application) -> Offer:
    return Offer.objects.create(
        application=application, deadline=timezone.now() + dt.timedelta(days=10)
    )


def _interview(application: Application) -> Interview:
    return Interview.objects.create(
        application=application,
        scheduled_at=timezone.now() + dt.timedelta(days=3),
        place="WTC Alger, salle 2",
    )


def _student(application: Application) -> Student:
    return Student(
        user=application.applicant,
        cohort=application.intake.cohort,
        registration_number="MCRT-2026-0042",
    )


#: Every admissions e-mail, with the context its service gives it.
CONTEXTS: dict[str, Callable[[Application], dict[str, Any]]] = {
    "submitted": lambda a: {},
    "document_rejected": lambda a: {"document": _document(a)},
    "ineligible": lambda a: {"note": "Le diplôme n'est pas un bac+5."},
    "interview": lambda a: {"interview": _interview(a)},
    "offer": lambda a: {"offer": _offer(a), "promoted": False},
    "waitlisted": lambda a: {},
    "rejected": lambda a: {},
    "accepted": lambda a: {"student": _student(a)},
    "expired": lambda a: {},
    "seat_released": lambda a: {"student": _student(a), "due_on": dt.date(2026, 10, 1)},
    "reminder_offer": lambda a: {"offer": _offer(a)},
    "reminder_documents": lambda a: {"missing": list(a.intake.requirements.all())},
    "reminder_replacement": lambda a: {"document": _document(a)},
}


def test_every_admissions_email_is_checked_here():
    bodies = {p.stem for p in TEMPLATES.glob("*.txt") if not p.stem.endswith("_subject")}
    assert bodies == set(CONTEXTS), "add the new e-mail to CONTEXTS"


@pytest.fixture
def application(make_user) -> Application:
    return ready_application(make_user(), IntakeFactory.create())


def html_part(message: EmailMessage) -> str:
    assert isinstance(message, EmailMultiAlternatives)
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return str(content)


def _sent(application: Application, template: str, language: str, capture) -> EmailMessage:
    application.language = language
    application.save(update_fields=["language"])
    with capture(execute=True):
        notify(application, template, CONTEXTS[template](application))
    [message] = mail.outbox
    return message


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", sorted(CONTEXTS))
def test_an_admissions_email_greets_links_has_html_and_names_the_coordination(
    application, template, language, django_capture_on_commit_callbacks
):
    message = _sent(application, template, language, django_capture_on_commit_callbacks)
    html = html_part(message)
    step = template == "reminder_documents"
    path = (
        reverse("enrollment:step", args=[application.number, "documents"])
        if step
        else reverse("enrollment:application", args=[application.number])
    )
    link = f"{settings.SITE_URL}{path}"
    with translation.override(language):
        greeting = translation.gettext("Hello %(name)s,") % {"name": NAMES[language]}
        write_to = translation.gettext("A question? Write to the coordination:")

    assert message.to == [application.applicant.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.reply_to == [settings.COORDINATION_EMAIL]
    for part in (str(message.body), html):
        assert greeting in part
        assert SITE_NAMES[language] in part
        assert write_to in part
        assert "coordination@tema-wtc.dz" in part
        assert not any(word in part.lower() for word in REPLY_WORDS), part
    assert str(message.body).splitlines()[0] == greeting
    assert link in str(message.body)
    assert f'href="{link}"' in html
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    # Inline CSS only: mail clients drop style sheets.
    assert "<style" not in html
    assert "<link" not in html


def test_an_arabic_email_is_written_in_arabic(application, django_capture_on_commit_callbacks):
    message = _sent(application, "submitted", "ar", django_capture_on_commit_callbacks)
    # Sentences that are already translated come out in Arabic, the name in Arabic script.
    assert "أمينة بن علي" in str(message.body)
    assert "Amina" not in str(message.body)
    assert "ماستر TEMA–WTC" in html_part(message)


def test_a_note_typed_by_a_coordinator_is_escaped_in_the_html_part(
    application, django_capture_on_commit_callbacks
):
    application.language = "fr"
    application.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(application, "ineligible", {"note": "<script>alert(1)</script> voir https://x.dz"})
    [message] = mail.outbox
    html = html_part(message)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<a href="https://x.dz"' in html
    assert "<script>alert(1)</script>" in str(message.body)


def test_an_attachment_and_the_reply_to_are_stored_with_the_email_and_sent(
    application, django_capture_on_commit_callbacks
):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            application,
            "interview",
            {"interview": _interview(application)},
            attachments=[("entretien.ics", ics, "text/calendar; method=REQUEST")],
        )
    stored = OutgoingEmail.objects.get()
    assert stored.reply_to == [settings.COORDINATION_EMAIL]
    assert [(a["name"], a["mimetype"]) for a in stored.attachments] == [
        ("entretien.ics", "text/calendar; method=REQUEST")
    ]
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.reply_to == [settings.COORDINATION_EMAIL]
    assert message.attachments == [("entretien.ics", ics, "text/calendar; method=REQUEST")]
    assert 'Content-Type: text/calendar; method="REQUEST"' in message.message().as_string()
    stored.refresh_from_db()
    assert stored.status == OutgoingEmail.Status.SENT
    assert stored.attachments == []  # cleared with the bodies once sent
