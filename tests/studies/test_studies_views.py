from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from studies.models import Mark, MarkSheet, SemesterResult, Session
from studies.services.juries import jury_close, jury_get_or_create
from studies.services.marks import MarkRow, grid_save, grid_submit
from tests.helpers import logged_in
from tests.studies.studies_helpers import EXAMPLE_C, fill

pytestmark = pytest.mark.django_db


def logged(user) -> Client:
    return logged_in(user)  # staff with TOTP pass it in this session


def f111() -> MarkSheet:
    return MarkSheet.objects.get(offering__module__code="F1.1.1", session=Session.NORMAL)


def test_a_lecturer_types_a_grid_with_french_decimal_commas(setting):
    a, b, c = setting["students"]
    client = logged(setting["lecturer"])
    url = reverse("studies:sheet", args=[f111().pk])
    page = client.get(url).content.decode()
    assert a.registration_number in page
    response = client.post(
        url,
        {
            f"cc-{a.pk}": "12",
            f"exam-{a.pk}": "9",
            f"cc-{b.pk}": "15,5",
            f"exam-{b.pk}": "",
            f"absence-{b.pk}": "ABI",
            f"cc-{c.pk}": "",
            f"exam-{c.pk}": "",
        },
    )
    assert response.status_code == 302
    marks = {m.student_id: m.mark for m in Mark.objects.all()}
    assert marks[a.pk] == Decimal("10.20")
    assert marks[b.pk] == Decimal("6.20")


