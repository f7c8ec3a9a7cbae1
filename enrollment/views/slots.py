"""Interview slots (``Intake.interview_booking``): the coordination publishes them, each
shortlisted applicant books one from their application page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from core.form_errors import attach
from enrollment import selectors
from enrollment.forms import SlotBookForm, SlotForm
from enrollment.models import Intake, InterviewSlot
from enrollment.services import review


@role_required(Role.COORDINATOR)
def intake_slots(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The slots of an intake, and a form to add one."""
    intake = get_object_or_404(Intake, pk=pk)
    form = SlotForm(request.POST or None, reviewers=selectors.reviewers_available())
    if request.method == "POST" and form.is_valid():
        try:
            review.slot_add(intake=intake, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The slot was published."))
            return redirect("enrollment:intake_slots", pk=pk)
    return render(
        request,
        "enrollment/staff/intake_slots.html",
        {"intake": intake, "slots": review.slots_of(intake=intake), "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.COORDINATOR)
def slot_delete(request: AuthenticatedHttpRequest, pk: int, slot: int) -> HttpResponse:
    item = get_object_or_404(InterviewSlot, pk=slot, intake_id=pk)
    try:
        review.slot_delete(slot=item, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The slot was deleted."))
    return redirect("enrollment:intake_slots", pk=pk)


@require_POST
@login_required
def slot_book(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The applicant books a slot; a slot taken meanwhile is refused with a message."""
    application = selectors.application_get_for_applicant(user=request.user, number=number)
    form = SlotBookForm(
        request.POST, slots=InterviewSlot.objects.filter(intake_id=application.intake_id)
    )
    if not form.is_valid():
        messages.error(request, _("Choose one of the interview slots."))
        return redirect("enrollment:application", number=number)
    try:
        review.slot_book(
            slot=form.cleaned_data["slot"], application=application, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Your interview is booked: the invitation is on its way by e-mail.")
        )
    return redirect("enrollment:application", number=number)
