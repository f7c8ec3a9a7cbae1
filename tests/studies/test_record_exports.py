"""Exports of a cohort: the roster, and the annual and final results as the juries recorded
them (CSV and Excel), in the coordinator's language; other roles get nothing."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.helpers import logged_in
from tests.studies.test_record import decide, mark, semester_jury, year_jury

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_roster_exports_every_student_with_both_scripts(setting):
    client = logged_in(setting["coordinator"])
    url = reverse("studies:cohort", args=[setting["cohort"].slug])
    rows = _csv(client.get(url, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert rows[0][:4] == [
        "Registration number",
        "Surname",
        "Given names",
        "Surname (Arabic script)",
    ]
    numbers = [s.registration_number for s in setting["students"]]
    assert [r[0] for r in rows[1:]] == numbers
    assert all(r[3] for r in rows[1:])  # the seeded students have an Arabic surname
    assert [r[-1] for r in rows[1:]] == ["Active"] * 3
    workbook = _xlsx(client.get(url, {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert [r[0] for r in workbook[1:]] == numbers


def test_the_results_export_reads_the_years_and_the_final_result(setting):
    for semester in (1, 2, 3, 4):
        mark(setting, semester, ["12", "14", "8"])
        decide(setting, semester_jury(setting, semester))
        if semester % 2 == 0:
            decide(setting, year_jury(setting, semester // 2))
    client = logged_in(setting["coordinator"])
    url = reverse("studies:cohort_results", args=[setting["cohort"].slug])
    rows = _xlsx(client.get(url, {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en"))
    header = list(rows[0])
    assert header[:6] == [
        "Registration number",
        "Name",
        "Year 1: average",
        "Year 1: credits",
        "Year 1: decision",
        "Year 1: progression",
    ]
    assert header[-4:] == ["Final average", "Ranking average", "Mention", "Rank"]
    by_number = {r[0]: r for r in rows[1:]}
    good, best, failed = (s.registration_number for s in setting["students"])
    assert by_number[best][2:6] == (14, 60, "Passed", "Passed")  # numbers, not text
    assert by_number[best][-4:] == (14, 14, "Bien", 1)
    assert by_number[good][-1] == 2
    assert by_number[failed][3:5] == (0, "Not passed (ajourné)")
    assert by_number[failed][-4:] == (None, None, None, None)  # no final result: 0 credits
    assert _csv(client.get(url, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en"))[0] == header


@pytest.mark.parametrize("role", ["lecturer", "student", "applicant"])
def test_only_the_coordination_exports_a_cohort(setting, make_user, role):
    client = logged_in(make_user(role))
    for name in ("studies:cohort", "studies:cohort_results"):
        url = reverse(name, args=[setting["cohort"].slug])
        assert client.get(url, {"format": "csv"}).status_code == 403
