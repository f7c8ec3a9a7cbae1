from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partners.models import Agreement, Organisation
from tests.factories.partners import AgreementFactory, OrganisationFactory, pdf_upload, png_upload
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "core.storage.AtomicFileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media/"}},
        "private": {"BACKEND": "core.storage.AtomicFileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "private")}},
    }  # fmt: skip


@pytest.fixture
def coordinator(make_user) -> Client:
    return logged_in(make_user("coordinator"))


ORGANISATION = {
    "name_fr": "Cluster Boissons Algérie",
    "name_ar": "عنقود المشروبات الجزائر",
    "name_en": "Algeria Beverages Cluster",
    "acronym": "CBA",
    "slug": "cba",
    "kind": "cluster",
    "sector": "agro_food",
    "wilaya": "Béjaïa",
    "website": "cluster-boissons.example.dz",
}


def test_a_coordinator_adds_an_organisation_with_its_logo(coordinator):
    response = coordinator.post(
        reverse("partners:organisation_add"), {**ORGANISATION, "logo": png_upload()}
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(slug="cba")
    assert organisation.website == "https://cluster-boissons.example.dz"
    assert (organisation.logo.name or "").endswith(".png")


def test_a_logo_that_is_not_an_image_is_refused_with_a_message_and_nothing_saved(coordinator):
    fake = SimpleUploadedFile("logo.png", b"<?php echo 'hi'; ?>", content_type="image/png")
    response = coordinator.post(
        reverse("partners:organisation_add"), {**ORGANISATION, "logo": fake}
    )
    assert response.status_code == 400
    assert "Téléversez une image valide" in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_duplicate_acronym_gets_a_message(coordinator):
    OrganisationFactory.create(acronym="CBA")
    response = coordinator.post(reverse("partners:organisation_add"), {**ORGANISATION})
    assert response.status_code == 400
    assert Organisation.objects.count() == 1


def test_html_in_a_name_is_shown_escaped_on_the_public_page(client):
    OrganisationFactory.create(slug="x", name_fr="<b>Gras</b><script>alert(1)</script>", acronym="")
    html = client.get(reverse("curriculum:partner", args=["x"])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def _agreement_data(parties: list[Organisation], **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Convention cadre",
        "parties": [p.pk for p in parties],
        "signed_on": "2026-01-15",
        "valid_from": "2026-01-15",
        "valid_until": "2029-01-14",
        "scope_teaching": "on",
        "scope_internships": "on",
        "summary": "Stages et cours.",
    }
    data.update(overrides)
    return data


def test_a_coordinator_records_an_agreement_with_its_signed_copy_and_downloads_it(coordinator):
    parties = OrganisationFactory.create_batch(2)
    response = coordinator.post(
        reverse("partners:agreement_add"),
        {**_agreement_data(parties), "signed_pdf": pdf_upload("Signée.pdf")},
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert set(agreement.parties.all()) == set(parties)
    assert agreement.scopes == ["enseignement", "stages"] or len(agreement.scopes) == 2
    download = coordinator.get(reverse("partners:agreement_pdf", args=[agreement.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"valid_until": "2025-01-01"}, "valid_until", "ne peut pas se terminer avant"),
        (
            {"signed_pdf": SimpleUploadedFile("c.pdf", b"not a pdf")},
            "signed_pdf",
            "n&#x27;est pas un document PDF",
        ),
        ({"valid_from": "31/02/2026"}, "valid_from", "Saisissez une date valide"),
    ],
    ids=["ends-before-start", "not-a-pdf", "bad-date"],
)
def test_bad_agreement_input_gets_a_message_on_its_field_and_nothing_is_saved(
    coordinator, overrides, field, message
):
    parties = OrganisationFactory.create_batch(2)
    response = coordinator.post(
        reverse("partners:agreement_add"), _agreement_data(parties, **overrides)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert not Agreement.objects.exists()


def test_an_agreement_with_a_single_party_is_refused(coordinator):
    parties = OrganisationFactory.create_batch(1)
    response = coordinator.post(reverse("partners:agreement_add"), _agreement_data(parties))
    assert response.status_code == 400
    assert "deux parties au moins" in response.content.decode()


def test_the_agreements_list_filters_by_status(coordinator):
    AgreementFactory.create(
        title="En vigueur", valid_until=timezone.localdate() + dt.timedelta(days=400)
    )
    AgreementFactory.create(
        title="Échue", valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2021, 1, 1)
    )
    html = coordinator.get(reverse("partners:agreements"), {"status": "expired"}).content.decode()
    assert "Échue" in html
    assert "En vigueur" not in html


def test_the_agreements_list_query_count_does_not_grow_with_its_length(
    coordinator, django_assert_max_num_queries
):
    AgreementFactory.create_batch(2)
    with django_assert_max_num_queries(12) as few:
        coordinator.get(reverse("partners:agreements"))
    AgreementFactory.create_batch(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        coordinator.get(reverse("partners:agreements"))


def test_a_coordinator_adds_and_removes_a_contact(coordinator):
    organisation = OrganisationFactory.create()
    response = coordinator.post(
        reverse("partners:contact_add", args=[organisation.slug]),
        {
            "full_name": "Lamia Berkane",
            "role": "Chargée de projets",
            "email": "lamia@example.dz",
            "phone": "+213 21 00 00 00",
        },
    )
    assert response.status_code == 302
    contact = organisation.contacts.get()
    assert contact.full_name == "Lamia Berkane"
    coordinator.post(reverse("partners:contact_delete", args=[organisation.slug, contact.pk]))
    assert not organisation.contacts.exists()


def test_a_contact_with_a_bad_email_gets_a_message(coordinator):
    organisation = OrganisationFactory.create()
    response = coordinator.post(
        reverse("partners:contact_add", args=[organisation.slug]),
        {"full_name": "X", "email": "pas-une-adresse"},
    )
    assert response.status_code == 400
    assert not organisation.contacts.exists()


def test_an_agreement_pdf_that_does_not_exist_is_a_404(coordinator):
    agreement = AgreementFactory.create()
    assert (
        coordinator.get(reverse("partners:agreement_pdf", args=[agreement.pk])).status_code == 404
    )
    assert coordinator.get(reverse("partners:agreement_pdf", args=[999999])).status_code == 404


def test_an_image_bomb_as_logo_is_refused(coordinator):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (9_000, 9_000)).save(buffer, format="PNG")
    bomb = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
    response = coordinator.post(
        reverse("partners:organisation_add"), {**ORGANISATION, "logo": bomb}
    )
    assert response.status_code == 400
    assert "trop de pixels" in response.content.decode()
    assert not Organisation.objects.exists()
