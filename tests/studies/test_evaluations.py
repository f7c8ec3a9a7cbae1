"""Anonymous module evaluations: the questionnaire and its questions, one answer per student
and module while open, results only from five responses on and only for the coordination and
the module's lecturers, and nothing that ties an answer to the student who gave it."""

from __future__ import annotations

import datetime as dt

import celery.schedules
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.confirmation import CONFIRM_FIELD, CONFIRM_VALUE
from curriculum.demo import seed_curriculum
from enrollment.demo import seed_students
from enrollment.models import Student
from partners.demo import seed_partners
from studies.evaluation_selectors import (
    MIN_RESPONSES,
    offering_results,
    results_export_rows,
    student_evaluations,
)
from studies.models import (
    EvaluationAnswer,
    EvaluationParticipation,
    EvaluationResponse,
    Offering,
    Question,
    Questionnaire,
)
from studies.services.evaluations import (
    evaluation_submit,
    question_add,
    questionnaire_create,
    responses_mix,
)
from studies.services.marks import offerings_open
from studies.tasks import mix_evaluation_responses
from tests.helpers import mfa_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(make_user):
    """Six active students, the S1 modules delivered; the lecturer leads F1.1.1; an open S1
    questionnaire with a required Likert question and an optional free-text one."""
    lecturer = make_user("lecturer")
    other_lecturer = make_user("lecturer")
    coordinator = make_user("coordinator")
    programme = seed_curriculum(organisations=seed_partners(), lecturers=[lecturer])
    cohort, _ = seed_students(count=6, cohort_slug="promo-eval", programme=programme)
    offerings_open(cohort=cohort, semester=1, academic_year="2026-2027", actor=coordinator)
    taught = Offering.objects.get(cohort=cohort, module__code="F1.1.1")
    other = Offering.objects.filter(cohort=cohort, semester=1).exclude(pk=taught.pk).first()
    assert other is not None
    other.lecturers.set([other_lecturer])
    now = timezone.now()
    questionnaire = questionnaire_create(
        actor=coordinator,
        cohort=cohort,
        semester=1,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=7),
    )
    likert = question_add(
        actor=coordinator,
        questionnaire=questionnaire,
        question=Question(
            kind=Question.Kind.LIKERT,
            text_fr="Le cours était clair.",
            text_en="The course was clear.",
            text_ar="كان الدرس واضحا.",
            position=1,
            required=True,
        ),
    )
    text = question_add(
        actor=coordinator,
        questionnaire=questionnaire,
        question=Question(kind=Question.Kind.TEXT, text_fr="Vos remarques", position=2),
    )
    return {
        "cohort": cohort,
        "coordinator": coordinator,
        "lecturer": lecturer,
        "other_lecturer": other_lecturer,
        "taught": taught,
        "other": other,
        "questionnaire": questionnaire,
        "likert": likert,
        "text": text,
        "students": list(cohort.students.select_related("user").order_by("registration_number")),
    }


def _answer(school, student, likert=4, text="", offering=None):
    evaluation_submit(
        actor=student.user,
        questionnaire=school["questionnaire"],
        offering=offering or school["taught"],
        answers={school["likert"].pk: likert, school["text"].pk: text},
    )


def _staff(user) -> Client:
    client = Client()
    mfa_login(client, user)
    return client


def _student(student) -> Client:
    client = Client()
    client.force_login(student.user)
    return client


def _results_url(school, offering=None) -> str:
    return reverse(
        "studies:evaluation_results",
        args=[school["questionnaire"].pk, (offering or school["taught"]).pk],
    )


# --- The questionnaire -------------------------------------------------------------------------
def test_a_second_questionnaire_for_the_same_semester_is_refused(school):
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        questionnaire_create(
            actor=school["coordinator"],
            cohort=school["cohort"],
            semester=1,
            opens_at=now,
            closes_at=now + dt.timedelta(days=1),
        )
    assert caught.value.message_dict["semester"] == [
        gettext("This cohort already has a questionnaire for this semester.")
    ]