@pytest.mark.parametrize("value", ["21", "-1", "douze", "12.345", "1e3"])
def test_a_bad_cell_gets_a_message_and_nothing_is_saved(setting, value):
    a, b, _ = setting["students"]
    response = logged(setting["lecturer"]).post(
        reverse("studies:sheet", args=[f111().pk]),
        {f"cc-{a.pk}": "12", f"exam-{a.pk}": "9", f"cc-{b.pk}": value, f"exam-{b.pk}": "10"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Rien n&#x27;a été enregistré" in html or "Rien n'a été enregistré" in html
    assert f'id="cc-{b.pk}-error"' in html
    assert f'value="{value}"' in html  # what was typed stays on screen
    assert not Mark.objects.exists()


def test_a_lecturer_cannot_open_another_lecturers_grid(setting, make_user):
    other = MarkSheet.objects.get(offering__module__code="F1.1.2", session=Session.NORMAL)
    assert (
        logged(setting["lecturer"]).get(reverse("studies:sheet", args=[other.pk])).status_code
        == 404
    )
    response = logged(setting["lecturer"]).post(reverse("studies:sheet", args=[other.pk]), {})
    assert response.status_code == 404
    assert not Mark.objects.exists()


def test_submitting_locks_the_grid_for_its_lecturer(setting):
    a, b, c = setting["students"]
    data = {}
    for s in (a, b, c):
        data[f"cc-{s.pk}"], data[f"exam-{s.pk}"] = "12", "12"
    client = logged(setting["lecturer"])
    url = reverse("studies:sheet", args=[f111().pk])
    client.post(url, {**data, "submit": "1", "confirm": "yes"})
    assert f111().status == MarkSheet.Status.SUBMITTED
    response = client.post(url, {**data, f"cc-{a.pk}": "20"})
    assert response.status_code == 400
    assert Mark.objects.get(student=a).cc == Decimal(12)


def _csv(lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "grid.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv"
    )


def test_an_import_lists_every_invalid_row_and_imports_nothing(setting):
    a, b, _ = setting["students"]
    upload = _csv(
        [
            "registration_number;cc;exam;absence;excluded",
            f"{a.registration_number};12;9;;",
            f"{a.registration_number};13;9;;",
            "MCRT-1999-9999;12;9;;",
            f"{b.registration_number};25;9;;",
            f"{b.registration_number.replace('0', 'O')};10;10;XYZ;",
        ]
    )
    response = logged(setting["lecturer"]).post(
        reverse("studies:sheet", args=[f111().pk]), {"file": upload}
    )
    assert response.status_code == 400
    html = response.content.decode()
    for line in (3, 4, 5, 6):
        assert f"Ligne {line}" in html
    assert not Mark.objects.exists()


def test_an_xlsx_import_saves_the_grid_and_the_export_gives_it_back(setting):
    a, b, c = setting["students"]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["registration_number", "name", "cc", "exam", "absence", "excluded"])
    sheet.append([a.registration_number, "", 12, 9, None, None])
    sheet.append([b.registration_number, "", "14,5", 10, "", ""])
    sheet.append([c.registration_number, "", None, None, "ABJ", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("grid.xlsx", buffer.getvalue())
    client = logged(setting["lecturer"])
    response = client.post(reverse("studies:sheet", args=[f111().pk]), {"file": upload})
    assert response.status_code == 302
    assert Mark.objects.get(student=b).mark == Decimal("11.80")
    content = client.get(reverse("studies:sheet_export", args=[f111().pk, "csv"])).content.decode(
        "utf-8-sig"
    )
    assert f"{a.registration_number}" in content
    assert "10.20" in content


def test_a_damaged_workbook_gets_a_message(setting):
    upload = SimpleUploadedFile("grid.xlsx", b"PK\x03\x04 not really a workbook")
    response = logged(setting["lecturer"]).post(
        reverse("studies:sheet", args=[f111().pk]), {"file": upload}
    )
    assert response.status_code == 400
    assert "Excel" in response.content.decode()


def test_the_coordinator_closes_and_publishes_a_jury_and_the_student_sees_the_transcript(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    cohort = setting["cohort"]
    coordinator = logged(setting["coordinator"])
    url = reverse("studies:jury", args=[cohort.slug, 1, "N"])
    page = coordinator.get(url).content.decode()
    assert "11.06" in page or "11,06" in page
    student = setting["students"][0]
    student_client = logged(student.user)
    assert "Aucun résultat" in student_client.get(reverse("studies:my_programme")).content.decode()
    confirm = {"confirm": "yes"}
    coordinator.post(reverse("studies:jury_action", args=[cohort.slug, 1, "N", "close"]), confirm)
    assert SemesterResult.objects.count() == 3
    coordinator.post(reverse("studies:jury_action", args=[cohort.slug, 1, "N", "publish"]), confirm)
    html = student_client.get(reverse("studies:my_programme")).content.decode()
    assert "Admis par compensation" in html
    assert "30 sur 120" in html
    export = coordinator.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert student.registration_number in export
    response = coordinator.post(
        reverse("studies:jury_action", args=[cohort.slug, 1, "N", "reopen"]),
        {"reason": ""},
        follow=True,
    )
    assert "Indiquez pourquoi" in response.content.decode()


def test_reopening_a_jury_long_after_the_log_in_asks_for_the_code_again(setting):
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    from studies.models import Jury
    from tests.helpers import mfa_login, pass_mfa

    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    cohort = setting["cohort"]
    client = Client()
    mfa_login(client, setting["coordinator"])
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= 600  # logged in ten minutes ago
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
    close = reverse("studies:jury_action", args=[cohort.slug, 1, "N", "close"])
    response = client.post(close, {"confirm": "yes"})
    assert response["Location"] == reverse("studies:jury", args=[cohort.slug, 1, "N"])
    jury = Jury.objects.get(cohort=cohort, semester=1, session="N")
    assert jury.status == Jury.Status.CLOSED  # closing is not one of the dangerous actions

    reopen = reverse("studies:jury_action", args=[cohort.slug, 1, "N", "reopen"])
    response = client.post(reopen, {"reason": "Erreur de saisie en F1.1.1"})
    assert response["Location"].startswith(reverse("account_reauthenticate") + "?next=")
    assert Jury.objects.get(pk=jury.pk).status == Jury.Status.CLOSED
    pass_mfa(client, setting["coordinator"])  # the code instead of the password
    response = client.post(reopen, {"reason": "Erreur de saisie en F1.1.1"})
    assert response["Location"] == reverse("studies:jury", args=[cohort.slug, 1, "N"])
    assert Jury.objects.get(pk=jury.pk).status == Jury.Status.REOPENED


def test_closing_twice_from_the_page_says_so(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    cohort = setting["cohort"]
    jury_close(
        jury=jury_get_or_create(cohort=cohort, semester=1, session="N"),
        actor=setting["coordinator"],
    )
    response = logged(setting["coordinator"]).post(
        reverse("studies:jury_action", args=[cohort.slug, 1, "N", "close"]), follow=True
    )
    assert "déjà clôturé" in response.content.decode()


def test_an_unknown_jury_is_a_404(setting):
    client = logged(setting["coordinator"])
    assert (
        client.get(reverse("studies:jury", args=[setting["cohort"].slug, 9, "N"])).status_code
        == 404
    )
    assert client.get("/staff/cohorts/nope/juries/1/N/").status_code == 404


def test_the_grid_page_query_count_does_not_grow_with_students(
    setting, django_assert_max_num_queries
):
    a, b, c = setting["students"]
    grid_save(
        sheet=f111(),
        actor=setting["coordinator"],
        rows=[MarkRow(s.pk, Decimal(12), Decimal(12)) for s in (a, b, c)],
    )
    grid_submit(sheet=f111(), actor=setting["coordinator"])
    client = logged(setting["coordinator"])
    with django_assert_max_num_queries(15):
        client.get(reverse("studies:sheet", args=[f111().pk]))


@pytest.mark.parametrize("persona", ["applicant", "student", "lecturer"])
def test_other_roles_cannot_reach_a_grid_or_a_jury(setting, persona_client, persona):
    client = persona_client(persona)
    assert client.get(reverse("studies:sheet", args=[f111().pk])).status_code in (403, 404)
    url = reverse("studies:jury", args=[setting["cohort"].slug, 1, "N"])
    assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("studies:jury_action", args=[setting["cohort"].slug, 1, "N", "close"])
        ).status_code
        == 403
    )


def test_the_sheet_shows_the_history_of_its_marks(setting):
    a = setting["students"][0]
    grid_save(
        sheet=f111(), actor=setting["lecturer"], rows=[MarkRow(a.pk, Decimal(12), Decimal(9))]
    )
    grid_save(
        sheet=f111(), actor=setting["lecturer"], rows=[MarkRow(a.pk, Decimal(12), Decimal(10))]
    )
    html = (
        logged(setting["lecturer"]).get(reverse("studies:sheet", args=[f111().pk])).content.decode()
    )
    # As the page writes every mark: with the French decimal comma.
    assert "10,20" in html
    assert "10,80" in html


def test_a_jury_for_a_semester_without_modules_says_so(make_user):
    from tests.factories.enrollment import CohortFactory

    cohort = CohortFactory.create()
    client = logged(make_user("coordinator"))
    response = client.get(reverse("studies:jury", args=[cohort.slug, 1, "N"]))
    assert response.status_code == 200
    assert "aucune matière au semestre 1" in response.content.decode()
    close = reverse("studies:jury_action", args=[cohort.slug, 1, "N", "close"])
    response = client.post(close, {"confirm": "yes"}, follow=True)
    assert "aucune matière au semestre 1" in response.content.decode()
