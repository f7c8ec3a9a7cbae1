"""Reading a bank or CCP statement: a CSV (``,`` or ``;``, UTF-8 with or without a BOM, else
Windows-1252) or an XLSX workbook, read through ``core.spreadsheets`` (its limits: 2 MiB and
5,000 lines by default, ``IMPORT_MAX_BYTES`` / ``IMPORT_MAX_ROWS``; the content decides what
the file is, not its name).

The first line names the columns ``date, amount, reference, payer`` (or in French ``date,
montant, référence, payeur``; case and accents ignored), no other. Dates are YYYY-MM-DD or
DD/MM/YYYY (or a date cell); amounts ``1 234,50`` or ``1234.50`` (or a number cell), more
than zero with at most two decimals. A file that cannot be read, or whose columns are not
these, is refused whole (``SpreadsheetError``); a line with a bad value is kept with the
reasons, numbered as in the file (its header is line 1, blank lines left out), and is never
recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from core import spreadsheets
from core.spreadsheets import SpreadsheetError
from finance.services.common import CENT, money
from finance.services.payments import normalise_reference

#: Header (lower case, accents removed) → column.
COLUMNS = {
    "date": "date",
    "amount": "amount",
    "montant": "amount",
    "reference": "reference",
    "payer": "payer",
    "payeur": "payer",
}
REQUIRED = ("date", "amount", "reference", "payer")
#: A payment's reference holds 80 characters (``Payment.reference``).
MAX_REFERENCE = 80
MAX_PAYER = 200

_AMOUNT = re.compile(r"\d+(\.\d+)?")
_CURRENCY = re.compile(r"(DZD|DA)$", re.IGNORECASE)
_SPACES = str.maketrans({" ": "", "\u00a0": "", "\u202f": "", "'": ""})


@dataclass
class StatementRow:
    """One line of the file: its values when they are readable, else ``problems``."""

    row: int
    booked_on: dt.date | None
    amount: Decimal | None
    reference: str
    payer: str
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    @cached_property
    def fingerprint(self) -> str:
        """What makes a line the same line in another file: sha256 of date | amount |
        normalised reference | normalised payer."""
        assert self.booked_on is not None
        assert self.amount is not None
        text = "|".join(
            (
                self.booked_on.isoformat(),
                f"{self.amount:.2f}",
                normalise_reference(self.reference),
                normalise_reference(self.payer),
            )
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(header: str) -> str:
    decomposed = unicodedata.normalize("NFKD", header.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _columns(record: dict[str, Any]) -> dict[str, str]:
    """The file's header → our column, or a SpreadsheetError naming what is wrong."""
    mapping: dict[str, str] = {}
    unknown = []
    for header in record:
        if not header:
            continue  # an unnamed (empty) column
        column = COLUMNS.get(_plain(header))
        if column is None:
            unknown.append(header)
        elif column in mapping.values():
            raise SpreadsheetError(
                _("The column %(column)s appears twice in the first line.") % {"column": header}
            )
        else:
            mapping[header] = column
    expected = "date, amount, reference, payer (date, montant, référence, payeur)"
    if unknown:
        raise SpreadsheetError(
            _("Unknown columns: %(unknown)s. The columns are %(expected)s, no other.")
            % {"unknown": ", ".join(unknown), "expected": expected}
        )
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if missing:
        raise SpreadsheetError(
            _("Missing columns: %(missing)s. The columns are %(expected)s.")
            % {"missing": ", ".join(missing), "expected": expected}
        )
    return mapping


def read_statement(upload: UploadedFile) -> list[StatementRow]:
    """Every line of the statement, readable or not; a ``SpreadsheetError`` (with a
    translated message) when the file itself cannot be imported."""
    try:
        records = spreadsheets.read_records(upload, required=())
    except SpreadsheetError:
        raise
    except Exception as exc:  # a reader's unforeseen failure on a damaged file
        raise SpreadsheetError(
            _("This file cannot be read: import a CSV file or an Excel workbook (.xlsx).")
        ) from exc
    mapping = _columns(records[0])
    rows = []
    for index, record in enumerate(records, start=2):
        values = {column: record.get(header) for header, column in mapping.items()}
        rows.append(_row(index, values))
    return rows


def _text(value: object) -> str:
    """A cell as text: an Excel number that is a whole number (12345.0) loses its ``.0``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value if value is not None else "").split())


def _row(index: int, values: dict[str, Any]) -> StatementRow:
    problems: list[str] = []
    booked_on = _date(values["date"], problems)
    amount = _amount(values["amount"], problems)
    reference = _text(values["reference"])
    payer = _text(values["payer"])
    if len(reference) > MAX_REFERENCE:
        problems.append(_("the reference is longer than %(n)s characters") % {"n": MAX_REFERENCE})
    if len(payer) > MAX_PAYER:
        problems.append(_("the payer is longer than %(n)s characters") % {"n": MAX_PAYER})
    return StatementRow(index, booked_on, amount, reference, payer, problems)


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    for shape in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(_text(value), shape).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _date(value: object, problems: list[str]) -> dt.date | None:
    if not _text(value):
        problems.append(_("the date is missing"))
        return None
    day = _day(value)
    if day is None:
        problems.append(
            _("the date %(date)s is not a date (YYYY-MM-DD or DD/MM/YYYY)")
            % {"date": _text(value)[:30]}
        )
        return None
    if day > timezone.localdate():
        problems.append(_("the date is in the future"))
        return None
    return day


def _amount(value: object, problems: list[str]) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        problems.append(_("the amount is missing"))
        return None
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, int | Decimal):
        text = str(value)
    else:
        text = _CURRENCY.sub("", str(value).strip()).translate(_SPACES)
        sign = text[:1] if text[:1] in "+-" else ""
        digits = text[len(sign) :]
        if "," in digits and "." in digits:
            # "1.234,50" or "1,234.50": the last separator is the decimal one.
            decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
            digits = digits.replace("." if decimal == "," else ",", "")
        digits = digits.replace(",", ".")
        if not _AMOUNT.fullmatch(digits):
            problems.append(_("the amount %(amount)s is not a number") % {"amount": text[:30]})
            return None
        text = sign + digits
    try:
        number = Decimal(text)
    except InvalidOperation:
        problems.append(_("the amount %(amount)s is not a number") % {"amount": text[:30]})
        return None
    if number < 0:
        problems.append(_("the amount is negative (a debit): only money received is recorded"))
        return None
    if number == 0:
        problems.append(_("the amount is zero"))
        return None
    if number != number.quantize(CENT):
        problems.append(_("the amount has more than two decimals"))
        return None
    try:
        return money(number)
    except ValidationError:  # not finite
        problems.append(_("the amount %(amount)s is not a number") % {"amount": text[:30]})
        return None