def test_a_questionnaire_closes_after_it_opens(school):
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        questionnaire_create(
            actor=school["coordinator"], cohort=school["cohort"], semester=2,
            opens_at=now, closes_at=now,
        )  # fmt: skip
    assert caught.value.message_dict["closes_at"] == [
        gettext("The questionnaire must close after it opens.")
    ]


def test_only_a_coordinator_writes_a_questionnaire(school):
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        questionnaire_create(
            actor=school["lecturer"], cohort=school["cohort"], semester=2,
            opens_at=now, closes_at=now + dt.timedelta(days=1),
        )  # fmt: skip


def test_questions_are_frozen_once_someone_answered(school):
    _answer(school, school["students"][0])
    with pytest.raises(ValidationError) as caught:
        question_add(
            actor=school["coordinator"],
            questionnaire=school["questionnaire"],
            question=Question(kind=Question.Kind.TEXT, text_fr="Encore une"),
        )
    assert caught.value.messages == [
        gettext(
            "Students have already answered this questionnaire: its questions stay as they are."
        )
    ]


def test_the_coordinator_creates_a_questionnaire_and_its_questions_through_the_pages(school):
    client = _staff(school["coordinator"])
    page = client.post(
        reverse("studies:evaluations", args=[school["cohort"].slug]),
        {"semester": "2", "opens_at": "2027-02-01T08:00", "closes_at": "2027-02-15T18:00"},
    )
    created = Questionnaire.objects.get(cohort=school["cohort"], semester=2)
    assert page.status_code == 302
    assert page["Location"] == reverse("studies:questionnaire", args=[created.pk])
    client.post(
        reverse("studies:questionnaire", args=[created.pk]),
        {"kind": "likert", "text_fr": "Utile ?", "position": "1", "required": "on"},
    )
    assert list(created.questions.values_list("text_fr", "required")) == [("Utile ?", True)]


# --- Answering -----------------------------------------------------------------------------------
def test_a_student_answers_once_per_module(school):
    student = school["students"][0]
    _answer(school, student)
    with pytest.raises(ValidationError) as caught:
        _answer(school, student, likert=1)
    assert caught.value.messages == [
        gettext("You have already evaluated this module: an evaluation is given once only.")
    ]
    assert EvaluationResponse.objects.filter(offering=school["taught"]).count() == 1
    # The other module of the semester is a separate evaluation.
    _answer(school, student, offering=school["other"])
    assert EvaluationParticipation.objects.filter(student=student).count() == 2


def test_a_closed_questionnaire_refuses_answers(school):
    Questionnaire.objects.filter(pk=school["questionnaire"].pk).update(
        opens_at=timezone.now() - dt.timedelta(days=9),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    school["questionnaire"].refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        _answer(school, school["students"][0])
    assert caught.value.messages == [
        gettext("This questionnaire is closed: answers are no longer accepted.")
    ]
    assert not EvaluationParticipation.objects.exists()
    assert not EvaluationResponse.objects.exists()


def test_a_questionnaire_not_yet_open_refuses_answers(school):
    Questionnaire.objects.filter(pk=school["questionnaire"].pk).update(
        opens_at=timezone.now() + dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=2),
    )
    school["questionnaire"].refresh_from_db()
    with pytest.raises(ValidationError):
        _answer(school, school["students"][0])
    assert not EvaluationResponse.objects.exists()


def test_a_required_question_needs_an_answer_and_nothing_is_recorded(school):
    with pytest.raises(ValidationError) as caught:
        _answer(school, school["students"][0], likert=None)
    assert caught.value.message_dict == {
        f"q{school['likert'].pk}": [gettext("This question needs an answer.")]
    }
    assert not EvaluationParticipation.objects.exists()


def test_a_likert_answer_is_between_1_and_5(school):
    with pytest.raises(ValidationError):
        _answer(school, school["students"][0], likert=6)
    assert not EvaluationResponse.objects.exists()


