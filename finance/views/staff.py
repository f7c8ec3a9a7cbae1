"""Finance's pages: the dashboard, the invoices and recording a payment."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from core.form_errors import attach
from finance import selectors
from finance.charts import dashboard_charts
from finance.forms import PaymentForm
from finance.models import Invoice
from finance.services.payments import payment_record
from finance.views import lists


@role_required(Role.FINANCE)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    figures = selectors.cohort_figures_for_user(user=request.user)
    _filter, sponsors = selectors.sponsor_list(user=request.user)
    charts = dashboard_charts(
        cohorts=figures, sponsors=sponsors, rtl=translation.get_language_bidi()
    )
    return render(
        request,
        "finance/dashboard.html",
        {"figures": figures, "sponsors": sponsors, "charts": charts},
    )


def _invoice_rows(invoices: QuerySet[Invoice]) -> Iterator[list[object]]:
    yield [
        _("Number"),
        _("Issued at"),
        _("Cohort"),
        _("Payer"),
        _("Amount (DZD)"),
        _("Left to pay (DZD)"),
    ]
    for invoice in invoices:
        payer = invoice.payer_student or invoice.payer_organisation or invoice.payer_application
        yield [
            invoice.number,
            invoice.issued_at,
            str(invoice.cohort),
            str(payer),
            invoice.total,  # type: ignore[attr-defined]
            invoice.left,  # type: ignore[attr-defined]
        ]


@role_required(Role.FINANCE)
def invoice_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    filterset, invoices = selectors.invoice_list(user=request.user, filters=request.GET)
    if lists.wants_export(request):
        return lists.export(request, _invoice_rows(invoices), "invoices", _("Invoices"))
    return render(
        request,
        "finance/invoice_list.html",
        {"filter": filterset, **lists.page_context(request, invoices)},
    )


@role_required(Role.FINANCE)
def payment_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PaymentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = payment_record(
                actor=request.user,
                student=data["student"],
                organisation=data["organisation"],
                application=data["application"],
                method=data["method"],
                reference=data["reference"],
                paid_on=data["paid_on"],
                amount=data["amount"],
                proof=data["proof"],
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, result.message)
            return redirect("finance:payment_new")
    status = 400 if form.errors else 200
    return render(request, "finance/payment_form.html", {"form": form}, status=status)
