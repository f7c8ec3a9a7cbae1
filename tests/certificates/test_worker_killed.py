"""A worker killed mid-batch (SIGKILL: no clean-up runs) loses nothing and duplicates nothing:
its claims name a process that is gone, so the periodic sweep hands them to another worker at
once (not after a time limit), and every certificate of the batch is rendered exactly once.
The two workers have their own queue, so the session's worker (started for other tests, with
other storage) never takes part."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import transaction
from kombu import Queue

from certificates import services
from certificates.demo import seed_issuer
from certificates.models import Batch, Certificate, Kind
from config.celery import app as celery_app
from curriculum.demo import seed_curriculum
from enrollment.demo import seed_students
from partners.demo import seed_partners
from tests.helpers import start_celery_worker, stop_celery_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

QUEUE = "certificates-killed-worker-test"


def start_worker(tmp_path: Path, name: str) -> subprocess.Popen:
    return start_celery_worker(
        tmp_path / f"{name}.log",
        CELERY_TASK_DEFAULT_QUEUE=QUEUE,
        PRIVATE_ROOT=str(tmp_path / "private"),
        EMAIL_URL=f"filemail:///{tmp_path / 'mail'}",
    )


def statuses(batch: Batch) -> list[str]:
    return list(batch.certificates.order_by("pk").values_list("status", flat=True))


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(settings, tmp_path, make_user):
    assert settings.CERTIFICATES_STUCK_AFTER >= 60  # the default: no time limit helps here
    with celery_app.connection_for_write() as connection:
        Queue(QUEUE)(connection.default_channel).purge()  # left by an earlier, aborted run
    programme = seed_curriculum(organisations=seed_partners())
    cohort, _ = seed_students(count=10, cohort_slug="promo-kill", programme=programme)
    seed_issuer()
    coordinator = make_user("coordinator")
    with transaction.atomic():  # the rows, without the service's own queueing
        batch = Batch.objects.create(cohort=cohort, kind=Kind.ENROLLMENT, created_by=coordinator)
        ids = [
            services._new_certificate(
                student=s, kind=Kind.ENROLLMENT, semester=None, actor=coordinator, batch=batch
            ).pk
            for s in cohort.students.order_by("registration_number")
        ]
    workers: list[subprocess.Popen] = []
    try:
        first = start_worker(tmp_path, "first")
        workers.append(first)
        celery_app.send_task("certificates.tasks.render_certificates", args=[ids], queue=QUEUE)
        deadline = time.monotonic() + 60
        while "ready" not in statuses(batch):
            assert time.monotonic() < deadline, statuses(batch)
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        before = {
            c.pk: c.ready_at for c in batch.certificates.filter(status=Certificate.Status.READY)
        }
        left = [s for s in statuses(batch) if s != Certificate.Status.READY]
        assert left, "the first worker finished before it could be killed"
        # The whole chunk was claimed by the killed process: nothing sits in a lost message.
        assert set(left) == {Certificate.Status.RENDERING}

        workers.append(start_worker(tmp_path, "second"))
        celery_app.send_task("certificates.tasks.requeue_stuck_certificates", queue=QUEUE)
        while set(statuses(batch)) != {Certificate.Status.READY}:
            assert time.monotonic() - killed_at < 60, statuses(batch)
            time.sleep(0.1)
    finally:
        for proc in workers:
            stop_celery_worker(proc)

    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    certificates = list(batch.certificates.order_by("pk"))
    assert [c.attempts for c in certificates] == [1] * 10  # each rendered once
    for c in certificates:
        content = c.pdf.read()
        assert hashlib.sha256(content).hexdigest() == c.sha256
        c.pdf.close()
    files = sorted(p.name for p in (tmp_path / "private" / "certificates").iterdir())
    assert files == sorted(f"{c.code}.pdf" for c in certificates)  # no second copy of any
    assert {c.pk: c.ready_at for c in certificates if c.pk in before} == before
