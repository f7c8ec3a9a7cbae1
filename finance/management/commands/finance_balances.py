"""``manage.py finance_balances [--cohort SLUG] [--json]``: per student and per sponsor, what
is invoiced, credited, paid and due (contract: docs/architecture.md, issue 13)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from enrollment.models import Cohort
from finance import selectors


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _("Balances per student and per sponsor (--json: as JSON).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cohort", help=_("only this cohort (its short name)"))
        parser.add_argument("--json", action="store_true", help=_("print the balances as JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        cohort = None
        if options["cohort"]:
            cohort = Cohort.objects.filter(slug=options["cohort"]).first()
            if cohort is None:
                raise CommandError(_("No cohort %(slug)s.") % {"slug": options["cohort"]})
        report = balances_report(cohort)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self._table(
            _("Students"),
            [
                _("Registration number"),
                _("Invoiced"),
                _("Credited"),
                _("Paid"),
                _("Balance"),
                _("Overdue"),
                _("Open invoices"),
            ],
            [
                [
                    s["registration_number"],
                    s["invoiced"],
                    s["credited"],
                    s["paid"],
                    s["balance"],
                    s["overdue"],
                    ", ".join(f"{i['number']} ({i['balance']})" for i in s["open_invoices"]),
                ]
                for s in report["students"]
            ],
        )
        self._table(
            _("Sponsors"),
            [_("Name"), _("Invoiced"), _("Paid"), _("Balance")],
            [[s["name"], s["invoiced"], s["paid"], s["balance"]] for s in report["sponsors"]],
        )

    def _table(self, title: str, header: list[str], rows: list[list[str]]) -> None:
        widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
        self.stdout.write(f"{title} ({len(rows)})")

        def line(cells: list[str]) -> str:
            # Names left-aligned, amounts right-aligned.
            text = {0, len(cells) - 1} if len(cells) > 4 else {0}
            return "  ".join(
                str(c).ljust(w) if i in text else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()

        self.stdout.write(line(header))
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write("")


def balances_report(cohort: Cohort | None) -> dict[str, list[dict[str, Any]]]:
    """The JSON of the command: amounts as strings with two decimals."""
    students = [
        {
            "registration_number": row.student.registration_number,
            "invoiced": _amount(row.totals.invoiced),
            "credited": _amount(row.totals.credited),
            "paid": _amount(row.totals.paid),
            "balance": _amount(row.totals.balance),
            "overdue": _amount(row.totals.overdue),
            "open_invoices": [
                {"number": i.number, "balance": _amount(i.balance)}
                for i in row.totals.open_invoices
            ],
        }
        for row in selectors.student_balances(cohort=cohort)
    ]
    sponsors = [
        {
            "name": row.organisation.display_name,
            "invoiced": _amount(row.totals.invoiced),
            "paid": _amount(row.totals.paid),
            "balance": _amount(row.totals.balance),
        }
        for row in selectors.sponsor_balances(cohort=cohort)
    ]
    return {"students": students, "sponsors": sponsors}
