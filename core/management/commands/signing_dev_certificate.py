"""Create the self-signed development signing certificate (`make run` calls it before the demo
data), once: an existing file is kept, and said so just as loudly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from core import signing


class Command(BaseCommand):
    help = (
        "Create a self-signed development signing certificate (PKCS#12, RSA 2048, two years) "
        "at --out (default var/signing/dev.p12) if there is none, encrypted with "
        "SIGNING_P12_PASSWORD. Not valid for real documents."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            type=Path,
            default=Path(settings.VAR_DIR) / "signing" / "dev.p12",
            help="where to write it (default var/signing/dev.p12)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["out"]
        password = settings.SIGNING_P12_PASSWORD
        if path.exists():
            try:
                certificate = signing.inspect_p12(path, password=password)
            except signing.SigningError as exc:
                raise CommandError(
                    _("%(problem)s Delete %(path)s to create a new development certificate.")
                    % {"problem": exc, "path": path}
                ) from exc
            if certificate.not_valid_after_utc < datetime.now(tz=UTC):
                raise CommandError(
                    _(
                        "The development signing certificate %(path)s has expired: delete it "
                        "to create a new one."
                    )
                    % {"path": path}
                )
            headline = _("Documents are signed with the self-signed development certificate")
        else:
            certificate = signing.create_self_signed_p12(path, password=password)
            headline = _("A self-signed development signing certificate was created")
        rule = "=" * 78
        for line in (
            rule,
            f"WARNING: {headline.upper()}: {path}",
            _("“%(subject)s”, valid until %(end)s.")
            % {
                "subject": signing.subject_of(certificate),
                "end": f"{certificate.not_valid_after_utc:%Y-%m-%d}",
            },
            _(
                "It is NOT VALID FOR REAL DOCUMENTS: in production, set SIGNING_P12 and "
                "SIGNING_P12_PASSWORD to the institute's certificate (README, “Signing "
                "certificate”)."
            ),
            rule,
        ):
            self.stdout.write(self.style.WARNING(line))
