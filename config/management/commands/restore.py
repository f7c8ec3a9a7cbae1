"""Replace the database and the files with those of a backup archive (config/backups.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

import environ
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from config.backups import BackupError, Manifest, Site, backup_restore

CONFIRMATION = "yes"


class Command(BaseCommand):
    help = (
        "Check every SHA-256 of a backup archive, then replace the database and the files "
        "under PRIVATE_ROOT and MEDIA_ROOT with it (irreversible; asks first unless --yes). "
        "--database-url, --private-root and --media-root restore elsewhere (a restore drill)."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="do not ask (needed when stdin is not a terminal)"
        )
        parser.add_argument(
            "--database-url", help="restore into this database instead of DATABASE_URL's"
        )
        parser.add_argument("--private-root", type=Path, help="instead of PRIVATE_ROOT")
        parser.add_argument("--media-root", type=Path, help="instead of MEDIA_ROOT")

    def handle(self, *args: Any, **options: Any) -> None:
        stdin: IO[str] = options.get("stdin") or sys.stdin
        if not options["yes"] and not stdin.isatty():
            raise CommandError(
                _("A restore replaces the database and the files: run it from a terminal to "
                  "confirm, or pass --yes. Nothing was changed.")
            )  # fmt: skip
        url = options["database_url"]
        site = Site.configured(
            database=environ.Env.db_url_config(url) if url else None,
            private_root=options["private_root"],
            media_root=options["media_root"],
        )

        def confirm(manifest: Manifest, site: Site) -> bool:
            if options["yes"]:
                return True
            self.stdout.write(
                _("The archive is intact: the backup of %(created)s (version %(version)s). "
                  "Restoring it REPLACES the database %(database)s and the files under "
                  "%(private)s and %(media)s. This cannot be undone.")
                % {
                    "created": manifest.created_at,
                    "version": manifest.version,
                    "database": site.describe_database(),
                    "private": site.private_root,
                    "media": site.media_root,
                }
            )  # fmt: skip
            self.stdout.write(_('Type "%(word)s" to restore: ') % {"word": CONFIRMATION}, ending="")
            self.stdout.flush()
            return stdin.readline().strip() == CONFIRMATION

        try:
            result = backup_restore(options["archive"], site=site, confirm=confirm)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(
            _("Restored the backup of %(created)s (version %(version)s) in %(seconds).1f s: "
              "database %(database)s, %(private)s files under %(private_root)s, %(media)s "
              "under %(media_root)s, %(bytes)s bytes.")
            % {
                "created": manifest.created_at,
                "version": manifest.version,
                "seconds": result.seconds,
                "database": site.describe_database(),
                "private": result.files["private"],
                "private_root": site.private_root,
                "media": result.files["media"],
                "media_root": site.media_root,
                "bytes": result.bytes,
            }
        )  # fmt: skip
        left = sum(result.left_in_place.values())
        if left:
            message = _("Files that are not in the backup, left in place: %(count)s.")
            self.stdout.write(message % {"count": left})
        self.stdout.write(_("If this code is newer than the backup, run manage.py migrate next."))
