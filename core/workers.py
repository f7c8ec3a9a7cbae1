"""Heartbeats of the Celery processes, kept in the database.

Every worker process (the parent, and each child of a prefork pool) names itself
``host:pid:token`` and has a daemon thread touch its ``WorkerHeartbeat`` row every
``WORKER_HEARTBEAT_INTERVAL`` seconds. Two things read them:

- a claim on a row (a certificate being rendered) carries the name of the process that made
  it; :func:`claimant_gone` says when that process is dead, so a redelivered task or the
  periodic sweep may take the row over within seconds instead of waiting for a time limit;
- ``/healthz`` counts the processes whose heartbeat is fresh.

The database is the one store every process already shares, on SQLite as on PostgreSQL;
one small UPDATE every few seconds per process is nothing next to the work itself.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import datetime, timedelta
from typing import Any

from celery.signals import worker_process_init, worker_process_shutdown, worker_ready
from celery.signals import worker_shutdown as celery_worker_shutdown
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

HOSTNAME = socket.gethostname()

_state: dict[str, Any] = {"name": None, "stop": None}


def process_name() -> str:
    """The name a claim made by this process carries. Outside a worker (a web process
    running a task eagerly), ``host:pid:-``: it has no heartbeat row, so its claims are
    judged by their age and by its pid alone."""
    return _state["name"] or f"{HOSTNAME}:{os.getpid()}:-"


def stale_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_STALE)


def beat(name: str, *, role: str, started_at: datetime) -> None:
    from core.models import WorkerHeartbeat

    now = timezone.now()
    if not WorkerHeartbeat.objects.filter(name=name).update(beat_at=now):
        WorkerHeartbeat.objects.create(
            name=name,
            hostname=HOSTNAME,
            pid=os.getpid(),
            role=role,
            started_at=started_at,
            beat_at=now,
        )


#: Held while a beat uses the database: a fork (a prefork pool replacing a child) waits for
#: it, so no child is ever born holding this thread's connection half-way through a query.
_beating = threading.Lock()
# The child gets a copy of the lock as the forking thread held it: released there too, so
# the child (which may fork in its turn) starts with it free.
os.register_at_fork(
    before=_beating.acquire,
    after_in_parent=_beating.release,
    after_in_child=_beating.release,
)


def _beat_forever(name: str, role: str, stop: threading.Event) -> None:
    started_at = timezone.now()
    while True:
        with _beating:
            try:
                close_old_connections()
                beat(name, role=role, started_at=started_at)
            except Exception:  # the database may be restarting: say so, beat again next time
                logger.warning("Worker heartbeat of %s not written", name, exc_info=True)
            finally:
                # Never kept open between beats: SQLite's locks are per process, and a child
                # forked while the parent holds a connection corrupts the WAL (seen: "disk
                # I/O error", then "database disk image is malformed").
                connection.close()
        if stop.wait(settings.WORKER_HEARTBEAT_INTERVAL):
            break


def start(role: str) -> str:
    """Name this process and start its heartbeat thread (once per process)."""
    name = f"{HOSTNAME}:{os.getpid()}:{secrets.token_hex(4)}"
    stop = threading.Event()
    _state.update(name=name, stop=stop)
    threading.Thread(
        target=_beat_forever, args=(name, role, stop), name="worker-heartbeat", daemon=True
    ).start()
    return name


def stop_and_forget() -> None:
    """A process that stops cleanly removes its row: it is not a dead worker."""
    from core.models import WorkerHeartbeat

    name, stop = _state["name"], _state["stop"]
    if name is None:
        return
    stop.set()
    try:
        close_old_connections()
        WorkerHeartbeat.objects.filter(name=name).delete()
    except Exception:  # a row left behind only looks stale, which is the truth soon enough
        logger.warning("Worker heartbeat of %s not removed", name, exc_info=True)
    _state.update(name=None, stop=None)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def claimant_gone(name: str, claimed_at: datetime | None) -> bool:
    """Is the process that made a claim dead? Certain on this host (its pid is gone, or it
    is this very process, which runs one task at a time and so is not rendering it any
    more); elsewhere, its heartbeat has not moved for ``WORKER_HEARTBEAT_STALE`` seconds."""
    from core.models import WorkerHeartbeat

    hostname, _, rest = name.partition(":")
    pid_text, _, token = rest.partition(":")
    if hostname == HOSTNAME and pid_text.isdecimal() and not pid_alive(int(pid_text)):
        return True
    if token in ("", "-"):
        # A web process (its threads share one name) has no heartbeat: judged by age.
        return claimed_at is None or claimed_at < stale_before()
    if name == process_name():
        return True
    fresh = WorkerHeartbeat.objects.filter(name=name, beat_at__gte=stale_before()).exists()
    return not fresh and (claimed_at is None or claimed_at < stale_before())


def alive_count() -> int:
    from core.models import WorkerHeartbeat

    return WorkerHeartbeat.objects.filter(beat_at__gte=stale_before()).count()


def forget_dead(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Rows of processes silent for an hour (killed, never cleaned up) are removed."""
    from core.models import WorkerHeartbeat

    deleted, _ = WorkerHeartbeat.objects.filter(beat_at__lt=timezone.now() - older_than).delete()
    return deleted


@worker_ready.connect
def _main_ready(sender: Any = None, **_kwargs: Any) -> None:
    # The parent process beats only when it runs tasks itself (the solo pool, as in the
    # tests): the parent of a prefork pool forks children and must not touch the database
    # (an SQLite connection inherited across a fork corrupts the WAL); its children beat.
    pool = getattr(sender, "pool", None)
    if pool is not None and type(pool).__module__.endswith("prefork"):
        return
    start("main")


@worker_process_init.connect
def _child_ready(**_kwargs: Any) -> None:
    # A forked child has no thread of its parent's: it starts its own heartbeat.
    _state.update(name=None, stop=None)
    start("child")


@worker_process_shutdown.connect
def _child_stops(**_kwargs: Any) -> None:
    stop_and_forget()


@celery_worker_shutdown.connect
def _main_stops(**_kwargs: Any) -> None:
    stop_and_forget()
