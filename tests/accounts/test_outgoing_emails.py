"""The outgoing-e-mail store keeps what a message carries besides its bodies — the Reply-To
and the attachments — until it is sent, by the worker too (#12)."""

from __future__ import annotations

import base64
from email.mime.application import MIMEApplication

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from accounts.models import OutgoingEmail
from accounts.services import email_queue, email_store, outgoing_email_send
from tests.helpers import wait_for

PDF = b"%PDF-1.7\n\x00\xff binary\n%%EOF\n"
ICS = "BEGIN:VCALENDAR\r\nSUMMARY:Entretien — salle 2\r\nEND:VCALENDAR\r\n"


def _message() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject="Convocation",
        body="Bonjour.",
        to=["candidate@example.dz"],
        reply_to=["coordination@example.dz"],
    )
    message.attach("entretien.ics", ICS, "text/calendar")
    message.attach("recu.pdf", PDF, "application/pdf")
    part = MIMEApplication(b"a,b\n1,2\n", "csv")
    part.add_header("Content-Disposition", "attachment", filename="notes.csv")
    message.attach(part)
    return message


@pytest.mark.django_db
def test_the_reply_to_and_the_attachments_are_stored_and_sent_then_cleared():
    stored = email_store(_message())
    stored.refresh_from_db()
    assert stored.reply_to == ["coordination@example.dz"]
    assert [(a["name"], a["mimetype"]) for a in stored.attachments] == [
        ("entretien.ics", "text/calendar"),
        ("recu.pdf", "application/pdf"),
        ("notes.csv", "application/csv"),
    ]
    assert base64.b64decode(stored.attachments[1]["content"]) == PDF

    assert outgoing_email_send(email_id=stored.pk) is True
    [sent] = mail.outbox
    assert sent.reply_to == ["coordination@example.dz"]
    assert sent.attachments == [
        ("entretien.ics", ICS, "text/calendar"),
        ("recu.pdf", PDF, "application/pdf"),
        ("notes.csv", b"a,b\n1,2\n", "application/csv"),
    ]
    stored.refresh_from_db()
    assert stored.attachments == []


@pytest.mark.django_db
def test_an_attachment_that_cannot_be_decoded_fails_the_email_visibly():
    stored = email_store(_message())
    OutgoingEmail.objects.filter(pk=stored.pk).update(
        attachments=[{"name": "x.pdf", "mimetype": "application/pdf", "content": "not base64!"}]
    )
    assert outgoing_email_send(email_id=stored.pk) is False
    stored.refresh_from_db()
    assert stored.status == OutgoingEmail.Status.FAILED
    assert stored.error


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_attachments_and_the_reply_to(celery_worker_process, mail_dir):
    before = set(mail_dir.iterdir())
    with transaction.atomic():
        outgoing = email_queue(_message())
    wait_for(
        lambda: OutgoingEmail.objects.filter(
            pk=outgoing.pk, status=OutgoingEmail.Status.SENT
        ).exists()
    )
    new_files = wait_for(lambda: set(mail_dir.iterdir()) - before)
    raw = "".join(path.read_text() for path in new_files)
    assert "Reply-To: coordination@example.dz" in raw
    assert 'filename="entretien.ics"' in raw
    assert 'filename="recu.pdf"' in raw
    assert base64.b64encode(PDF).decode() in raw.replace("\n", "")
