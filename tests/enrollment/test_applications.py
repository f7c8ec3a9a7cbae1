"""The applicant's side: drafts, documents, submission and its refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from enrollment.models import ApplicantProfile, Application, ApplicationDocument
from enrollment.services.applications import (
    application_start,
    application_submit,
    application_withdraw,
    document_upload,
)
from enrollment.services.profiles import profile_save
from enrollment.services.review import document_review
from tests.factories.enrollment import IntakeFactory, complete_profile, ready_application
from tests.factories.partners import pdf_bytes, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_numbers_are_readable_unique_and_follow_each_other(make_user):
    intake = IntakeFactory.create()
    first = application_start(applicant=make_user(), intake=intake)
    second = application_start(applicant=make_user(), intake=intake)
    year = intake.opens_at.year
    assert first.number == f"APP-{year}-0001"
    assert second.number == f"APP-{year}-0002"


def test_starting_twice_returns_the_same_draft(make_user):
    user, intake = make_user(), IntakeFactory.create()
    assert application_start(applicant=user, intake=intake) == application_start(
        applicant=user, intake=intake
    )
    assert Application.objects.count() == 1


def test_a_closed_intake_cannot_be_applied_to(make_user):
    intake = IntakeFactory.create(closes_at=timezone.now() - dt.timedelta(minutes=1))
    with translation.override("en"), pytest.raises(ValidationError, match="not open"):
        application_start(applicant=make_user(), intake=intake)


def test_a_complete_application_is_submitted_frozen_and_a_receipt_is_emailed_in_arabic(
    make_user, django_capture_on_commit_callbacks
):
    user = make_user()
    application = ready_application(user, IntakeFactory.create())
    with translation.override("ar"), django_capture_on_commit_callbacks(execute=True):
        application_submit(application=application, actor=user)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.snapshot["surname_ar"] == "بن علي"
    assert application.snapshot["education"][0]["field"] == "Sciences économiques"
    assert application.sector == "digital"
    assert application.submitted_at is not None
    [receipt] = mail.outbox
    assert receipt.to == [user.email]
    assert application.number in receipt.subject
    assert "استلام" in receipt.subject or "تم استلام" in receipt.body
    # Frozen: a later change of the profile does not touch the application.
    profile = ApplicantProfile.objects.get(user=user)
    profile.surname_latin = "Autre"
    profile_save(profile=profile, consent=True)
    application.refresh_from_db()
    assert application.snapshot["surname_latin"] == "Benali"


def test_submitting_twice_is_refused_with_a_message(make_user):
    user = make_user()
    application = ready_application(user, IntakeFactory.create())
    application_submit(application=application, actor=user)
    with pytest.raises(ValidationError) as exc:
        application_submit(application=application, actor=user)
    assert exc.value.code == "already_submitted"
    assert application.events.filter(after="submitted").count() == 1


def test_submitting_after_the_deadline_is_refused(make_user):
    user = make_user()
    intake = IntakeFactory.create()
    application = ready_application(user, intake)
    intake.closes_at = timezone.now() - dt.timedelta(seconds=1)
    intake.save()
    with translation.override("en"), pytest.raises(ValidationError, match="closed"):
        application_submit(application=application, actor=user)
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_missing_documents_and_an_incomplete_profile_are_listed(make_user):
    user = make_user()
    application = application_start(applicant=user, intake=IntakeFactory.create())
    with pytest.raises(ValidationError) as exc:
        application_submit(application=application, actor=user)
    text = " ".join(exc.value.messages)
    assert "profile is incomplete" in text or "profil est incomplet" in text
    assert "Curriculum vitae" in text or "CV" in text
    assert "Write your motivation" in text or "motivation" in text.lower()


def test_someone_else_cannot_submit_or_upload(make_user):
    owner, other = make_user(), make_user()
    application = ready_application(owner, IntakeFactory.create())
    with pytest.raises(PermissionDenied):
        application_submit(application=application, actor=other)
    requirement = application.intake.requirements.get(kind="cv")
    with pytest.raises(PermissionDenied):
        document_upload(
            application=application, actor=other, requirement=requirement, upload=pdf_upload()
        )


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 this is an executable"), "not a PDF"),
        (SimpleUploadedFile("cv.pdf", pdf_bytes(encrypted=True)), "password"),
        (SimpleUploadedFile("cv.pdf", pdf_bytes(javascript=True)), "scripts"),
        (SimpleUploadedFile("cv.pdf", b"%PDF-1.4 broken"), "damaged"),
        (SimpleUploadedFile("cv.pdf", b""), "empty"),
    ],
    ids=["executable", "encrypted", "javascript", "broken", "empty"],
)
def test_a_bad_pdf_is_refused_and_nothing_is_stored(make_user, tmp_path, upload, message):
    user = make_user()
    application = application_start(applicant=user, intake=IntakeFactory.create())
    cv = application.intake.requirements.get(kind="cv")
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        document_upload(application=application, actor=user, requirement=cv, upload=upload)
    assert not ApplicationDocument.objects.exists()
    assert files_under(tmp_path / "private") == []


def test_an_oversize_file_is_refused(make_user):
    user = make_user()
    application = application_start(applicant=user, intake=IntakeFactory.create())
    cv = application.intake.requirements.get(kind="cv")
    cv.max_size_mb = 1
    cv.save()
    big = SimpleUploadedFile("cv.pdf", pdf_bytes() + b"%" + b"x" * (1024 * 1024))
    with translation.override("en"), pytest.raises(ValidationError, match="too large"):
        document_upload(application=application, actor=user, requirement=cv, upload=big)


def test_an_image_where_a_pdf_is_asked_is_refused_and_a_photo_must_be_an_image(make_user):
    user = make_user()
    application = application_start(applicant=user, intake=IntakeFactory.create())
    cv = application.intake.requirements.get(kind="cv")
    photo = application.intake.requirements.get(kind="photo")
    with translation.override("en"), pytest.raises(ValidationError, match="not a PDF"):
        document_upload(application=application, actor=user, requirement=cv, upload=png_upload())
    with translation.override("en"), pytest.raises(ValidationError, match="not an image"):
        document_upload(application=application, actor=user, requirement=photo, upload=pdf_upload())
    stored = document_upload(
        application=application, actor=user, requirement=photo, upload=png_upload("me.jpeg")
    )
    assert stored.content_type == "image/png"
    assert (stored.file.name or "").endswith(".png")


def test_a_hostile_file_name_is_cleaned_and_never_reaches_the_disk(make_user, tmp_path):
    user = make_user()
    application = application_start(applicant=user, intake=IntakeFactory.create())
    cv = application.intake.requirements.get(kind="cv")
    name = "../../etc/\x07" + "c" * 300 + ".pdf"
    document = document_upload(
        application=application, actor=user, requirement=cv, upload=pdf_upload(name)
    )
    assert "/" not in document.original_name
    assert "\x07" not in document.original_name
    assert len(document.original_name) <= 120
    [stored] = files_under(tmp_path / "private")
    assert stored.parent == tmp_path / "private" / "applications"
    assert "ccc" not in stored.name


def test_replacing_a_document_keeps_one_file(
    make_user, tmp_path, django_capture_on_commit_callbacks
):
    user = make_user()
    application = application_start(applicant=user, intake=IntakeFactory.create())
    cv = application.intake.requirements.get(kind="cv")
    with django_capture_on_commit_callbacks(execute=True):
        document_upload(
            application=application, actor=user, requirement=cv, upload=pdf_upload("v1.pdf")
        )
        document_upload(
            application=application, actor=user, requirement=cv, upload=pdf_upload("v2.pdf")
        )
    assert ApplicationDocument.objects.get().original_name == "v2.pdf"
    assert len(files_under(tmp_path / "private")) == 1


def test_a_rejected_document_can_be_replaced_before_its_deadline_only(
    make_user, django_capture_on_commit_callbacks
):
    user, coordinator = make_user(), make_user("coordinator")
    application = ready_application(user, IntakeFactory.create())
    application_submit(application=application, actor=user)
    cv = application.documents.get(requirement__kind="cv")
    with django_capture_on_commit_callbacks(execute=True):
        document_review(document=cv, actor=coordinator, accept=False, reason="Illisible")
    assert "Illisible" in mail.outbox[-1].body
    replaced = document_upload(
        application=application,
        actor=user,
        requirement=cv.requirement,
        upload=pdf_upload("net.pdf"),
    )
    assert replaced.status == ApplicationDocument.Status.PROVIDED
    # Rejected again, and this time the deadline has passed.
    document_review(document=replaced, actor=coordinator, accept=False, reason="Toujours illisible")
    ApplicationDocument.objects.filter(pk=replaced.pk).update(
        replace_until=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError):
        document_upload(
            application=application, actor=user, requirement=cv.requirement, upload=pdf_upload()
        )
    # An accepted document cannot be swapped after submission either.
    identity = application.documents.get(requirement__kind="identity")
    document_review(document=identity, actor=coordinator, accept=True)
    with pytest.raises(ValidationError):
        document_upload(
            application=application,
            actor=user,
            requirement=identity.requirement,
            upload=pdf_upload(),
        )


def test_a_rejection_needs_a_reason(make_user):
    user, coordinator = make_user(), make_user("coordinator")
    application = ready_application(user, IntakeFactory.create())
    with pytest.raises(ValidationError):
        document_review(
            document=application.documents.get(requirement__kind="cv"),
            actor=coordinator,
            accept=False,
            reason=" ",
        )


def test_withdrawing_is_recorded(make_user):
    user = make_user()
    application = ready_application(user, IntakeFactory.create())
    application_submit(application=application, actor=user)
    application_withdraw(application=application, actor=user, reason="Mutation professionnelle")
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert application.events.filter(note="Mutation professionnelle").exists()
    with pytest.raises(ValidationError):
        application_withdraw(application=application, actor=user)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nin": "12345"}, "nin"),
        ({"nin": "1234567890123456ab"}, "nin"),
        ({"birth_date": dt.date(2999, 1, 1)}, "birth_date"),
        ({"birth_date": None, "birth_date_presumed": True, "birth_year": None}, "birth_year"),
        ({"phone": "call me maybe"}, "phone"),
        ({"nationality": "other", "nin": "109940512345678901"}, "nin"),
    ],
)
def test_bad_identity_data_is_refused_on_its_field(make_user, overrides, field):
    user = make_user()
    complete_profile(user)
    profile = ApplicantProfile.objects.get(user=user)
    for name, value in overrides.items():
        setattr(profile, name, value)
    with pytest.raises(ValidationError) as exc:
        profile_save(profile=profile, consent=True)
    assert field in exc.value.message_dict


def test_a_presumed_year_of_birth_is_enough(make_user):
    user = make_user()
    profile = complete_profile(user, birth_date=None, birth_date_presumed=True, birth_year=1988)
    from enrollment.services.profiles import profile_missing

    assert profile_missing(profile) == []


def test_a_document_size_limit_stays_under_the_request_limit(settings):
    from enrollment.forms import RequirementForm

    data = {"kind": "cv", "label_fr": "CV", "required": "on", "accepts": "pdf"}
    assert RequirementForm({**data, "max_size_mb": "30"}).is_valid()
    too_big = RequirementForm({**data, "max_size_mb": "31"})
    assert not too_big.is_valid()
    assert "max_size_mb" in too_big.errors
    assert settings.REQUEST_MAX_BYTES > 30 * 1024 * 1024
