"""Coordinators see the e-mails that did not leave, with the reason, and send one again; the
staff home counts them; nobody else reaches the page (the access table has its rows)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def stored(subject: str, status: str, *, minutes_ago: int = 0, error: str = "") -> OutgoingEmail:
    email = OutgoingEmail.objects.create(
        to=["etudiant@example.dz"],
        from_email="no-reply@tema-wtc.dz",
        subject=subject,
        body="Bonjour",
        status=status,
        error=error,
        attempts=8 if status == "failed" else 0,
    )
    OutgoingEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return email


def test_the_page_lists_what_did_not_leave_and_a_failed_one_is_sent_again(
    persona_client, mailoutbox, django_capture_on_commit_callbacks
):
    failed = stored("Convocation à l'entretien", "failed", error="SMTP 451 greylisted")
    stored("En attente depuis longtemps", "pending", minutes_ago=30)
    stored("Tout juste en file", "pending", minutes_ago=0)
    stored("Déjà parti", "sent")
    client = persona_client("coordinator")

    page = client.get(reverse("accounts:emails")).content.decode()
    assert "Convocation à l&#x27;entretien" in page
    assert "SMTP 451 greylisted" in page
    assert "En attente depuis longtemps" in page
    assert "Tout juste en file" not in page
    assert "Déjà parti" not in page
    home = client.get(reverse("staff_home")).content.decode()
    assert "2 courriels ne sont pas partis" in home

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:email_retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.SENT
    assert [m.subject for m in mailoutbox] == ["Convocation à l'entretien"]


def test_an_email_that_did_not_fail_cannot_be_sent_again(persona_client):
    sent = stored("Déjà parti", "sent")
    client = persona_client("coordinator")
    response = client.post(reverse("accounts:email_retry", args=[sent.pk]), follow=True)
    assert "Seul un courriel en échec peut être renvoyé" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == OutgoingEmail.Status.SENT


@pytest.mark.parametrize("persona", ["applicant", "student", "lecturer"])
def test_other_roles_cannot_send_an_email_again(persona_client, persona):
    failed = stored("Convocation", "failed")
    response = persona_client(persona).post(reverse("accounts:email_retry", args=[failed.pk]))
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.FAILED


def test_a_line_break_in_a_subject_is_folded_and_an_unsendable_message_fails_visibly(
    mailoutbox, django_capture_on_commit_callbacks
):
    from django.core.mail import EmailMultiAlternatives

    from accounts.services import email_queue, email_store, outgoing_email_send

    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            EmailMultiAlternatives(
                subject="Mémoire de BENALI\nAmine — soutenance", body="…", to=["jury@example.dz"]
            )
        )
    assert [m.subject for m in mailoutbox] == ["Mémoire de BENALI Amine — soutenance"]

    broken = email_store(
        EmailMultiAlternatives(subject="Convocation", body="…", to=["jury@example.dz"])
    )
    OutgoingEmail.objects.filter(pk=broken.pk).update(headers={"Reply-To": "a@b.dz\nBcc: x@y"})
    assert outgoing_email_send(email_id=broken.pk) is False
    broken.refresh_from_db()
    assert broken.status == OutgoingEmail.Status.FAILED
    assert broken.error
