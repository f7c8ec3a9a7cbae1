"""Finance's pages: the dashboard, the invoices and recording a payment."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from core import spreadsheets
from core.form_errors import attach
from finance import selectors
from finance.forms import PaymentForm
from finance.models import Invoice
from finance.services.payments import payment_record

PER_PAGE = 50


@role_required(Role.FINANCE)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    figures = selectors.cohort_figures_for_user(user=request.user)
    return render(request, "finance/dashboard.html", {"figures": figures})


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
        payer = invoice.payer_student or invoice.payer_organisation
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
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return spreadsheets.spreadsheet_response(
            _invoice_rows(invoices),
            fmt=fmt,
            filename="invoices",
            sep=request.GET.get("sep"),
            title=_("Invoices"),
            bold_header=True,
            freeze_header=True,
        )
    page = Paginator(invoices, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "finance/invoice_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
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