def test_a_student_no_longer_active_cannot_answer(school):
    student = school["students"][0]
    Student.objects.filter(pk=student.pk).update(status=Student.Status.SUSPENDED)
    with pytest.raises(PermissionDenied):
        _answer(school, student)


def test_a_module_of_another_semester_is_not_evaluated_with_it(school):
    offerings_open(
        cohort=school["cohort"], semester=2, academic_year="2026-2027", actor=school["coordinator"]
    )
    s2 = Offering.objects.filter(cohort=school["cohort"], semester=2).first()
    with pytest.raises(PermissionDenied):
        _answer(school, school["students"][0], offering=s2)


def test_the_student_answers_through_the_page_after_confirming(school):
    student = school["students"][0]
    client = _student(student)
    url = reverse(
        "studies:evaluation_answer", args=[school["questionnaire"].pk, school["taught"].pk]
    )
    form = client.get(url)
    assert form.status_code == 200
    data = {f"q{school['likert'].pk}": "5", f"q{school['text'].pk}": "Très bien"}
    confirmation = client.post(url, data)
    assert confirmation.status_code == 200
    assert not EvaluationResponse.objects.exists()  # not before the confirmation
    done = client.post(url, {**data, CONFIRM_FIELD: CONFIRM_VALUE})
    assert done.status_code == 302
    answers = EvaluationAnswer.objects.filter(response__offering=school["taught"])
    assert {(a.likert, a.text) for a in answers} == {(5, ""), (None, "Très bien")}
    listing = client.get(reverse("studies:my_evaluations"))
    assert f'data-testid="answered-{school["taught"].pk}"' in listing.content.decode()
    again = client.post(url, {**data, CONFIRM_FIELD: CONFIRM_VALUE})
    assert again.status_code == 400
    assert EvaluationResponse.objects.count() == 1


def test_questions_are_shown_in_the_readers_language(school):
    client = _student(school["students"][0])
    client.cookies["django_language"] = "ar"
    url = reverse(
        "studies:evaluation_answer", args=[school["questionnaire"].pk, school["taught"].pk]
    )
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "كان الدرس واضحا." in page
    assert "Le cours était clair." not in page


def test_the_student_lists_the_open_evaluations(school):
    pending = student_evaluations(user=school["students"][0].user)
    assert {p.offering.pk for p in pending} == set(
        Offering.objects.filter(cohort=school["cohort"], semester=1).values_list("pk", flat=True)
    )
    assert not any(p.answered for p in pending)


# --- Results -------------------------------------------------------------------------------------
def test_results_are_hidden_below_five_responses(school):
    for student in school["students"][: MIN_RESPONSES - 1]:
        _answer(school, student, likert=2, text="Trop rapide")
    results = offering_results(questionnaire=school["questionnaire"], offering=school["taught"])
    assert (results.responses, results.shown, results.questions) == (MIN_RESPONSES - 1, False, [])
    client = _staff(school["coordinator"])
    page = client.get(_results_url(school)).content.decode()
    assert 'data-testid="hidden-results"' in page
    assert "Trop rapide" not in page
    export = client.get(
        reverse(
            "studies:evaluation_results_export",
            args=[school["questionnaire"].pk, school["taught"].pk, "csv"],
        )
    )
    assert export.status_code == 302


