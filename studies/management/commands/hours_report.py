"""``manage.py hours_report [--month YYYY-MM | --semester N] [--cohort SLUG] [--json]``: hours
planned and done per lecturer and per partner organisation, by kind of session, and each
agreement's co-teaching hours (contract: issue 14; the figures of ``studies.hours``)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from enrollment.models import Cohort
from studies import hours
from studies.management.commands.academic_record import table
from studies.models import ClassSession


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Hours planned and done per lecturer and per partner organisation, by kind of "
            "session, and the agreements' co-teaching hours (--json: as JSON). Without "
            "--month or --semester: the current academic year."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--month", metavar="YYYY-MM", help=_("one month, e.g. 2026-11"))
        which.add_argument(
            "--semester", type=int, metavar="N", help=_("semester N of the offerings")
        )
        parser.add_argument("--cohort", metavar="SLUG", help=_("only this cohort (short name)"))
        parser.add_argument("--json", action="store_true", help=_("print the figures as JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        cohort = None
        if options["cohort"]:
            cohort = Cohort.objects.filter(slug=options["cohort"]).first()
            if cohort is None:
                raise CommandError(_("No cohort %(slug)s.") % {"slug": options["cohort"]})
        if options["semester"] is not None and options["semester"] < 1:
            raise CommandError(_("A semester is a number from 1."))
        try:
            period = hours.period_from(
                month=options["month"], semester=options["semester"], cohort=cohort
            )
        except ValueError as exc:
            raise CommandError(
                _("Write the month as YYYY-MM, e.g. 2026-11 (not %(month)s).")
                % {"month": options["month"]}
            ) from exc
        report = hours.hours_report(period=period, cohort=cohort)
        if options["json"]:
            self.stdout.write(json.dumps(hours.report_json(report), ensure_ascii=False, indent=2))
            return
        title = period.label + (f" · {cohort}" if cohort else "")
        self.stdout.write(title)
        self.stdout.write("")
        kinds = ClassSession.Kind
        header = [_("Name"), _("Planned"), _("Done"), *(str(k.label) for k in kinds)]
        sections = ((_("Lecturers"), report.lecturers), (_("Partners"), report.partners))
        for heading, lines in sections:
            self.stdout.write(f"{heading} ({len(lines)})")
            rows = [
                [
                    line.name,
                    f"{line.figures.planned:.2f}",
                    f"{line.figures.done:.2f}",
                    *(
                        f"{line.figures.by_type[k]['planned']:.2f}/"
                        f"{line.figures.by_type[k]['done']:.2f}"
                        for k in kinds
                    ),
                ]
                for line in lines
            ]
            for text in table(header, rows):
                self.stdout.write(text)
            self.stdout.write("")
        self.stdout.write(f"{_('Agreements')} ({len(report.agreements)})")
        rows = [
            [a.agreement.title, a.partner, f"{a.promised:.2f}", f"{a.planned:.2f}", f"{a.done:.2f}"]
            for a in report.agreements
        ]
        header = [_("Agreement"), _("Partners"), _("Promised per year"), _("Planned"), _("Done")]
        for text in table(header, rows):
            self.stdout.write(text)
