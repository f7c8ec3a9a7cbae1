"""Materials of a module offering: who manages them, files checked by content and kept by
version, ordering, deletion after confirmation, and who may read and download them."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from core.confirmation import CONFIRM_FIELD, CONFIRM_VALUE
from core.uploads import private_storage
from enrollment.models import Student
from enrollment.services.decisions import student_create
from studies.models import Material, MaterialSection, MaterialVersion, Offering
from studies.services import materials
from tests.factories.accounts import UserFactory
from tests.factories.enrollment import CohortFactory
from tests.factories.partners import pdf_bytes, png_upload
from tests.helpers import mfa_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(setting):
    setting["taught"] = Offering.objects.get(
        cohort=setting["cohort"], module__code="F1.1.1", lecturers=setting["lecturer"]
    )
    setting["other_offering"] = (
        Offering.objects.filter(cohort=setting["cohort"]).exclude(pk=setting["taught"].pk).first()
    )
    setting["section"] = materials.section_save(
        actor=setting["lecturer"], offering=setting["taught"], title_fr="Cours", title_en="Lectures"
    )
    return setting


def _docx(*, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


def _add_file(module, name="chapitre1.pdf", content=None, **kwargs):
    arguments = {
        "actor": module["lecturer"],
        "section": module["section"],
        "title": "Chapitre 1",
        "upload": SimpleUploadedFile(name, content if content is not None else pdf_bytes()),
        **kwargs,
    }
    return materials.material_add(**arguments)


def _stored_files() -> list[str]:
    if not private_storage.exists("materials"):
        return []
    return private_storage.listdir("materials")[1]


def _staff(user) -> Client:
    client = Client()
    mfa_login(client, user)
    return client


def _student(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Who manages -------------------------------------------------------------------------------
def test_a_lecturer_manages_only_the_materials_of_a_module_they_teach(module):
    other = module["other_offering"]
    with pytest.raises(PermissionDenied):
        materials.section_save(actor=module["lecturer"], offering=other, title_fr="Cours")
    outsider = UserFactory.create(is_lecturer=True)
    with pytest.raises(PermissionDenied):
        _add_file(module, actor=outsider)
    assert not Material.objects.exists()
    coordinated = materials.section_save(actor=module["coordinator"], offering=other, title_fr="TD")
    assert coordinated.offering == other


def test_new_sections_and_materials_are_placed_last(module):
    second = materials.section_save(
        actor=module["lecturer"], offering=module["taught"], title_fr="TD"
    )
    assert (module["section"].position, second.position) == (1, 2)
    link = materials.material_add(
        actor=module["lecturer"], section=second, title="Site", url="https://example.org/td"
    )
    first_file = _add_file(module)
    second_file = _add_file(module, title="Chapitre 2")
    assert (link.position, first_file.position, second_file.position) == (1, 1, 2)
    assert link.kind == Material.Kind.LINK
    assert not link.versions.exists()


# --- Files and versions ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("plan.pdf", pdf_bytes(), "pdf"),
        ("schema.png", png_upload().read(), "png"),
        ("consignes.docx", _docx(), "docx"),
    ],
)
def test_an_allowed_file_is_stored_privately_with_its_fingerprint(module, name, content, kind):
    material = _add_file(module, name=name, content=content)
    version = material.versions.get()
    assert version.number == 1
    assert version.file.name.startswith("materials/")
    assert version.file.name.endswith(f".{kind}")
    assert version.filename == name
    assert version.size == len(content)
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert private_storage.exists(version.file.name)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("script.pdf", b"#!/bin/sh\necho hello\n"),
        ("macros.docx", _docx(macros=True)),
        ("piege.pdf", pdf_bytes(javascript=True)),
        ("notes.txt", b"just some text"),
    ],
)
def test_a_refused_file_is_reported_on_its_field_and_nothing_is_stored(module, name, content):
    with pytest.raises(ValidationError) as caught:
        _add_file(module, name=name, content=content)
    assert "file" in caught.value.error_dict
    assert not Material.objects.exists()
    assert _stored_files() == []


def test_a_file_over_the_limit_is_refused(module, monkeypatch):
    monkeypatch.setattr(materials, "MATERIAL_MAX_BYTES", 100)
    with pytest.raises(ValidationError) as caught:
        _add_file(module)
    assert caught.value.error_dict["file"][0].code == "too_large"
    assert _stored_files() == []


def test_a_new_version_keeps_the_earlier_ones(module):
    material = _add_file(module, name="v1.pdf")
    second = materials.material_version_add(
        actor=module["lecturer"],
        material=material,
        upload=SimpleUploadedFile("v2.pdf", pdf_bytes(pages=2)),
    )
    assert second.number == 2
    assert list(material.versions.values_list("number", "filename")) == [
        (2, "v2.pdf"),
        (1, "v1.pdf"),
    ]
    assert all(private_storage.exists(v.file.name) for v in material.versions.all())


def test_a_refused_new_version_leaves_the_versions_as_they_were(module):
    material = _add_file(module)
    with pytest.raises(ValidationError) as caught:
        materials.material_version_add(
            actor=module["lecturer"],
            material=material,
            upload=SimpleUploadedFile("v2.txt", b"plain text"),
        )
    assert "file" in caught.value.error_dict
    assert material.versions.count() == 1
    assert len(_stored_files()) == 1


def test_a_link_has_no_versions(module):
    link = materials.material_add(
        actor=module["lecturer"], section=module["section"], title="Site", url="https://e.org"
    )
    with pytest.raises(ValidationError):
        materials.material_version_add(
            actor=module["lecturer"], material=link, upload=SimpleUploadedFile("a.pdf", pdf_bytes())
        )
    assert not MaterialVersion.objects.exists()


# --- Ordering and deletion ---------------------------------------------------------------------
def test_moving_swaps_with_the_neighbour_and_stops_at_the_ends(module):
    first, _second, third = (_add_file(module, title=f"C{n}") for n in (1, 2, 3))

    def order() -> list[str]:
        return list(
            Material.objects.filter(section=module["section"])
            .order_by("position", "pk")
            .values_list("title", flat=True)
        )

    materials.material_move(actor=module["lecturer"], material=third, direction=materials.UP)
    assert order() == ["C1", "C3", "C2"]
    materials.material_move(actor=module["lecturer"], material=first, direction=materials.UP)
    assert order() == ["C1", "C3", "C2"]
    materials.material_move(actor=module["lecturer"], material=first, direction=materials.DOWN)
    assert order() == ["C3", "C1", "C2"]


def test_sections_move_up_and_down(module):
    td = materials.section_save(actor=module["lecturer"], offering=module["taught"], title_fr="TD")
    materials.section_move(actor=module["lecturer"], section=td, direction=materials.UP)
    titles = list(
        MaterialSection.objects.filter(offering=module["taught"])
        .order_by("position")
        .values_list("title_fr", flat=True)
    )
    assert titles == ["TD", "Cours"]


def test_deleting_a_material_asks_to_confirm_then_removes_every_version(
    module, django_capture_on_commit_callbacks
):
    material = _add_file(module)
    materials.material_version_add(
        actor=module["lecturer"], material=material, upload=SimpleUploadedFile("b.pdf", pdf_bytes())
    )
    client = _staff(module["lecturer"])
    url = reverse("studies:material_delete", args=[material.pk])
    response = client.post(url)
    assert 'data-testid="confirmation"' in response.content.decode()
    assert Material.objects.filter(pk=material.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {CONFIRM_FIELD: CONFIRM_VALUE})
    assert response.status_code == 302
    assert not Material.objects.exists()
    assert _stored_files() == []


def test_deleting_a_section_after_confirmation_removes_its_materials(
    module, django_capture_on_commit_callbacks
):
    _add_file(module)
    client = _staff(module["coordinator"])
    url = reverse("studies:material_section_delete", args=[module["section"].pk])
    assert client.get(url).status_code == 200
    assert MaterialSection.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {CONFIRM_FIELD: CONFIRM_VALUE})
    assert not MaterialSection.objects.exists()
    assert not Material.objects.exists()
    assert _stored_files() == []


# --- The pages ---------------------------------------------------------------------------------
def test_the_form_adds_a_file_and_shows_a_refused_type_next_to_the_field(module):
    client = _staff(module["lecturer"])
    url = reverse("studies:material_new", args=[module["taught"].pk])
    data = {"section": module["section"].pk, "kind": "file", "title": "Plan"}
    response = client.post(url, {**data, "file": SimpleUploadedFile("plan.txt", b"plain")})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not Material.objects.exists()
    response = client.post(url, {**data, "file": SimpleUploadedFile("plan.pdf", pdf_bytes())})
    assert response.status_code == 302
    assert Material.objects.get().versions.get().filename == "plan.pdf"


def test_the_form_requires_an_address_for_a_link(module):
    client = _staff(module["lecturer"])
    url = reverse("studies:material_new", args=[module["taught"].pk])
    response = client.post(url, {"section": module["section"].pk, "kind": "link", "title": "T"})
    assert response.status_code == 400
    assert response.context["form"].errors["url"] == [gettext("Give the address of the link.")]


def test_the_form_offers_only_the_sections_of_its_module(module):
    elsewhere = materials.section_save(
        actor=module["coordinator"], offering=module["other_offering"], title_fr="Ailleurs"
    )
    client = _staff(module["lecturer"])
    response = client.post(
        reverse("studies:material_new", args=[module["taught"].pk]),
        {"section": elsewhere.pk, "kind": "link", "title": "T", "url": "https://e.org"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["section"]
    assert not Material.objects.exists()


def test_the_move_button_reorders_from_the_page(module):
    _add_file(module, title="C1")
    second = _add_file(module, title="C2")
    client = _staff(module["lecturer"])
    client.post(reverse("studies:material_move", args=[second.pk]), {"direction": "up"})
    assert Material.objects.get(pk=second.pk).position == 1


def test_a_student_of_the_cohort_sees_the_newest_version_and_the_earlier_ones(module):
    material = _add_file(module, name="v1.pdf")
    newest = materials.material_version_add(
        actor=module["lecturer"],
        material=material,
        upload=SimpleUploadedFile("v2.pdf", pdf_bytes()),
    )
    student = module["students"][0]
    html = (
        _student(student.user)
        .get(reverse("studies:my_materials", args=[module["taught"].pk]))
        .content.decode()
    )
    assert '<h2 dir="auto">Cours</h2>' in html  # the French title: French is the default
    newest_url = reverse("studies:material_download", args=[newest.pk])
    older = material.versions.get(number=1)
    assert f'href="{newest_url}" data-testid="newest"' in html
    assert 'data-testid="earlier-versions"' in html
    assert reverse("studies:material_download", args=[older.pk]) in html


def test_downloads_go_to_the_cohorts_students_and_the_modules_staff_only(module, make_user):
    material = _add_file(module, name="Leçon 1.pdf")
    version = material.versions.get()
    url = reverse("studies:material_download", args=[version.pk])
    first, second, _third = module["students"]
    Student.objects.filter(pk=second.pk).update(status=Student.Status.SUSPENDED)
    other_cohort_student = UserFactory.create()
    student_create(user=other_cohort_student, cohort=CohortFactory.create())
    for user, expected in (
        (first.user, 200),
        (second.user, 404),  # no longer active
        (other_cohort_student, 404),
        (UserFactory.create(), 404),  # an applicant
        (UserFactory.create(is_sponsor=True), 404),
    ):
        assert _student(user).get(url).status_code == expected, user
    assert _staff(make_user("lecturer")).get(url).status_code == 404
    response = _staff(module["lecturer"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Le%C3%A7on%201.pdf" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body == version.file.open("rb").read()


def test_the_pages_refuse_whoever_is_not_of_the_module(module, make_user):
    taught = module["taught"]
    outsider = _staff(make_user("lecturer"))
    assert outsider.get(reverse("studies:materials_manage", args=[taught.pk])).status_code == 404
    assert (
        _staff(module["lecturer"])
        .get(reverse("studies:materials_manage", args=[module["other_offering"].pk]))
        .status_code
        == 404
    )
    stranger = UserFactory.create()
    student_create(user=stranger, cohort=CohortFactory.create())
    assert (
        _student(stranger).get(reverse("studies:my_materials", args=[taught.pk])).status_code == 404
    )


def test_the_students_page_makes_the_same_queries_for_1_or_5_materials(module):
    client = _student(module["students"][0].user)
    url = reverse("studies:my_materials", args=[module["taught"].pk])
    counts = []
    for total in (1, 5):
        while Material.objects.count() < total:
            material = _add_file(module)
        materials.material_version_add(
            actor=module["lecturer"],
            material=material,
            upload=SimpleUploadedFile("n.pdf", pdf_bytes()),
        )
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        assert html.count('data-testid="material"') == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_module_pages_link_to_the_materials(module):
    taught = module["taught"]
    staff_html = (
        _staff(module["lecturer"])
        .get(reverse("studies:offering_sessions", args=[taught.pk]))
        .content.decode()
    )
    assert reverse("studies:materials_manage", args=[taught.pk]) in staff_html
    student_html = (
        _student(module["students"][0].user).get(reverse("studies:my_programme")).content.decode()
    )
    assert reverse("studies:my_materials", args=[taught.pk]) in student_html
