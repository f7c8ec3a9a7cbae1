"""Absence justifications (#14): a student's absences and the form to justify one; the
coordinators' list of justifications and the page where they accept or refuse one (the
refusal, with its reason, confirmed first); the supporting document, for the student who
sent it and the coordinators."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.access import (
    AuthenticatedHttpRequest,
    Role,
    has_role,
    require_staff_session,
    role_required,
)
from core.confirmation import Confirmation, confirmation_page, confirmed
from core.form_errors import attach
from core.uploads import private_file_response
from studies import justification_selectors as selectors
from studies.justification_forms import JustificationForm, RefusalForm
from studies.models import AbsenceJustification
from studies.services import justifications


# --- The student ------------------------------------------------------------------------------
@role_required(Role.STUDENT)
def my_absences(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [
        {
            "attendance": attendance,
            "justification": getattr(attendance, "justification", None),
            "may_justify": justifications.may_justify(attendance, now=now),
            "last_day": justifications.last_day(attendance),
        }
        for attendance in selectors.absences_for_student(user=request.user)
    ]
    return render(request, "studies/justification_mine.html", {"rows": rows})


@role_required(Role.STUDENT)
def justification_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attendance = selectors.attendance_get_for_student(user=request.user, pk=pk)
    posted = request.method == "POST"
    form = JustificationForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            justifications.justification_submit(
                user=request.user,
                attendance=attendance,
                reason=form.cleaned_data["reason"],
                upload=form.cleaned_data.get("file"),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                attach(form, exc)
            else:  # the deadline, already justified: nothing to correct on the form
                for message in exc.messages:
                    messages.error(request, message)
                return redirect("studies:my_absences")
        else:
            messages.success(
                request,
                _(
                    "Your justification was sent to the coordination; you will be e-mailed "
                    "its decision."
                ),
            )
            return redirect("studies:my_absences")
    return render(
        request,
        "studies/justification_new.html",
        {
            "attendance": attendance,
            "form": form,
            "last_day": justifications.last_day(attendance),
        },
        status=400 if form.errors else 200,
    )


# --- The coordinators ------------------------------------------------------------------------
@role_required(Role.COORDINATOR)
def justification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filterset, queryset = selectors.justification_list(filters=request.GET)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "studies/justification_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@role_required(Role.COORDINATOR)
def justification_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The justification; POST ``action=accept`` accepts it, ``action=refuse`` (with the
    reason) shows the confirmation whose POST refuses it."""
    justification = selectors.justification_get_for_staff(pk=pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    refusal = RefusalForm(request.POST if action == "refuse" else None)
    if action == "accept":
        try:
            justifications.justification_accept(actor=request.user, justification=justification)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _(
                    "The justification is accepted: the absence is justified and the student "
                    "is e-mailed."
                ),
            )
        return redirect("studies:justification", pk=pk)
    if action == "refuse" and refusal.is_valid():
        reason = refusal.cleaned_data["refusal_reason"]
        if not confirmed(request):
            return _confirm_refusal(request, justification, reason)
        try:
            justifications.justification_refuse(
                actor=request.user, justification=justification, reason=reason
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                attach(refusal, exc)
            else:  # decided meanwhile: the page shows the decision
                for message in exc.messages:
                    messages.error(request, message)
                return redirect("studies:justification", pk=pk)
        else:
            messages.success(
                request, _("The justification is refused; the student is e-mailed the reason.")
            )
            return redirect("studies:justification", pk=pk)
    elif action not in ("", "refuse"):
        raise Http404
    return render(
        request,
        "studies/justification_detail.html",
        {
            "justification": justification,
            "attendance": justification.attendance,
            "refusal": refusal,
            "pending": justification.status == AbsenceJustification.Status.PENDING,
        },
        status=400 if refusal.errors else 200,
    )


def _confirm_refusal(
    request: AuthenticatedHttpRequest, justification: AbsenceJustification, reason: str
) -> HttpResponse:
    student = justification.attendance.student
    session = justification.attendance.session
    day = formats.date_format(timezone.localtime(session.starts_at), "DATE_FORMAT")
    return confirmation_page(
        request,
        Confirmation(
            title=_("Refuse this justification?"),
            consequences=[
                _("The absence of %(name)s on %(day)s (%(code)s) stays unjustified.")
                % {
                    "name": student.user.get_full_name() or student.user.email,
                    "day": day,
                    "code": session.offering.module.code,
                },
                _("The student is e-mailed this reason: %(reason)s") % {"reason": reason},
                _("The student cannot send another justification of this absence."),
            ],
            button=_("Refuse the justification"),
            cancel_url=reverse("studies:justification", args=[justification.pk]),
            danger=True,
            hidden={"action": "refuse", "refusal_reason": reason},
        ),
    )


# --- The document ------------------------------------------------------------------------------
@role_required(Role.STUDENT, Role.COORDINATOR)
def justification_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    if has_role(request.user, Role.COORDINATOR):
        require_staff_session(request)  # the coordinators' branch: MFA as on staff pages
    justification = selectors.justification_get_for_download(user=request.user, pk=pk)
    kind = justifications.content_type(justification)
    extension = (justification.file.name or "").rsplit(".", 1)[-1]
    return private_file_response(
        justification.file,
        filename=f"justification-{justification.pk}.{extension}",
        content_type=kind,
    )
