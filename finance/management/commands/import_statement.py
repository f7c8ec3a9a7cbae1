"""``manage.py import_statement FILE [--confirm]`` (contract: issue 13): the matching of the
statement page (``finance.services.statements``) on a CSV or XLSX file with the columns
``date, amount, reference, payer``. Without ``--confirm`` it prints the proposed matches and
records nothing; with it, the file is kept as a statement import (as if uploaded on the page)
and its matched lines are recorded, each once: a line already recorded is reported and
skipped.

The payments are recorded in the name of ``--user EMAIL``, a finance user; without it, of
the only active finance user, if there is exactly one (the demo's
``finance@demo.tema-wtc.dz``). ``--method ccp`` for a CCP statement (default: transfers).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.models import User
from core.spreadsheets import SpreadsheetError
from finance.services import statements
from finance.services.common import require_finance
from finance.services.statements import ProposedLine
from finance.statements import read_statement


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Match a bank or CCP statement (CSV or XLSX: date, amount, reference, payer) to "
            "open invoices and print the proposed matches; with --confirm, record them. "
            "The payments are recorded in the name of --user (a finance user; by default the "
            "only active finance user)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("the statement, a CSV or XLSX file"))
        parser.add_argument("--confirm", action="store_true", help=_("record the matched lines"))
        parser.add_argument(
            "--method",
            choices=[str(m) for m in statements.METHODS],
            default=str(statements.METHODS[0]),
            help=_("how the payments were made (default: transfer)"),
        )
        parser.add_argument(
            "--user", help=_("e-mail address of the finance user who records the payments")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        actor = self._actor(options["user"]) if options["confirm"] else None
        with path.open("rb") as handle:
            upload = UploadedFile(handle, name=path.name, size=path.stat().st_size)
            try:
                rows = read_statement(upload)
            except SpreadsheetError as exc:
                raise CommandError(str(exc)) from None
            proposal = statements.statement_match(rows)
            if actor is None or not proposal.to_record:
                self._print(proposal.lines)
                self.stdout.write(
                    _("Nothing recorded.")
                    + " "
                    + (
                        _("Run again with --confirm to record %(n)s payment(s).")
                        % {"n": len(proposal.to_record)}
                        if proposal.to_record
                        else _("No line can be recorded.")
                    )
                )
                return
            try:
                statement = statements.statement_upload(actor=actor, upload=upload)
                result = statements.statement_confirm(
                    actor=actor, statement=statement, method=options["method"]
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        recorded = {id(p) for p, _result in result.recorded}
        self._print([p for p, _r in result.recorded] + result.skipped, recorded=recorded)
        self.stdout.write(result.message)

    def _actor(self, email: str | None) -> User:
        if email:
            user = User.objects.filter(email__iexact=email, is_active=True).first()
            if user is None:
                raise CommandError(_("No active user %(email)s.") % {"email": email})
        else:
            finance = list(User.objects.filter(is_finance=True, is_active=True)[:2])
            if len(finance) != 1:
                raise CommandError(
                    _("Give --user EMAIL: the finance user who records the payments.")
                )
            user = finance[0]
        try:
            require_finance(user)
        except PermissionDenied:
            raise CommandError(
                _("%(email)s is not a finance user: payments are recorded by finance.")
                % {"email": user.email}
            ) from None
        return user

    def _print(self, lines: list[ProposedLine], *, recorded: set[int] | None = None) -> None:
        header = [
            _("Line"),
            _("Date"),
            _("Amount"),
            _("Reference"),
            _("Payer"),
            _("Invoice"),
            _("Outcome"),
        ]
        rows = []
        for proposed in sorted(lines, key=lambda p: p.line.row):
            outcome = proposed.outcome_label
            if recorded is not None and id(proposed) in recorded:
                outcome = _("Recorded") + f" ({outcome})"
            if proposed.reason:
                outcome = f"{outcome}: {proposed.reason}"
            line = proposed.line
            rows.append(
                [
                    str(line.row),
                    line.booked_on.isoformat() if line.booked_on else "",
                    _amount(line.amount),
                    line.reference,
                    line.payer,
                    proposed.invoice_numbers,
                    outcome,
                ]
            )
        widths = [max(len(c) for c in column) for column in zip(header, *rows, strict=True)]

        def text(cells: list[str]) -> str:
            return "  ".join(
                c.rjust(w) if i in (0, 2) else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()

        self.stdout.write(text(header))
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in rows:
            self.stdout.write(text(row))
        self.stdout.write("")
