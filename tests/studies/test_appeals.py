"""Consultation of marks and appeals (academic-rules.md §1.11): the window, filing, the
answer through the history of the marks, the e-mail, the jury's check, each role's pages."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import OutgoingEmail
from studies.lifecycles import APPEAL
from studies.models import (
    Appeal,
    ConsultationWindow,
    Jury,
    Mark,
    MarkChange,
    MarkSheet,
    Session,
)
from studies.services.appeals import (
    appeal_answer,
    appeal_file,
    appeal_withdraw,
    consultation_set,
    open_appeals,
)
from studies.services.juries import jury_close, jury_get_or_create, jury_problems
from studies.services.marks import MarkRow, grid_save, grid_submit
from tests.helpers import logged_in
from tests.studies.studies_helpers import EXAMPLE_C, fill, sheet

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _in_english():
    """The services' messages are read in the source language (pages choose their own)."""
    with translation.override("en"):
        yield


# --- Helpers ----------------------------------------------------------------------------------
def f111() -> MarkSheet:
    return sheet("F1.1.1")


def submit_f111(setting, *, values: tuple[str, str] = ("12", "9")) -> MarkSheet:
    """F1.1.1 typed by its lecturer for the three students and submitted."""
    cc, exam = (Decimal(v) for v in values)
    rows = [MarkRow(s.pk, cc, exam) for s in setting["students"]]
    grid_save(sheet=f111(), actor=setting["lecturer"], rows=rows)
    return grid_submit(sheet=f111(), actor=setting["lecturer"])


def open_window(setting, target: MarkSheet, *, start=-HOUR, end=24 * HOUR) -> ConsultationWindow:
    now = timezone.now()
    return consultation_set(
        sheet=target, actor=setting["coordinator"], opens_at=now + start, closes_at=now + end
    )


@pytest.fixture
def consulted(setting):
    """F1.1.1 submitted (CC 12, exam 9: mark 10.20) and in its consultation window."""
    target = submit_f111(setting)
    open_window(setting, target)
    return setting


def file(setting, who: int = 0, reason: str = "Ma copie d'examen a été mal notée.") -> Appeal:
    return appeal_file(sheet=f111(), student_user=setting["students"][who].user, reason=reason)


# --- The window -------------------------------------------------------------------------------
def test_the_window_is_set_by_a_coordinator_on_a_submitted_grid(setting):
    now = timezone.now()
    with pytest.raises(ValidationError, match="submitted"):
        consultation_set(
            sheet=f111(), actor=setting["coordinator"], opens_at=now, closes_at=now + HOUR
        )
    submit_f111(setting)
    with pytest.raises(PermissionDenied):
        consultation_set(
            sheet=f111(), actor=setting["lecturer"], opens_at=now, closes_at=now + HOUR
        )
    with pytest.raises(ValidationError) as exc:
        consultation_set(
            sheet=f111(), actor=setting["coordinator"], opens_at=now, closes_at=now - HOUR
        )
    assert "closes_at" in exc.value.error_dict
    assert not ConsultationWindow.objects.exists()
    open_window(setting, f111())
    moved = open_window(setting, f111(), start=HOUR, end=2 * HOUR)  # moved, not duplicated
    assert ConsultationWindow.objects.get() == moved
    assert moved.set_by == setting["coordinator"]


def test_the_database_refuses_a_window_that_closes_before_it_opens(setting):
    submit_f111(setting)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationWindow.objects.create(sheet=f111(), opens_at=now, closes_at=now)


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (None, None, "No consultation period"),
        (HOUR, 2 * HOUR, "opens on"),
        (-2 * HOUR, -HOUR, "closed on"),
    ],
)
def test_an_appeal_outside_the_window_is_refused_and_nothing_is_stored(setting, start, end, words):
    submit_f111(setting)
    if start is not None:
        open_window(setting, f111(), start=start, end=end)
    with pytest.raises(ValidationError) as exc:
        file(setting)
    assert exc.value.code == "window"
    assert words in exc.value.messages[0]
    assert not Appeal.objects.exists()


