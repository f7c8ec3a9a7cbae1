"""The applicant's pages: intakes, the multi-step application, status, offer, own data."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest
from core.confirmation import Confirmation, ReasonForm, confirmation_page, confirmed, moment
from core.form_errors import attach
from core.uploads import private_file_response
from enrollment import exports, selectors
from enrollment.forms import (
    DocumentUploadForm,
    EducationForm,
    ExperienceForm,
    MotivationForm,
    ProfileForm,
)
from enrollment.models import (
    Application,
    ApplicationDocument,
    DocumentRequirement,
    Education,
    Experience,
    Interview,
    Offer,
)
from enrollment.services import applications as app_services
from enrollment.services import decisions, profiles
from enrollment.services.review import interview_ics

STEPS = ("profile", "education", "motivation", "documents", "submit")


# --- Public -------------------------------------------------------------------------------------
def intake_list(request: HttpRequest) -> HttpResponse:
    return render(request, "enrollment/intake_list.html", {"intakes": selectors.intakes_open()})


def intake_detail(request: HttpRequest, slug: str) -> HttpResponse:
    intake = selectors.intake_get(slug=slug)
    existing = None
    if request.user.is_authenticated:
        existing = Application.objects.filter(applicant=request.user, intake=intake).first()
    return render(
        request, "enrollment/intake_detail.html", {"intake": intake, "existing": existing}
    )


def apply(request: HttpRequest, slug: str) -> HttpResponse:
    """Start (or resume) an application. A visitor is sent to sign up, then back here."""
    intake = selectors.intake_get(slug=slug)
    if not request.user.is_authenticated:
        return redirect(
            f"{reverse('account_signup')}?next={reverse('enrollment:apply', args=[slug])}"
        )
    if request.method != "POST":
        return redirect("enrollment:intake", slug=slug)
    try:
        application = app_services.application_start(applicant=request.user, intake=intake)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("enrollment:intake", slug=slug)
    return redirect("enrollment:step", number=application.number, step="profile")


# --- The application, step by step ---------------------------------------------------
def _own(request: AuthenticatedHttpRequest, number: str) -> Application:
    return selectors.application_get_for_applicant(user=request.user, number=number)


@login_required
def application_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    application = _own(request, number)
    return render(request, "enrollment/application_detail.html", _detail(application))


def _detail(application: Application, **extra: Any) -> dict[str, Any]:
    """The applicant's page: what is left to do (the very list the submit step checks), the
    deadline, the interview, the offer, the receipt, the documents and the history."""
    return {
        "application": application,
        "offer": Offer.objects.filter(application=application).first(),
        "interview": Interview.objects.filter(application=application).first(),
        "problems": app_services.application_problems(application) if application.is_draft else [],
        "may_withdraw": not app_services.withdraw_refusal(application),
        "may_reopen": app_services.may_reopen(application) and application.intake.is_open(),
        "events": application.events.all(),
        "steps": STEPS,
        "replace_failed": None,
        "replace_errors": [],
        **extra,
    }


@login_required
def step(request: AuthenticatedHttpRequest, number: str, step: str) -> HttpResponse:
    application = _own(request, number)
    if step not in STEPS:
        raise Http404
    if not application.is_draft:
        messages.info(
            request, _("This application has been submitted and can no longer be changed.")
        )
        return redirect("enrollment:application", number=number)
    handler = {
        "profile": _step_profile,
        "education": _step_education,
        "motivation": _step_motivation,
        "documents": _step_documents,
        "submit": _step_submit,
    }[step]
    return handler(request, application)


def _render_step(
    request: HttpRequest,
    application: Application,
    step: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    index = STEPS.index(step)
    return render(
        request,
        f"enrollment/steps/{step}.html",
        {
            "application": application,
            "step": step,
            "steps": STEPS,
            "step_number": index + 1,
            "next_step": STEPS[index + 1] if index + 1 < len(STEPS) else None,
            **context,
        },
        status=status,
    )


def _next(application: Application, step: str) -> HttpResponse:
    index = STEPS.index(step)
    return redirect(
        "enrollment:step", number=application.number, step=STEPS[min(index + 1, len(STEPS) - 1)]
    )


def _step_profile(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
    profile = profiles.profile_get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile, intake=application.intake)
    if request.method == "POST" and form.is_valid():
        try:
            profiles.profile_save(
                profile=form.instance,
                consent=form.cleaned_data["consent"],
                intake=application.intake,
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Your profile was saved."))
            return _next(application, "profile")
    return _render_step(
        request, application, "profile", {"form": form}, 400 if form.errors else 200
    )


def _step_education(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
    profile = profiles.profile_get_or_create(user=request.user)
    education_form = EducationForm(
        request.POST if request.POST.get("section") == "education" else None, prefix="edu"
    )
    experience_form = ExperienceForm(
        request.POST if request.POST.get("section") == "experience" else None, prefix="exp"
    )
    if request.method == "POST":
        section = request.POST.get("section")
        form: BaseForm = education_form if section == "education" else experience_form
        if section == "next":
            return _next(application, "education")
        if form.is_valid():
            item = form.save(commit=False)  # type: ignore[attr-defined]
            item.profile = profile
            try:
                if section == "education":
                    profiles.education_save(education=item)
                else:
                    profiles.experience_save(experience=item)
            except ValidationError as exc:
                attach(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("enrollment:step", number=application.number, step="education")
    status = 400 if (education_form.errors or experience_form.errors) else 200
    return _render_step(
        request,
        application,
        "education",
        {
            "profile": profile,
            "education_form": education_form,
            "experience_form": experience_form,
            "education": profile.education.all(),
            "experience": profile.experience.all(),
        },
        status,
    )


@require_POST
@login_required
def education_delete(
    request: AuthenticatedHttpRequest, number: str, kind: str, pk: int
) -> HttpResponse:
    application = _own(request, number)
    if kind == "education":
        profiles.education_delete(
            education=get_object_or_404(Education, pk=pk, profile__user=request.user)
        )
    else:
        profiles.experience_delete(
            experience=get_object_or_404(Experience, pk=pk, profile__user=request.user)
        )
    return redirect("enrollment:step", number=application.number, step="education")


def _step_motivation(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
    form = MotivationForm(request.POST or None, instance=application)
    if request.method == "POST" and form.is_valid():
        try:
            app_services.application_save_draft(
                application=application,
                actor=request.user,
                motivation=form.cleaned_data["motivation"],
                project=form.cleaned_data["project"],
                financing=form.financing_values,
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Your draft was saved."))
            return _next(application, "motivation")
    return _render_step(
        request, application, "motivation", {"form": form}, 400 if form.errors else 200
    )


def _document_rows(application: Application) -> list[tuple[object, ApplicationDocument | None]]:
    documents = {d.requirement_id: d for d in application.documents.all()}
    return [(r, documents.get(r.pk)) for r in application.intake.requirements.all()]


def _upload_errors(form: DocumentUploadForm) -> tuple[DocumentRequirement | None, list[str]]:
    """The requirement an upload failed for, and its errors, each naming that document
    ("CV: the file is not a PDF document"), to show next to that document's input."""
    requirement = getattr(form, "cleaned_data", {}).get("requirement")
    errors = [str(e) for e in form.non_field_errors()]
    errors += [str(e) for e in form.errors.get("file", [])]
    if requirement is None:  # a requirement this intake does not ask for (a forged form)
        errors += [str(e) for e in form.errors.get("requirement", [])]
        return None, errors
    label = requirement.display_label
    return requirement, [
        _("%(document)s: %(error)s") % {"document": label, "error": e} for e in errors
    ]


