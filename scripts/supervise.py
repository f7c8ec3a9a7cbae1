"""Run the processes of `make run` and keep them running.

    python scripts/supervise.py NAME='command …' [once:NAME='command …'] [NAME='command …' …]

Each process starts in its own process group, in the order given; a ``once:`` step runs to
its end before the next starts (a failure stops everything). Each process is watched: one that
stops while the others run is said so and restarted (after 1 s, doubling to 30 s while it
keeps failing), and the rest go on serving. Ctrl-C or SIGTERM stops them all in reverse order:
SIGTERM to each group, then SIGKILL to what is left after ten seconds.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

STOP_GRACE = 10.0
HEALTHY_AFTER = 60.0  # a process that ran this long starts again from the shortest delay


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    delay: float = 1.0
    restart_at: float | None = None
    restarts: int = field(default=0)

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, start_new_session=True)
        self.started = time.monotonic()
        self.restart_at = None

    def signal_group(self, signum: int) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signum)


def main(specs: list[str]) -> int:
    steps: list[tuple[bool, Child]] = []
    for spec in specs:
        name, _, command = spec.partition("=")
        once = name.startswith("once:")
        name = name.removeprefix("once:")
        if not name or not command:
            print(f"usage: supervise.py NAME='command' …  (got {spec!r})", file=sys.stderr)
            return 2
        steps.append((once, Child(name=name, argv=shlex.split(command))))
    children: list[Child] = []
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    status = 0
    for once, child in steps:
        if stopping:
            break
        child.start()
        if not once:
            children.append(child)
            continue
        assert child.proc is not None
        while child.proc.poll() is None and not stopping:
            time.sleep(0.1)
        if stopping:
            child.signal_group(signal.SIGTERM)
            child.proc.wait()
        elif child.proc.returncode != 0:
            say(f"{child.name} failed (exit code {child.proc.returncode}): stopping")
            stopping, status = True, 1
    while not stopping:
        time.sleep(0.3)
        now = time.monotonic()
        for child in children:
            if stopping:
                break
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    say(f"Restarting {child.name} (restart {child.restarts})")
                    child.start()
                continue
            assert child.proc is not None
            code = child.proc.poll()
            if code is None:
                continue
            # What a dead parent leaves behind (a worker's pool processes) goes with it.
            child.signal_group(signal.SIGKILL)
            if now - child.started >= HEALTHY_AFTER:
                child.delay = 1.0
            say(
                f"{child.name} stopped (exit code {code}); the others go on, "
                f"restarting it in {child.delay:.0f} s"
            )
            child.restart_at = now + child.delay
            child.delay = min(30.0, child.delay * 2)

    say("Stopping")
    for child in reversed(children):
        if child.proc is not None and child.proc.poll() is None:
            child.signal_group(signal.SIGTERM)
        # A worker finishes its current task on TERM: give it the grace period.
        deadline = time.monotonic() + STOP_GRACE
        while child.proc is not None and child.proc.poll() is None:
            if time.monotonic() > deadline:
                child.signal_group(signal.SIGKILL)
                child.proc.wait()
                break
            time.sleep(0.1)
        child.signal_group(signal.SIGKILL)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
