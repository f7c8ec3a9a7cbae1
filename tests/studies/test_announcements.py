"""Announcements: who may write to whom, who receives them (notifications and e-mails in
bulk, in each reader's language), the attachment's check and its gate, the confirmation."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Notification, NotificationPreference, OutgoingEmail
from core.confirmation import CONFIRM_FIELD, CONFIRM_VALUE
from core.uploads import private_storage
from enrollment.models import Student
from enrollment.services.decisions import student_create
from studies.announcement_selectors import announcement_list_for_student
from studies.models import Announcement, Offering
from studies.services.announcements import announcement_send
from tests.factories.accounts import UserFactory
from tests.factories.enrollment import CohortFactory
from tests.factories.partners import pdf_bytes, png_upload
from tests.helpers import mfa_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(setting):
    """The cohort of ``setting`` (3 students, S1 offerings, the lecturer teaches F1.1.1):
    the first two students in group A, the third in group B."""
    first, second, third = setting["students"]
    Student.objects.filter(pk__in=[first.pk, second.pk]).update(group="A")
    Student.objects.filter(pk=third.pk).update(group="B")
    setting["taught"] = Offering.objects.get(
        cohort=setting["cohort"], module__code="F1.1.1", lecturers=setting["lecturer"]
    )
    setting["other_offering"] = (
        Offering.objects.filter(cohort=setting["cohort"]).exclude(pk=setting["taught"].pk).first()
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


def _send(setting, **kwargs):
    arguments = {
        "actor": setting["coordinator"],
        "cohort": setting["cohort"],
        "subject": "Changement de salle",
        "body": "Le cours de jeudi a lieu en salle 3.",
        **kwargs,
    }
    return announcement_send(**arguments)


def _recipients(announcement: Announcement) -> set[int]:
    return set(
        Notification.objects.filter(
            kind=Notification.Kind.ANNOUNCEMENTS, subject=announcement.subject
        ).values_list("user_id", flat=True)
    )


# --- Audience ----------------------------------------------------------------------------------
def test_a_coordinators_announcement_to_a_cohort_reaches_each_active_student(school):
    first, second, third = school["students"]
    Student.objects.filter(pk=third.pk).update(status=Student.Status.SUSPENDED)
    announcement = _send(school)
    assert _recipients(announcement) == {first.user_id, second.user_id}
    notification = Notification.objects.get(user=first.user)
    assert notification.body == "Le cours de jeudi a lieu en salle 3."
    assert notification.link == (
        reverse("studies:my_announcements") + f"#announcement-{announcement.pk}"
    )
    assert OutgoingEmail.objects.count() == 2


def test_an_announcement_to_a_group_reaches_only_that_group(school):
    first, second, _third = school["students"]
    announcement = _send(school, group="A")
    assert _recipients(announcement) == {first.user_id, second.user_id}


def test_a_group_nobody_is_in_is_refused_on_the_group_field(school):
    with pytest.raises(ValidationError) as caught:
        _send(school, group="Z")
    assert "group" in caught.value.error_dict
    assert not Announcement.objects.exists()


def test_a_lecturer_writes_only_to_the_students_of_a_module_they_teach(school):
    lecturer = school["lecturer"]
    announcement = _send(school, actor=lecturer, cohort=None, offering=school["taught"])
    assert _recipients(announcement) == {s.user_id for s in school["students"]}
    with pytest.raises(PermissionDenied):
        _send(school, actor=lecturer, cohort=None, offering=school["other_offering"])
    with pytest.raises(PermissionDenied):
        _send(school, actor=lecturer)  # the whole cohort: not theirs to write to
    assert Announcement.objects.count() == 1


def test_a_student_sees_the_announcements_of_their_cohort_group_and_modules_only(school, make_user):
    first, _second, third = school["students"]
    to_cohort = _send(school, subject="À toute la promotion")
    to_a = _send(school, subject="Au groupe A", group="A")
    to_b = _send(school, subject="Au groupe B", group="B")
    to_module = _send(school, subject="Au module", offering=school["taught"])
    elsewhere_cohort = CohortFactory.create()
    student_create(user=UserFactory.create(), cohort=elsewhere_cohort)
    _send(school, cohort=elsewhere_cohort, subject="Ailleurs")
    assert set(announcement_list_for_student(user=first.user)) == {to_cohort, to_a, to_module}
    assert set(announcement_list_for_student(user=third.user)) == {to_cohort, to_b, to_module}
    assert not announcement_list_for_student(user=make_user("student")).exists()


def test_the_email_wrapper_is_in_each_readers_language_and_the_text_as_written(school):
    first, second, _third = school["students"]
    first.user.preferred_language = "ar"
    first.user.save(update_fields=["preferred_language"])
    second.user.preferred_language = "en"
    second.user.save(update_fields=["preferred_language"])
    _send(school, body="Texte de l'auteur, tel quel.")
    arabic = OutgoingEmail.objects.get(to=[first.user.email])
    english = OutgoingEmail.objects.get(to=[second.user.email])
    assert '<html lang="ar" dir="rtl">' in arabic.html_body
    assert '<html lang="en" dir="ltr">' in english.html_body
    for email in (arabic, english):
        assert "Texte de l'auteur, tel quel." in email.body
    author = school["coordinator"].get_full_name()
    with translation.override("en"):
        line = gettext("A message from %(author)s to %(audience)s:") % {
            "author": author,
            "audience": str(school["cohort"]),
        }
    assert line in english.body


def test_a_student_who_muted_announcements_is_notified_but_not_emailed(school):
    first, second, third = school["students"]
    NotificationPreference.objects.create(user=first.user, kind=Notification.Kind.ANNOUNCEMENTS)
    announcement = _send(school)
    assert _recipients(announcement) == {first.user_id, second.user_id, third.user_id}
    assert not OutgoingEmail.objects.filter(to=[first.user.email]).exists()
    assert OutgoingEmail.objects.count() == 2


def test_sending_makes_the_same_queries_for_a_cohort_of_2_or_25(school):
    counts = []
    for size in (2, 25):
        cohort = CohortFactory.create()
        for _ in range(size):
            student_create(user=UserFactory.create(), cohort=cohort)
        with CaptureQueriesContext(connection) as queries:
            announcement = _send(school, cohort=cohort)
        assert Notification.objects.filter(subject=announcement.subject).count() >= size
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- The attachment ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("plan.pdf", pdf_bytes(), "pdf"),
        ("salle.png", png_upload().read(), "png"),
        ("consignes.docx", _docx(), "docx"),
    ],
)
def test_an_allowed_attachment_is_stored_privately_under_its_checked_type(
    school, name, content, kind
):
    announcement = _send(school, attachment=SimpleUploadedFile(name, content))
    assert announcement.attachment.name.startswith("announcements/")
    assert announcement.attachment.name.endswith(f".{kind}")
    assert announcement.attachment_name == name
    assert private_storage.exists(announcement.attachment.name)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("script.pdf", b"#!/bin/sh\necho hello\n"),
        ("macros.docx", _docx(macros=True)),
        ("piege.pdf", pdf_bytes(javascript=True)),
        ("archive.zip", b"PK\x03\x04not really a zip"),
    ],
)
def test_an_attachment_of_a_wrong_type_is_refused_on_its_field_and_nothing_is_stored(
    school, name, content
):
    with pytest.raises(ValidationError) as caught:
        _send(school, attachment=SimpleUploadedFile(name, content))
    assert "attachment" in caught.value.error_dict
    assert not Announcement.objects.exists()
    assert not Notification.objects.exists()
    assert not OutgoingEmail.objects.exists()
    assert (
        not private_storage.exists("announcements")
        or not private_storage.listdir("announcements")[1]
    )


def test_the_attachment_is_served_to_the_audience_and_the_author_only(school, make_user):
    first, _second, third = school["students"]
    announcement = _send(school, group="A", attachment=SimpleUploadedFile("plan.pdf", pdf_bytes()))
    url = reverse("studies:announcement_attachment", args=[announcement.pk])
    for user, expected in (
        (first.user, 200),
        (third.user, 404),  # group B
        (make_user("student"), 404),
        (school["lecturer"], 404),
    ):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == expected, user
    author = Client()
    mfa_login(author, school["coordinator"])
    response = author.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"


# --- The pages -----------------------------------------------------------------------------------
def test_the_form_asks_to_confirm_then_sends_with_the_staged_attachment(school):
    client = Client()
    mfa_login(client, school["coordinator"])
    url = reverse("studies:announcement_new")
    data = {
        "cohort": school["cohort"].pk,
        "group": "A",
        "subject": "Sortie au cluster",
        "body": "Rendez-vous à 8 h devant l'institut.",
    }
    response = client.post(url, {**data, "attachment": SimpleUploadedFile("plan.pdf", pdf_bytes())})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="confirmation"' in html
    assert not Announcement.objects.exists()
    token = response.context["confirmation"].hidden["staged_attachment"]
    response = client.post(url, {**data, "staged_attachment": token, CONFIRM_FIELD: CONFIRM_VALUE})
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert announcement.group == "A"
    assert announcement.attachment_name == "plan.pdf"
    assert private_storage.exists(announcement.attachment.name)
    assert Notification.objects.filter(kind=Notification.Kind.ANNOUNCEMENTS).count() == 2


def test_the_form_shows_a_wrong_attachment_next_to_its_field(school):
    client = Client()
    mfa_login(client, school["coordinator"])
    response = client.post(
        reverse("studies:announcement_new"),
        {
            "cohort": school["cohort"].pk,
            "subject": "Sujet",
            "body": "Texte",
            "attachment": SimpleUploadedFile("notes.txt", b"just some text"),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["attachment"]
    assert not Announcement.objects.exists()


def test_a_lecturer_is_offered_only_the_modules_they_teach(school):
    client = Client()
    mfa_login(client, school["lecturer"])
    form = client.get(reverse("studies:announcement_new")).context["form"]
    assert "cohort" not in form.fields
    assert list(form.fields["offering"].queryset) == [school["taught"]]
    response = client.post(
        reverse("studies:announcement_new"),
        {"offering": school["other_offering"].pk, "subject": "S", "body": "B"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["offering"]


def test_the_staff_lists_a_lecturer_sees_only_their_modules_announcements(school):
    mine = _send(school, subject="Au module enseigné", offering=school["taught"])
    _send(school, subject="Autre module", offering=school["other_offering"])
    _send(school, subject="À la promotion")
    client = Client()
    mfa_login(client, school["lecturer"])
    page = client.get(reverse("studies:announcements")).context["page"]
    assert list(page) == [mine]
    coordinator = Client()
    mfa_login(coordinator, school["coordinator"])
    page = coordinator.get(
        reverse("studies:announcements"), {"cohort": school["cohort"].pk}
    ).context["page"]
    assert page.paginator.count == 3


def test_a_student_reads_the_announcements_addressed_to_them(school):
    first, _second, _third = school["students"]
    _send(school, subject="Au groupe A", group="A")
    _send(school, subject="Au groupe B", group="B")
    client = Client()
    client.force_login(first.user)
    html = client.get(reverse("studies:my_announcements")).content.decode()
    assert "Au groupe A" in html
    assert "Au groupe B" not in html


def test_the_lists_make_the_same_queries_for_1_or_6_announcements(school):
    first = school["students"][0]
    student, coordinator = Client(), Client()
    student.force_login(first.user)
    mfa_login(coordinator, school["coordinator"])
    counts: dict[str, list[int]] = {"student": [], "staff": []}
    for total in (1, 6):
        while Announcement.objects.count() < total:
            _send(school, offering=school["taught"] if total > 1 else None)
        for who, client, url in (
            ("student", student, reverse("studies:my_announcements")),
            ("staff", coordinator, reverse("studies:announcements")),
        ):
            with CaptureQueriesContext(connection) as queries:
                html = client.get(url).content.decode()
            assert html.count('data-testid="announcement"') == total
            counts[who].append(len(queries))
    assert counts["student"][0] == counts["student"][1]
    assert counts["staff"][0] == counts["staff"][1]
