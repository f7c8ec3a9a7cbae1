"""Reading and writing mark grids: the web form, CSV and XLSX share one parser, so an
import is checked exactly like a typed grid (the web page and ``manage.py marks_import``).

Bad input never escapes as an exception other than ``ValueError``: a file that cannot be
read is refused whole by ``read_upload`` (a ``SpreadsheetError``, its message translated),
and every bad row or cell is listed by ``parse_table`` / ``parse_form``, so that nothing is
stored until every line is right."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core import spreadsheets
from enrollment.models import Student
from studies.models import Mark, MarkSheet
from studies.services.marks import MarkRow

ABSENCES = {"": "", "ABJ": "ABJ", "ABI": "ABI"}
TRUE = {"1", "true", "yes", "oui", "x", "on", "نعم"}
COLUMNS = ("registration_number", "name", "cc", "exam", "absence", "excluded", "mark")
#: Longer than any mark anybody types ("12,25"): refused before ``Decimal`` reads it.
MAX_MARK_TEXT = 20
CENT = Decimal("0.01")
UNIT = Decimal(1)
# A decimal point as typed: the French comma and the Arabic decimal separator (U+066B).
DECIMAL_SEPARATORS = str.maketrans({",": ".", "\u066b": "."})

log = logging.getLogger(__name__)


@dataclass
class ParsedGrid:
    rows: list[MarkRow]
    errors: list[str]
    cell_errors: dict[str, str]


def parse_mark(value: object) -> Decimal | None:
    """A mark as typed: empty → none; French decimal comma accepted; 0–20, 2 decimals.

    Every problem is a ``ValueError`` with a translated message (never another exception);
    a mark is returned in a plain form: ``-0`` is 0, ``2E+1`` is 20, ``12.500`` is 12.50."""
    text = str(value if value is not None else "").strip().translate(DECIMAL_SEPARATORS)
    if text == "":
        return None
    not_a_mark = ValueError(_("“%(value)s” is not a mark.") % {"value": str(value)[:20]})
    if len(text) > MAX_MARK_TEXT:
        raise not_a_mark
    try:
        mark = Decimal(text)
        if not mark.is_finite():  # NaN, Infinity
            raise not_a_mark
        if mark < 0 or mark > 20:
            raise ValueError(_("A mark is between 0 and 20."))
        exponent = mark.as_tuple().exponent
        assert isinstance(exponent, int)  # a finite number's exponent
        if exponent < -2:
            if mark != mark.quantize(CENT):
                raise ValueError(_("A mark has two decimals at most."))
            mark = mark.quantize(CENT)  # trailing zeros (12.500)
        elif exponent > 0:
            mark = mark.quantize(UNIT)  # 2E+1
    except ArithmeticError as exc:  # decimal.InvalidOperation and its kin
        raise not_a_mark from exc
    return mark.copy_abs()  # -0 is 0 (a mark is never negative by now)


def _row(
    student: Student,
    cc: object,
    exam: object,
    absence: object,
    excluded: object,
    label: str,
    errors: list[str],
    cells: dict[str, str],
) -> MarkRow | None:
    parsed: dict[str, Decimal | None] = {}
    for name, value in (("cc", cc), ("exam", exam)):
        try:
            parsed[name] = parse_mark(value)
        except ValueError as exc:
            cells[f"{name}-{student.pk}"] = str(exc)
            errors.append(f"{label}: {exc}")
            parsed[name] = None
    code = str(absence or "").strip().upper()
    if code not in ABSENCES:
        cells[f"absence-{student.pk}"] = _("Unknown absence code.")
        errors.append(
            f"{label}: "
            + _("unknown absence code “%(code)s” (ABJ, ABI or empty).") % {"code": code[:10]}
        )
    if errors and any(key.endswith(f"-{student.pk}") for key in cells):
        return None
    return MarkRow(
        student.pk,
        parsed["cc"],
        parsed["exam"],
        ABSENCES.get(code, ""),
        str(excluded or "").strip().lower() in TRUE,
    )


def parse_form(data: Mapping[str, Any], students: list[Student]) -> ParsedGrid:
    rows: list[MarkRow] = []
    errors: list[str] = []
    cells: dict[str, str] = {}
    for student in students:
        row = _row(
            student,
            data.get(f"cc-{student.pk}"),
            data.get(f"exam-{student.pk}"),
            data.get(f"absence-{student.pk}"),
            data.get(f"excluded-{student.pk}"),
            student.registration_number,
            errors,
            cells,
        )
        if row is not None:
            rows.append(row)
    return ParsedGrid(rows, errors, cells)


def parse_table(records: Iterable[Mapping[str, Any]], students: list[Student]) -> ParsedGrid:
    """Rows of an imported file, by registration number; every problem listed at once."""
    by_number = {s.registration_number: s for s in students}
    rows: list[MarkRow] = []
    errors: list[str] = []
    cells: dict[str, str] = {}
    seen: set[str] = set()
    for index, record in enumerate(records, start=2):
        number = _text(record.get("registration_number"))
        label = _("Line %(n)s") % {"n": index}
        if not number:
            errors.append(f"{label}: " + _("the registration number is missing."))
            continue
        student = by_number.get(number)
        if student is None:
            errors.append(
                f"{label}: " + _("%(number)s is not on this grid.") % {"number": number[:30]}
            )
            continue
        if number in seen:
            errors.append(f"{label}: " + _("%(number)s appears twice.") % {"number": number[:30]})
            continue
        seen.add(number)
        row = _row(
            student,
            record.get("cc"),
            record.get("exam"),
            record.get("absence"),
            record.get("excluded"),
            label,
            errors,
            cells,
        )
        if row is not None:
            rows.append(row)
    return ParsedGrid(rows, errors, cells)


def _text(value: object) -> str:
    """A cell as text: an Excel number that is a whole number (12345.0) loses its ``.0``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


REQUIRED = ("registration_number", "cc", "exam")


def read_upload(
    upload: UploadedFile, *, required: Sequence[str] = REQUIRED
) -> list[dict[str, Any]]:
    """The records of an uploaded CSV (comma, semicolon or tab separated) or XLSX grid,
    keyed by the header row. The marks' columns are required: a file without them would
    blank every mark of the grid.

    Raises ``SpreadsheetError`` (a ``ValueError``) with a translated message for any file
    that cannot be read — whatever went wrong while reading it, so a page never fails."""
    try:
        return spreadsheets.read_records(upload, required=required)
    except spreadsheets.SpreadsheetError:
        raise
    except Exception as exc:  # a reader's unforeseen failure on a damaged file
        log.warning("Unreadable grid file %r", getattr(upload, "name", ""), exc_info=True)
        raise spreadsheets.SpreadsheetError(
            _(
                "This file cannot be read. Import a CSV file (columns separated by commas or "
                "semicolons) or an Excel workbook (.xlsx) with the columns of the export."
            )
        ) from exc


def export_rows(sheet: MarkSheet, students: list[Student]) -> list[list[object]]:
    marks = {m.student_id: m for m in Mark.objects.filter(sheet=sheet)}
    rows: list[list[object]] = [list(COLUMNS)]
    for student in students:
        mark = marks.get(student.pk)
        rows.append(
            [
                student.registration_number,
                student.user.get_full_name(),
                "" if mark is None or mark.cc is None else f"{mark.cc}",
                "" if mark is None or mark.exam is None else f"{mark.exam}",
                "" if mark is None else mark.absence,
                "1" if mark is not None and mark.excluded else "",
                "" if mark is None or mark.mark is None else f"{mark.mark}",
            ]
        )
    return rows
