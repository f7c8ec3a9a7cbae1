"""Read queries of module evaluations: a cohort's questionnaires, what a student has to
evaluate, and the results of one offering — shown to the coordinators and to the offering's
lecturers only, and only from ``MIN_RESPONSES`` answers on (fewer could point at someone)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404
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
from studies.services.evaluations import evaluated_offerings

#: Below this number of responses to an offering's evaluation, no figure is shown.
MIN_RESPONSES = 5
LIKERT_VALUES = (1, 2, 3, 4, 5)


def questionnaire_list(*, cohort: Cohort) -> QuerySet[Questionnaire]:
    return (
        Questionnaire.objects.filter(cohort=cohort)
        .annotate(question_count=Count("questions"))
        .order_by("semester")
    )


def questionnaire_get(*, pk: int) -> Questionnaire:
    questionnaire = Questionnaire.objects.select_related("cohort__programme").filter(pk=pk).first()
    if questionnaire is None:
        raise Http404
    return questionnaire


def response_counts(questionnaire: Questionnaire) -> dict[int, int]:
    """Per offering id, the number of responses."""
    return dict(
        EvaluationResponse.objects.filter(questionnaire=questionnaire)
        .values("offering_id")
        .annotate(n=Count("id"))
        .values_list("offering_id", "n")
    )


def offering_for_results(
    *, user: User, questionnaire_pk: int, offering_pk: int
) -> tuple[Questionnaire, Offering]:
    """The questionnaire and the offering whose results ``user`` may read: a coordinator,
    or a lecturer of that offering; 404 for anyone else (nothing says it exists)."""
    questionnaire = questionnaire_get(pk=questionnaire_pk)
    offerings = Offering.objects.select_related("module", "cohort").filter(
        pk=offering_pk, cohort_id=questionnaire.cohort_id, semester=questionnaire.semester
    )
    if not has_role(user, Role.COORDINATOR):
        offerings = offerings.filter(lecturers=user)
    offering = offerings.first()
    if offering is None:
        raise Http404
    return questionnaire, offering


def lecturer_evaluations(*, user: User) -> list[tuple[Questionnaire, Offering]]:
    """The evaluations of the offerings ``user`` teaches, newest cohort first."""
    offerings = list(Offering.objects.filter(lecturers=user).select_related("module", "cohort"))
    by_key = {(o.cohort_id, o.semester): o for o in offerings}
    keys = Q(pk__in=[])
    for cohort_id, semester in by_key:
        keys |= Q(cohort_id=cohort_id, semester=semester)
    pairs = []
    questionnaires = Questionnaire.objects.filter(keys).select_related("cohort")
    for questionnaire in questionnaires.order_by("-cohort__start_date", "semester"):
        for offering in offerings:
            if (offering.cohort_id, offering.semester) == (
                questionnaire.cohort_id,
                questionnaire.semester,
            ):
                pairs.append((questionnaire, offering))
    return pairs


# --- What a student evaluates --------------------------------------------------------------------
@dataclass(frozen=True)
class PendingEvaluation:
    questionnaire: Questionnaire
    offering: Offering
    answered: bool


def student_evaluations(*, user: User, now: dt.datetime | None = None) -> list[PendingEvaluation]:
    """The modules an active student evaluates now (questionnaires open), each with whether
    they have answered already."""
    now = now or timezone.now()
    records = list(Student.objects.filter(user=user, status=Student.Status.ACTIVE))
    if not records:
        return []
    questionnaires = Questionnaire.objects.filter(
        cohort_id__in=[r.cohort_id for r in records], opens_at__lte=now, closes_at__gt=now
    ).select_related("cohort")
    answered = set(
        EvaluationParticipation.objects.filter(student__in=records).values_list(
            "questionnaire_id", "offering_id"
        )
    )
    return [
        PendingEvaluation(
            questionnaire=questionnaire,
            offering=offering,
            answered=(questionnaire.pk, offering.pk) in answered,
        )
        for questionnaire in questionnaires.order_by("closes_at")
        for offering in evaluated_offerings(questionnaire)
    ]


def evaluation_for_student(
    *, user: User, questionnaire_pk: int, offering_pk: int
) -> tuple[Questionnaire, Offering]:
    """An evaluation ``user`` is a student for (open or not: the service says it is closed);
    404 when they are not an active student of its cohort or the offering is not evaluated."""
    questionnaire = questionnaire_get(pk=questionnaire_pk)
    if not Student.objects.filter(
        user=user, cohort_id=questionnaire.cohort_id, status=Student.Status.ACTIVE
    ).exists():
        raise Http404
    offering = (
        Offering.objects.select_related("module", "cohort")
        .filter(pk=offering_pk, cohort_id=questionnaire.cohort_id, semester=questionnaire.semester)
        .first()
    )
    if offering is None:
        raise Http404
    return questionnaire, offering


def evaluation_answered(*, user: User, questionnaire: Questionnaire, offering: Offering) -> bool:
    """Whether ``user`` has evaluated ``offering`` (their participation, never their answer)."""
    return EvaluationParticipation.objects.filter(
        questionnaire=questionnaire, offering=offering, student__user=user
    ).exists()


# --- Results -------------------------------------------------------------------------------------
@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    mean: Decimal | None = None
    #: (value, count, percent) for 1 … 5
    distribution: list[tuple[int, int, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class OfferingResults:
    responses: int
    shown: bool
    questions: list[QuestionResult]


def offering_results(*, questionnaire: Questionnaire, offering: Offering) -> OfferingResults:
    """The results of ``offering``'s evaluation: for a Likert question its mean (two
    decimals) and how many chose each value; for a free-text question the texts in
    alphabetical order (never the order they were written in). No figure below
    ``MIN_RESPONSES`` responses."""
    responses = EvaluationResponse.objects.filter(
        questionnaire=questionnaire, offering=offering
    ).count()
    if responses < MIN_RESPONSES:
        return OfferingResults(responses=responses, shown=False, questions=[])
    results = {q.pk: QuestionResult(question=q) for q in questionnaire.questions.all()}
    counts: dict[int, Counter[int]] = {pk: Counter() for pk in results}
    answers = EvaluationAnswer.objects.filter(
        response__questionnaire=questionnaire, response__offering=offering
    ).values_list("question_id", "likert", "text")
    for question_id, likert, text in answers:
        result = results[question_id]
        if result.question.kind == Question.Kind.LIKERT and likert is not None:
            counts[question_id][likert] += 1
        elif text:
            result.texts.append(text)
    for pk, result in results.items():
        if result.question.kind == Question.Kind.LIKERT:
            total = sum(counts[pk].values())
            result.answered = total
            result.distribution = [
                (value, counts[pk][value], round(100 * counts[pk][value] / total) if total else 0)
                for value in LIKERT_VALUES
            ]
            if total:
                mean = Decimal(sum(v * n for v, n in counts[pk].items())) / total
                result.mean = mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        else:
            result.texts.sort(key=lambda t: (t.casefold(), t))
            result.answered = len(result.texts)
    return OfferingResults(responses=responses, shown=True, questions=list(results.values()))


def results_export_rows(results: OfferingResults) -> list[list[object]]:
    """The spreadsheet of shown results: a row per Likert question, a row per free text."""
    rows: list[list[object]] = [
        [
            _("Question"),
            _("Kind"),
            _("Answers"),
            _("Mean"),
            *(str(v) for v in LIKERT_VALUES),
            _("Free text"),
        ]
    ]
    for result in results.questions:
        question = result.question
        if question.kind == Question.Kind.LIKERT:
            rows.append(
                [
                    question.tr("text"),
                    question.get_kind_display(),
                    result.answered,
                    result.mean if result.mean is not None else "",
                    *(count for _value, count, _percent in result.distribution),
                    "",
                ]
            )
        else:
            for text in result.texts:
                rows.append(
                    [question.tr("text"), question.get_kind_display(), "", "", *[""] * 5, text]
                )
    return rows