# --- Filing -----------------------------------------------------------------------------------
def test_one_open_appeal_per_student_and_grid(consulted):
    first = file(consulted)
    assert (first.status, first.module.code) == (Appeal.Status.OPEN, "F1.1.1")
    with pytest.raises(ValidationError) as exc:
        file(consulted)
    assert exc.value.code == "open"
    file(consulted, who=1)  # another student of the grid
    appeal_withdraw(appeal=first, user=consulted["students"][0].user)
    file(consulted)  # once withdrawn, a new one may be filed
    assert Appeal.objects.filter(status=Appeal.Status.OPEN).count() == 2


def test_the_database_keeps_one_open_appeal_per_student_and_grid_and_its_dates(consulted):
    appeal = file(consulted)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(sheet=appeal.sheet, student=appeal.student, reason="encore")
    other = consulted["students"][1]
    for fields in ({"reason": ""}, {"reason": "x" * 2001}, {"status": "kept"},
                   {"status": "withdrawn"}):  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            Appeal.objects.create(sheet=appeal.sheet, student=other, **{"reason": "r", **fields})


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_an_appeal_needs_a_reason_of_2000_characters_at_most(consulted, reason):
    with pytest.raises(ValidationError) as exc:
        file(consulted, reason=reason)
    assert "reason" in exc.value.error_dict
    assert not Appeal.objects.exists()


def test_only_a_student_of_the_grid_may_appeal(consulted, make_user):
    with pytest.raises(PermissionDenied):
        appeal_file(sheet=f111(), student_user=make_user("student"), reason="Je veux voir.")
    with pytest.raises(PermissionDenied):  # a grid without a mark of theirs
        appeal_file(
            sheet=sheet("F1.1.2"), student_user=consulted["students"][0].user, reason="Erreur"
        )


def test_no_appeal_on_a_grid_the_jury_has_locked(consulted):
    MarkSheet.objects.filter(pk=f111().pk).update(status=MarkSheet.Status.LOCKED)
    with pytest.raises(ValidationError) as exc:
        file(consulted)
    assert exc.value.code == "locked"
    assert not Appeal.objects.exists()


# --- Answering --------------------------------------------------------------------------------
def test_a_correction_by_the_lecturer_goes_through_the_history_and_is_emailed(
    consulted, django_capture_on_commit_callbacks
):
    student = consulted["students"][0]
    student.user.preferred_language = "en"
    student.user.save(update_fields=["preferred_language"])
    appeal = file(consulted)
    with django_capture_on_commit_callbacks(execute=True):
        answered = appeal_answer(
            appeal=appeal,
            actor=consulted["lecturer"],
            outcome=Appeal.Status.CORRECTED,
            answer="",
            cc=Decimal("12"),
            exam=Decimal("11"),
            reason="Exercise 3 was not counted",
        )
    mark = Mark.objects.get(sheet=f111(), student=student)
    assert (mark.exam, mark.mark) == (Decimal("11"), Decimal("11.40"))  # 0.4 × 12 + 0.6 × 11
    change = MarkChange.objects.filter(mark=mark).latest("pk")
    assert change.reason == "Exercise 3 was not counted"
    assert change.changed_by == consulted["lecturer"]
    assert (change.before["mark"], change.after["mark"]) == ("10.20", "11.40")
    answered.refresh_from_db()
    assert answered.status == Appeal.Status.CORRECTED
    assert (answered.before["mark"], answered.after["mark"]) == ("10.20", "11.40")
    assert answered.answer == "Exercise 3 was not counted"
    assert answered.answered_by == consulted["lecturer"]
    [message] = mail.outbox
    assert message.to == [student.user.email]
    assert "F1.1.1" in message.subject
    assert "Economic geography, clusters & local production systems" in message.body
    assert "11.40" in message.body
    assert "Mark corrected" in message.body


