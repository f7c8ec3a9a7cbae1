"""Coordinators' and reviewers' pages: the list, the dashboard, one application, intakes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedHttpRequest, Role, has_role, role_required
from core import spreadsheets
from core.form_errors import attach
from core.numbers import positive_int
from enrollment import exports, selectors
from enrollment.forms import (
    DECISION_LABELS,
    BulkActionForm,
    CohortForm,
    DecisionForm,
    DocumentReviewForm,
    EligibilityForm,
    IntakeForm,
    InterviewForm,
    InterviewMarkForm,
    RequirementForm,
    ReviewerAssignForm,
    ReviewForm,
)
from enrollment.lifecycles import APPLICATION, INTERVIEW, interview_state
from enrollment.models import (
    Application,
    ApplicationDocument,
    Cohort,
    DocumentRequirement,
    Intake,
    Interview,
    Review,
)
from enrollment.services import decisions, intakes, review
from enrollment.views.applicant import private_file
from partners.models import Organisation

PAGE_SIZES = (20, 50, 100)
#: Offers waiting for an answer listed on the dashboard (the soonest deadlines).
DASHBOARD_OFFERS = 20


@role_required(Role.COORDINATOR)
def application_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    filterset, queryset = selectors.application_list(filters=request.GET)
    fmt = request.GET.get("format")
    if fmt == "csv":
        stream = StreamingHttpResponse(
            exports.csv_stream(queryset, sep=request.GET.get("sep")),
            content_type=spreadsheets.CSV_TYPE,
        )
        stream["Content-Disposition"] = 'attachment; filename="applications.csv"'
        return stream
    if fmt == "xlsx":
        response = HttpResponse(exports.xlsx_file(queryset), content_type=spreadsheets.XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="applications.xlsx"'
        return response
    per_page = positive_int(request.GET.get("per_page"))
    size = per_page if per_page in PAGE_SIZES else 50
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enrollment/staff/application_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "bulk_form": BulkActionForm(),
            "page_sizes": PAGE_SIZES,
            "per_page": size,
        },
    )


@require_POST
@role_required(Role.COORDINATOR)
def bulk_action(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Apply an action to the selected applications whose state allows it; the others are
    listed with why. Admissions beyond the free seats still change nothing."""
    form = BulkActionForm(request.POST)
    back = request.POST.get("back", "")
    target = (
        f"{request.path.rsplit('bulk/', 1)[0]}?{back}"
        if back
        else request.path.rsplit("bulk/", 1)[0]
    )
    if not form.is_valid():
        messages.error(request, _("Select at least one application and an action."))
        return redirect(target)
    action, selected = form.cleaned_data["action"], list(form.cleaned_data["selected"])
    try:
        if action in decisions.Decision.CHOICES:
            result = decisions.decide_ready(
                applications=selected, actor=request.user, decision=action
            )
        elif action == "eligible":
            result = review.eligibility_set_many(
                applications=selected, actor=request.user, eligible=True
            )
        else:
            result = review.shortlist_many(applications=selected, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(target)
    if result.done:
        messages.success(
            request, _("%(count)s application(s) updated.") % {"count": len(result.done)}
        )
    if result.skipped:
        messages.warning(
            request,
            _("Left as they were: %(list)s")
            % {"list": "; ".join(f"{number} — {reason}" for number, reason in result.skipped)},
        )
    return redirect(target)


@role_required(Role.COORDINATOR)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    intake = None
    if intake_pk := positive_int(request.GET.get("intake")):
        intake = Intake.objects.select_related("cohort").filter(pk=intake_pk).first()
    data = selectors.funnel(intake=intake)
    sectors = dict(Organisation.Sector.choices)
    offers = selectors.offers_pending(intake=intake)
    return render(
        request,
        "enrollment/staff/dashboard.html",
        {
            "intake": intake,
            "intakes": Intake.objects.order_by("-opens_at"),
            "seats": selectors.seats_by_cohort(intake=intake),
            "offers": offers[:DASHBOARD_OFFERS],
            "offers_count": offers.count(),
            "now": timezone.now(),
            "funnel": data,
            "rows": list(zip(data["steps"], data["overall"], strict=True)),
            "sector_rows": [
                (
                    sectors.get(sector, _("Not given")),
                    list(zip(data["steps"], counts, strict=True)),
                    max(counts, default=0),
                )
                for sector, counts in data["by_sector"].items()
            ],
        },
    )


def _staff_application(request: AuthenticatedHttpRequest, number: str) -> Application:
    return selectors.application_get_for_staff(user=request.user, number=number)


def _detail_context(
    request: AuthenticatedHttpRequest, application: Application, **forms: Any
) -> dict[str, Any]:
    """The page offers only what the lifecycles allow now (``enrollment.lifecycles``): the
    application's actions, the interview's, each document's, and the decisions whose
    conditions are met (or only the documents', which a written reason may override)."""
    reviewers = selectors.reviewers_available()
    interview = decisions.interview_of(application)
    own_review = next(
        (r for r in application.reviews.all() if r.reviewer_id == request.user.pk), None
    )
    is_coordinator = has_role(request.user, Role.COORDINATOR)
    actions = set(APPLICATION.actions(application.status))
    interview_actions = set(INTERVIEW.actions(interview_state(interview)))
    possible = decisions.decisions_possible(application) if is_coordinator else {}
    offered = [d for d, missing in possible.items() if all(m.overridable for m in missing)]
    override = any(m.overridable for d in offered for m in possible[d])
    failed = forms.get("document_form")
    document_forms = [
        (
            document,
            failed
            if failed is not None and failed.document.pk == document.pk
            else DocumentReviewForm(document=document),
        )
        for document in application.documents.all()
    ]
    return {
        "application": application,
        "in_conflict": selectors.in_conflict(user=request.user, application=application),
        "scores_visible": review.scores_visible(user=request.user, application=application),
        "is_coordinator": is_coordinator,
        "actions": actions,
        "interview": interview,
        "interview_started": interview is not None and interview.scheduled_at <= timezone.now(),
        "can_schedule": "interview" in actions and bool({"schedule", "move"} & interview_actions),
        "can_mark": "mark" in actions and "mark" in interview_actions,
        "offer": getattr(application, "offer", None) if hasattr(application, "offer") else None,
        "own_review": own_review,
        "review_form": forms.get("review_form")
        or (
            ReviewForm(instance=own_review)
            if own_review and APPLICATION.allows(application.status, "review")
            else None
        ),
        "can_set_eligibility": bool({"eligible", "ineligible"} & actions),
        "eligibility_form": forms.get("eligibility_form")
        or EligibilityForm(status=application.status),
        "assign_form": forms.get("assign_form") or ReviewerAssignForm(reviewers=reviewers),
        "interview_form": forms.get("interview_form")
        or InterviewForm(reviewers=reviewers, initial=_interview_initial(interview)),
        "mark_form": forms.get("mark_form") or InterviewMarkForm(),
        "decision_form": forms.get("decision_form")
        or (DecisionForm(decisions=offered, override=override) if offered else None),
        "decision_waits": [
            (DECISION_LABELS[d], [m.message for m in missing])
            for d, missing in possible.items()
            if missing
        ],
        "document_forms": document_forms,
        "can_review_documents": is_coordinator and "document" in actions,
    }


def _interview_initial(interview: Interview | None) -> dict[str, Any]:
    """A moved interview starts from where it was (a new date is still required)."""
    if interview is None:
        return {}
    return {
        "duration_minutes": interview.duration_minutes,
        "place": interview.place,
        "link": interview.link,
        "panel": list(interview.panel.all()),
    }


@role_required(Role.LECTURER, Role.COORDINATOR)
def application_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    application = _staff_application(request, number)
    return render(
        request, "enrollment/staff/application_detail.html", _detail_context(request, application)
    )


@role_required(Role.LECTURER, Role.COORDINATOR)
def document_download(request: AuthenticatedHttpRequest, number: str, pk: int) -> FileResponse:
    application = _staff_application(request, number)
    if selectors.in_conflict(user=request.user, application=application):
        raise Http404
    return private_file(get_object_or_404(ApplicationDocument, pk=pk, application=application))


#: Actions of the detail page only coordinators take (the services check it too).
COORDINATOR_ACTIONS = frozenset(
    {"document", "eligibility", "assign", "shortlist", "interview", "decide"}
)


@require_POST
@role_required(Role.LECTURER, Role.COORDINATOR)
def application_action(request: AuthenticatedHttpRequest, number: str, action: str) -> HttpResponse:
    """One endpoint per action of the detail page; each calls one service, whose errors are
    shown next to the field that caused them."""
    application = _staff_application(request, number)
    user = request.user
    if action in COORDINATOR_ACTIONS and not has_role(user, Role.COORDINATOR):
        # Refused before the form is read: a reviewer gets 403, not "this field is required".
        raise PermissionDenied
    reviewers = selectors.reviewers_available()
    form: Any
    forms: dict[str, Any] = {}
    try:
        if action == "document":
            document = get_object_or_404(
                ApplicationDocument, pk=request.POST.get("document"), application=application
            )
            form = forms["document_form"] = DocumentReviewForm(request.POST, document=document)
            if form.is_valid():
                review.document_review(
                    document=document,
                    actor=user,
                    accept=form.cleaned_data["accept"],
                    reason=form.cleaned_data["reason"],
                )
        elif action == "eligibility":
            form = forms["eligibility_form"] = EligibilityForm(
                request.POST, status=application.status
            )
            if form.is_valid():
                review.eligibility_set(application=application, actor=user, **form.cleaned_data)
        elif action == "assign":
            form = forms["assign_form"] = ReviewerAssignForm(request.POST, reviewers=reviewers)
            if form.is_valid():
                review.reviewer_assign(
                    application=application, actor=user, reviewer=form.cleaned_data["reviewer"]
                )
        elif action == "review":
            own = get_object_or_404(Review, application=application, reviewer=user)
            form = forms["review_form"] = ReviewForm(request.POST, instance=own)
            if form.is_valid():
                review.review_save(review=own, actor=user, **form.cleaned_data)
        elif action == "shortlist":
            form = None
            review.shortlist(application=application, actor=user)
        elif action == "interview":
            form = forms["interview_form"] = InterviewForm(request.POST, reviewers=reviewers)
            if form.is_valid():
                review.interview_schedule(application=application, actor=user, **form.cleaned_data)
        elif action == "mark":
            form = forms["mark_form"] = InterviewMarkForm(request.POST)
            if form.is_valid():
                review.interview_mark(
                    application=application, actor=user, mark=form.cleaned_data["mark"]
                )
        elif action == "decide":
            # Every decision the state allows is read here: the service then says what one
            # still waits for, rather than "not a valid choice".
            allowed = decisions.decisions_possible(application)
            form = forms["decision_form"] = DecisionForm(
                request.POST, decisions=list(allowed), override=True
            )
            if form.is_valid():
                decisions.decide(applications=[application], actor=user, **form.cleaned_data)
        else:
            return HttpResponse(status=404)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        if form is not None:
            attach(form, exc)
        else:
            messages.error(request, " ".join(exc.messages))
            return redirect("enrollment:staff_application", number=number)
    if form is not None and form.errors:
        application = _staff_application(request, number)
        return render(
            request,
            "enrollment/staff/application_detail.html",
            _detail_context(request, application, **forms),
            status=400,
        )
    messages.success(request, _("Saved."))
    return redirect("enrollment:staff_application", number=number)


@role_required(Role.LECTURER, Role.COORDINATOR)
def my_reviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "enrollment/staff/my_reviews.html",
        {"reviews": selectors.reviews_assigned(user=request.user)},
    )


