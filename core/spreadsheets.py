"""Spreadsheets in and out: every import reads through ``read_records`` and every export
writes through ``csv_*`` / ``xlsx_*`` here.

Reading: a file is refused, with a message and before anything is parsed, when it is larger
than the upload limit (never cut), when it is not what it claims (a PDF renamed ``.csv``),
or — an XLSX being a ZIP — when its members would inflate beyond a total size or a ratio
(a decompression bomb). openpyxl then reads it in read-only mode (streamed), and reading
stops past the row limit. Every problem is a ``SpreadsheetError`` (a ``ValueError``) with a
translated message; nothing escapes as a 500.

Writing: a text cell that a spreadsheet program would run as a formula (it starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return: OWASP's CSV injection) is written
inert — with a leading apostrophe in CSV, as a string cell (never a formula) in XLSX, where
its visible text is unchanged. Numbers stay numbers. A CSV file is written for the reader's
spreadsheet program: UTF-8 with a byte-order mark, ";" between cells and the decimal comma in
French and Arabic ("," and the point in English, or as ``?sep=`` asks), dates and times in
the language's order on the clock of Algiers; an XLSX holds real numbers and dates.

Limits (settings, with their defaults): ``IMPORT_MAX_BYTES`` (2 MiB), ``IMPORT_MAX_ROWS``
(5,000), ``XLSX_MAX_UNCOMPRESSED_BYTES`` (20 MB, the sum over the archive's members) and
``XLSX_MAX_COMPRESSION_RATIO`` (100, for each member larger than 1 MiB once inflated).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse, StreamingHttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 5_000
XLSX_MAX_UNCOMPRESSED_BYTES = 20 * 1000 * 1000
XLSX_MAX_COMPRESSION_RATIO = 100
# A small member (styles, a short sheet of empty cells) may compress very well and harmlessly.
RATIO_CHECKED_ABOVE = 1024 * 1024
XLSX_MAX_MEMBERS = 1_000
MAX_COLUMNS = 100

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class SpreadsheetError(ValueError):
    """A file that cannot be imported; its message says why, in the user's language."""


