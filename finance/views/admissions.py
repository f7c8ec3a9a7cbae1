"""The admissions side of the fees: sponsorships declared at application and confirmed by
finance, the deposits that confirm accepted offers, the application fees."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from core.confirmation import Confirmation, confirmation_page, confirmed
from core.form_errors import attach
from core.numbers import amount_text
from enrollment.models import Cohort, Intake
from finance import selectors
from finance.forms import ApplicationFeeIssueForm, DepositIssueForm, SponsorshipForm
from finance.models import FeeSchedule
from finance.services.application_fees import APPLICATION_FEE_DAYS, application_fee_invoices_issue
from finance.services.deposits import deposit_invoices_issue
from finance.services.sponsorships import sponsorship_confirm_for_cohort
from partners.models import Organisation

#: The two forms of the sponsorships page, told apart by a hidden field.
ROW, ADD = "row", "add"
#: The confirmation page carries the chosen ids in one hidden field.
CHOSEN = "chosen"
ALL = "all"


# --- Sponsorships ------------------------------------------------------------------------------
@role_required(Role.FINANCE)
def sponsorships(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    posted = request.POST.get("form") if request.method == "POST" else None
    posted_student = request.POST.get("student", "") if posted == ROW else ""
    bound = (
        SponsorshipForm(request.POST, cohort=cohort, auto_id=_auto_id(posted, posted_student))
        if posted in (ROW, ADD)
        else None
    )
    if bound is not None and bound.is_valid():
        data = bound.cleaned_data
        try:
            sponsorship = sponsorship_confirm_for_cohort(
                actor=request.user,
                cohort=cohort,
                student=data["student"],
                organisation=data["organisation"],
                share=data["share"],
            )
        except ValidationError as exc:
            attach(bound, exc)
        else:
            messages.success(
                request,
                _("Sponsorship of %(student)s by %(organisation)s confirmed: %(share)s %%.")
                % {
                    "student": sponsorship.student.registration_number,
                    "organisation": sponsorship.organisation,
                    "share": formats.number_format(sponsorship.share, use_l10n=True),
                },
            )
            return redirect("finance:sponsorships", slug=cohort.slug)
    rows = selectors.cohort_sponsorships(user=request.user, cohort=cohort)
    row_forms = []
    for row in rows:
        if bound is not None and posted_student == str(row.student.pk):
            form = bound
        else:
            form = SponsorshipForm(
                cohort=cohort,
                initial=_row_initial(row),
                auto_id=_auto_id(ROW, str(row.student.pk)),
            )
        row_forms.append((row, form))
    add_form = (
        bound
        if posted == ADD and bound is not None
        else SponsorshipForm(cohort=cohort, auto_id=_auto_id(ADD, ""))
    )
    status = 400 if bound is not None and bound.errors else 200
    return render(
        request,
        "finance/admissions_sponsorships.html",
        {
            "cohort": cohort,
            "row_forms": row_forms,
            "add_form": add_form,
            "organisations": list(Organisation.objects.order_by("name_fr")),
        },
        status=status,
    )


def _auto_id(form: str | None, student: str) -> str:
    """Distinct ids for the inputs of each row's form and of the form that adds one."""
    return f"id_{form}{student}_%s"


def _row_initial(row: selectors.SponsorshipRow) -> dict[str, Any]:
    """A confirmed sponsorship as it stands, else what the application declared."""
    if row.sponsorships:
        first = row.sponsorships[0]
        return {
            "student": row.student.pk,
            "organisation": first.organisation_id,
            "share": first.share,
        }
    application = row.application
    return {
        "student": row.student.pk,
        "organisation": application.sponsor_organisation_id if application else None,
        "share": application.sponsor_share if application else None,
    }


# --- Deposits ----------------------------------------------------------------------------------
def _chosen_data(request: AuthenticatedHttpRequest, field: str) -> dict[str, list[str]]:
    """The ids chosen: the checkboxes, or (on the confirmation's POST) its hidden field."""
    if confirmed(request):
        ids = [i for i in request.POST.get(CHOSEN, "").split(",") if i]
    else:
        ids = request.POST.getlist(field)
    return {field: ids}


def _ids(objects: Sequence[Any]) -> str:
    return ",".join(str(o.pk) for o in objects)


