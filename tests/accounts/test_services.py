from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage

from accounts.access import Role
from accounts.models import OutgoingEmail, RoleChange
from accounts.services import (
    TransientEmailError,
    email_queue,
    outgoing_email_send,
    user_set_preferred_language,
    user_set_role,
)

pytestmark = pytest.mark.django_db


def test_a_coordinator_grants_the_lecturer_role_and_the_history_keeps_it(make_user):
    coordinator, person = make_user("coordinator"), make_user()
    user_set_role(
        actor=coordinator, user=person, role=Role.LECTURER, granted=True, reason="Vacataire S1"
    )
    person.refresh_from_db()
    assert person.is_lecturer
    change = RoleChange.objects.get(user=person)
    assert (change.role, change.granted, change.changed_by, change.reason) == (
        "lecturer",
        True,
        coordinator,
        "Vacataire S1",
    )


def test_granting_a_role_already_held_changes_nothing(make_user):
    coordinator, lecturer = make_user("coordinator"), make_user("lecturer")
    user_set_role(actor=coordinator, user=lecturer, role=Role.LECTURER, granted=True)
    assert not RoleChange.objects.exists()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.STUDENT])
def test_a_coordinator_may_not_grant_coordinator_or_student(make_user, role):
    coordinator, person = make_user("coordinator"), make_user()
    with pytest.raises(PermissionDenied):
        user_set_role(actor=coordinator, user=person, role=role, granted=True)
    person.refresh_from_db()
    assert not person.is_coordinator
    assert not person.is_student
    assert not RoleChange.objects.exists()


def test_the_admin_grants_the_coordinator_role(make_user):
    admin, person = make_user("admin"), make_user()
    user_set_role(actor=admin, user=person, role=Role.COORDINATOR, granted=True)
    person.refresh_from_db()
    assert person.is_coordinator


def test_the_system_grants_the_student_role(make_user):
    person = make_user()
    user_set_role(actor=None, user=person, role=Role.STUDENT, granted=True, reason="offer")
    assert RoleChange.objects.get(user=person).changed_by is None


def test_the_applicant_role_cannot_be_granted(make_user):
    with pytest.raises(ValidationError):
        user_set_role(actor=make_user("admin"), user=make_user(), role=Role.APPLICANT, granted=True)


def test_an_unknown_language_is_refused(make_user):
    with pytest.raises(ValidationError):
        user_set_preferred_language(user=make_user(), language="xx")


def test_sending_a_queued_email_twice_sends_it_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        outgoing = email_queue(EmailMessage("Sujet", "Corps", to=["a@example.dz"]))
    assert outgoing_email_send(email_id=outgoing.pk) is True
    assert outgoing_email_send(email_id=outgoing.pk) is False
    assert len(mail.outbox) == 1


def test_a_mail_server_failure_keeps_the_email_pending_for_a_retry(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    with django_capture_on_commit_callbacks(execute=False):
        outgoing = email_queue(EmailMessage("Sujet", "Corps", to=["a@example.dz"]))
    with pytest.raises(TransientEmailError):
        outgoing_email_send(email_id=outgoing.pk)
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingEmail.Status.PENDING
    assert outgoing.attempts == 1
    assert outgoing.error


def test_several_emails_go_out_in_one_task_and_each_only_once(django_capture_on_commit_callbacks):
    from accounts.tasks import send_outgoing_emails

    with django_capture_on_commit_callbacks(execute=False):
        ids = [
            email_queue(EmailMessage("Sujet", "Corps", to=[f"p{n}@example.dz"])).pk
            for n in range(3)
        ]
    assert send_outgoing_emails(ids) == 3
    assert send_outgoing_emails(ids) == 0
    assert sorted(m.to[0] for m in mail.outbox) == [
        "p0@example.dz",
        "p1@example.dz",
        "p2@example.dz",
    ]
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_when_the_mail_server_is_down_the_rest_of_a_group_is_retried_one_by_one(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from accounts.tasks import send_outgoing_email, send_outgoing_emails

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    with django_capture_on_commit_callbacks(execute=False):
        ids = [
            email_queue(EmailMessage("Sujet", "Corps", to=[f"p{n}@example.dz"])).pk
            for n in range(3)
        ]
    retried: list[int] = []
    monkeypatch.setattr(send_outgoing_email, "delay", retried.append)
    assert send_outgoing_emails(ids) == 0
    assert retried == ids  # the one that failed and the two not tried yet
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"pending"}