# --- Reading --------------------------------------------------------------------------------
def read_records(upload: UploadedFile, *, required: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of an uploaded CSV or XLSX file as dictionaries keyed by the (lower-cased)
    header row, blank rows left out; the header must name every column of ``required``."""
    limit = _limit("IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)
    content = b""
    if (upload.size or 0) <= limit:
        upload.seek(0)
        content = upload.read(limit + 1)  # one byte more: a wrong claimed size shows
    if (upload.size or 0) > limit or len(content) > limit:
        raise SpreadsheetError(
            _(
                "The file is larger than the limit of %(limit)s: nothing was imported (a file "
                "is never cut). Split it into several files."
            )
            % {"limit": filesizeformat(limit)}
        )
    values = _rows(upload.name or "", content)
    if not values or not any(_filled(row) for row in values):
        raise SpreadsheetError(_("The file is empty."))
    header = [str(h if h is not None else "").strip().lower() for h in values[0]]
    missing = [name for name in required if name not in header]
    if missing:
        raise SpreadsheetError(
            _("The first line must name the columns, with %(columns)s among them.")
            % {"columns": ", ".join(missing)}
        )
    records = [dict(zip(header, row, strict=False)) for row in values[1:] if _filled(row)]
    if not records:
        raise SpreadsheetError(_("The file has no row under its header line."))
    return records


def _filled(row: Sequence[object]) -> bool:
    return any(v not in (None, "") and str(v).strip() for v in row)


def _rows(name: str, content: bytes) -> list[Sequence[object]]:
    head = content[:8]
    if head.startswith(b"PK\x03\x04"):
        return _xlsx_rows(content)
    if head.startswith(b"%PDF"):
        raise SpreadsheetError(_("This is a PDF document, not a CSV or Excel file."))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            _("This is an old Excel file (.xls): save it as .xlsx or as CSV UTF-8.")
        )
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise SpreadsheetError(_("The file is not a readable Excel workbook."))
    return _csv_rows(content)


def _xlsx_rows(content: bytes) -> list[Sequence[object]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise SpreadsheetError(_("The file is not a readable Excel workbook.")) from exc
    _check_archive(members)
    max_rows = _limit("IMPORT_MAX_ROWS", IMPORT_MAX_ROWS)
    rows: list[Sequence[object]] = []
    try:
        # The sizes checked are the ones the archive declares; zipfile never inflates a
        # member past its declared size (it stops and fails its CRC check), so they hold.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.active
            if sheet is None:
                raise SpreadsheetError(_("The workbook has no sheet."))
            # A declared dimension of A1:XFD1048576 would pad every row to 16,384 cells.
            sheet.reset_dimensions()
            for row in sheet.iter_rows(values_only=True):
                if len(rows) > max_rows:  # the header line and max_rows lines are kept
                    raise _too_many_rows(max_rows)
                rows.append(row[:MAX_COLUMNS])
        finally:
            workbook.close()
    except SpreadsheetError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise SpreadsheetError(_("The file is not a readable Excel workbook.")) from exc
    return rows


def _check_archive(members: list[zipfile.ZipInfo]) -> None:
    total_limit = _limit("XLSX_MAX_UNCOMPRESSED_BYTES", XLSX_MAX_UNCOMPRESSED_BYTES)
    ratio_limit = _limit("XLSX_MAX_COMPRESSION_RATIO", XLSX_MAX_COMPRESSION_RATIO)
    if len(members) > XLSX_MAX_MEMBERS:
        raise SpreadsheetError(_("The file is not a readable Excel workbook."))
    total = sum(member.file_size for member in members)
    inflating = any(
        member.file_size > RATIO_CHECKED_ABOVE
        and member.file_size > ratio_limit * max(member.compress_size, 1)
        for member in members
    )
    if total > total_limit or inflating:
        raise SpreadsheetError(
            _(
                "The workbook would take %(size)s once uncompressed (the limit is %(limit)s, "
                "at most %(ratio)s times its compressed size): nothing was imported. Save "
                "only the sheet to import, or export it as CSV."
            )
            % {
                "size": filesizeformat(total),
                "limit": filesizeformat(total_limit),
                "ratio": ratio_limit,
            }
        )


def _too_many_rows(max_rows: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("The file has more than %(n)s lines: split it. Nothing was imported.") % {"n": max_rows}
    )


def _decode(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise SpreadsheetError(_("This is not a text (CSV) file."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # What Excel writes for “CSV” on a French Windows: accents are read correctly.
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(
            _(
                "The CSV file must be encoded in UTF-8 (in Excel: Save as → “CSV UTF-8”); "
                "its line %(n)s is not."
            )
            % {"n": content[: exc.start].count(b"\n") + 1}
        ) from exc


def _csv_rows(content: bytes) -> list[Sequence[object]]:
    text = _decode(content)
    first = text.lstrip("\r\n").split("\n", 1)[0]
    # The delimiter of the header line (a one-column file has none: then a comma).
    delimiter = max((",", ";", "\t"), key=first.count) if any(d in first for d in ",;\t") else ","
    max_rows = _limit("IMPORT_MAX_ROWS", IMPORT_MAX_ROWS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Sequence[object]] = []
    try:
        for row in reader:
            if len(rows) > max_rows:
                raise _too_many_rows(max_rows)
            rows.append(row[:MAX_COLUMNS])
    except csv.Error as exc:
        # A field longer than csv.field_size_limit(), a stray quote, a NUL character...
        raise SpreadsheetError(
            _("The CSV file cannot be read at its line %(n)s (a cell is too long or badly quoted).")
            % {"n": reader.line_num}
        ) from exc
    return rows


# --- Writing --------------------------------------------------------------------------------
#: ``?sep=`` of a CSV export.
SEPARATORS = {"semicolon": ";", "comma": ","}


def csv_separator(choice: str | None = None) -> str:
    """The separator asked for (``?sep=semicolon`` or ``comma``), else the reader's
    language's: ";" where the decimal separator is a comma (French and Arabic: what Excel
    opens in columns on a French or Arabic Windows), "," in English."""
    if choice in SEPARATORS:
        return SEPARATORS[choice]
    return ";" if formats.get_format("DECIMAL_SEPARATOR") == "," else ","


def inert(value: object) -> object:
    """The value of a cell, with text that would run as a formula made plain text (CSV)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def _local(value: dt.datetime) -> dt.datetime:
    """A moment on the clock of Algiers (``TIME_ZONE``), as every page shows it."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _csv_cell(value: object, *, delimiter: str) -> object:
    """Words and numbers as the reader writes them: a decimal with a comma in a
    ";"-separated file (with a point in a ","-separated one, which programs read), a date
    and a time in the language's order, on the clock of Algiers."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return inert(value)
    if isinstance(value, Decimal | float):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return text.replace(".", ",") if delimiter == ";" else text
    if isinstance(value, dt.datetime):
        return formats.date_format(_local(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return inert(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]], *, sep: str | None = None) -> Iterator[str]:
    """The lines of a CSV file, one at a time (for a streamed response): a byte-order mark
    first, so that spreadsheet programs read French and Arabic correctly; the separator of
    ``sep`` or of the reader's language (:func:`csv_separator`). The language is the one
    active now, also for lines written after the view has returned (a streamed response)."""
    return _csv_lines(rows, csv_separator(sep), translation.get_language())


