from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from enrollment.models import ApplicantProfile, Application, Offer
from enrollment.services.applications import application_start, application_submit
from enrollment.services.decisions import Decision, decide
from enrollment.services.review import reviewer_assign
from tests.factories.enrollment import (
    IntakeFactory,
    complete_profile,
    make_decidable,
    ready_application,
)
from tests.factories.partners import pdf_upload
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def logged(user) -> Client:
    return logged_in(user)  # staff with TOTP pass it in this session


@pytest.fixture
def intake():
    return IntakeFactory.create()


def submitted(make_user, intake, **profile):
    user = make_user()
    application = ready_application(user, intake)
    if profile:
        complete_profile(user, **profile)
    application_submit(application=application, actor=user)
    application.refresh_from_db()
    return application


def test_a_visitor_who_wants_to_apply_is_sent_to_sign_up_and_back(client, intake):
    response = client.get(reverse("enrollment:apply", args=[intake.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_signup"))
    page = client.get(reverse("enrollment:intake", args=[intake.slug])).content.decode()
    assert "Créer un compte pour candidater" in page


def test_an_applicant_goes_through_the_steps_and_submits(
    make_user, intake, django_capture_on_commit_callbacks
):
    user = make_user()
    client = logged(user)
    response = client.post(reverse("enrollment:apply", args=[intake.slug]))
    application = Application.objects.get(applicant=user)
    assert response["Location"] == reverse("enrollment:step", args=[application.number, "profile"])
    profile = {
        "surname_latin": "Haddad",
        "given_names_latin": "Sofiane",
        "surname_ar": "حداد",
        "given_names_ar": "سفيان",
        "birth_date": "",
        "birth_date_presumed": "on",
        "birth_year": "1987",
        "birth_place_latin": "Biskra",
        "birth_place_ar": "بسكرة",
        "nationality": "DZ",
        "nin": "119870000000000001",
        "phone": "0550 00 00 00",
        "address": "Cité 500 logements, Biskra",
        "wilaya": "Biskra",
        "sector": "agro_food",
        "consent": "on",
    }
    step = reverse("enrollment:step", args=[application.number, "profile"])
    assert client.post(step, profile)["Location"].endswith("/step/education/")
    step = reverse("enrollment:step", args=[application.number, "education"])
    client.post(
        step,
        {
            "section": "education",
            "edu-degree": "engineer",
            "edu-field": "Agronomie",
            "edu-institution": "ENSA",
            "edu-year": "2010",
            "edu-average": "12.5",
        },
    )
    assert ApplicantProfile.objects.get(user=user).education.count() == 1
    step = reverse("enrollment:step", args=[application.number, "motivation"])
    client.post(
        step,
        {
            "motivation": "<b>Développer</b> la filière dattes",
            "project": "Cluster dattes",
            "financing": "self",
        },
    )
    step = reverse("enrollment:step", args=[application.number, "documents"])
    for requirement in intake.requirements.filter(required=True):
        response = client.post(step, {"requirement": requirement.pk, "file": pdf_upload()})
        assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrollment:submit", args=[application.number]))
    assert response["Location"] == reverse("enrollment:application", args=[application.number])
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.snapshot["birth_year"] == 1987
    assert application.snapshot["birth_date_presumed"] is True
    # A double click: the second submission says so, changes nothing.
    response = client.post(reverse("enrollment:submit", args=[application.number]), follow=True)
    assert "déjà été soumise" in response.content.decode()
    page = client.get(reverse("enrollment:application", args=[application.number])).content.decode()
    assert "Soumise" in page


def test_a_malformed_nin_gets_a_message_on_its_field(make_user, intake):
    user = make_user()
    application = application_start(applicant=user, intake=intake)
    response = logged(user).post(
        reverse("enrollment:step", args=[application.number, "profile"]),
        {"nationality": "DZ", "nin": "12-34", "consent": "on", "birth_date": "31/02/1990"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_nin_error"' in html
    assert "18 chiffres" in html
    assert 'id="id_birth_date_error"' in html
    assert ApplicantProfile.objects.get(user=user).nin == ""


def test_a_bad_upload_gets_a_message_and_nothing_is_stored(make_user, intake):
    user = make_user()
    application = application_start(applicant=user, intake=intake)
    cv = intake.requirements.get(kind="cv")
    response = logged(user).post(
        reverse("enrollment:step", args=[application.number, "documents"]),
        {"requirement": cv.pk, "file": SimpleUploadedFile("cv.pdf", b"<html>not a pdf</html>")},
    )
    assert response.status_code == 400
    assert "pas un document PDF" in response.content.decode()
    assert not application.documents.exists()


def test_submitting_an_incomplete_application_lists_what_is_missing(make_user, intake):
    user = make_user()
    application = application_start(applicant=user, intake=intake)
    response = logged(user).post(
        reverse("enrollment:submit", args=[application.number]), follow=True
    )
    html = response.content.decode()
    assert "Document manquant" in html
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


@pytest.mark.parametrize(
    "name",
    [
        "enrollment:application",
        "enrollment:submit",
        "enrollment:withdraw",
        "document",
        "offer",
        "step",
    ],
)
def test_another_applicants_application_is_a_404_not_a_403(make_user, intake, name):
    owner, intruder = make_user(), make_user()
    application = ready_application(owner, intake)
    document = application.documents.first()
    assert document is not None
    client = logged(intruder)
    if name == "document":
        response = client.get(
            reverse("enrollment:document", args=[application.number, document.pk])
        )
    elif name == "offer":
        response = client.post(
            reverse("enrollment:offer_answer", args=[application.number, "accept"])
        )
    elif name == "step":
        response = client.get(reverse("enrollment:step", args=[application.number, "profile"]))
    elif name == "enrollment:application":
        response = client.get(reverse(name, args=[application.number]))
    else:
        response = client.post(reverse(name, args=[application.number]))
    assert response.status_code == 404


def test_the_applicant_downloads_their_own_document_privately(make_user, intake):
    user = make_user()
    application = ready_application(user, intake)
    document = application.documents.first()
    assert document is not None
    response = logged(user).get(
        reverse("enrollment:document", args=[application.number, document.pk])
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    chunks = response.streaming_content  # type: ignore[attr-defined]
    assert b"".join(chunks).startswith(b"%PDF-")


def test_the_applicant_accepts_the_offer_from_the_status_page(make_user, intake):
    coordinator = make_user("coordinator")
    application = make_decidable(submitted(make_user, intake), coordinator=coordinator)
    decide(applications=[application], actor=coordinator, decision=Decision.ADMIT)
    client = logged(application.applicant)
    page = client.get(reverse("enrollment:application", args=[application.number])).content.decode()
    assert "Accepter ma place" in page
    accept = reverse("enrollment:offer_answer", args=[application.number, "accept"])
    response = client.post(accept, {"confirm": "yes"}, follow=True)
    assert "MCRT-" in response.content.decode()
    assert Offer.objects.get().status == Offer.Status.ACCEPTED
    again = client.post(accept, {"confirm": "yes"}, follow=True)
    assert "déjà accepté" in again.content.decode()


def test_my_data_is_a_zip_with_json_and_files(make_user, intake):
    application = submitted(make_user, intake)
    response = logged(application.applicant).get(reverse("enrollment:my_data"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == application.applicant.email
    assert data["applications"][0]["number"] == application.number
    assert data["profile"]["surname_ar"] == "بن علي"
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 2
    assert archive.read(pdfs[0]).startswith(b"%PDF-")


def test_the_coordinators_list_filters_sorts_and_shows_script_escaped(make_user, intake):
    first = submitted(make_user, intake, sector="agro_food", wilaya="Sétif")
    Application.objects.filter(pk=first.pk).update(
        motivation="<script>alert(1)</script>", final_score=Decimal("15")
    )
    second = submitted(make_user, intake, sector="digital", wilaya="Oran")
    Application.objects.filter(pk=second.pk).update(final_score=Decimal("17"))
    client = logged(make_user("coordinator"))
    url = reverse("enrollment:staff_applications")
    html = client.get(url, {"sector": "agro_food"}).content.decode()
    assert first.number in html
    assert second.number not in html
    html = client.get(url, {"sort": "-final_score"}).content.decode()
    assert html.index(second.number) < html.index(first.number)
    html = client.get(url, {"q": second.number}).content.decode()
    assert second.number in html
    assert first.number not in html
    detail = client.get(
        reverse("enrollment:staff_application", args=[first.number])
    ).content.decode()
    assert "<script>alert(1)</script>" not in detail
    assert "&lt;script&gt;" in detail
    assert (
        client.get(url, {"score_min": "abc", "status": "nonsense", "page": "999"}).status_code
        == 200
    )


def test_the_list_query_count_does_not_grow_with_the_number_shown(
    make_user, intake, django_assert_max_num_queries
):
    client = logged(make_user("coordinator"))
    for _ in range(2):
        submitted(make_user, intake)
    url = reverse("enrollment:staff_applications")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(6):
        submitted(make_user, intake)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_list_exports_as_csv_and_xlsx(make_user, intake):
    application = submitted(make_user, intake)
    Application.objects.filter(pk=application.pk).update(full_name="=cmd|' /C calc'!A0")
    client = logged(make_user("coordinator"))
    response = client.get(reverse("enrollment:staff_applications"), {"format": "csv"})
    chunks = response.streaming_content  # type: ignore[attr-defined]
    content = b"".join(chunks).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))  # French: Excel's ";"
    assert rows[1][0] == application.number
    assert rows[1][1].startswith("'=")
    response = client.get(reverse("enrollment:staff_applications"), {"format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == application.number


def test_the_dashboard_shows_the_funnel(make_user, intake):
    coordinator = make_user("coordinator")
    applications = [submitted(make_user, intake) for _ in range(3)]
    make_decidable(applications[0], coordinator=coordinator)
    decide(applications=applications[:1], actor=coordinator, decision=Decision.ADMIT)
    html = (
        logged(make_user("coordinator")).get(reverse("enrollment:staff_dashboard")).content.decode()
    )
    assert "<svg" in html
    assert 'data-testid="funnel"' in html


def test_a_coordinator_rejecting_a_document_without_reason_gets_a_message(make_user, intake):
    application = submitted(make_user, intake)
    document = application.documents.first()
    assert document is not None
    client = logged(make_user("coordinator"))
    response = client.post(
        reverse("enrollment:staff_action", args=[application.number, "document"]),
        {"document": document.pk, "accept": "0", "reason": ""},
    )
    assert response.status_code == 400
    document.refresh_from_db()
    assert document.status == "provided"


def test_a_reviewer_sees_only_the_applications_assigned_to_them(make_user, intake):
    application = submitted(make_user, intake)
    other = submitted(make_user, intake)
    lecturer = make_user("lecturer")
    reviewer_assign(application=application, actor=make_user("coordinator"), reviewer=lecturer)
    client = logged(lecturer)
    assert (
        client.get(reverse("enrollment:staff_application", args=[application.number])).status_code
        == 200
    )
    assert (
        client.get(reverse("enrollment:staff_application", args=[other.number])).status_code == 404
    )
    response = client.post(
        reverse("enrollment:staff_action", args=[application.number, "review"]),
        {"academic": "15", "experience": "12", "motivation": "14", "comment": "Solide"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.dossier_score == Decimal("13.90")  # 0.5×15 + 0.3×12 + 0.2×14
    # A reviewer cannot decide.
    response = client.post(
        reverse("enrollment:staff_action", args=[application.number, "decide"]),
        {"decision": "admit"},
    )
    assert response.status_code == 403


def test_bulk_admission_beyond_the_seats_says_how_many_are_left(make_user):
    from tests.factories.enrollment import CohortFactory

    intake = IntakeFactory.create(cohort=CohortFactory.create(seats=1))
    coordinator = make_user("coordinator")
    applications = [
        make_decidable(submitted(make_user, intake), coordinator=coordinator) for _ in range(2)
    ]
    client = logged(coordinator)
    response = client.post(
        reverse("enrollment:staff_bulk"),
        {"action": "admit", "selected": [a.pk for a in applications]},
        follow=True,
    )
    assert "1 place" in response.content.decode()
    assert not Offer.objects.exists()


def test_the_list_query_count_does_not_grow_with_the_page_size(
    make_user, intake, django_assert_num_queries
):
    client = logged(make_user("coordinator"))
    for _ in range(25):
        submitted(make_user, intake)
    url = reverse("enrollment:staff_applications")
    counts = []
    for size in (20, 100):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url, {"per_page": size, "sort": "-final_score"}).content.decode()
        counts.append(len(ctx.captured_queries))
        assert html.count('name="selected"') == min(size, 25)
    assert counts[0] == counts[1]


def test_a_reviewer_who_declares_a_conflict_of_interest_loses_the_documents_and_scores(
    make_user, intake, django_capture_on_commit_callbacks
):
    application = submitted(make_user, intake)
    coordinator = make_user("coordinator")
    honest, conflicted = make_user("lecturer"), make_user("lecturer")
    for reviewer in (honest, conflicted):
        reviewer_assign(application=application, actor=coordinator, reviewer=reviewer)
    from enrollment.services.review import review_save

    review_save(
        review=application.reviews.get(reviewer=honest),
        actor=honest,
        academic=Decimal("14"),
        experience=Decimal("12"),
        motivation=Decimal("17.5"),
    )
    document = application.documents.first()
    detail = reverse("enrollment:staff_application", args=[application.number])
    download = reverse("enrollment:staff_document", args=[application.number, document.pk])
    client = logged(conflicted)
    assert client.get(download).status_code == 200  # before: an assigned reviewer reads it

    response = client.post(
        reverse("enrollment:staff_action", args=[application.number, "review"]),
        {"conflict_of_interest": "on"},
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "les pièces de cette candidature ne vous sont plus montrées" in page
    assert "17,5" not in page  # the other reviewer's score (French decimals)
    assert download not in page
    assert client.get(download).status_code == 404
    # Declared once, it stands: scoring afterwards is refused.
    response = client.post(
        reverse("enrollment:staff_action", args=[application.number, "review"]),
        {"academic": "10", "experience": "10", "motivation": "10"},
    )
    assert application.reviews.get(reviewer=conflicted).academic is None
    # The coordinator still sees everything.
    coordinator_page = logged(coordinator).get(detail).content.decode()
    assert download in coordinator_page


def test_a_coordinator_opening_a_draft_application_sees_it_without_an_error(make_user, intake):
    applicant = make_user()
    complete_profile(applicant)
    draft = application_start(applicant=applicant, intake=intake)
    response = logged(make_user("coordinator")).get(
        reverse("enrollment:staff_application", args=[draft.number])
    )
    assert response.status_code == 200
    assert "Cette candidature est un brouillon" in response.content.decode()


@pytest.mark.parametrize("action", ["document", "eligibility", "assign", "shortlist", "decide"])
def test_a_reviewer_posting_a_coordinators_action_is_refused_before_the_form_is_read(
    make_user, intake, action
):
    application = submitted(make_user, intake)
    reviewer = make_user("lecturer")
    reviewer_assign(application=application, actor=make_user("coordinator"), reviewer=reviewer)
    response = logged(reviewer).post(
        reverse("enrollment:staff_action", args=[application.number, action]), {}
    )
    assert response.status_code == 403
