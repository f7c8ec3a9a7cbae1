"""Queue a batch of certificates for a cohort (rendered by the Celery workers)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from certificates import services
from certificates.models import Certificate, Kind
from curriculum.models import Module
from enrollment.models import Cohort
from studies.models import Jury


class Command(BaseCommand):
    help = (
        "Queue a batch: --cohort SLUG --kind KIND [--semester N] [--module CODE] "
        "[--session N|R] [--wait] [--out DIR]."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cohort", required=True)
        parser.add_argument("--kind", required=True, help=", ".join(Kind.values))
        parser.add_argument("--semester", type=int, help="for transcripts and jury records")
        parser.add_argument("--module", help="the module's code, for module certificates")
        parser.add_argument(
            "--session",
            choices=("N", "R"),
            default="N",
            help="for jury records: normal (N) or resit (R) session",
        )
        parser.add_argument(
            "--wait", action="store_true", help="show the progress until the batch is done"
        )
        parser.add_argument("--out", help="copy the PDFs there as <code>.pdf")
        parser.add_argument(
            "--timeout", type=int, default=1800, help="seconds --wait waits at most"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cohort = Cohort.objects.filter(slug=options["cohort"]).first()
        if cohort is None:
            raise CommandError(f"Unknown cohort: {options['cohort']}")
        if options["kind"] not in Kind.values:
            raise CommandError(f"Unknown kind: {options['kind']} (one of {', '.join(Kind.values)})")
        actor = (
            User.objects.filter(is_coordinator=True, is_active=True).order_by("pk").first()
            or User.objects.filter(is_superuser=True).first()
        )
        if actor is None:
            raise CommandError("No coordinator account to issue in the name of.")
        actor.is_coordinator = True  # the command acts for the coordination
        module = jury = None
        if options["module"]:
            module = Module.objects.filter(
                programme=cohort.programme_id, code=options["module"]
            ).first()
            if module is None:
                raise CommandError(f"Unknown module for this cohort: {options['module']}")
        if options["kind"] == Kind.JURY_RECORD:
            jury = Jury.objects.filter(
                cohort=cohort, semester=options["semester"], session=options["session"]
            ).first()
            if jury is None:
                raise CommandError(
                    f"No jury for semester {options['semester']} ({options['session']}) "
                    "in this cohort."
                )
        try:
            batch = services.batch_start(
                cohort=cohort,
                kind=options["kind"],
                semester=options["semester"],
                module=module,
                jury=jury,
                actor=actor,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        progress = services.batch_progress(batch)
        self.stdout.write(f"Batch {batch.pk}: {progress['total']} certificates queued.")
        if options["wait"] or options["out"]:
            self._wait(batch, options["timeout"])
        if options["out"]:
            out = Path(options["out"])
            out.mkdir(parents=True, exist_ok=True)
            copied = 0
            for certificate in batch.certificates.filter(status=Certificate.Status.READY):
                with (
                    certificate.pdf.open("rb") as source,
                    open(out / f"{certificate.code}.pdf", "wb") as target,
                ):
                    shutil.copyfileobj(source, target)
                copied += 1
            self.stdout.write(f"{copied} PDF copied to {out}.")

    def _wait(self, batch: Any, timeout: int) -> None:
        deadline = time.monotonic() + timeout
        while True:
            progress = services.batch_progress(batch)
            width = 40
            filled = (
                int(width * progress["done"] / progress["total"]) if progress["total"] else width
            )
            self.stdout.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] "
                f"{progress['done']}/{progress['total']} "
                f"ready, {progress['failed']} failed",
                ending="",
            )
            self.stdout.flush()
            if progress["remaining"] == 0:
                self.stdout.write("")
                if progress["failed"]:
                    raise CommandError(
                        f"{progress['failed']} certificate(s) failed; see the batch page."
                    )
                return
            if time.monotonic() > deadline:
                self.stdout.write("")
                raise CommandError("Timed out waiting for the workers: are they running?")
            time.sleep(0.5)
