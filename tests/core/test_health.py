"""/healthz: 200 while the database, the broker and a worker answer (the worker by its
heartbeat), 503 naming what is down; a cache outage is reported as "degraded", not fatal;
the queue depth is read from the broker."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.urls import reverse
from kombu import Queue

from config.celery import app as celery_app
from core.models import WorkerHeartbeat
from tests.helpers import free_port, redis_server_binary, start_celery_worker, stop_celery_worker

pytestmark = pytest.mark.django_db

QUEUE = "healthz-test-queue"


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, which the test may stop."""
    port = free_port()
    proc = subprocess.Popen(
        [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield port, proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=10)


def healthz(client):
    response = client.get(reverse("healthz"))
    return response.status_code, response.json()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_healthz_counts_a_live_worker_by_its_heartbeat_and_drops_it_when_killed(
    client, settings, tmp_path
):
    settings.WORKER_HEARTBEAT_STALE = 3
    proc = start_celery_worker(
        tmp_path / "healthz-worker.log",
        CELERY_TASK_DEFAULT_QUEUE=QUEUE,
        WORKER_HEARTBEAT_INTERVAL="0.5",
    )
    try:
        row = None
        deadline = time.monotonic() + 20
        while row is None:
            assert time.monotonic() < deadline, "the worker wrote no heartbeat"
            row = WorkerHeartbeat.objects.filter(pid=proc.pid).first()
            time.sleep(0.1)
        status, body = healthz(client)
        assert status == 200
        assert body["checks"] == {
            "database": "ok",
            "broker": "ok",
            "cache": "ok",
            "workers": "ok",
        }
        assert body["status"] == "ok"
        assert body["workers_alive"] >= 1
        with_it = body["workers_alive"]

        os.kill(proc.pid, signal.SIGKILL)  # no clean-up: its row stays, and stops moving
        proc.wait(timeout=10)
        deadline = time.monotonic() + 20
        while healthz(client)[1]["workers_alive"] >= with_it:
            assert time.monotonic() < deadline, "the dead worker still counts as alive"
            time.sleep(0.2)
        assert WorkerHeartbeat.objects.filter(pid=proc.pid).exists()
    finally:
        stop_celery_worker(proc)


def test_healthz_is_503_naming_the_workers_when_no_heartbeat_is_fresh(client, settings):
    # No Celery process has beaten within the window (a window of 0 seconds: none can).
    settings.WORKER_HEARTBEAT_STALE = 0
    status, body = healthz(client)
    assert status == 503
    assert body["down"] == ["workers"]
    assert body["status"] == "down"
    assert body["workers_alive"] == 0


def test_healthz_reads_the_queue_depth_from_the_broker(client, settings):
    settings.CELERY_TASK_DEFAULT_QUEUE = QUEUE
    celery_app.conf.task_always_eager = False  # real messages (the autouse fixture restores it)
    with celery_app.connection_for_write() as connection:
        Queue(QUEUE)(connection.default_channel).purge()
        try:
            for _ in range(3):  # nothing consumes this queue
                celery_app.send_task("core.tasks.sweep_files", queue=QUEUE)
            assert healthz(client)[1]["queue_depth"] == 3
        finally:
            Queue(QUEUE)(connection.default_channel).purge()


def test_healthz_is_503_naming_the_broker_when_redis_is_stopped(client, settings, own_redis):
    port, proc = own_redis
    settings.WORKER_HEARTBEAT_STALE = 0  # only the broker's state is looked at here
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    assert healthz(client)[1]["checks"]["broker"] == "ok"

    proc.terminate()
    proc.wait(timeout=10)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["down"] == ["broker", "workers"]
    assert response.json()["checks"]["broker"] == "down"
    assert response.json()["queue_depth"] is None
    assert response["Cache-Control"].startswith("max-age=0")


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid``, read from /proc (no procps needed)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_parent_of_a_prefork_pool_writes_no_heartbeat_its_children_do(settings, tmp_path):
    # The parent forks the children: it must hold no database connection (with SQLite, one
    # inherited across a fork corrupts the WAL), so only the processes that run tasks beat.
    proc = start_celery_worker(
        tmp_path / "prefork-worker.log",
        pool="prefork",
        CELERY_TASK_DEFAULT_QUEUE=QUEUE,
        WORKER_HEARTBEAT_INTERVAL="0.5",
    )
    try:
        children: set[int] = set()
        deadline = time.monotonic() + 20
        while len(children) < 2:
            assert time.monotonic() < deadline, "the pool's children wrote no heartbeat"
            pids = children_of(proc.pid)
            children = set(
                WorkerHeartbeat.objects.filter(pid__in=pids).values_list("pid", flat=True)
            )
            time.sleep(0.2)
        assert set(
            WorkerHeartbeat.objects.filter(pid__in=children).values_list("role", flat=True)
        ) == {"child"}
        assert not WorkerHeartbeat.objects.filter(pid=proc.pid).exists()
    finally:
        stop_celery_worker(proc)


def test_a_forked_process_can_fork_again_while_heartbeats_guard_forks():
    # The lock that makes a fork wait for a beat in progress is released in the child too: a
    # gunicorn or Celery child that forks in its turn must not wait for ever.
    from core import workers

    pid = os.fork()
    if pid == 0:  # the child: fork once more, report whether the lock is free
        grandchild = os.fork()
        if grandchild == 0:
            os._exit(0)
        os.waitpid(grandchild, 0)
        os._exit(0 if not workers._beating.locked() else 1)
    deadline = time.monotonic() + 10
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            pytest.fail("the forked process hung on its own fork")
        time.sleep(0.05)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not workers._beating.locked()
