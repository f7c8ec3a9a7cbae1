"""Finance's billing pages: a cohort's fee schedule, instalment plans and adjustments;
issuing its invoices (preview, then confirm); an invoice with its credit notes and history;
the payments and one payment."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from core.confirmation import Confirmation, confirmation_page, confirmed
from core.form_errors import attach
from core.numbers import amount_text, positive_int
from core.uploads import DOWNLOAD_EXTENSIONS, private_file_response
from enrollment.models import Student
from finance import selectors
from finance.forms import (
    AdjustmentForm,
    CreditNoteForm,
    InstalmentFormSet,
    InvoiceIssueForm,
    PlanForm,
    ScheduleForm,
)
from finance.models import MoneyEvent, Payment
from finance.services.invoices import credit_note_issue, invoice_issue, invoice_preview
from finance.services.schedules import (
    PlannedInstalment,
    adjustment_grant,
    instalments_plan,
    schedule_set,
)
from finance.views import lists

#: The session key of the last issue's result, shown by ``invoice_issued``.
ISSUED = "finance_issued"
CONTENT_TYPES = {extension: content_type for content_type, extension in DOWNLOAD_EXTENSIONS.items()}

#: What the values kept in a MoneyEvent's ``before`` and ``after`` are, as the history shows them.
EVENT_VALUES = {
    "number": gettext_lazy("Number"),
    "total": gettext_lazy("Total (DZD)"),
    "left": gettext_lazy("Left to pay (DZD)"),
    "balance": gettext_lazy("Payer's balance (DZD)"),
    "allocated": gettext_lazy("Settled on invoices (DZD)"),
    "credit": gettext_lazy("Kept as credit (DZD)"),
}


def _posted(request: AuthenticatedHttpRequest) -> QueryDict | None:
    """The POST's data, even empty (an empty POST is a form sent with nothing chosen)."""
    return request.POST if request.method == "POST" else None


def _history(events: list[MoneyEvent]) -> list[dict[str, Any]]:
    """Each event with the values it kept before and after, as (label, value) pairs."""
    return [
        {
            "event": event,
            "before": [(EVENT_VALUES.get(k, k), v) for k, v in event.before.items()],
            "after": [(EVENT_VALUES.get(k, k), v) for k, v in event.after.items()],
        }
        for event in events
    ]


# --- A cohort's fee schedule and its instalment plans ----------------------------------------
@role_required(Role.FINANCE)
def cohort_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    cohorts = selectors.cohorts_for_finance(user=request.user)
    return render(request, "finance/billing_cohorts.html", {"cohorts": cohorts})