@role_required(Role.FINANCE)
def deposits(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    schedule = FeeSchedule.objects.filter(cohort=cohort).first()
    candidates = selectors.deposit_candidates(cohort=cohort)
    form = DepositIssueForm(
        _chosen_data(request, "students") if request.method == "POST" else None,
        candidates=candidates,
    )
    if request.method == "POST" and form.is_valid():
        every = request.POST.get("scope") == ALL
        chosen = None if every else list(form.cleaned_data["students"])
        if chosen == []:
            form.add_error("students", _("Choose at least one student, or issue them all."))
        elif not confirmed(request):
            count = len(chosen) if chosen is not None else candidates.count()
            return confirmation_page(
                request, _deposit_confirmation(cohort, schedule, count, chosen)
            )
        else:
            try:
                issued = deposit_invoices_issue(actor=request.user, cohort=cohort, students=chosen)
            except ValidationError as exc:
                attach(form, exc)
            else:
                if issued:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d deposit invoice issued.",
                            "%(count)d deposit invoices issued.",
                            len(issued),
                        )
                        % {"count": len(issued)},
                    )
                else:
                    messages.info(
                        request, _("Nothing issued: these students have a deposit invoice.")
                    )
                return redirect("finance:deposits", slug=cohort.slug)
    return render(
        request,
        "finance/admissions_deposits.html",
        {
            "cohort": cohort,
            "schedule": schedule,
            "form": form,
            "candidates": list(candidates),
            "lines": list(selectors.deposit_lines(cohort=cohort)),
            "today": timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


def _deposit_confirmation(
    cohort: Cohort, schedule: FeeSchedule | None, count: int, chosen: list[Any] | None
) -> Confirmation:
    hidden = {"scope": ALL} if chosen is None else {CHOSEN: _ids(chosen)}
    consequences = [
        ngettext(
            "%(count)d deposit invoice of %(amount)s DZD is issued to the student, numbered; "
            "once issued it cannot be changed (a correction is a credit note).",
            "%(count)d deposit invoices of %(amount)s DZD are issued, one to each student, "
            "numbered; once issued they cannot be changed (a correction is a credit note).",
            count,
        )
        % {
            "count": count,
            "amount": amount_text(schedule.deposit) if schedule and schedule.deposit else "—",
        },
        _(
            "Each is due %(days)s days after the student accepted the offer (or after today, "
            "if later); a deposit still unpaid after that day releases the seat to the "
            "waiting list."
        )
        % {"days": schedule.deposit_days if schedule else "—"},
    ]
    return Confirmation(
        title=_("Issue the deposit invoices of %(cohort)s?") % {"cohort": cohort},
        consequences=consequences,
        button=_("Issue the deposit invoices"),
        cancel_url=reverse("finance:deposits", args=[cohort.slug]),
        hidden=hidden,
    )


# --- Application fees --------------------------------------------------------------------------
@role_required(Role.FINANCE)
def application_fees(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    intake = get_object_or_404(Intake.objects.select_related("cohort"), slug=slug)
    schedule = FeeSchedule.objects.filter(cohort_id=intake.cohort_id).first()
    candidates = selectors.application_fee_candidates(intake=intake)
    form = ApplicationFeeIssueForm(
        _chosen_data(request, "applications") if request.method == "POST" else None,
        candidates=candidates,
    )
    if request.method == "POST" and form.is_valid():
        every = request.POST.get("scope") == ALL
        chosen = None if every else list(form.cleaned_data["applications"])
        if chosen == []:
            form.add_error(
                "applications", _("Choose at least one application, or invoice them all.")
            )
        elif not confirmed(request):
            count = len(chosen) if chosen is not None else candidates.count()
            return confirmation_page(
                request, _application_fee_confirmation(intake, schedule, count, chosen)
            )
        else:
            try:
                issued = application_fee_invoices_issue(
                    actor=request.user, intake=intake, applications=chosen
                )
            except ValidationError as exc:
                attach(form, exc)
            else:
                if issued:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d application fee invoice issued.",
                            "%(count)d application fee invoices issued.",
                            len(issued),
                        )
                        % {"count": len(issued)},
                    )
                else:
                    messages.info(
                        request,
                        _("Nothing issued: these applications have an application fee invoice."),
                    )
                return redirect("finance:application_fees", slug=intake.slug)
    lines = list(selectors.application_fee_lines(intake=intake))
    return render(
        request,
        "finance/admissions_application_fees.html",
        {
            "intake": intake,
            "schedule": schedule,
            "form": form,
            "candidates": list(candidates),
            "lines": lines,
            "days": APPLICATION_FEE_DAYS,
        },
        status=400 if form.errors else 200,
    )


def _application_fee_confirmation(
    intake: Intake, schedule: FeeSchedule | None, count: int, chosen: list[Any] | None
) -> Confirmation:
    hidden = {"scope": ALL} if chosen is None else {CHOSEN: _ids(chosen)}
    fee = schedule.application_fee if schedule else None
    return Confirmation(
        title=_("Invoice the application fees of %(intake)s?") % {"intake": intake},
        consequences=[
            ngettext(
                "%(count)d invoice of %(amount)s DZD is issued to the applicant, numbered; once "
                "issued it cannot be changed (a correction is a credit note).",
                "%(count)d invoices of %(amount)s DZD are issued, one to each applicant, "
                "numbered; once issued they cannot be changed (a correction is a credit note).",
                count,
            )
            % {"count": count, "amount": amount_text(fee) if fee else "—"},
            _("Each is due %(days)d days from today.") % {"days": APPLICATION_FEE_DAYS},
        ],
        button=_("Issue the invoices"),
        cancel_url=reverse("finance:application_fees", args=[intake.slug]),
        hidden=hidden,
    )
