from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.models import Agreement, Organisation
from partners.services import agreement_save, agreements_notify_expiring, organisation_save
from tests.factories.partners import AgreementFactory, OrganisationFactory, pdf_upload, png_upload

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)


@pytest.fixture(autouse=True)
def _private_and_media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "core.storage.AtomicFileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media")}},
        "private": {"BACKEND": "core.storage.AtomicFileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "private")}},
    }  # fmt: skip


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("signed", "start", "end", "status"),
    [
        (None, dt.date(2026, 1, 1), dt.date(2027, 1, 1), "draft"),
        (dt.date(2026, 11, 1), dt.date(2027, 1, 1), dt.date(2028, 1, 1), "upcoming"),
        (dt.date(2025, 1, 1), dt.date(2025, 1, 1), dt.date(2028, 1, 1), "active"),
        (dt.date(2025, 1, 1), dt.date(2025, 1, 1), None, "active"),
        (dt.date(2025, 1, 1), dt.date(2025, 1, 1), dt.date(2027, 1, 28), "expiring"),
        (dt.date(2025, 1, 1), dt.date(2025, 1, 1), dt.date(2027, 1, 29), "active"),
        (dt.date(2025, 1, 1), dt.date(2025, 1, 1), TODAY, "expiring"),
        (dt.date(2025, 1, 1), dt.date(2025, 1, 1), dt.date(2026, 11, 28), "expired"),
    ],
)
def test_the_status_comes_from_the_dates_in_python_and_in_sql_alike(signed, start, end, status):
    agreement = AgreementFactory.create(signed_on=signed, valid_from=start, valid_until=end)
    assert agreement.status_on(TODAY) == status
    annotated = Agreement.objects.with_status(TODAY).get(pk=agreement.pk)
    assert getattr(annotated, "current_status") == status  # noqa: B009


def test_an_agreement_needs_two_parties_and_nothing_is_stored_otherwise(settings, tmp_path):
    agreement = Agreement(title="Seule", valid_from=TODAY)
    with pytest.raises(ValidationError) as exc:
        agreement_save(
            agreement=agreement, parties=[OrganisationFactory.create()], signed_pdf=pdf_upload()
        )
    assert "parties" in exc.value.message_dict
    assert not Agreement.objects.exists()
    assert _files(tmp_path / "private") == []


def test_an_agreement_ending_before_it_starts_is_refused_and_its_pdf_removed(tmp_path):
    agreement = Agreement(
        title="À l'envers", valid_from=TODAY, valid_until=TODAY - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as exc:
        agreement_save(
            agreement=agreement,
            parties=OrganisationFactory.create_batch(2),
            signed_pdf=pdf_upload(),
        )
    assert "An agreement cannot end before it starts." in str(exc.value) or "ne peut pas" in str(
        exc.value
    )
    assert not Agreement.objects.exists()
    assert _files(tmp_path / "private") == []


def test_the_signed_copy_is_kept_privately_under_a_random_name(tmp_path):
    agreement = agreement_save(
        agreement=Agreement(title="Convention", valid_from=TODAY, signed_on=TODAY),
        parties=OrganisationFactory.create_batch(2),
        signed_pdf=pdf_upload("../../Convention signée.pdf"),
    )
    stored = _files(tmp_path / "private")
    assert len(stored) == 1
    assert stored[0].parent.name == "agreements"
    assert "Convention" not in stored[0].name
    assert agreement.signed_pdf_name == "Convention signée.pdf"
    assert _files(tmp_path / "media") == []


def test_replacing_the_signed_copy_deletes_the_old_file(
    tmp_path, django_capture_on_commit_callbacks
):
    orgs = OrganisationFactory.create_batch(2)
    agreement = agreement_save(
        agreement=Agreement(title="Convention", valid_from=TODAY),
        parties=orgs,
        signed_pdf=pdf_upload(),
    )
    first = _files(tmp_path / "private")
    with django_capture_on_commit_callbacks(execute=True):
        agreement_save(agreement=agreement, parties=orgs, signed_pdf=pdf_upload())
    second = _files(tmp_path / "private")
    assert len(second) == 1
    assert second != first


def test_a_logo_is_stored_under_a_random_name_with_the_extension_of_its_content(tmp_path):
    organisation = OrganisationFactory.build(slug="adc-test", acronym="ADCT")
    organisation_save(organisation=organisation, logo=png_upload("logo.exe"))
    organisation.refresh_from_db()
    name = organisation.logo.name or ""
    assert name.startswith("logos/")
    assert name.endswith(".png")


def test_a_duplicate_slug_is_a_validation_error_and_no_logo_is_left(tmp_path):
    OrganisationFactory.create(slug="adc")
    with pytest.raises(ValidationError) as exc:
        organisation_save(organisation=OrganisationFactory.build(slug="adc"), logo=png_upload())
    assert "slug" in exc.value.message_dict
    assert Organisation.objects.count() == 1
    assert _files(tmp_path / "media") == []


def test_coordinators_are_told_once_about_an_agreement_entering_its_last_60_days(
    make_user, django_capture_on_commit_callbacks
):
    coordinators = [make_user("coordinator"), make_user("coordinator", preferred_language="ar")]
    make_user("lecturer")
    expiring = AgreementFactory.create(
        valid_until=TODAY + dt.timedelta(days=30), title="Convention ADC – ESI"
    )
    AgreementFactory.create(valid_until=TODAY + dt.timedelta(days=200))
    with django_capture_on_commit_callbacks(execute=True):
        assert agreements_notify_expiring(today=TODAY) == 1
        assert agreements_notify_expiring(today=TODAY) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in coordinators)
    french = next(m for m in mail.outbox if m.to == [coordinators[0].email])
    arabic = next(m for m in mail.outbox if m.to == [coordinators[1].email])
    assert "Convention ADC – ESI" in french.subject
    assert "30 jours" in french.body
    assert "Convention ADC – ESI" in arabic.body
    assert "الاتفاقية" in arabic.subject
    expiring.refresh_from_db()
    assert expiring.expiry_notified_at is not None


def test_a_new_end_date_re_arms_the_reminder(make_user, django_capture_on_commit_callbacks):
    make_user("coordinator")
    agreement = AgreementFactory.create(valid_until=TODAY + dt.timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        agreements_notify_expiring(today=TODAY)
    agreement.valid_until = TODAY + dt.timedelta(days=40)
    agreement_save(agreement=agreement, parties=agreement.parties.all())
    agreement.refresh_from_db()
    assert agreement.expiry_notified_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert agreements_notify_expiring(today=TODAY) == 1
    assert len(mail.outbox) == 2


def test_the_daily_beat_job_runs_the_reminder(
    settings, make_user, django_capture_on_commit_callbacks
):
    from partners.tasks import notify_expiring_agreements

    schedule = settings.CELERY_BEAT_SCHEDULE["agreements-expiring"]
    assert schedule["task"] == notify_expiring_agreements.name
    make_user("coordinator")
    AgreementFactory.create(valid_until=timezone.localdate() + dt.timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_expiring_agreements.delay().get() == 1
    assert len(mail.outbox) == 1
