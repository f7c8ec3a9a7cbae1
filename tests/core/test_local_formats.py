"""Dates day first and one decimal separator per language (config/formats), decimals typed
with the page's separator (core.numbers), spreadsheets written for the reader's program
(core.spreadsheets) and text values shown in the page's forms (core/templatetags/local)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation
from openpyxl import load_workbook

from core.numbers import LocalDecimalField, typed_decimal
from core.search import unaccent
from core.spreadsheets import csv_bytes, csv_lines, csv_separator, excel_format, xlsx_bytes

#: 1 December 2026, 08:30 UTC: 09:30 in Algiers.
MOMENT = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)


# --- Dates ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_short_dates_and_times_are_day_first_on_24_hours_in_every_language(language):
    with translation.override(language):
        assert formats.date_format(MOMENT.date(), "SHORT_DATE_FORMAT") == "01/12/2026"
        local = MOMENT.astimezone(dt.timezone(dt.timedelta(hours=1)))
        assert formats.date_format(local, "SHORT_DATETIME_FORMAT") == "01/12/2026 09:30"
        assert formats.time_format(local, "TIME_FORMAT") == "09:30"


def test_arabic_long_dates_put_the_day_before_the_month():
    with translation.override("ar"):
        text = formats.date_format(MOMENT.date(), "DATE_FORMAT")
        month = formats.date_format(MOMENT.date(), "F")
    assert text == f"1 {month} 2026"
    assert month != "December"  # the month in Arabic


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_a_date_typed_day_first_is_read_day_first(language):
    class When(forms.Form):
        day = forms.DateField()

    with translation.override(language):
        form = When({"day": "01/12/2026"})
        assert form.is_valid(), form.errors
        iso = When({"day": "2026-12-01"})  # what <input type="date"> sends
        assert iso.is_valid(), iso.errors
    assert form.cleaned_data["day"] == dt.date(2026, 12, 1)
    assert iso.cleaned_data["day"] == dt.date(2026, 12, 1)


# --- Numbers -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "mark", "grouped"),
    [("fr", "12,50", "1\xa0234,5"), ("ar", "12,50", "1\xa0234,5"), ("en", "12.50", "1,234.5")],
)
def test_one_decimal_separator_and_one_grouping_per_language(language, mark, grouped):
    with translation.override(language):
        assert formats.localize(Decimal("12.50")) == mark
        assert formats.number_format(Decimal("1234.5"), force_grouping=True) == grouped
        assert formats.localize(1234) == "1234"  # counts are never grouped


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        ("12٫5", Decimal("12.5")),
        ("١٢٫٥", Decimal("12.5")),
        (" 14 ", Decimal("14")),
    ],
)
@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_a_decimal_field_reads_the_separator_people_type(language, typed, value):
    class Mark(forms.Form):
        mark = LocalDecimalField(min_value=0, max_value=20, max_digits=4, decimal_places=2)

    with translation.override(language):
        form = Mark({"mark": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["mark"] == value


@pytest.mark.parametrize("typed", ["1.2.3", "1,234.5", "douze", "21"])
def test_a_decimal_field_refuses_what_is_not_a_mark(typed):
    class Mark(forms.Form):
        mark = LocalDecimalField(min_value=0, max_value=20, max_digits=4, decimal_places=2)

    assert not Mark({"mark": typed}).is_valid()


@pytest.mark.parametrize(("language", "shown"), [("fr", "12,50"), ("ar", "12,50"), ("en", "12.50")])
def test_a_decimal_field_shows_its_value_as_the_page_writes_numbers(language, shown):
    class Mark(forms.Form):
        mark = LocalDecimalField()

    with translation.override(language):
        html = str(Mark(initial={"mark": Decimal("12.50")})["mark"])
    assert f'value="{shown}"' in html
    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html


def test_typed_decimals_keep_a_single_separator_only():
    assert typed_decimal("12,5") == "12.5"
    assert typed_decimal("1,234.5") == "1,234.5"  # left for the field to refuse


@pytest.mark.parametrize(
    ("template", "value", "language", "shown"),
    [
        ("{{ v|decimal_text }}", "13.40", "fr", "13,40"),
        ("{{ v|decimal_text }}", "13.40", "ar", "13,40"),
        ("{{ v|decimal_text }}", "13.40", "en", "13.40"),
        ("{{ v|decimal_text }}", "ABJ", "fr", "ABJ"),
        ("{{ v|iso_date }}", "1994-05-12", "ar", "12/05/1994"),
        ("{{ v|iso_date }}", "1994", "fr", "1994"),
    ],
)
def test_values_kept_as_text_are_shown_as_the_page_shows_its_own(template, value, language, shown):
    with translation.override(language):
        assert Template("{% load local %}" + template).render(Context({"v": value})) == shown


# --- Spreadsheets --------------------------------------------------------------------------------
def cells(content: bytes, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


@pytest.mark.parametrize(("language", "separator"), [("fr", ";"), ("ar", ";"), ("en", ",")])
def test_a_csv_is_separated_as_excel_expects_it_in_the_readers_language(language, separator):
    with translation.override(language):
        assert csv_separator() == separator
        content = csv_bytes([["Nom", "Note"], ["Bénali", Decimal("12.50")]])
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    mark = "12.50" if language == "en" else "12,50"
    assert cells(content, separator) == [["Nom", "Note"], ["Bénali", mark]]


def test_a_csv_separator_can_be_asked_for():
    with translation.override("fr"):
        assert csv_separator("comma") == ","
        assert csv_separator("semicolon") == ";"
        assert csv_separator("tab; drop table") == ";"  # an unknown choice: the language's
        comma = csv_bytes([[Decimal("12.50"), "a;b"]], sep="comma")
    assert cells(comma, ",") == [["12.50", "a;b"]]  # a point with commas between cells


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_csv_dates_are_local_and_day_first(language):
    with translation.override(language):
        content = csv_bytes([[MOMENT, MOMENT.date()]])
    assert cells(content, ";") == [["01/12/2026 09:30", "01/12/2026"]]


def test_a_streamed_csv_keeps_the_language_it_was_asked_in():
    with translation.override("fr"):
        lines = csv_lines([[translation.gettext_lazy("Status"), Decimal("1.5")]])
    with translation.override("en"):
        text = "".join(lines)  # written later, as a streamed response is
    with translation.override("fr"):
        assert text == "\ufeff" + f"{translation.gettext('Status')};1,5\r\n"


def test_xlsx_dates_are_dates_on_the_clock_of_algiers_in_the_languages_order():
    with translation.override("ar"):
        content = xlsx_bytes([[MOMENT, MOMENT.date(), Decimal("12.5")]])
    row = next(load_workbook(io.BytesIO(content)).active.iter_rows())
    assert row[0].value == dt.datetime(2026, 12, 1, 9, 30)  # noqa: DTZ001 (Excel has no zones)
    assert row[0].number_format == "dd/mm/yyyy hh:mm"
    assert row[1].number_format == "dd/mm/yyyy"
    assert row[2].value == 12.5


@pytest.mark.parametrize(
    ("django", "excel"),
    [
        ("d/m/Y H:i", "dd/mm/yyyy hh:mm"),
        ("d/m/Y", "dd/mm/yyyy"),
        ("d\u200f/m\u200f/Y", "dd/mm/yyyy"),
        ("N j, Y, P", "yyyy-mm-dd hh:mm"),
        ("F Y", "yyyy-mm-dd"),
    ],
)
def test_excel_formats_follow_django_formats(django, excel):
    assert excel_format(django) == excel


# --- Accents -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "plain"),
    [("Bénali", "Benali"), ("BÉNALI", "BENALI"), ("Œuvre", "OEuvre"),
     ("Hénni-Zéroual", "Henni-Zeroual"), ("Amina", "Amina"), ("بن علي", "بن علي"), (None, None)],
)  # fmt: skip
def test_unaccent_drops_the_accents_as_postgresql_does(text, plain):
    assert unaccent(text) == plain


def test_arabic_pages_name_the_months_as_algeria_and_the_documents_do():
    """جانفي, not Django's يناير: the same names as the PDFs (Babel ar_DZ)."""
    import datetime as dt

    from babel.dates import format_date
    from django.utils import formats, translation

    with translation.override("ar"):
        for month in range(1, 13):
            day = dt.date(2027, month, 1)
            assert formats.date_format(day, "DATE_FORMAT") == format_date(
                day, "d MMMM y", locale="ar_DZ"
            ).replace("\u200f", "")