@require_http_methods(["GET", "POST"])
@role_required(Role.FINANCE)
def schedule(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The fee schedule (one form) and the instalment plan of one academic year (a formset,
    ``?year=N``); a year already invoiced is shown, not offered for change."""
    cohort = selectors.cohort_for_finance(user=request.user, slug=slug)
    overview = selectors.schedule_overview(user=request.user, cohort=cohort)
    years = [y.year for y in overview.years]
    asked = positive_int(request.POST.get("plan-year") or request.GET.get("year"))
    year = asked if asked in years else years[0]
    current = overview.schedule
    schedule_form = ScheduleForm(
        prefix="schedule",
        initial={}
        if current is None
        else {
            "tuition_per_year": current.tuition_per_year,
            "application_fee": current.application_fee,
            "deposit": current.deposit,
            "deposit_days": current.deposit_days,
        },
    )
    plan_form = PlanForm(prefix="plan", years=years, initial={"year": year})
    formset = InstalmentFormSet(
        prefix="instalments",
        initial=[
            {
                "label_fr": row.instalment.label_fr,
                "label_ar": row.instalment.label_ar,
                "label_en": row.instalment.label_en,
                "amount": row.instalment.amount,
                "due_date": row.instalment.due_date,
            }
            for row in overview.year(year).rows
        ],
    )
    action = request.POST.get("action")
    if request.method == "POST" and action == "schedule":
        schedule_form = ScheduleForm(request.POST, prefix="schedule")
        if schedule_form.is_valid():
            data = schedule_form.cleaned_data
            try:
                schedule_set(
                    actor=request.user,
                    cohort=cohort,
                    tuition_per_year=data["tuition_per_year"],
                    application_fee=data["application_fee"],
                    deposit=data["deposit"],
                    deposit_days=data["deposit_days"],
                )
            except ValidationError as exc:
                attach(schedule_form, exc)
            else:
                messages.success(
                    request, _("Fee schedule of %(cohort)s saved.") % {"cohort": cohort}
                )
                return redirect(reverse("finance:schedule", args=[slug]) + f"?year={year}")
    elif request.method == "POST" and action == "plan":
        plan_form = PlanForm(request.POST, prefix="plan", years=years)
        formset = InstalmentFormSet(request.POST, prefix="instalments")
        if plan_form.is_valid() and formset.is_valid():
            if current is None:
                plan_form.add_error(
                    None, _("Save the fee schedule first: the plan adds up to its tuition.")
                )
            else:
                planned = [
                    PlannedInstalment(
                        label_fr=row["label_fr"],
                        label_ar=row["label_ar"],
                        label_en=row["label_en"],
                        amount=row["amount"],
                        due_date=row["due_date"],
                    )
                    for row in formset.cleaned_data
                    if row and not row.get("DELETE")
                ]
                try:
                    created = instalments_plan(
                        actor=request.user, schedule=current, year=year, instalments=planned
                    )
                except ValidationError as exc:
                    attach(plan_form, exc)
                else:
                    messages.success(
                        request,
                        _("Plan of year %(year)s saved: %(n)s instalments of %(total)s DZD.")
                        % {
                            "year": year,
                            "n": len(created),
                            "total": amount_text(sum((i.amount for i in created), Decimal(0))),
                        },
                    )
                    return redirect(reverse("finance:schedule", args=[slug]) + f"?year={year}")
    failed = bool(schedule_form.errors or plan_form.errors or formset.total_error_count())
    return render(
        request,
        "finance/billing_schedule.html",
        {
            "cohort": cohort,
            "overview": overview,
            "year": overview.year(year),
            "schedule_form": schedule_form,
            "plan_form": plan_form,
            "formset": formset,
        },
        status=400 if failed else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.FINANCE)
def adjustment_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    cohort = selectors.cohort_for_finance(user=request.user, slug=slug)
    form = AdjustmentForm(_posted(request), cohort=cohort)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            adjustment = adjustment_grant(
                actor=request.user,
                student=data["student"],
                instalment=data["instalment"],
                kind=data["kind"],
                reason=data["reason"],
                approver_name=data["approver_name"],
                amount=data["amount"],
                percent=data["percent"],
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            off = (
                _("%(amount)s DZD") % {"amount": amount_text(adjustment.amount)}
                if adjustment.amount is not None
                else f"{amount_text(adjustment.percent)} %"  # type: ignore[arg-type]
            )
            messages.success(
                request,
                _("%(kind)s of %(off)s granted to %(student)s on %(instalment)s.")
                % {
                    "kind": adjustment.get_kind_display(),
                    "off": off,
                    "student": adjustment.student.registration_number,
                    "instalment": adjustment.instalment,
                },
            )
            return redirect("finance:schedule", slug=slug)
    return render(
        request,
        "finance/billing_adjustment.html",
        {"cohort": cohort, "form": form},
        status=400 if form.errors else 200,
    )


# --- Issuing a cohort's invoices -------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@role_required(Role.FINANCE)
def invoice_issue_page(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Choose instalments and students (``?group=``, ``?sponsor=`` narrow the list); a POST
    shows what would be issued, per payer; the POST of that page with ``confirm=yes``
    issues it, then the result page lists the invoices issued and the shares skipped."""
    cohort = selectors.cohort_for_finance(user=request.user, slug=slug)
    filterset, candidates = selectors.issue_students(
        user=request.user, cohort=cohort, filters=request.GET
    )
    overview = selectors.schedule_overview(user=request.user, cohort=cohort)
    form = InvoiceIssueForm(_posted(request), cohort=cohort)
    if request.method == "POST" and form.is_valid():
        students = list(form.cleaned_data["students"])
        instalments = list(form.cleaned_data["instalments"])
        try:
            if confirmed(request):
                issued = invoice_issue(
                    actor=request.user, students=students, instalments=instalments
                )
                request.session[ISSUED] = {
                    "cohort": cohort.pk,
                    "issued": [invoice.pk for invoice in issued],
                    "skipped": [
                        {
                            "registration_number": share.registration_number,
                            "instalment": str(share.instalment),
                            "sponsor": str(share.sponsor or ""),
                            "number": share.number,
                        }
                        for share in issued.skipped
                    ],
                }
                return redirect("finance:invoice_issued", slug=slug)
            plan = invoice_preview(actor=request.user, students=students, instalments=instalments)
        except ValidationError as exc:
            attach(form, exc)
        else:
            return render(
                request,
                "finance/billing_issue_preview.html",
                {
                    "cohort": cohort,
                    "plan": plan,
                    "students": students,
                    "instalments": instalments,
                    "total": sum((p.total for p in plan.invoices), Decimal(0)),
                },
            )
    if form.is_bound:
        chosen_students = {str(v) for v in request.POST.getlist("students")}
        chosen_instalments = {str(v) for v in request.POST.getlist("instalments")}
    else:
        chosen_students = {str(s.pk) for s in candidates if s.status == Student.Status.ACTIVE}
        chosen_instalments = set()
    return render(
        request,
        "finance/billing_issue.html",
        {
            "cohort": cohort,
            "filter": filterset,
            "candidates": candidates,
            "overview": overview,
            "form": form,
            "chosen_students": chosen_students,
            "chosen_instalments": chosen_instalments,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.FINANCE)
def invoice_issued(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """What the last issue of this cohort's invoices in this session did (kept in the
    session, so that the page survives a reload without issuing again)."""
    cohort = selectors.cohort_for_finance(user=request.user, slug=slug)
    result = request.session.get(ISSUED)
    if not result or result["cohort"] != cohort.pk:
        return redirect("finance:invoice_issue", slug=slug)
    return render(
        request,
        "finance/billing_issue_result.html",
        {
            "cohort": cohort,
            "issued": selectors.invoices_issued(user=request.user, ids=result["issued"]),
            "skipped": result["skipped"],
        },
    )


# --- An invoice and its credit notes ---------------------------------------------------------
@role_required(Role.FINANCE)
def invoice_detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    detail = selectors.invoice_detail_for_user(user=request.user, number=number)
    return render(
        request,
        "finance/billing_invoice.html",
        {"detail": detail, "invoice": detail.invoice, "history": _history(detail.events)},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.FINANCE)
def credit_note_new(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The amount and the reason; then a confirmation page; the confirmed POST issues the
    credit note and leads back to the invoice."""
    invoice = selectors.invoice_get_for_user(user=request.user, number=number)
    left: Decimal = invoice.left  # type: ignore[attr-defined]
    form = CreditNoteForm(_posted(request), left=left, number=number)
    if request.method == "POST" and form.is_valid():
        amount, reason = form.cleaned_data["amount"], form.cleaned_data["reason"]
        if not confirmed(request):
            return confirmation_page(
                request,
                Confirmation(
                    title=_("Issue a credit note of %(amount)s DZD on %(number)s?")
                    % {"amount": amount_text(amount), "number": number},
                    consequences=[
                        _(
                            "A numbered credit note of %(amount)s DZD is issued: like an "
                            "invoice, it is never edited or withdrawn."
                        )
                        % {"amount": amount_text(amount)},
                        _("What is left to pay on %(number)s goes from %(left)s to %(after)s DZD.")
                        % {
                            "number": number,
                            "left": amount_text(left),
                            "after": amount_text(left - amount),
                        },
                        _("The reason is kept in the invoice's history: %(reason)s")
                        % {"reason": reason},
                    ],
                    button=_("Issue the credit note"),
                    cancel_url=reverse("finance:invoice_detail", args=[number]),
                    danger=True,
                    hidden={"amount": str(amount), "reason": reason},
                ),
            )
        try:
            note = credit_note_issue(
                actor=request.user, invoice=invoice, amount=amount, reason=reason
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(
                request,
                _("Credit note %(credit_note)s of %(amount)s DZD issued on %(number)s.")
                % {
                    "credit_note": note.number,
                    "amount": amount_text(note.amount),
                    "number": number,
                },
            )
            return redirect("finance:invoice_detail", number=number)
    return render(
        request,
        "finance/billing_credit_note.html",
        {"invoice": invoice, "form": form},
        status=400 if form.errors else 200,
    )


# --- Payments --------------------------------------------------------------------------------
def _payment_rows(payments: QuerySet[Payment]) -> Iterator[list[object]]:
    yield [
        _("Date"),
        _("Payer"),
        _("Method"),
        _("Reference"),
        _("Amount (DZD)"),
        _("Settled on invoices (DZD)"),
        _("Kept as credit (DZD)"),
    ]
    for payment in payments:
        yield [
            payment.paid_on,
            str(payment.payer_student or payment.payer_organisation or payment.payer_application),
            payment.get_method_display(),
            payment.reference,
            payment.amount,
            payment.allocated,  # type: ignore[attr-defined]
            payment.credit,  # type: ignore[attr-defined]
        ]


@role_required(Role.FINANCE)
def payment_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    filterset, payments = selectors.payment_list(user=request.user, filters=request.GET)
    if lists.wants_export(request):
        return lists.export(request, _payment_rows(payments), "payments", _("Payments"))
    return render(
        request,
        "finance/billing_payment_list.html",
        {"filter": filterset, **lists.page_context(request, payments)},
    )


@role_required(Role.FINANCE)
def payment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    detail = selectors.payment_detail_for_user(user=request.user, pk=pk)
    return render(
        request,
        "finance/billing_payment.html",
        {"detail": detail, "payment": detail.payment, "history": _history(detail.events)},
    )


@role_required(Role.FINANCE)
def payment_proof(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The scanned proof, private: finance only, as a download of the type checked at upload."""
    payment = selectors.payment_get_for_user(user=request.user, pk=pk)
    if not payment.proof:
        raise Http404
    extension = str(payment.proof.name).rsplit(".", 1)[-1].lower()
    return private_file_response(
        payment.proof,
        filename=f"payment-{payment.pk}",
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
