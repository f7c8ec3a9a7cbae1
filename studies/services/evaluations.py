"""Module evaluations (#14): a coordinator writes a cohort's questionnaire for one semester
(open between two moments) and its questions; while it is open, each active student of the
cohort answers it once for each module offering of that semester.

Anonymity: one transaction records that the student answered (``EvaluationParticipation``,
unique — a second answer is refused) and another, apart, what they answered
(``EvaluationResponse`` and its ``EvaluationAnswer`` rows: no student, no time, random UUIDs).
Nothing links the two: the response keeps neither the participation's id nor the student,
this module logs no one with an answer and returns nothing that would tie them together; and
an hourly mix (``responses_mix``) rewrites the answers in a random order in one transaction,
so that not even the database's transaction ids or row order pair them for long.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import User
from enrollment.models import Cohort, Student
from studies.models import (
    EvaluationAnswer,
    EvaluationParticipation,
    EvaluationResponse,
    Offering,
    Question,
    Questionnaire,
)

TEXT_MAX_LENGTH = 4000


def _coordinator(actor: User) -> None:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied


def is_open(questionnaire: Questionnaire, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return questionnaire.opens_at <= now < questionnaire.closes_at


# --- The coordinators' side ----------------------------------------------------------------------
def questionnaire_create(
    *,
    actor: User,
    cohort: Cohort,
    semester: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
) -> Questionnaire:
    _coordinator(actor)
    errors: dict[str, list[str]] = {}
    if not 1 <= semester <= cohort.programme.semester_count:
        errors["semester"] = [_("This programme has no such semester.")]
    elif Questionnaire.objects.filter(cohort=cohort, semester=semester).exists():
        errors["semester"] = [_("This cohort already has a questionnaire for this semester.")]
    if closes_at <= opens_at:
        errors["closes_at"] = [_("The questionnaire must close after it opens.")]
    if errors:
        raise ValidationError(errors)
    return Questionnaire.objects.create(
        cohort=cohort,
        semester=semester,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor,
    )


def _unanswered(questionnaire: Questionnaire) -> None:
    if questionnaire.responses.exists():
        raise ValidationError(
            _("Students have already answered this questionnaire: its questions stay as they are.")
        )


def question_add(*, actor: User, questionnaire: Questionnaire, question: Question) -> Question:
    """Adds ``question`` (unsaved, its fields filled) while nobody has answered yet."""
    _coordinator(actor)
    _unanswered(questionnaire)
    if not question.text_fr.strip():
        raise ValidationError({"text_fr": [_("Write the question in French at least.")]})
    question.questionnaire = questionnaire
    question.full_clean(exclude=["questionnaire"])
    question.save()
    return question


def question_delete(*, actor: User, question: Question) -> None:
    _coordinator(actor)
    _unanswered(question.questionnaire)
    question.delete()


# --- The students' side --------------------------------------------------------------------------
def student_of(user: User, questionnaire: Questionnaire) -> Student | None:
    """The active student record of ``user`` in the questionnaire's cohort."""
    return Student.objects.filter(
        user=user, cohort_id=questionnaire.cohort_id, status=Student.Status.ACTIVE
    ).first()


def evaluated_offerings(questionnaire: Questionnaire) -> list[Offering]:
    """The module offerings the questionnaire evaluates: its cohort's, of its semester."""
    return list(
        Offering.objects.filter(
            cohort_id=questionnaire.cohort_id, semester=questionnaire.semester
        ).select_related("module")
    )


def _clean_answers(
    questions: list[Question], answers: Mapping[int, int | str | None]
) -> list[EvaluationAnswer]:
    errors: dict[str, list[str]] = {}
    rows: list[EvaluationAnswer] = []
    for question in questions:
        value = answers.get(question.pk)
        field = f"q{question.pk}"
        if question.kind == Question.Kind.LIKERT:
            if value in (None, ""):
                if question.required:
                    errors[field] = [_("This question needs an answer.")]
                continue
            try:
                likert = int(value)
            except (TypeError, ValueError):
                likert = 0
            if not 1 <= likert <= 5:
                errors[field] = [_("Choose a value from 1 to 5.")]
                continue
            rows.append(EvaluationAnswer(question=question, likert=likert))
        else:
            text = str(value or "").strip()
            if not text:
                if question.required:
                    errors[field] = [_("This question needs an answer.")]
                continue
            if len(text) > TEXT_MAX_LENGTH:
                errors[field] = [_("At most %(count)s characters.") % {"count": TEXT_MAX_LENGTH}]
                continue
            rows.append(EvaluationAnswer(question=question, text=text))
    if errors:
        raise ValidationError(errors)
    return rows


