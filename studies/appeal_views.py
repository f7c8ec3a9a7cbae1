"""Consultation of marks and appeals: "My marks" (students), the consultation window of a
grid (coordinators) and the appeals to answer (the lecturers of the offering, coordinators)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedHttpRequest, Role, has_role, role_required
from core.form_errors import attach
from core.numbers import positive_int
from enrollment.forms import DATETIME
from studies import appeal_selectors as selectors
from studies.grids import parse_mark
from studies.lifecycles import APPEAL, SHEET
from studies.models import Appeal, ConsultationWindow, MarkSheet, Session
from studies.services import appeals
from studies.services.marks import may_edit_sheet


# --- Forms ------------------------------------------------------------------------------------
class ConsultationForm(forms.Form):
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens at"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes at"), widget=DATETIME)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The consultation must close after it opens."))
        return data


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you appeal against this mark?"),
        max_length=appeals.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MarkField(forms.CharField):
    """A mark as typed in a grid: empty, or 0–20 with a decimal point or comma."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        try:
            return parse_mark(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


OUTCOME_LABELS = {
    Appeal.Status.KEPT: gettext_lazy("The mark is kept"),
    Appeal.Status.CORRECTED: gettext_lazy("The mark is corrected"),
}


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Answer"), widget=forms.RadioSelect)
    answer = forms.CharField(
        label=gettext_lazy("Answer to the student"),
        required=False,
        max_length=appeals.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Required when the mark is kept; it is e-mailed to the student."),
    )
    cc = MarkField(
        label=gettext_lazy("Continuous assessment"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
    )
    exam = MarkField(
        label=gettext_lazy("Exam"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the correction"),
        required=False,
        max_length=appeals.CHANGE_REASON_MAX,
        help_text=gettext_lazy("Kept in the history of the marks; required for a correction."),
    )

    def __init__(self, *args: Any, outcomes: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["outcome"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(o, OUTCOME_LABELS[Appeal.Status(o)]) for o in outcomes]
        if Appeal.Status.CORRECTED not in outcomes:
            for name in ("cc", "exam", "reason"):
                del self.fields[name]


# --- Students ---------------------------------------------------------------------------------
def _my_marks_page(
    request: AuthenticatedHttpRequest, bound: tuple[int, AppealForm] | None = None
) -> HttpResponse:
    context = selectors.student_marks(user=request.user, now=timezone.now())
    if context is None:
        raise Http404
    for row in context["rows"]:
        if row.may_file:
            prefix = f"appeal-{row.sheet.pk}"
            row.form = bound[1] if bound and bound[0] == row.sheet.pk else AppealForm(prefix=prefix)
    return render(request, "studies/appeals/my_marks.html", context, status=400 if bound else 200)


@role_required(Role.STUDENT)
def my_marks(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _my_marks_page(request)


@require_POST
@role_required(Role.STUDENT)
def appeal_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sheet = get_object_or_404(
        MarkSheet.objects.select_related("offering__module"),
        pk=pk,
        marks__student__user=request.user,  # only a grid the student is on
    )
    form = AppealForm(request.POST, prefix=f"appeal-{sheet.pk}")
    if form.is_valid():
        try:
            appeals.appeal_file(
                sheet=sheet, student_user=request.user, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                attach(form, exc)
            else:  # the window, the grid's state: nothing to correct on the form
                for message in exc.messages:
                    messages.error(request, message)
                return redirect("studies:consultation_marks")
        else:
            messages.success(
                request,
                _("Your appeal on %(code)s was filed; you will be e-mailed the answer.")
                % {"code": sheet.offering.module.code},
            )
            return redirect("studies:consultation_marks")
    return _my_marks_page(request, bound=(sheet.pk, form))


@require_POST
@role_required(Role.STUDENT)
def appeal_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal, pk=pk, student__user=request.user)
    try:
        appeals.appeal_withdraw(appeal=appeal, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your appeal was withdrawn."))
    return redirect("studies:consultation_marks")


# --- Staff: the window ------------------------------------------------------------------------
@role_required(Role.COORDINATOR)
def consultation_set(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sheet = get_object_or_404(
        MarkSheet.objects.select_related("offering__module", "offering__cohort"), pk=pk
    )
    window = ConsultationWindow.objects.filter(sheet=sheet).first()
    initial = {"opens_at": window.opens_at, "closes_at": window.closes_at} if window else {}
    form = ConsultationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            appeals.consultation_set(
                sheet=sheet,
                actor=request.user,
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The consultation period of the grid is set."))
            return redirect("studies:sheet", pk=pk)
    return render(
        request,
        "studies/appeals/consultation.html",
        {"sheet": sheet, "window": window, "form": form},
        status=400 if form.errors else 200,
    )


# --- Staff: the appeals -----------------------------------------------------------------------
@role_required(Role.LECTURER, Role.COORDINATOR)
def appeal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    queryset = selectors.appeals_for(user=request.user)
    status = request.GET.get("status", "")
    if status in Appeal.Status.values:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    sheet = positive_int(request.GET.get("sheet"))
    if sheet is not None:
        queryset = queryset.filter(sheet_id=sheet)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("status", status), ("sheet", sheet or "")) if v})
    return render(
        request,
        "studies/appeals/list.html",
        {"page": page, "status": status, "statuses": Appeal.Status.choices, "query": query},
    )


def _outcomes(appeal: Appeal) -> tuple[str, ...]:
    """The answers the appeal's state allows, a correction only on a grid that takes one."""
    outcomes = []
    if APPEAL.allows(appeal.status, "keep"):
        outcomes.append(Appeal.Status.KEPT.value)
    if APPEAL.allows(appeal.status, "correct") and SHEET.allows(appeal.sheet.status, "correct"):
        outcomes.append(Appeal.Status.CORRECTED.value)
    return tuple(outcomes)


@role_required(Role.LECTURER, Role.COORDINATOR)
def appeal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(
        Appeal.objects.select_related(
            "student__user",
            "sheet__offering__module",
            "sheet__offering__cohort",
            "answered_by",
        ),
        pk=pk,
    )
    if not may_edit_sheet(request.user, appeal.sheet):
        raise Http404  # not theirs: no hint that it exists
    outcomes = _outcomes(appeal)
    context = selectors.appeal_context(appeal=appeal)
    mark = context["mark"]
    initial = {"cc": mark.cc, "exam": mark.exam} if mark is not None else {}
    form = (
        AnswerForm(request.POST or None, outcomes=outcomes, initial=initial) if outcomes else None
    )
    if form is not None and "exam" in form.fields and appeal.sheet.session == Session.RESIT:
        form.fields["exam"].label = _("Resit exam")
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This appeal has already been answered or withdrawn."))
            return redirect("studies:appeal_detail", pk=pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeals.appeal_answer(
                    appeal=appeal,
                    actor=request.user,
                    outcome=data["outcome"],
                    answer=data["answer"],
                    cc=data.get("cc"),
                    exam=data.get("exam"),
                    reason=data.get("reason", ""),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    attach(form, exc)
                else:  # answered meanwhile, or the grid locked: the page shows the state
                    for message in exc.messages:
                        messages.error(request, message)
                    return redirect("studies:appeal_detail", pk=pk)
            else:
                messages.success(request, _("The appeal is answered; the student is e-mailed."))
                return redirect("studies:appeal_detail", pk=pk)
    context.update(
        {
            "form": form,
            "is_coordinator": has_role(request.user, Role.COORDINATOR),
            "is_resit": appeal.sheet.session == Session.RESIT,
        }
    )
    return render(
        request,
        "studies/appeals/detail.html",
        context,
        status=400 if form is not None and form.errors else 200,
    )
