"""Certificates survive their failures: a file that cannot be written leaves nothing and its
retry writes the same name; a claim whose process is dead is taken over at once, a live one
is not; a retried chunk takes over its own claims; the sweep sends within the minute what
the broker never took, and leaves alone what it did."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.utils import timezone

from certificates import services
from certificates.models import Certificate, Kind
from core import workers

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(cohort, coordinator, django_capture_on_commit_callbacks):
    """A batch's three certificates, pending (nothing sent to the broker)."""
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
    return list(batch.certificates.order_by("pk"))


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_file_that_cannot_be_stored_fails_leaving_nothing_and_the_retry_writes_its_name(
    pending, settings, tmp_path, coordinator, django_capture_on_commit_callbacks
):
    private = tmp_path / "private"
    private.mkdir(parents=True, exist_ok=True)
    (private / "certificates").write_text("a file where the folder should be")
    certificate = pending[0]

    assert services.render_many([certificate.pk]) == 0
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    assert certificate.pdf.name == ""
    assert certificate.sha256 == ""
    assert sorted(p.name for p in private.iterdir()) == ["certificates"]  # nothing partial

    (private / "certificates").unlink()
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_retry(certificate=certificate, actor=coordinator)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    assert certificate.pdf.name == f"certificates/{certificate.code}.pdf"
    assert [p.name for p in (private / "certificates").iterdir()] == [f"{certificate.code}.pdf"]


def test_a_claim_of_a_dead_process_is_taken_over_at_once_and_a_live_ones_is_not(pending):
    dead, alive, far = pending
    now = timezone.now()
    Certificate.objects.filter(pk=dead.pk).update(
        status="rendering", claimed_at=now, claimed_by=f"{workers.HOSTNAME}:{dead_pid()}:dead"
    )
    live_name = "another-host:42:live"
    workers.beat(live_name, role="child", started_at=now)
    Certificate.objects.filter(pk=alive.pk).update(
        status="rendering", claimed_at=now, claimed_by=live_name
    )
    # A process on another host whose heartbeat stopped a minute ago.
    silent = "third-host:7:gone"
    workers.beat(silent, role="child", started_at=now)
    from core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(name=silent).update(beat_at=now - dt.timedelta(minutes=1))
    Certificate.objects.filter(pk=far.pk).update(
        status="rendering", claimed_at=now - dt.timedelta(minutes=1), claimed_by=silent
    )

    assert services.render_many([dead.pk, alive.pk, far.pk]) == 2
    statuses = dict(Certificate.objects.values_list("pk", "status"))
    assert statuses == {dead.pk: "ready", alive.pk: "rendering", far.pk: "ready"}


def test_a_retried_chunk_takes_over_the_claims_its_failed_attempt_left(pending):
    first = pending[0]
    attempt = "another-host:42:failed-attempt"
    workers.beat(attempt, role="child", started_at=timezone.now())  # that process lives on
    Certificate.objects.filter(pk=first.pk).update(
        status="rendering", claimed_at=timezone.now(), claimed_by=attempt
    )
    assert services.render_many([first.pk]) == 0  # someone else's live claim
    assert services.render_many([first.pk], abandoned_by=attempt) == 1


def test_the_sweep_sends_what_the_broker_never_took_and_leaves_what_it_did(
    pending, django_capture_on_commit_callbacks
):
    never, taken, lost = pending
    now = timezone.now()
    Certificate.objects.filter(pk=never.pk).update(issued_at=now - dt.timedelta(seconds=15))
    Certificate.objects.filter(pk=taken.pk).update(
        issued_at=now - dt.timedelta(seconds=15), queued_at=now - dt.timedelta(seconds=15)
    )
    Certificate.objects.filter(pk=lost.pk).update(
        issued_at=now - dt.timedelta(minutes=5), queued_at=now - dt.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stuck() == 2
    statuses = dict(Certificate.objects.values_list("pk", "status"))
    assert statuses == {never.pk: "ready", taken.pk: "pending", lost.pk: "ready"}


def test_the_sweep_releases_the_claims_of_a_dead_process_within_the_minute(
    pending, django_capture_on_commit_callbacks
):
    orphan = pending[0]
    Certificate.objects.filter(pk=orphan.pk).update(
        status="rendering",
        claimed_at=timezone.now(),
        claimed_by=f"{workers.HOSTNAME}:{dead_pid()}:dead",
        queued_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stuck() == 1
    orphan.refresh_from_db()
    assert orphan.status == Certificate.Status.READY
    assert orphan.attempts == 1