def evaluation_submit(
    *,
    actor: User,
    questionnaire: Questionnaire,
    offering: Offering,
    answers: Mapping[int, int | str | None],
    now: dt.datetime | None = None,
) -> None:
    """Records ``actor``'s answers (question pk → 1–5 or a text) to the evaluation of
    ``offering``: once, while the questionnaire is open, for an active student of its cohort.
    Returns nothing: the caller has no handle that would tie the answer to the student."""
    student = student_of(actor, questionnaire)
    if student is None:
        raise PermissionDenied
    if offering.cohort_id != questionnaire.cohort_id or offering.semester != questionnaire.semester:
        raise PermissionDenied
    if not is_open(questionnaire, now=now):
        raise ValidationError(_("This questionnaire is closed: answers are no longer accepted."))
    already = ValidationError(
        _("You have already evaluated this module: an evaluation is given once only."),
        code="already_answered",
    )
    if EvaluationParticipation.objects.filter(
        questionnaire=questionnaire, offering=offering, student=student
    ).exists():
        raise already
    questions = list(questionnaire.questions.all())
    if not questions:
        raise ValidationError(_("This questionnaire has no question yet."))
    rows = _clean_answers(questions, answers)
    # Two transactions, the participation first: one transaction would give both rows the
    # same transaction id (PostgreSQL's xmin), which a query could join on. If the answer
    # cannot be written, the participation is taken back, so the student may answer again;
    # a process killed between the two loses that one answer rather than allowing a second.
    try:
        with transaction.atomic():
            participation = EvaluationParticipation.objects.create(
                questionnaire=questionnaire, offering=offering, student=student
            )
    except IntegrityError:  # the same student's other tab, at the same moment
        raise already from None
    try:
        with transaction.atomic():
            response = EvaluationResponse.objects.create(
                questionnaire=questionnaire, offering=offering
            )
            for row in rows:
                row.response = response
            EvaluationAnswer.objects.bulk_create(rows)
    except Exception:
        EvaluationParticipation.objects.filter(pk=participation.pk).delete()
        raise


def responses_mix(*, questionnaire: Questionnaire | None = None) -> int:
    """Rewrites, in one transaction and in a random order with new ids, every response (and
    its answers) of each questionnaire that received new ones: afterwards they all share one
    transaction id and their physical order is random, so nothing a person reading the
    database could see — not even the transaction ids or row order the participations
    share with the answers written just after them — pairs an answer with a student. Run
    hourly (beat). Returns how many questionnaires were mixed."""
    pending = EvaluationResponse.objects.filter(mixed=False)
    if questionnaire is not None:
        pending = pending.filter(questionnaire=questionnaire)
    mixed = 0
    for questionnaire_pk in sorted(set(pending.values_list("questionnaire_id", flat=True))):
        with transaction.atomic():
            # The questionnaire's row lock: two runs at once mix one after the other.
            Questionnaire.objects.select_for_update().get(pk=questionnaire_pk)
            responses = list(
                EvaluationResponse.objects.filter(questionnaire_id=questionnaire_pk)
                .prefetch_related("answers")
                .order_by()
            )
            if not any(not r.mixed for r in responses):
                continue  # another run mixed them meanwhile
            random = secrets.SystemRandom()
            random.shuffle(responses)
            fresh: list[EvaluationResponse] = []
            answers: list[EvaluationAnswer] = []
            for old in responses:
                new = EvaluationResponse(
                    questionnaire_id=questionnaire_pk, offering_id=old.offering_id, mixed=True
                )
                fresh.append(new)
                kept = list(old.answers.all())
                random.shuffle(kept)
                answers.extend(
                    EvaluationAnswer(
                        response=new, question_id=a.question_id, likert=a.likert, text=a.text
                    )
                    for a in kept
                )
            EvaluationResponse.objects.filter(pk__in=[r.pk for r in responses]).delete()
            EvaluationResponse.objects.bulk_create(fresh)
            EvaluationAnswer.objects.bulk_create(answers)
            mixed += 1
    return mixed