def test_a_kept_mark_needs_an_answer_and_is_emailed_in_the_students_language(
    consulted, django_capture_on_commit_callbacks
):
    student = consulted["students"][1]
    student.user.preferred_language = "ar"
    student.user.save(update_fields=["preferred_language"])
    appeal = file(consulted, who=1)
    with pytest.raises(ValidationError) as exc:
        appeal_answer(appeal=appeal, actor=consulted["coordinator"], outcome="kept", answer=" ")
    assert "answer" in exc.value.error_dict
    with django_capture_on_commit_callbacks(execute=True):
        appeal_answer(
            appeal=appeal,
            actor=consulted["coordinator"],
            outcome="kept",
            answer="La copie a été revue : la note est maintenue.",
        )
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.KEPT
    assert appeal.before == appeal.after
    assert appeal.after["mark"] == "10.20"
    assert Mark.objects.get(sheet=f111(), student=student).mark == Decimal("10.20")
    assert MarkChange.objects.filter(mark__student=student).count() == 1  # the first entry only
    [message] = mail.outbox
    assert "الاقتصاد الجغرافي والعناقيد والأنظمة الإنتاجية المحلية" in message.body
    assert "la note est maintenue" in message.body


def test_a_correction_needs_a_reason_valid_marks_and_a_change(consulted):
    appeal = file(consulted)
    lecturer = consulted["lecturer"]
    with pytest.raises(ValidationError) as exc:
        appeal_answer(appeal=appeal, actor=lecturer, outcome="corrected", answer="", cc=None,
                      exam=Decimal("21"), reason="")  # fmt: skip
    assert {"reason", "exam"} <= set(exc.value.error_dict)
    with pytest.raises(ValidationError, match="already recorded"):
        appeal_answer(appeal=appeal, actor=lecturer, outcome="corrected", answer="",
                      cc=Decimal("12"), exam=Decimal("9"), reason="Revu")  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        appeal_answer(appeal=appeal, actor=lecturer, outcome="maybe", answer="?")
    assert "outcome" in exc.value.error_dict
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN


def test_only_the_offerings_lecturers_and_coordinators_answer(consulted, make_user):
    appeal = file(consulted)
    for outsider in (make_user("lecturer"), consulted["students"][0].user):
        with pytest.raises(PermissionDenied):
            appeal_answer(appeal=appeal, actor=outsider, outcome="kept", answer="Non.")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN


def test_the_lifecycle_is_enforced(consulted):
    assert APPEAL.actions(Appeal.Status.OPEN) == ("keep", "correct", "withdraw")
    assert APPEAL.actions(Appeal.Status.KEPT) == ()
    appeal = file(consulted)
    with pytest.raises(PermissionDenied):  # only its student withdraws it
        appeal_withdraw(appeal=appeal, user=consulted["students"][1].user)
    appeal_answer(appeal=appeal, actor=consulted["lecturer"], outcome="kept", answer="Maintenue")
    with pytest.raises(ValidationError) as exc:
        appeal_withdraw(appeal=appeal, user=consulted["students"][0].user)
    assert exc.value.code == "transition"
    other = file(consulted, who=1)
    appeal_withdraw(appeal=other, user=consulted["students"][1].user)
    with pytest.raises(ValidationError, match="already been answered or withdrawn"):
        appeal_answer(appeal=other, actor=consulted["lecturer"], outcome="kept", answer="Non")


def test_a_grid_locked_meanwhile_refuses_a_correction_but_the_mark_may_be_kept(consulted):
    appeal = file(consulted)
    MarkSheet.objects.filter(pk=f111().pk).update(status=MarkSheet.Status.LOCKED)
    with pytest.raises(ValidationError, match="reopened"):
        appeal_answer(appeal=appeal, actor=consulted["coordinator"], outcome="corrected",
                      answer="", cc=Decimal(15), exam=Decimal(15), reason="Erreur")  # fmt: skip
    assert Mark.objects.get(sheet=f111(), student=appeal.student).mark == Decimal("10.20")
    appeal_answer(appeal=appeal, actor=consulted["coordinator"], outcome="kept", answer="Vu")


