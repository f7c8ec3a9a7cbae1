"""Module evaluations (#14): the coordinators write a cohort's questionnaires; the students
answer them, anonymously and once per module; the coordinators and each module's lecturers
read the results from ``MIN_RESPONSES`` answers on."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from core import spreadsheets
from core.confirmation import Confirmation, confirmation_page, confirmed, moment
from core.form_errors import attach
from enrollment.models import Cohort
from studies import evaluation_selectors as selectors
from studies.evaluation_forms import EvaluationAnswerForm, QuestionForm, QuestionnaireForm
from studies.models import Question
from studies.services import evaluations


# --- Coordinators: questionnaires and their questions ---------------------------------------
@role_required(Role.COORDINATOR)
def evaluation_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)
    form = QuestionnaireForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = evaluations.questionnaire_create(
                actor=request.user, cohort=cohort, **form.cleaned_data
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(
                request,
                _("The questionnaire of semester %(n)s was created: add its questions.")
                % {"n": questionnaire.semester},
            )
            return redirect("studies:questionnaire", pk=questionnaire.pk)
    return render(
        request,
        "studies/evaluation_list.html",
        {
            "cohort": cohort,
            "questionnaires": selectors.questionnaire_list(cohort=cohort),
            "form": form,
            "minimum": selectors.MIN_RESPONSES,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.COORDINATOR)
def questionnaire_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    questionnaire = selectors.questionnaire_get(pk=pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evaluations.question_add(
                actor=request.user, questionnaire=questionnaire, question=form.save(commit=False)
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The question was added."))
            return redirect("studies:questionnaire", pk=pk)
    counts = selectors.response_counts(questionnaire)
    return render(
        request,
        "studies/evaluation_questionnaire.html",
        {
            "questionnaire": questionnaire,
            "questions": questionnaire.questions.all(),
            "offerings": [
                (offering, counts.get(offering.pk, 0))
                for offering in evaluations.evaluated_offerings(questionnaire)
            ],
            "answered": bool(counts),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.COORDINATOR)
def question_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("questionnaire"), pk=pk)
    back = reverse("studies:questionnaire", args=[question.questionnaire_id])
    if not confirmed(request):
        return confirmation_page(
            request,
            Confirmation(
                title=_("Remove this question?"),
                consequences=[
                    _("“%(question)s” is removed from the questionnaire.")
                    % {"question": question.tr("text")}
                ],
                button=_("Remove the question"),
                cancel_url=back,
                danger=True,
            ),
        )
    try:
        evaluations.question_delete(actor=request.user, question=question)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The question was removed."))
    return redirect(back)


# --- Results: coordinators and the module's lecturers ---------------------------------------
@role_required(Role.COORDINATOR, Role.LECTURER)
def staff_evaluations(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "studies/evaluation_staff.html",
        {"evaluations": selectors.lecturer_evaluations(user=request.user)},
    )


@role_required(Role.COORDINATOR, Role.LECTURER)
def evaluation_results(request: AuthenticatedHttpRequest, pk: int, offering: int) -> HttpResponse:
    questionnaire, delivered = selectors.offering_for_results(
        user=request.user, questionnaire_pk=pk, offering_pk=offering
    )
    return render(
        request,
        "studies/evaluation_results.html",
        {
            "questionnaire": questionnaire,
            "offering": delivered,
            "results": selectors.offering_results(questionnaire=questionnaire, offering=delivered),
            "minimum": selectors.MIN_RESPONSES,
        },
    )


@role_required(Role.COORDINATOR, Role.LECTURER)
def evaluation_results_export(
    request: AuthenticatedHttpRequest, pk: int, offering: int, fmt: str
) -> HttpResponse:
    questionnaire, delivered = selectors.offering_for_results(
        user=request.user, questionnaire_pk=pk, offering_pk=offering
    )
    results = selectors.offering_results(questionnaire=questionnaire, offering=delivered)
    if not results.shown:
        messages.error(
            request,
            _("Fewer than %(n)s responses: the results are not shown, nor exported.")
            % {"n": selectors.MIN_RESPONSES},
        )
        return redirect("studies:evaluation_results", pk=pk, offering=offering)
    return spreadsheets.spreadsheet_response(
        selectors.results_export_rows(results),
        fmt=fmt,
        filename=f"evaluation-{delivered.module.code}-S{questionnaire.semester}",
        sep=request.GET.get("sep"),
    )


# --- Students ----------------------------------------------------------------------------------
@role_required(Role.STUDENT)
def my_evaluations(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "studies/evaluation_mine.html",
        {"evaluations": selectors.student_evaluations(user=request.user)},
    )


@role_required(Role.STUDENT)
def evaluation_answer(request: AuthenticatedHttpRequest, pk: int, offering: int) -> HttpResponse:
    """The questions; their POST shows a confirmation (an answer cannot be changed); the
    confirmation's POST records the answer."""
    questionnaire, delivered = selectors.evaluation_for_student(
        user=request.user, questionnaire_pk=pk, offering_pk=offering
    )
    questions = list(questionnaire.questions.all())
    posted = request.method == "POST"
    form = EvaluationAnswerForm(request.POST if posted else None, questions=questions)
    if posted and form.is_valid():
        try:
            if confirmed(request):
                evaluations.evaluation_submit(
                    actor=request.user,
                    questionnaire=questionnaire,
                    offering=delivered,
                    answers=form.answers(),
                )
                messages.success(
                    request,
                    _("Thank you: your evaluation of %(module)s was recorded anonymously.")
                    % {"module": delivered.module.tr("title")},
                )
                return redirect("studies:my_evaluations")
            return confirmation_page(
                request,
                Confirmation(
                    title=_("Send your evaluation?"),
                    consequences=[
                        _("Your answers are recorded without your name."),
                        _("An evaluation is given once: it cannot be changed afterwards."),
                    ],
                    button=_("Send my evaluation"),
                    cancel_url=reverse("studies:evaluation_answer", args=[pk, offering]),
                    hidden={name: str(request.POST.get(name, "")) for name in form.fields},
                ),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            attach(form, exc)
    return render(
        request,
        "studies/evaluation_answer.html",
        {
            "questionnaire": questionnaire,
            "offering": delivered,
            "form": form,
            "open": evaluations.is_open(questionnaire),
            "answered": selectors.evaluation_answered(
                user=request.user, questionnaire=questionnaire, offering=delivered
            ),
            "closes_at": moment(questionnaire.closes_at),
        },
        status=400 if form.errors else 200,
    )
