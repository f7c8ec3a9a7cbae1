"""Private files: a replaced file is deleted once the change commits and no row names it;
downloads are named by the server, with the extension of the checked content."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from core.storage import delete_when_unreferenced
from enrollment.models import ApplicationDocument
from enrollment.services.applications import application_start, document_upload
from partners.services import agreement_save
from studies.models import Defence, Internship
from studies.services import internships
from tests.factories.enrollment import IntakeFactory
from tests.factories.partners import AgreementFactory, pdf_upload, png_upload
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def files(root: Path, folder: str) -> list[str]:
    return sorted(p.name for p in (root / "private" / folder).rglob("*") if p.is_file())


@pytest.fixture
def internship(setting):
    item = Internship(
        student=setting["students"][0],
        host_name="Entreprise membre du cluster numérique",
        subject="Feuille de route du cluster",
        starts_on=dt.date(2027, 2, 1),
        ends_on=dt.date(2027, 6, 14),
        host_tutor="Mme Tutrice",
        supervisor=setting["lecturer"],
    )
    return internships.internship_save(
        internship=item, actor=setting["coordinator"], agreement=pdf_upload()
    )


def test_a_replaced_internship_agreement_is_deleted_after_the_commit(
    internship, setting, tmp_path, django_capture_on_commit_callbacks
):
    first = Path(internship.agreement_pdf.path).name
    assert files(tmp_path, "internships") == [first]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        saved = internships.internship_save(
            internship=Internship.objects.get(pk=internship.pk),
            actor=setting["coordinator"],
            agreement=pdf_upload("v2.pdf"),
        )
    second = Path(saved.agreement_pdf.path).name
    assert sorted([first, second]) == files(tmp_path, "internships")  # not before the commit
    for callback in callbacks:
        callback()
    assert files(tmp_path, "internships") == [second]
    # Saving without a new agreement keeps the one on file.
    with django_capture_on_commit_callbacks(execute=True):
        internships.internship_save(
            internship=Internship.objects.get(pk=internship.pk), actor=setting["coordinator"]
        )
    assert files(tmp_path, "internships") == [second]


def test_a_replaced_thesis_is_deleted_after_the_commit_and_one_file_remains(
    internship, setting, tmp_path, django_capture_on_commit_callbacks
):
    defence = Defence.objects.get(internship=internship)
    student = setting["students"][0].user
    with django_capture_on_commit_callbacks(execute=True):
        for version in range(3):
            internships.thesis_upload(
                defence=Defence.objects.get(pk=defence.pk),
                actor=student,
                upload=pdf_upload(f"memoire-v{version}.pdf"),
            )
    defence.refresh_from_db()
    assert files(tmp_path, "theses") == [Path(defence.thesis.path).name]


def test_a_file_that_another_row_still_names_is_kept(
    internship, setting, tmp_path, django_capture_on_commit_callbacks
):
    name = internship.agreement_pdf.name
    storage = internship.agreement_pdf.storage
    with django_capture_on_commit_callbacks(execute=True):
        delete_when_unreferenced(storage, name)
    assert (tmp_path / "private" / name).exists()
    Internship.objects.filter(pk=internship.pk).update(agreement_pdf="")
    with django_capture_on_commit_callbacks(execute=True):
        delete_when_unreferenced(storage, name)
    assert not (tmp_path / "private" / name).exists()


def test_a_replaced_application_document_is_deleted_after_the_commit(
    make_user, tmp_path, django_capture_on_commit_callbacks
):
    user = make_user()
    application = application_start(applicant=user, intake=IntakeFactory.create())
    cv = application.intake.requirements.get(kind="cv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document_upload(application=application, actor=user, requirement=cv, upload=pdf_upload())
        document_upload(application=application, actor=user, requirement=cv, upload=pdf_upload())
    assert len(files(tmp_path, "applications")) == 2
    for callback in callbacks:
        callback()
    document = ApplicationDocument.objects.get()
    assert files(tmp_path, "applications") == [Path(document.file.name or "").name]


def attachment_name(response) -> str:
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    return disposition.split('filename="', 1)[1].rstrip('"')


def test_a_document_downloads_under_a_server_name_with_the_extension_of_its_content(make_user):
    user = make_user()
    application = application_start(applicant=user, intake=IntakeFactory.create())
    cv = application.intake.requirements.get(kind="cv")
    photo = application.intake.requirements.get(kind="photo")
    pdf = document_upload(
        application=application, actor=user, requirement=cv, upload=pdf_upload("cv.pdf.html")
    )
    image = document_upload(
        application=application, actor=user, requirement=photo, upload=png_upload("me.pdf")
    )
    assert pdf.original_name == "cv.pdf.html"  # shown on the page as the applicant named it
    client = logged_in(user)
    for document, expected in ((pdf, f"cv-{pdf.pk}.pdf"), (image, f"photo-{image.pk}.png")):
        url = reverse("enrollment:document", args=[application.number, document.pk])
        response = client.get(url)
        assert attachment_name(response) == expected
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == document.content_type


def test_a_signed_agreement_downloads_under_a_server_name(make_user):
    agreement = AgreementFactory.create()
    agreement_save(
        agreement=agreement,
        parties=list(agreement.parties.all()),
        signed_pdf=pdf_upload("Convention.pdf.exe"),
    )
    response = logged_in(make_user("coordinator")).get(
        reverse("partners:agreement_pdf", args=[agreement.pk])
    )
    assert attachment_name(response) == f"agreement-{agreement.pk}.pdf"
