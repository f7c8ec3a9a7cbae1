"""Write one archive of the database and of the private and public files (config/backups.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from config.backups import BackupError, backup_create, backup_dir


class Command(BaseCommand):
    help = (
        "Write one archive (tema-backup-<UTC time>.tar) of the database, PRIVATE_ROOT and "
        "MEDIA_ROOT with a manifest of SHA-256 digests: --out DIR (default BACKUP_DIR or "
        "var/backups), --keep N to keep only the N newest archives there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help=f"folder of the archives ({backup_dir()})")
        parser.add_argument(
            "--keep", type=int, help="afterwards, delete all but the N newest archives of --out"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["keep"] is not None and options["keep"] < 1:
            raise CommandError(_("--keep must be at least 1."))
        try:
            result = backup_create(out_dir=options["out"], keep=options["keep"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(str(result.path))
        self.stdout.write(
            _("Backup written: database %(database)s, %(files)s files (private %(private)s, "
              "media %(media)s), %(bytes)s bytes, in %(seconds).1f s.")
            % {
                "database": manifest.vendor,
                "files": result.files,
                "private": len(manifest.files("private")),
                "media": len(manifest.files("media")),
                "bytes": result.bytes,
                "seconds": result.seconds,
            }
        )  # fmt: skip
        for path in result.removed:
            self.stdout.write(_("Older backup deleted: %(path)s") % {"path": path})
