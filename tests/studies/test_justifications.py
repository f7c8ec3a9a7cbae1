"""Absence justifications (#14): a student justifies their own absence before the deadline,
once; the coordinators accept (the attendance becomes justified) or refuse with a reason,
confirmed; the student is e-mailed in their language and notified."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from accounts.models import Notification, OutgoingEmail
from core.confirmation import CONFIRM_FIELD, CONFIRM_VALUE
from studies.models import AbsenceJustification, Attendance, ClassSession, Offering
from studies.services.justifications import (
    justification_accept,
    justification_refuse,
    justification_submit,
    last_day,
)
from tests.factories.partners import pdf_bytes, png_upload
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def absence(setting):
    """The first student of ``setting`` absent from an F1.1.1 session held two days ago
    (the programme allows 7 days); the second student was present."""
    offering = Offering.objects.get(cohort=setting["cohort"], module__code="F1.1.1")
    starts = timezone.now() - dt.timedelta(days=2)
    session = ClassSession.objects.create(
        offering=offering,
        cohort=setting["cohort"],
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
    )
    first, second, _third = setting["students"]
    setting["session"] = session
    setting["attendance"] = Attendance.objects.create(
        session=session, student=first, status=Attendance.Status.ABSENT
    )
    setting["present"] = Attendance.objects.create(
        session=session, student=second, status=Attendance.Status.PRESENT
    )
    return setting


def _submit(absence, **kwargs):
    return justification_submit(
        user=absence["attendance"].student.user,
        attendance=absence["attendance"],
        reason=kwargs.pop("reason", "Malade, certificat joint"),
        **kwargs,
    )


# --- Submitting ------------------------------------------------------------------------------
def test_a_student_justifies_their_absence_with_a_pdf(absence):
    client = logged_in(absence["attendance"].student.user)
    upload = SimpleUploadedFile("certificat.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(
        reverse("studies:justification_new", args=[absence["attendance"].pk]),
        {"reason": "Malade", "file": upload},
    )
    assert response.status_code == 302
    justification = AbsenceJustification.objects.get()
    assert justification.status == AbsenceJustification.Status.PENDING
    assert justification.reason == "Malade"
    assert str(justification.file.name).startswith("justifications/")
    assert str(justification.file.name).endswith(".pdf")
    download = client.get(reverse("studies:justification_file", args=[justification.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]


def test_a_file_that_is_neither_pdf_nor_image_is_refused_and_nothing_stored(absence):
    upload = SimpleUploadedFile(
        "certificat.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as raised:
        _submit(absence, upload=upload)
    assert raised.value.message_dict["file"] == [
        gettext("The supporting document must be a PDF or an image (PNG, JPEG, WebP).")
    ]
    assert not AbsenceJustification.objects.exists()


def test_an_image_is_accepted_as_supporting_document(absence):
    justification = _submit(absence, upload=png_upload("scan.png"))
    assert justification.file.name.endswith(".png")


def test_after_the_deadline_nothing_is_stored_and_the_student_is_told(absence):
    attendance = absence["attendance"]
    programme = attendance.student.cohort.programme
    programme.justification_days = 3
    programme.save(update_fields=["justification_days"])
    session_day = timezone.localtime(absence["session"].starts_at).date()
    last_moment = timezone.make_aware(
        dt.datetime.combine(session_day + dt.timedelta(days=3), dt.time(23, 59))
    )
    too_late = last_moment + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as raised:
        _submit(absence, now=too_late)
    assert "3" in raised.value.messages[0]
    assert not AbsenceJustification.objects.exists()
    assert _submit(absence, now=last_moment).status == AbsenceJustification.Status.PENDING


def test_the_page_after_the_deadline_says_so_and_stores_nothing(absence):
    ClassSession.objects.filter(pk=absence["session"].pk).update(
        starts_at=timezone.now() - dt.timedelta(days=30),
        ends_at=timezone.now() - dt.timedelta(days=30, hours=-2),
    )
    client = logged_in(absence["attendance"].student.user)
    response = client.post(
        reverse("studies:justification_new", args=[absence["attendance"].pk]),
        {"reason": "Malade"},
        follow=True,
    )
    assert not AbsenceJustification.objects.exists()
    text = response.content.decode()
    assert gettext("Too late to justify") in text
    expected = gettext(
        "The time to justify this absence is over: it could be justified until "
        "%(day)s (%(days)s days after the session)."
    ) % {
        "day": formats.date_format(
            last_day(Attendance.objects.get(pk=absence["attendance"].pk)), "DATE_FORMAT"
        ),
        "days": 7,
    }
    assert [str(m) for m in response.context["messages"]] == [expected]


def test_a_second_justification_while_one_waits_is_refused(absence):
    _submit(absence)
    with pytest.raises(ValidationError) as raised:
        _submit(absence, reason="Encore")
    assert raised.value.messages == [
        gettext("A justification of this absence is already waiting for a decision.")
    ]
    assert AbsenceJustification.objects.get().reason == "Malade, certificat joint"


def test_after_a_refusal_the_decision_is_final(absence):
    justification = _submit(absence)
    justification_refuse(actor=absence["coordinator"], justification=justification, reason="Non")
    with pytest.raises(ValidationError) as raised:
        _submit(absence, reason="Autre motif")
    assert raised.value.messages == [
        gettext(
            "The justification of this absence was refused; that decision is final. "
            "Write to the coordination if something is wrong."
        )
    ]
    assert AbsenceJustification.objects.get().status == AbsenceJustification.Status.REFUSED


def test_only_an_absence_can_be_justified(absence):
    present = absence["present"]
    with pytest.raises(ValidationError) as raised:
        justification_submit(user=present.student.user, attendance=present, reason="?")
    assert raised.value.messages == [gettext("Only an absence can be justified.")]


def test_another_students_attendance_is_404_and_refused_by_the_service(absence):
    other = absence["present"].student.user
    client = logged_in(other)
    url = reverse("studies:justification_new", args=[absence["attendance"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    with pytest.raises(PermissionDenied):
        justification_submit(user=other, attendance=absence["attendance"], reason="x")
    assert not AbsenceJustification.objects.exists()


def test_another_student_cannot_download_the_document(absence):
    justification = _submit(absence, upload=png_upload("scan.png"))
    client = logged_in(absence["present"].student.user)
    response = client.get(reverse("studies:justification_file", args=[justification.pk]))
    assert response.status_code == 404


def test_my_absences_shows_the_justify_link_only_before_a_justification(absence):
    client = logged_in(absence["attendance"].student.user)
    url = reverse("studies:my_absences")
    link = f'data-testid="justify-{absence["attendance"].pk}"'
    assert link in client.get(url).content.decode()
    _submit(absence)
    text = client.get(url).content.decode()
    assert link not in text
    assert str(AbsenceJustification.Status.PENDING.label) in text
    assert (
        reverse("studies:my_absences")
        in client.get(reverse("studies:my_programme")).content.decode()
    )


# --- Deciding ------------------------------------------------------------------------------
def test_accepting_makes_the_attendance_justified_and_emails_the_student(absence):
    justification = _submit(absence)
    user = absence["attendance"].student.user
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client = logged_in(absence["coordinator"])
    response = client.post(
        reverse("studies:justification", args=[justification.pk]), {"action": "accept"}
    )
    assert response.status_code == 302
    justification.refresh_from_db()
    assert justification.status == AbsenceJustification.Status.ACCEPTED
    assert justification.decided_by == absence["coordinator"]
    assert Attendance.objects.get(pk=absence["attendance"].pk).status == "justified"
    email = OutgoingEmail.objects.get(to=[user.email])
    with translation.override("en"):
        day = absence["session"].starts_at
        expected = gettext("Your absence of %(day)s is justified") % {
            "day": formats.date_format(timezone.localtime(day), "DATE_FORMAT")
        }
    assert email.subject == expected
    notification = Notification.objects.get(user=user)
    assert notification.kind == Notification.Kind.ATTENDANCE
    assert notification.subject == expected
    assert notification.link == reverse("studies:my_absences")


def test_a_decided_justification_cannot_be_decided_again(absence):
    justification = _submit(absence)
    justification_accept(actor=absence["coordinator"], justification=justification)
    with pytest.raises(ValidationError) as raised:
        justification_refuse(
            actor=absence["coordinator"], justification=justification, reason="Non"
        )
    assert raised.value.messages == [gettext("This justification has already been decided.")]
    assert Attendance.objects.get(pk=absence["attendance"].pk).status == "justified"


def test_only_a_coordinator_decides(absence):
    justification = _submit(absence)
    with pytest.raises(PermissionDenied):
        justification_accept(actor=absence["lecturer"], justification=justification)
    assert AbsenceJustification.objects.get().status == AbsenceJustification.Status.PENDING


def test_refusing_needs_a_reason(absence):
    justification = _submit(absence)
    with pytest.raises(ValidationError) as raised:
        justification_refuse(actor=absence["coordinator"], justification=justification, reason=" ")
    assert raised.value.message_dict == {
        "refusal_reason": [gettext("Say why the justification is refused.")]
    }
    client = logged_in(absence["coordinator"])
    response = client.post(
        reverse("studies:justification", args=[justification.pk]),
        {"action": "refuse", "refusal_reason": "", CONFIRM_FIELD: CONFIRM_VALUE},
    )
    assert response.status_code == 400
    assert response.context["refusal"].errors["refusal_reason"]
    assert AbsenceJustification.objects.get().status == AbsenceJustification.Status.PENDING


def test_refusing_is_confirmed_then_emailed_with_the_reason(absence):
    justification = _submit(absence)
    user = absence["attendance"].student.user
    client = logged_in(absence["coordinator"])
    url = reverse("studies:justification", args=[justification.pk])
    response = client.post(url, {"action": "refuse", "refusal_reason": "Pas de certificat"})
    assert response.status_code == 200
    assert 'data-testid="confirmation"' in response.content.decode()
    assert AbsenceJustification.objects.get().status == AbsenceJustification.Status.PENDING
    assert not OutgoingEmail.objects.exists()
    response = client.post(
        url,
        {"action": "refuse", "refusal_reason": "Pas de certificat", CONFIRM_FIELD: CONFIRM_VALUE},
    )
    assert response.status_code == 302
    justification.refresh_from_db()
    assert justification.status == AbsenceJustification.Status.REFUSED
    assert justification.refusal_reason == "Pas de certificat"
    assert Attendance.objects.get(pk=absence["attendance"].pk).status == "absent"
    email = OutgoingEmail.objects.get(to=[user.email])
    assert "Pas de certificat" in email.body
    assert Notification.objects.get(user=user).kind == Notification.Kind.ATTENDANCE


def test_the_list_shows_the_waiting_ones_by_default_and_filters_by_cohort(absence):
    waiting = _submit(absence)
    client = logged_in(absence["coordinator"])
    url = reverse("studies:justifications")
    assert list(client.get(url).context["page"]) == [waiting]
    justification_accept(actor=absence["coordinator"], justification=waiting)
    assert list(client.get(url).context["page"]) == []
    assert list(client.get(url, {"status": "accepted"}).context["page"]) == [waiting]
    assert list(client.get(url, {"status": ""}).context["page"]) == [waiting]
    from tests.factories.enrollment import CohortFactory

    other = CohortFactory.create()
    assert list(client.get(url, {"status": "", "cohort": str(other.pk)}).context["page"]) == []
    cohort_page = client.get(reverse("studies:cohort", args=[absence["cohort"].slug]))
    assert f"{url}?cohort={absence['cohort'].pk}" in cohort_page.content.decode()