def test_results_from_five_responses_mean_distribution_and_sorted_texts(school):
    values = [5, 4, 4, 2, 5]
    texts = ["zèle", "Bien", "", "aéré", "Clair"]
    for student, value, text in zip(school["students"], values, texts, strict=False):
        _answer(school, student, likert=value, text=text)
    results = offering_results(questionnaire=school["questionnaire"], offering=school["taught"])
    assert results.shown
    likert, free = results.questions
    assert str(likert.mean) == "4.00"
    assert [(v, n) for v, n, _p in likert.distribution] == [(1, 0), (2, 1), (3, 0), (4, 2), (5, 2)]
    assert free.texts == ["aéré", "Bien", "Clair", "zèle"]
    rows = results_export_rows(results)
    assert rows[1][2:9] == [5, likert.mean, 0, 1, 0, 2, 2]
    assert [row[-1] for row in rows[2:]] == ["aéré", "Bien", "Clair", "zèle"]
    client = _staff(school["lecturer"])
    page = client.get(_results_url(school))
    assert page.status_code == 200
    assert "aéré" in page.content.decode()
    export = client.get(
        reverse(
            "studies:evaluation_results_export",
            args=[school["questionnaire"].pk, school["taught"].pk, "xlsx"],
        )
    )
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_lecturer_of_another_module_gets_404(school):
    client = _staff(school["other_lecturer"])
    assert client.get(_results_url(school)).status_code == 404
    export = reverse(
        "studies:evaluation_results_export",
        args=[school["questionnaire"].pk, school["taught"].pk, "csv"],
    )
    assert client.get(export).status_code == 404
    assert client.get(_results_url(school, school["other"])).status_code == 200


def test_the_lecturer_lists_the_evaluations_of_their_modules(school):
    page = _staff(school["lecturer"]).get(reverse("studies:staff_evaluations")).content.decode()
    assert _results_url(school) in page
    assert _results_url(school, school["other"]) not in page


# --- Anonymity -----------------------------------------------------------------------------------
ANONYMOUS_MODELS = (EvaluationResponse, EvaluationAnswer)


def test_answers_store_no_student_and_no_time(school):
    """The tables of the answers, as PostgreSQL has them: no column naming a student or a
    person, no date or time column, no foreign key to a student, a person or a participation."""
    time_types = {"DateTimeField", "DateField", "TimeField", "DurationField"}
    with connection.cursor() as cursor:
        for model in ANONYMOUS_MODELS:
            table = model._meta.db_table
            description = connection.introspection.get_table_description(cursor, table)
            names = {column.name for column in description}
            assert not {n for n in names if "student" in n or "user" in n or "_at" in n}, table
            assert not {
                column.name
                for column in description
                if connection.introspection.get_field_type(column.type_code, column) in time_types
            }, table
            targets = {
                target
                for _column, target in connection.introspection.get_relations(
                    cursor, table
                ).values()
            }
            assert targets <= {
                Questionnaire._meta.db_table,
                Offering._meta.db_table,
                Question._meta.db_table,
                EvaluationResponse._meta.db_table,
            }, table
            assert model._meta.pk.get_internal_type() == "UUIDField"


def test_no_relation_joins_a_response_to_a_participation(school):
    """No field of the anonymous models relates to a participation or a student (nor to a
    person), and the participation has no relation to them: only the questionnaire and the
    offering are shared, which many answers and many participations have in common."""
    forbidden = {EvaluationParticipation, Student, get_user_model()}
    related = {
        field.related_model
        for model in ANONYMOUS_MODELS
        for field in model._meta.get_fields()
        if field.related_model is not None
    }
    assert related == {Questionnaire, Offering, Question, EvaluationResponse, EvaluationAnswer}
    assert not related & forbidden
    participation_related = {
        field.related_model
        for field in EvaluationParticipation._meta.get_fields()
        if field.related_model is not None
    }
    assert participation_related == {Questionnaire, Offering, Student}


def test_ids_are_random_and_the_listing_order_is_not_the_insertion_order(school):
    for student in school["students"]:
        _answer(school, student)
    responses = list(EvaluationResponse.objects.values_list("id", flat=True))
    assert all(r.version == 4 for r in responses)
    # Ordered by its random id, never by a sequence or a date.
    assert EvaluationResponse._meta.ordering == ("id",)
    assert EvaluationAnswer._meta.ordering == ("id",)


def _xmins(model) -> list[int]:
    """The id of the transaction that wrote each row of ``model``'s table (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text::bigint FROM {model._meta.db_table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_no_transaction_id_is_shared_by_a_participation_and_an_answer(school):
    """The participation and the answer are written in two transactions: a join on
    PostgreSQL's xmin (the writing transaction) pairs nothing."""
    for student in school["students"][:MIN_RESPONSES]:
        _answer(school, student, text="Très concret.")
    participations = set(_xmins(EvaluationParticipation))
    assert len(participations) == MIN_RESPONSES
    assert not participations & set(_xmins(EvaluationResponse))
    assert not participations & set(_xmins(EvaluationAnswer))


