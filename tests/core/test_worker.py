"""A real Celery worker, on the test Redis and the test database, runs a task queued inside a
transaction only once the transaction commits."""

from __future__ import annotations

import time

import pytest
import redis
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from accounts.models import OutgoingEmail
from accounts.services import email_queue
from tests.helpers import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _queued_messages() -> int:
    return int(redis.Redis.from_url(settings.CELERY_BROKER_URL).llen("celery"))


def test_an_email_queued_in_a_transaction_is_sent_by_the_worker_after_commit(
    celery_worker_process, mail_dir
):
    before = set(mail_dir.iterdir())
    with transaction.atomic():
        outgoing = email_queue(
            EmailMessage("Accusé de réception", "Bonjour.", to=["candidate@example.dz"])
        )
        time.sleep(0.5)
        # Nothing has reached the broker while the transaction is open.
        assert _queued_messages() == 0
        assert OutgoingEmail.objects.get(pk=outgoing.pk).status == OutgoingEmail.Status.PENDING

    sent = wait_for(
        lambda: OutgoingEmail.objects.filter(
            pk=outgoing.pk, status=OutgoingEmail.Status.SENT
        ).first()
    )
    assert sent.sent_at is not None
    assert sent.body == ""  # one-time links do not outlive the sending
    new_files = wait_for(lambda: set(mail_dir.iterdir()) - before)
    text = "".join(path.read_text() for path in new_files)
    assert "candidate@example.dz" in text
    assert "Bonjour." in text


def test_a_rolled_back_transaction_queues_nothing(celery_worker_process):
    def failing_caller() -> None:
        with transaction.atomic():
            email_queue(EmailMessage("Jamais", "Jamais envoyé.", to=["nobody@example.dz"]))
            raise RuntimeError("the caller failed")

    with pytest.raises(RuntimeError):
        failing_caller()
    time.sleep(0.5)
    assert _queued_messages() == 0
    assert not OutgoingEmail.objects.exists()