def _upload(
    request: AuthenticatedHttpRequest, application: Application, form: DocumentUploadForm
) -> bool:
    """Store the upload of a valid form; the service's refusal goes on the form."""
    if not form.is_valid():
        return False
    try:
        app_services.document_upload(
            application=application,
            actor=request.user,
            requirement=form.cleaned_data["requirement"],
            upload=form.cleaned_data["file"],
        )
    except ValidationError as exc:
        attach(form, exc)
        return False
    return True


def _step_documents(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
    form = DocumentUploadForm(
        request.POST or None, request.FILES or None, intake=application.intake
    )
    if request.method == "POST" and _upload(request, application, form):
        messages.success(request, _("The document was added."))
        return redirect("enrollment:step", number=application.number, step="documents")
    failed, errors = _upload_errors(form) if form.errors else (None, [])
    return _render_step(
        request,
        application,
        "documents",
        {
            "form": form,
            "rows": _document_rows(application),
            "failed": failed,
            "upload_errors": errors,
        },
        400 if form.errors else 200,
    )


def _step_submit(request: AuthenticatedHttpRequest, application: Application) -> HttpResponse:
    profile = profiles.profile_get_or_create(user=request.user)
    problems = app_services.application_problems(application, profile)
    return _render_step(
        request,
        application,
        "submit",
        {"problems": problems, "profile": profile, "rows": _document_rows(application)},
    )


@require_POST
@login_required
def submit(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    application = _own(request, number)
    try:
        app_services.application_submit(application=application, actor=request.user)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "already_submitted":
            messages.info(request, exc.messages[0])
            return redirect("enrollment:application", number=number)
        for message in exc.messages:
            messages.error(request, message)
        return redirect("enrollment:step", number=number, step="submit")
    messages.success(
        request, _("Your application was submitted. A receipt is on its way to your mailbox.")
    )
    return redirect("enrollment:application", number=number)


def _withdraw_confirmation(application: Application, form: ReasonForm) -> Confirmation:
    intake, cancel = (
        str(application.intake),
        reverse("enrollment:application", args=[application.number]),
    )
    if application.is_draft:
        return Confirmation(
            title=_("Withdraw draft %(number)s?") % {"number": application.number},
            consequences=[
                _(
                    "Your draft for “%(intake)s” is withdrawn: it will not be sent to the "
                    "coordination."
                )
                % {"intake": intake},
                _(
                    "What you entered is kept: you may start this draft again from its page "
                    "while the call is open (until %(deadline)s)."
                )
                % {"deadline": moment(application.intake.closes_at)},
            ],
            button=_("Withdraw my draft"),
            cancel_url=cancel,
            danger=True,
            form=form,
        )
    return Confirmation(
        title=_("Withdraw application %(number)s?") % {"number": application.number},
        consequences=[
            _(
                "Your application to “%(intake)s” leaves the selection: the coordination stops "
                "reviewing it."
            )
            % {"intake": intake},
            _("You cannot apply to this call again."),
        ],
        button=_("Withdraw my application"),
        cancel_url=cancel,
        danger=True,
        form=form,
    )


@require_http_methods(["GET", "POST"])
@login_required
def withdraw(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """GET (or a POST without ``confirm=yes``): what withdrawing does; the confirmed POST
    withdraws."""
    application = _own(request, number)
    refusal = app_services.withdraw_refusal(application)
    if refusal:
        messages.error(request, refusal)
        return redirect("enrollment:application", number=number)
    label = _("Why do you withdraw? (optional)")
    form = ReasonForm(request.POST if confirmed(request) else None, label=label)
    if not confirmed(request) or not form.is_valid():
        status = 400 if form.errors else 200
        return confirmation_page(request, _withdraw_confirmation(application, form), status=status)
    was_draft = application.is_draft
    try:
        withdrawn = app_services.application_withdraw(
            application=application, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("enrollment:application", number=number)
    values = {"number": number, "date": moment(withdrawn.updated_at)}
    if was_draft and application.intake.is_open():
        values["deadline"] = moment(application.intake.closes_at)
        text = _(
            "Draft %(number)s withdrawn on %(date)s. You may start it again until %(deadline)s."
        )
    else:
        text = _("Application %(number)s withdrawn on %(date)s.")
    messages.success(request, text % values)
    return redirect("enrollment:application", number=number)


@require_POST
@login_required
def document_delete(request: AuthenticatedHttpRequest, number: str, pk: int) -> HttpResponse:
    application = _own(request, number)
    document = get_object_or_404(ApplicationDocument, pk=pk, application=application)
    try:
        app_services.document_remove(document=document, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("enrollment:step", number=number, step="documents")


@require_POST
@login_required
def document_replace(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """After submission: replace a rejected document before its deadline. A refusal is
    shown on the page, next to that document's input, naming it."""
    application = _own(request, number)
    form = DocumentUploadForm(request.POST, request.FILES, intake=application.intake)
    if _upload(request, application, form):
        messages.success(request, _("The document was replaced."))
        return redirect("enrollment:application", number=number)
    failed, errors = _upload_errors(form)
    context = _detail(application, replace_failed=failed, replace_errors=errors)
    return render(request, "enrollment/application_detail.html", context, status=400)


@login_required
def document_download(request: AuthenticatedHttpRequest, number: str, pk: int) -> FileResponse:
    application = _own(request, number)
    document = get_object_or_404(ApplicationDocument, pk=pk, application=application)
    return private_file(document)


def private_file(document: ApplicationDocument) -> FileResponse:
    # Named by the server (never the uploader's "cv.pdf.html"), typed by the checked content.
    return private_file_response(
        document.file,
        filename=f"{document.requirement.kind}-{document.pk}",
        content_type=document.content_type,
    )


def _offer_confirmation(application: Application, answer: str) -> Confirmation:
    cancel = reverse("enrollment:application", args=[application.number])
    if answer == "accept":
        return Confirmation(
            title=_("Accept your seat in %(cohort)s?") % {"cohort": application.intake.cohort},
            consequences=[
                _(
                    "You take your seat in %(cohort)s: your student record and its registration "
                    "number are created at once."
                )
                % {"cohort": application.intake.cohort},
                _("This answer is final: you can no longer decline the offer."),
            ],
            button=_("Accept my seat"),
            cancel_url=cancel,
        )
    return Confirmation(
        title=_("Decline the offer of application %(number)s?") % {"number": application.number},
        consequences=[
            _(
                "You decline the offer of application %(number)s: your seat goes to the next "
                "person on the waiting list."
            )
            % {"number": application.number},
            _("This answer is final: the seat cannot be given back to you."),
        ],
        button=_("Decline the offer"),
        cancel_url=cancel,
        danger=True,
    )


@require_http_methods(["GET", "POST"])
@login_required
def offer_answer(request: AuthenticatedHttpRequest, number: str, answer: str) -> HttpResponse:
    """GET (or a POST without ``confirm=yes``): what the answer does; the confirmed POST
    answers."""
    application = _own(request, number)
    offer = Offer.objects.filter(application=application).first()
    if offer is None or answer not in ("accept", "decline"):
        raise Http404
    if not confirmed(request):
        if offer.status != Offer.Status.PENDING:
            messages.info(request, _("This offer has already been answered or has expired."))
            return redirect("enrollment:application", number=number)
        return confirmation_page(request, _offer_confirmation(application, answer))
    try:
        if answer == "accept":
            student = decisions.offer_accept(offer=offer, actor=request.user)
            messages.success(
                request,
                _(
                    "Welcome! You accepted your seat on %(date)s; your registration number "
                    "is %(number)s."
                )
                % {
                    "date": moment(Offer.objects.get(pk=offer.pk).answered_at or timezone.now()),
                    "number": student.registration_number,
                },
            )
        else:
            declined = decisions.offer_decline(offer=offer, actor=request.user)
            messages.info(
                request,
                _(
                    "You declined the offer of application %(number)s on %(date)s; your seat "
                    "goes to the next person on the waiting list."
                )
                % {"number": number, "date": moment(declined.answered_at or timezone.now())},
            )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("enrollment:application", number=number)


@require_GET
@login_required
def interview_calendar(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The applicant's interview as an iCalendar file, to add to their calendar."""
    application = _own(request, number)
    interview = get_object_or_404(Interview, application=application)
    response = HttpResponse(interview_ics(interview), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="interview-{application.number}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything the system holds about the person: JSON and their files, as a ZIP."""
    archive = exports.personal_data_zip(user=request.user)
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="my-data.zip"'
    response["Cache-Control"] = "private, no-store"
    return response
