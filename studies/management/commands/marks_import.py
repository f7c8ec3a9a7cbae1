"""``manage.py marks_import --cohort SLUG --module CODE [--session normal|resit] [--submit]
[--actor EMAIL] FILE``: a mark grid from a CSV or XLSX file with the grid's own columns
(``registration_number, cc, exam, absence, excluded``; others, such as ``name`` and ``mark``,
are ignored), checked by the parser of the web grid (``studies.grids``) and saved by the same
service, all or nothing: one bad line and nothing is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from curriculum.models import Module
from enrollment.models import Cohort
from studies import grids
from studies.models import MarkSheet, Offering, Session
from studies.services import marks

SESSIONS = {"normal": Session.NORMAL, "resit": Session.RESIT}


def problems(messages: list[str]) -> CommandError:
    """The refusal of an import: a line saying nothing was stored, then one line a problem."""
    head = ngettext(
        "Nothing was saved: %(n)s problem.", "Nothing was saved: %(n)s problems.", len(messages)
    ) % {"n": len(messages)}
    return CommandError("\n".join([head, *messages]))


def session_of(value: str | None) -> str:
    """The session named by ``--session`` (checked here too: ``call_command`` passes
    keyword options without argparse's check of the choices)."""
    if value not in SESSIONS:
        raise CommandError(_("--session is normal or resit, not %(value)s.") % {"value": value})
    return SESSIONS[value]


def actor_for(email: str | None) -> User:
    """The user named by ``--actor``, or the first active coordinator."""
    if email:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(_("No account has the e-mail address %(email)s.") % {"email": email})
        if not user.is_active:
            raise CommandError(_("The account %(email)s is deactivated.") % {"email": user.email})
        return user
    user = User.objects.filter(is_coordinator=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError(_("There is no active coordinator: name the actor with --actor EMAIL."))
    return user


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Import a mark grid from a CSV or Excel (.xlsx) file with the columns of the grid's "
            "export (registration_number, cc, exam, absence, excluded), checked like the web "
            "grid: one bad line and nothing is saved."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE", help=_("the CSV or XLSX file"))
        parser.add_argument(
            "--cohort", required=True, metavar="SLUG", help=_("the cohort's short name (slug)")
        )
        parser.add_argument(
            "--module", required=True, metavar="CODE", help=_("the module's code, e.g. F1.1.1")
        )
        parser.add_argument(
            "--session",
            choices=list(SESSIONS),
            default="normal",
            help=_("the grid's session (default: normal)"),
        )
        parser.add_argument(
            "--submit", action="store_true", help=_("submit the grid once the marks are saved")
        )
        parser.add_argument(
            "--actor",
            metavar="EMAIL",
            help=_("e-mail of the user who imports (default: the first coordinator)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sheet = self._sheet(options["cohort"], options["module"], options["session"])
        actor = actor_for(options["actor"])
        records = self._records(options["file"])
        parsed = grids.parse_table(records, marks.sheet_students(sheet))
        if parsed.errors:
            raise problems(parsed.errors)
        try:
            # Saving and submitting are one transaction: a grid that cannot be submitted
            # (a student without a mark) keeps none of the file's marks either.
            with transaction.atomic():
                changed = marks.grid_save(sheet=sheet, actor=actor, rows=parsed.rows)
                if options["submit"]:
                    marks.grid_submit(sheet=sheet, actor=actor)
        except ValidationError as exc:
            raise problems(list(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(
                _("%(email)s may not change the marks of %(module)s.")
                % {"email": actor.email, "module": sheet.offering.module.code}
            ) from exc
        self.stdout.write(
            ngettext("%(n)s mark saved", "%(n)s marks saved", changed) % {"n": changed}
        )
        if options["submit"]:
            self.stdout.write(_("grid submitted"))

    def _sheet(self, slug: str, code: str, session: str) -> MarkSheet:
        cohort = Cohort.objects.filter(slug=slug).first()
        if cohort is None:
            raise CommandError(_("No cohort has the short name %(slug)s.") % {"slug": slug})
        offering = Offering.objects.filter(cohort=cohort, module__code=code).first()
        if offering is None:
            if Module.objects.filter(programme=cohort.programme_id, code=code).exists():
                raise CommandError(
                    _(
                        "Module %(code)s is not delivered to cohort %(slug)s yet: open its "
                        "semester first."
                    )
                    % {"code": code, "slug": slug}
                )
            raise CommandError(
                _("The programme of cohort %(slug)s has no module %(code)s.")
                % {"code": code, "slug": slug}
            )
        sheet = (
            MarkSheet.objects.select_related("offering__module", "offering__cohort__programme")
            .filter(offering=offering, session=session_of(session))
            .first()
        )
        if sheet is None:
            raise CommandError(
                _(
                    "Module %(code)s of cohort %(slug)s has no %(session)s grid (a resit grid "
                    "opens when the first-session jury sends students to the resit)."
                )
                % {"code": code, "slug": slug, "session": session}
            )
        return sheet

    def _records(self, path: Path) -> list[dict[str, Any]]:
        if not path.exists():
            raise CommandError(_("%(path)s: no such file.") % {"path": path})
        if not path.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": path})
        try:
            with path.open("rb") as handle:
                upload = UploadedFile(handle, name=path.name, size=path.stat().st_size)
                return grids.read_upload(upload)
        except ValueError as exc:  # the whole file is refused (grids.read_upload)
            raise CommandError(f"{path}: {exc}") from exc
        except OSError as exc:
            raise CommandError(
                _("%(path)s cannot be read: %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from exc