def _csv_lines(
    rows: Iterable[Iterable[object]], delimiter: str, language: str | None
) -> Iterator[str]:
    with translation.override(language):
        writer = csv.writer(_Echo(), delimiter=delimiter)
        yield "\ufeff"
        for row in rows:
            yield writer.writerow([_csv_cell(value, delimiter=delimiter) for value in row])


def csv_bytes(rows: Iterable[Iterable[object]], *, sep: str | None = None) -> bytes:
    return "".join(csv_lines(rows, sep=sep)).encode("utf-8")


def csv_response(
    rows: Iterable[Iterable[object]], *, filename: str, sep: str | None = None
) -> HttpResponse:
    response = HttpResponse(csv_bytes(rows, sep=sep), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_streaming_response(
    rows: Iterable[Iterable[object]], *, filename: str, sep: str | None = None
) -> StreamingHttpResponse:
    """Rows written as they are read (a large export: memory stays flat)."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(rows, sep=sep)), content_type=CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_bytes(
    rows: Iterable[Iterable[object]],
    *,
    title: str = "",
    bold_header: bool = False,
    freeze_header: bool = False,
) -> bytes:
    """A workbook of one sheet, written as it goes (openpyxl's write-only mode). Text is
    always a string cell, so ``=HYPERLINK(…)`` shows as typed and never runs; decimals are
    written as numbers, dates as dates (on the clock of Algiers, shown in the language's
    order whatever the computer's settings)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "Sheet")
    if freeze_header:
        sheet.freeze_panes = "A2"
    shapes: dict[type, str] = {
        dt.datetime: excel_format(formats.get_format("SHORT_DATETIME_FORMAT")),
        dt.date: excel_format(formats.get_format("SHORT_DATE_FORMAT")),
    }
    for index, row in enumerate(rows):
        sheet.append(
            [
                _xlsx_cell(sheet, value, bold=bold_header and index == 0, shapes=shapes)
                for value in row
            ]
        )
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        return handle.read()


#: Django's date format characters and Excel's codes for them.
_EXCEL_CODES = {
    "d": "dd", "j": "d", "m": "mm", "n": "m", "Y": "yyyy", "y": "yy",
    "H": "hh", "G": "h", "i": "mm", "s": "ss",
}  # fmt: skip


def excel_format(django_format: str) -> str:
    """An Excel number format for a Django date format ("d/m/Y H:i" → "dd/mm/yyyy hh:mm");
    ISO when the format has a character Excel cannot say."""
    parts = []
    for char in django_format:
        if char in _EXCEL_CODES:
            parts.append(_EXCEL_CODES[char])
        elif char in "/-.: ":
            parts.append(char)
        elif char == "\u200f":  # a right-to-left mark: the cell's direction does that
            continue
        else:
            timed = any(c in django_format for c in "HGghiPAa")
            return "yyyy-mm-dd hh:mm" if timed else "yyyy-mm-dd"
    return "".join(parts)


def _xlsx_cell(
    sheet: Any, value: object, *, bold: bool, shapes: dict[type, str] | None = None
) -> WriteOnlyCell:
    shape = None
    if isinstance(value, dt.datetime):
        # Excel has no time zones: the moment as read in Algiers.
        value, shape = _local(value).replace(tzinfo=None), (shapes or {}).get(dt.datetime)
    elif isinstance(value, dt.date):
        shape = (shapes or {}).get(dt.date)
    elif isinstance(value, Decimal):
        value = float(value)
    elif value is None:
        value = ""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would make "=…" a formula
    if shape:
        cell.number_format = shape
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_response(
    rows: Iterable[Iterable[object]], *, filename: str, **options: Any
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(rows, **options), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def spreadsheet_response(
    rows: Iterable[Iterable[object]],
    *,
    fmt: str,
    filename: str,
    sep: str | None = None,
    **options: Any,
) -> HttpResponse:
    """``fmt`` is "csv" or "xlsx"; ``filename`` has no extension; ``sep`` is the ``?sep=``
    of a CSV (:func:`csv_separator`)."""
    if fmt == "csv":
        return csv_response(rows, filename=f"{filename}.csv", sep=sep)
    return xlsx_response(rows, filename=f"{filename}.xlsx", **options)