# --- The jury ---------------------------------------------------------------------------------
def test_a_jury_cannot_close_while_an_appeal_of_its_semester_is_open(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    open_window(setting, f111())
    appeal = file(setting, who=2)
    number = setting["students"][2].registration_number
    [line] = open_appeals(cohort=setting["cohort"], semester=1)
    assert number in line
    assert "F1.1.1" in line
    assert open_appeals(cohort=setting["cohort"], semester=2) == []
    jury = jury_get_or_create(cohort=setting["cohort"], semester=1, session=Session.NORMAL)
    assert any(number in p and "F1.1.1" in p for p in jury_problems(jury))
    with pytest.raises(ValidationError) as exc:
        jury_close(jury=jury, actor=setting["coordinator"])
    assert any(number in m and "F1.1.1" in m for m in exc.value.messages)
    jury.refresh_from_db()
    assert jury.status == Jury.Status.OPEN
    appeal_answer(appeal=appeal, actor=setting["coordinator"], outcome="kept", answer="Maintenue")
    assert open_appeals(cohort=setting["cohort"], semester=1) == []
    jury_close(jury=jury, actor=setting["coordinator"])
    jury.refresh_from_db()
    assert jury.status == Jury.Status.CLOSED


# --- Two people at once -----------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_one_wins_the_other_is_told(setting):
    submit_f111(setting)
    open_window(setting, f111())
    appeal = file(setting)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(actor, exam: str) -> None:
        try:
            barrier.wait()
            appeal_answer(
                appeal=appeal,
                actor=actor,
                outcome="corrected",
                answer="",
                cc=Decimal("12"),
                exam=Decimal(exam),
                reason=f"Revu par {actor.pk}",
            )
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(f"{exc.code}: {exc.messages[0]}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer, args=(setting["lecturer"], "14")),
        threading.Thread(target=answer, args=(setting["coordinator"], "16")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    first, second = sorted(outcomes)
    assert first == "ok"
    assert second.startswith("transition: ")  # the other one is told it was answered
    mark = Mark.objects.get(sheet=f111(), student=appeal.student)
    assert MarkChange.objects.filter(mark=mark).count() == 2  # the entry, then one correction
    assert OutgoingEmail.objects.filter(to=[appeal.student.user.email]).count() == 1


# --- Pages: the student -----------------------------------------------------------------------
def student_client(setting, who: int = 0) -> Client:
    client = Client()
    client.force_login(setting["students"][who].user)
    return client


def test_my_marks_shows_the_component_marks_and_files_an_appeal(consulted):
    open_window(consulted, submit_other(consulted), start=HOUR, end=2 * HOUR)  # to come
    client = student_client(consulted)
    url = reverse("studies:consultation_marks")
    assert url == "/me/marks/" or url.endswith("/me/marks/")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "F1.1.1" in page
    assert "Économie géographique, clusters et systèmes productifs locaux" in page
    assert "12,00" in page
    assert "9,00" in page
    assert "10,20" in page
    assert f'name="appeal-{f111().pk}-reason"' in page
    assert "F1.1.2" in page  # the grid to come is named, without its marks
    response = client.post(
        reverse("studies:appeal_file", args=[f111().pk]),
        {f"appeal-{f111().pk}-reason": "L'exercice 2 n'a pas été corrigé."},
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.student == consulted["students"][0]
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "L&#x27;exercice 2 n&#x27;a pas été corrigé." in page
    assert "Waiting for an answer" in page  # the status in words, not its code
    assert f'name="appeal-{f111().pk}-reason"' not in page  # one open appeal at a time
    assert reverse("studies:appeal_withdraw", args=[appeal.pk]) in page


def submit_other(setting) -> MarkSheet:
    """F1.1.2, typed and submitted by a coordinator."""
    target = sheet("F1.1.2")
    rows = [MarkRow(s.pk, Decimal(14), Decimal(14)) for s in setting["students"]]
    grid_save(sheet=target, actor=setting["coordinator"], rows=rows)
    return grid_submit(sheet=target, actor=setting["coordinator"])


def test_my_marks_shows_only_the_students_own_marks(consulted):
    _, b, _ = consulted["students"]
    Mark.objects.filter(sheet=f111(), student=b).update(cc=Decimal("17.25"))
    page = student_client(consulted).get(reverse("studies:consultation_marks")).content.decode()
    assert "17,25" not in page
    assert "17.25" not in page
    assert b.registration_number not in page


def test_filing_on_the_page_with_no_reason_says_so_and_stores_nothing(consulted):
    response = student_client(consulted).post(
        reverse("studies:appeal_file", args=[f111().pk]), {f"appeal-{f111().pk}-reason": ""}
    )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Appeal.objects.exists()


def test_filing_on_the_page_after_the_window_gives_a_message(setting):
    submit_f111(setting)
    open_window(setting, f111(), start=-2 * HOUR, end=-HOUR)
    client = student_client(setting)
    response = client.post(
        reverse("studies:appeal_file", args=[f111().pk]),
        {f"appeal-{f111().pk}-reason": "Trop tard ?"},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert messages[0]
    assert not Appeal.objects.exists()
    page = response.content.decode()
    assert f'name="appeal-{f111().pk}-reason"' not in page  # no form once closed


def test_a_student_reaches_only_their_own_grids_and_appeals(consulted, make_user):
    appeal = file(consulted, who=1)
    client = student_client(consulted)  # the first student
    response = client.post(
        reverse("studies:appeal_file", args=[sheet("F1.1.2").pk]),
        {f"appeal-{sheet('F1.1.2').pk}-reason": "x"},
    )
    assert response.status_code == 404  # no mark of theirs on it
    assert client.post(reverse("studies:appeal_withdraw", args=[appeal.pk])).status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN
    own = student_client(consulted, who=1)
    assert own.post(reverse("studies:appeal_withdraw", args=[appeal.pk])).status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.WITHDRAWN
    outsider = Client()
    outsider.force_login(make_user("student"))
    assert outsider.get(reverse("studies:consultation_marks")).status_code == 404


# --- Pages: the staff -------------------------------------------------------------------------
def test_the_coordinator_sets_the_window_on_the_grid_page(setting):
    submit_f111(setting)
    client = logged_in(setting["coordinator"])
    page = client.get(reverse("studies:sheet", args=[f111().pk])).content.decode()
    assert reverse("studies:consultation_set", args=[f111().pk]) in page
    response = client.post(
        reverse("studies:consultation_set", args=[f111().pk]),
        {"opens_at": "2026-01-10T08:00", "closes_at": "2026-01-09T08:00"},
    )
    assert response.status_code == 400
    assert not ConsultationWindow.objects.exists()
    response = client.post(
        reverse("studies:consultation_set", args=[f111().pk]),
        {"opens_at": "2026-01-10T08:00", "closes_at": "2026-01-12T18:00"},
    )
    assert response.status_code == 302
    window = ConsultationWindow.objects.get()
    assert timezone.localtime(window.opens_at).hour == 8
    lecturer = logged_in(setting["lecturer"])
    page = lecturer.get(reverse("studies:sheet", args=[f111().pk])).content.decode()
    assert 'data-testid="consultation"' in page
    assert reverse("studies:consultation_set", args=[f111().pk]) not in page  # read only
    response = lecturer.post(
        reverse("studies:consultation_set", args=[f111().pk]),
        {"opens_at": "2026-01-10T08:00", "closes_at": "2026-01-20T18:00"},
    )
    assert response.status_code == 403


def test_a_lecturer_answers_the_appeals_of_their_offerings_only(consulted, make_user):
    own = file(consulted)
    submit_other(consulted)
    open_window(consulted, sheet("F1.1.2"))
    other = appeal_file(
        sheet=sheet("F1.1.2"), student_user=consulted["students"][0].user, reason="F112"
    )
    client = logged_in(consulted["lecturer"])
    page = client.get(reverse("studies:appeal_list")).content.decode()
    assert reverse("studies:appeal_detail", args=[own.pk]) in page
    assert reverse("studies:appeal_detail", args=[other.pk]) not in page
    assert client.get(reverse("studies:appeal_detail", args=[other.pk])).status_code == 404
    assert (
        client.post(
            reverse("studies:appeal_detail", args=[other.pk]), {"outcome": "kept", "answer": "Non"}
        ).status_code
        == 404
    )
    page = client.get(reverse("studies:appeal_detail", args=[own.pk])).content.decode()
    assert 'value="corrected"' in page
    assert 'value="kept"' in page
    assert 'value="withdraw"' not in page
    response = client.post(
        reverse("studies:appeal_detail", args=[own.pk]),
        {"outcome": "corrected", "answer": "", "cc": "12", "exam": "11,5", "reason": "Barème"},
    )
    assert response.status_code == 302
    mark = Mark.objects.get(sheet=f111(), student=own.student)
    assert mark.mark == Decimal("11.70")  # 0.4 × 12 + 0.6 × 11.5
    assert MarkChange.objects.filter(mark=mark, reason="Barème").exists()
    page = client.get(reverse("studies:appeal_detail", args=[own.pk])).content.decode()
    assert 'name="outcome"' not in page  # answered: no action left
    response = client.post(
        reverse("studies:appeal_detail", args=[own.pk]),
        {"outcome": "kept", "answer": "Encore"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]]
    coordinator = logged_in(consulted["coordinator"])
    page = coordinator.get(reverse("studies:appeal_list")).content.decode()
    assert reverse("studies:appeal_detail", args=[other.pk]) in page
    assert coordinator.get(reverse("studies:appeal_detail", args=[other.pk])).status_code == 200
    assert (
        logged_in(make_user("lecturer"))
        .get(reverse("studies:appeal_detail", args=[own.pk]))
        .status_code
        == 404
    )


def test_an_answer_with_errors_stays_on_the_form(consulted):
    appeal = file(consulted)
    response = logged_in(consulted["lecturer"]).post(
        reverse("studies:appeal_detail", args=[appeal.pk]),
        {"outcome": "corrected", "answer": "", "cc": "12", "exam": "25", "reason": ""},
    )
    assert response.status_code == 400
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN


def test_a_locked_grid_offers_only_to_keep_the_mark(consulted):
    appeal = file(consulted)
    MarkSheet.objects.filter(pk=f111().pk).update(status=MarkSheet.Status.LOCKED)
    page = (
        logged_in(consulted["coordinator"])
        .get(reverse("studies:appeal_detail", args=[appeal.pk]))
        .content.decode()
    )
    assert 'value="kept"' in page
    assert 'value="corrected"' not in page


# --- Access, every persona --------------------------------------------------------------------
OK, FORBIDDEN, NOT_FOUND, LOGIN, MFA, CODE = 200, 403, 404, "login", "mfa", "code"
PERSONAS = {
    "anonymous": (LOGIN, LOGIN, LOGIN, LOGIN),
    "applicant": (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "student": (NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN),  # no student record of theirs
    "lecturer": (FORBIDDEN, OK, FORBIDDEN, NOT_FOUND),  # not a lecturer of the offering
    "lecturer-no-mfa": (FORBIDDEN, MFA, FORBIDDEN, MFA),
    "coordinator": (FORBIDDEN, OK, OK, OK),
    "coordinator-no-mfa": (FORBIDDEN, MFA, MFA, MFA),
    "coordinator-password-only": (FORBIDDEN, CODE, CODE, CODE),
    "admin": (FORBIDDEN, OK, OK, OK),
    "admin-no-mfa": (FORBIDDEN, MFA, MFA, MFA),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_reaches_only_its_own_pages(consulted, persona_client, persona):
    appeal = file(consulted)
    urls = (
        reverse("studies:consultation_marks"),
        reverse("studies:appeal_list"),
        reverse("studies:consultation_set", args=[f111().pk]),
        reverse("studies:appeal_detail", args=[appeal.pk]),
    )
    client = persona_client(persona)
    for url, expected in zip(urls, PERSONAS[persona], strict=True):
        response = client.get(url)
        if expected == LOGIN:
            assert response.status_code == 302
            assert reverse("account_login") in response["Location"]
        elif expected == MFA:
            assert response.status_code == 302
            assert response["Location"] == reverse("mfa_activate_totp"), url
        elif expected == CODE:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("mfa_reauthenticate")), url
        else:
            assert response.status_code == expected, (url, response.status_code)
    # Nothing a persona did changed the appeal.
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN
