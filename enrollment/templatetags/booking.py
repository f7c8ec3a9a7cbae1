"""``{% slot_booking application %}``: the applicant's interview booking form, when their
intake lets applicants book a slot (``templates/enrollment/_slot_booking.html``)."""

from __future__ import annotations

from typing import Any

from django import template

from enrollment.forms import SlotBookForm
from enrollment.lifecycles import APPLICATION, INTERVIEW, interview_state
from enrollment.models import Application, InterviewSlot
from enrollment.services.decisions import interview_of
from enrollment.services.review import slots_free

register = template.Library()


@register.inclusion_tag("enrollment/_slot_booking.html", takes_context=True)
def slot_booking(context: template.Context, application: Application) -> dict[str, Any]:
    shown = {"csrf_token": context.get("csrf_token"), "booking": None}
    if not (
        application.intake.interview_booking
        and APPLICATION.allows(application.status, "book")
        and INTERVIEW.allows(interview_state(interview_of(application)), "book")
    ):
        return shown
    held = InterviewSlot.objects.filter(application=application).first()
    shown["booking"] = {
        "application": application,
        "held": held,
        "form": SlotBookForm(slots=slots_free(intake=application.intake)),
    }
    return shown