@pytest.mark.django_db(transaction=True)
def test_the_mix_rewrites_the_answers_together_with_new_ids_and_the_same_results(school):
    for n, student in enumerate(school["students"]):
        _answer(school, student, likert=1 + n % 5, text=f"Remarque {n}")
    before_ids = set(EvaluationResponse.objects.values_list("id", flat=True))
    before_answer_ids = set(EvaluationAnswer.objects.values_list("id", flat=True))
    before = offering_results(questionnaire=school["questionnaire"], offering=school["taught"])
    assert len(set(_xmins(EvaluationResponse))) == len(school["students"])

    assert mix_evaluation_responses.run() == 1

    responses = EvaluationResponse.objects.all()
    assert responses.count() == len(school["students"])
    assert all(r.mixed for r in responses)
    assert not before_ids & set(responses.values_list("id", flat=True))
    assert not before_answer_ids & set(EvaluationAnswer.objects.values_list("id", flat=True))
    assert EvaluationAnswer.objects.count() == 2 * len(school["students"])
    # One transaction wrote them all: their xmin says nothing of who answered when.
    assert len(set(_xmins(EvaluationResponse))) == 1
    assert set(_xmins(EvaluationAnswer)) == set(_xmins(EvaluationResponse))
    after = offering_results(questionnaire=school["questionnaire"], offering=school["taught"])
    assert after == before
    # Nothing new: the next hour mixes nothing.
    assert responses_mix() == 0


@pytest.mark.django_db(transaction=True)
def test_an_answer_after_the_mix_is_mixed_with_the_others_at_the_next_one(school):
    students = school["students"]
    for student in students[:-1]:
        _answer(school, student)
    responses_mix()
    _answer(school, students[-1], likert=2)
    assert EvaluationResponse.objects.filter(mixed=False).count() == 1
    assert responses_mix(questionnaire=school["questionnaire"]) == 1
    assert not EvaluationResponse.objects.filter(mixed=False).exists()
    assert len(set(_xmins(EvaluationResponse))) == 1
    assert EvaluationParticipation.objects.count() == len(students)


def test_the_mix_runs_every_hour():
    schedule = settings.CELERY_BEAT_SCHEDULE["evaluation-answers-mix"]
    assert schedule["task"] == mix_evaluation_responses.name
    assert schedule["schedule"] == celery.schedules.crontab(minute=17)


def test_the_page_of_a_closed_questionnaire_says_so_and_has_no_form(school):
    Questionnaire.objects.filter(pk=school["questionnaire"].pk).update(
        opens_at=timezone.now() - dt.timedelta(days=9),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    url = reverse(
        "studies:evaluation_answer", args=[school["questionnaire"].pk, school["taught"].pk]
    )
    page = _student(school["students"][0]).get(url).content.decode()
    assert gettext("This questionnaire is closed: answers are no longer accepted.") in page
    assert f'name="q{school["likert"].pk}"' not in page


def test_the_page_of_an_evaluation_already_given_says_so_and_has_no_form(school):
    student = school["students"][0]
    _answer(school, student)
    url = reverse(
        "studies:evaluation_answer", args=[school["questionnaire"].pk, school["taught"].pk]
    )
    page = _student(student).get(url).content.decode()
    assert 'data-testid="already-answered"' in page
    assert (
        gettext("You have already evaluated this module: an evaluation is given once only.") in page
    )
    assert f'name="q{school["likert"].pk}"' not in page
    # Another student of the cohort, who has not answered, still has the questions.
    other = _student(school["students"][1]).get(url).content.decode()
    assert 'data-testid="already-answered"' not in other
    assert f'name="q{school["likert"].pk}"' in other
