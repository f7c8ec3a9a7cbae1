"""What the grid parser (studies/grids.py) does with bad input, shared by the web grid and
``marks_import``: every problem is a translated message, never a 500, and nothing is stored;
and the grid page loads its keyboard script from the site itself (no inline script)."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core import spreadsheets
from studies import grids
from studies.models import Mark, MarkChange, MarkSheet, Session
from tests.factories.spreadsheets import xlsx_bytes
from tests.helpers import logged_in
from tests.studies.studies_helpers import make_setting


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- parse_mark -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "mark"),
    [
        ("", None),
        ("  ", None),
        (None, None),
        ("12", Decimal("12")),
        ("12,5", Decimal("12.5")),
        (" 13.25 ", Decimal("13.25")),
        ("١٢٫٥", Decimal("12.5")),  # Arabic-Indic digits and decimal separator
        ("0", Decimal("0")),
        ("-0", Decimal("0")),
        ("20", Decimal("20")),
        ("12.500", Decimal("12.50")),
        ("2E+1", Decimal("20")),
        (12.5, Decimal("12.5")),
        (14, Decimal("14")),
    ],
)
def test_a_mark_is_read_as_typed(typed, mark):
    value = grids.parse_mark(typed)
    assert value == mark
    if value is not None:
        assert not value.is_signed()
        assert -2 <= value.as_tuple().exponent <= 0  # type: ignore[operator]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("douze", "“douze” is not a mark."),
        ("12/20", "“12/20” is not a mark."),
        ("1" * 400, f"“{'1' * 20}” is not a mark."),
        ("1e-99999999999999999999", "“1e-99999999999999999” is not a mark."),
        ("1e-999", "A mark has two decimals at most."),
        ("20.01", "A mark is between 0 and 20."),
        ("-1", "A mark is between 0 and 20."),
        ("1e9", "A mark is between 0 and 20."),
        ("NaN", "“NaN” is not a mark."),
        ("sNaN", "“sNaN” is not a mark."),
        ("-Infinity", "“-Infinity” is not a mark."),
        ("12.345", "A mark has two decimals at most."),
        (0.1 + 0.2, "A mark has two decimals at most."),
    ],
)
def test_a_bad_mark_is_a_value_error_with_a_message(typed, message):
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        grids.parse_mark(typed)
    assert type(caught.value) is ValueError
    assert str(caught.value) == message


# --- read_upload ----------------------------------------------------------------------------
def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.csv", b"Dear colleague,\nthe marks follow.\n", "The first line must name"),
        ("notes.txt", b"just words\n", "The first line must name"),
        ("random.csv", bytes(range(256)) * 16, "This is not a text (CSV) file."),
        ("utf16.csv", "registration_number,cc,exam\n".encode("utf-16"), "not a text (CSV)"),
        ("empty.csv", b"", "The file is empty."),
        ("blank.csv", b" \n\n ,, \n", "The file is empty."),
        ("broken.xlsx", b"PK\x03\x04\x14\x00garbage", "not a readable Excel workbook"),
        ("text.xlsx", b"registration_number,cc,exam\nA,1,2\n", "not a readable Excel workbook"),
        ("cut.xlsx", xlsx_bytes([["registration_number", "cc", "exam"]])[:300], "Excel"),
        ("marks.pdf", b"%PDF-1.7\n...", "PDF"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
        ("columns.csv", b"matricule,cc,examen\nA,1,2\n", "registration_number, exam"),
        ("header.csv", b"registration_number;cc;exam\n", "no row under its header line"),
    ],
)
def test_a_file_that_is_not_a_grid_is_refused_whole(name, content, message):
    with pytest.raises(spreadsheets.SpreadsheetError) as caught:
        grids.read_upload(upload(name, content))
    assert message in str(caught.value)


def test_an_unforeseen_reader_failure_is_a_message_too(monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyError("a damaged file meets a reader's bug")

    monkeypatch.setattr(spreadsheets, "read_records", broken)
    with pytest.raises(spreadsheets.SpreadsheetError) as caught:
        grids.read_upload(upload("grid.csv", b"registration_number,cc,exam\n"))
    assert str(caught.value).startswith("This file cannot be read.")


@pytest.mark.parametrize(
    "content",
    [
        b"registration_number,cc,exam\nA1,12.5,14\n",
        b"registration_number;cc;exam\nA1;12,5;14\n",  # French Excel
        "\ufeffRegistration_Number ; CC ; Exam\r\nA1 ; 12,5 ; 14\r\n".encode(),
        b"registration_number\tcc\texam\nA1\t12.5\t14\n",
        "registration_number;name;cc;exam\nA1;Hélène;12,5;14\n".encode("cp1252"),
    ],
)
def test_comma_semicolon_and_tab_separated_grids_are_read(content):
    students = [SimpleNamespace(pk=1, registration_number="A1")]
    parsed = grids.parse_table(grids.read_upload(upload("grid.csv", content)), students)  # type: ignore[arg-type]
    assert parsed.errors == []
    assert [(r.student_id, r.cc, r.exam) for r in parsed.rows] == [
        (1, Decimal("12.5"), Decimal("14"))
    ]


# --- parse_table ----------------------------------------------------------------------------
def test_every_bad_row_of_a_file_is_listed_with_its_line():
    students = [SimpleNamespace(pk=pk, registration_number=f"A{pk}") for pk in (1, 2, 3)]
    records = [
        {"registration_number": "A1", "cc": "12", "exam": "14"},
        {"registration_number": "A9", "cc": "12", "exam": "14"},
        {"registration_number": "", "cc": "12", "exam": "14"},
        {"registration_number": "A1", "cc": "12", "exam": "14"},
        {"registration_number": "A2", "cc": "21", "exam": "x"},
        {"registration_number": "A3", "cc": "1", "exam": "2", "absence": "ill"},
    ]
    parsed = grids.parse_table(records, students)  # type: ignore[arg-type]
    assert parsed.errors == [
        "Line 3: A9 is not on this grid.",
        "Line 4: the registration number is missing.",
        "Line 5: A1 appears twice.",
        "Line 6: A mark is between 0 and 20.",
        "Line 6: “x” is not a mark.",
        "Line 7: unknown absence code “ILL” (ABJ, ABI or empty).",
    ]
    assert [r.student_id for r in parsed.rows] == [1]


def test_a_whole_number_read_from_excel_matches_a_registration_number():
    students = [SimpleNamespace(pk=1, registration_number="20250001")]
    records = [{"registration_number": 20250001.0, "cc": 12, "exam": 13.5}]
    parsed = grids.parse_table(records, students)  # type: ignore[arg-type]
    assert parsed.errors == []
    assert parsed.rows[0].exam == Decimal("13.5")


# --- Through the web page --------------------------------------------------------------------
@pytest.fixture
def grid(make_user) -> dict[str, Any]:
    setting = make_setting(make_user)
    client = logged_in(setting["lecturer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sheet = MarkSheet.objects.get(offering__module__code="F1.1.1", session=Session.NORMAL)
    return {
        **setting,
        "client": client,
        "sheet": sheet,
        "url": reverse("studies:sheet", args=[sheet.pk]),
    }


def post_file(grid: dict[str, Any], name: str, content: bytes):
    client: Client = grid["client"]
    return client.post(grid["url"], {"file": SimpleUploadedFile(name, content)})


def errors_of(response) -> str:
    html = response.content.decode()
    return html.split('<div class="message error" role="alert">', 1)[1].split("</div>", 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("marks.csv", b"Hello, this is a plain text file.\nNothing else.\n", "The first line"),
        ("marks.txt", b"plain text without any separator\n", "The first line"),
        ("marks.csv", bytes(range(256)) * 16, "This is not a text (CSV) file."),
        ("marks.xlsx", b"PK\x03\x04 corrupt", "The file is not a readable Excel workbook."),
        ("marks.csv", b"nom;note\nAmina;12\n", "registration_number, cc, exam"),
    ],
)
def test_a_file_that_is_not_a_grid_gets_its_message_on_the_page(grid, name, content, message):
    response = post_file(grid, name, content)
    assert response.status_code != 500
    # The grid page answers a refused import with its form again: 400, the message shown
    # next to the file field and in the list of problems.
    assert response.status_code == 400
    assert message in errors_of(response)
    assert 'id="file-error"' in response.content.decode()
    assert not Mark.objects.exists()


@pytest.mark.django_db
def test_bad_rows_get_one_message_each_and_nothing_is_stored(grid):
    a, b, c = grid["students"]
    content = "\n".join(
        [
            "registration_number;name;cc;exam;absence;excluded;mark",
            f"{a.registration_number};A;12,5;14;;;",
            f"{b.registration_number};B;25;14;;;",
            "MCRT-0000-9999;Nobody;12;14;;;",
            f"{a.registration_number};A;12;14;;;",
            f"{c.registration_number};C;12,333;14;;;",
        ]
    ).encode()
    response = post_file(grid, "marks.csv", content)
    assert response.status_code == 400
    errors = errors_of(response)
    for line in (
        "Line 3: A mark is between 0 and 20.",
        "Line 4: MCRT-0000-9999 is not on this grid.",
        f"Line 5: {a.registration_number} appears twice.",
        "Line 6: A mark has two decimals at most.",
    ):
        assert line in errors
    assert not Mark.objects.exists()
    assert not MarkChange.objects.exists()


@pytest.mark.django_db
def test_a_french_excel_csv_is_imported_through_the_page(grid):
    content = "registration_number;cc;exam\n" + "".join(
        f"{s.registration_number};12,5;14\n" for s in grid["students"]
    )
    response = post_file(grid, "marks.csv", content.encode("cp1252"))
    assert response.status_code == 302
    assert {m.cc for m in Mark.objects.all()} == {Decimal("12.50")}


@pytest.mark.django_db
def test_a_typed_grid_with_bad_cells_shows_them_and_stores_nothing(grid):
    a, b, c = grid["students"]
    response = grid["client"].post(
        grid["url"],
        {
            f"cc-{a.pk}": "12",
            f"exam-{a.pk}": "1e-99999999999999999999",
            f"cc-{b.pk}": "NaN",
            f"exam-{b.pk}": "20,5",
            f"cc-{c.pk}": "1" * 5000,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="exam-{a.pk}-error"' in html
    assert f'id="cc-{b.pk}-error"' in html
    assert f'id="cc-{c.pk}-error"' in html
    assert not Mark.objects.exists()


@pytest.mark.django_db
def test_the_grid_page_loads_its_keyboard_script_under_the_csp(grid):
    response = grid["client"].get(grid["url"])
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/js/grid.js" defer></script>' in html
    assert "<script>" not in html  # no inline script
    assert " onkeydown=" not in html
    assert " onpaste=" not in html
    assert '<table class="table grid" data-grid>' in html
    a = grid["students"][0]
    assert f'id="cc-{a.pk}" data-col="cc"' in html
    assert f'id="exam-{a.pk}" data-col="exam"' in html
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    # The history of the marks is on the page, not in its <title>.
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "History" not in title
    assert "<h2>History of the marks</h2>" in html
    assert (settings.BASE_DIR / "static" / "js" / "grid.js").is_file()