# --- Cohorts and intakes ------------------------------------------------------------
@role_required(Role.COORDINATOR)
def intake_admin_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "enrollment/staff/intake_list.html",
        {"cohorts": Cohort.objects.select_related("programme").prefetch_related("intakes")},
    )


def _form_page(
    request: AuthenticatedHttpRequest, form: Any, title: str, status: int = 200
) -> HttpResponse:
    return render(
        request, "enrollment/staff/form.html", {"form": form, "title": title}, status=status
    )


@role_required(Role.COORDINATOR)
def cohort_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=pk) if pk else None
    form = CohortForm(request.POST or None, instance=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            intakes.cohort_save(cohort=form.instance)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The cohort was saved."))
            return redirect("enrollment:intakes_admin")
    return _form_page(request, form, _("Cohort"), 400 if form.errors else 200)


@role_required(Role.COORDINATOR)
def intake_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    intake = get_object_or_404(Intake, pk=pk) if pk else None
    form = IntakeForm(request.POST or None, instance=intake)
    if request.method == "POST" and form.is_valid():
        try:
            saved = intakes.intake_save(intake=form.instance)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The intake was saved."))
            return redirect("enrollment:intake_requirements", pk=saved.pk)
    return render(
        request,
        "enrollment/staff/form.html",
        {"form": form, "title": _("Intake"), "intake": intake},
        status=400 if form.errors else 200,
    )


@role_required(Role.COORDINATOR)
def intake_requirements(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    intake = get_object_or_404(Intake, pk=pk)
    form = RequirementForm(
        request.POST or None,
        instance=DocumentRequirement(intake=intake, position=intake.requirements.count() + 1),
    )
    if request.method == "POST" and form.is_valid():
        try:
            intakes.requirement_save(requirement=form.instance)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The document was added to the list."))
            return redirect("enrollment:intake_requirements", pk=pk)
    return render(
        request,
        "enrollment/staff/intake_requirements.html",
        {"intake": intake, "requirements": intake.requirements.all(), "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.COORDINATOR)
def requirement_delete(
    request: AuthenticatedHttpRequest, pk: int, requirement: int
) -> HttpResponse:
    item = get_object_or_404(DocumentRequirement, pk=requirement, intake_id=pk)
    try:
        intakes.requirement_delete(requirement=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("enrollment:intake_requirements", pk=pk)


@require_POST
@role_required(Role.COORDINATOR)
def intake_shortlist(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    intake = get_object_or_404(Intake, pk=pk)
    chosen = review.shortlist_best(intake=intake, actor=request.user)
    messages.success(
        request,
        _("%(count)s application(s) shortlisted (target: %(target)s).")
        % {"count": len(chosen), "target": intake.shortlist_size},
    )
    return redirect(f"{reverse('enrollment:staff_applications')}?intake={pk}&status=shortlisted")
