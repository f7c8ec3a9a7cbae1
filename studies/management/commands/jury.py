"""``manage.py jury --cohort SLUG (--semester N [--session normal|resit] | --year N)
--actor EMAIL close|publish|reopen [--reason TEXT]``: the jury page's actions, through the
same services (same rules, same history)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from enrollment.models import Cohort
from studies import selectors
from studies.management.commands.marks_import import actor_for, session_of
from studies.models import Jury, Session
from studies.services import juries

ACTIONS = ("close", "publish", "reopen")


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Close, publish or reopen the jury of a semester (first session or resit) or the "
            "annual deliberation of a year, as on the jury page."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=ACTIONS, help=_("what to do with the jury"))
        parser.add_argument(
            "--cohort", required=True, metavar="SLUG", help=_("the cohort's short name (slug)")
        )
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--semester", type=int, metavar="N", help=_("the semester's number"))
        which.add_argument(
            "--year", type=int, metavar="N", help=_("the year's number (annual deliberation)")
        )
        parser.add_argument(
            "--session",
            choices=["normal", "resit"],
            help=_("with --semester: the first session (normal, the default) or the resit"),
        )
        parser.add_argument(
            "--actor", required=True, metavar="EMAIL", help=_("e-mail of the coordinator who acts")
        )
        parser.add_argument(
            "--reason", default="", metavar="TEXT", help=_("why the jury is reopened")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cohort = Cohort.objects.select_related("programme").filter(slug=options["cohort"]).first()
        if cohort is None:
            raise CommandError(
                _("No cohort has the short name %(slug)s.") % {"slug": options["cohort"]}
            )
        if options["year"] is not None and options["session"] is not None:
            raise CommandError(_("--session goes with --semester, not with --year."))
        actor = actor_for(options["actor"])
        action = options["action"]
        try:
            # A refused action leaves nothing behind, not even the jury row it looked up.
            with transaction.atomic():
                jury = self._jury(cohort, options)
                message = self._act(jury, action, actor, options["reason"])
        except PermissionDenied as exc:
            raise CommandError(
                _(
                    "%(email)s is not a coordinator: only a coordinator may close, publish or "
                    "reopen a jury."
                )
                % {"email": actor.email}
            ) from exc
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(message)

    def _jury(self, cohort: Cohort, options: dict[str, Any]) -> Jury:
        if options["year"] is not None:
            return juries.year_jury_get_or_create(cohort=cohort, year=options["year"])
        semester, count = options["semester"], cohort.programme.semester_count
        if not 1 <= semester <= count:
            raise ValidationError(
                _("The programme has %(n)s semester(s); there is no semester %(semester)s.")
                % {"n": count, "semester": semester}
            )
        session = session_of(options["session"] or "normal")
        return juries.jury_get_or_create(cohort=cohort, semester=semester, session=session)

    def _act(self, jury: Jury, action: str, actor: User, reason: str) -> str:
        """Take the action; what happened, in one sentence."""
        words = {
            "year": jury.year,
            "semester": jury.semester,
            "session": "resit" if jury.session == Session.RESIT else "normal",
        }
        if action == "close":
            closed = juries.jury_close(jury=jury, actor=actor)
            words["n"] = count = selectors.decided_count(jury=closed)
            if jury.year is not None:
                return (
                    ngettext(
                        "jury of year %(year)s closed: %(n)s result recorded",
                        "jury of year %(year)s closed: %(n)s results recorded",
                        count,
                    )
                    % words
                )
            return (
                ngettext(
                    "jury of semester %(semester)s (%(session)s) closed: %(n)s result recorded",
                    "jury of semester %(semester)s (%(session)s) closed: %(n)s results recorded",
                    count,
                )
                % words
            )
        if action == "publish":
            juries.jury_publish(jury=jury, actor=actor)
            if jury.year is not None:
                return (
                    _(
                        "jury of year %(year)s published: the students can read their results and "
                        "are told by e-mail"
                    )
                    % words
                )
            return (
                _(
                    "jury of semester %(semester)s (%(session)s) published: the students can read "
                    "their results and are told by e-mail"
                )
                % words
            )
        juries.jury_reopen(jury=jury, actor=actor, reason=reason[:2000])
        if jury.year is not None:
            return (
                _("jury of year %(year)s reopened: its results stay recorded until it closes again")
                % words
            )
        return (
            _(
                "jury of semester %(semester)s (%(session)s) reopened: its results stay recorded "
                "until it closes again"
            )
            % words
        )
