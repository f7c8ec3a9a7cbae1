"""Bank and CCP statements: upload and past imports; review the proposed matches, then
confirm (nothing is recorded before); afterwards the same page shows what was recorded."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from core.confirmation import Confirmation, confirmation_page, confirmed
from core.form_errors import attach
from core.numbers import amount_text
from core.spreadsheets import SpreadsheetError
from finance import selectors
from finance.forms import StatementMethodForm, StatementUploadForm
from finance.models import Payment, StatementImport
from finance.services import statements
from finance.views import lists


@role_required(Role.FINANCE)
def statement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            statement = statements.statement_upload(
                actor=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            url = reverse("finance:statement_review", args=[statement.pk])
            return redirect(f"{url}?method={form.cleaned_data['method']}")
    imports = selectors.statement_list(user=request.user)
    status = 400 if form.errors else 200
    context = {"form": form, **lists.page_context(request, imports)}
    return render(request, "finance/statement_list.html", context, status=status)


def _method(request: AuthenticatedHttpRequest) -> StatementMethodForm:
    data = request.POST if request.method == "POST" else request.GET
    form = StatementMethodForm({"method": data.get("method", Payment.Method.TRANSFER)})
    if not form.is_valid():
        form = StatementMethodForm({"method": Payment.Method.TRANSFER})
        form.is_valid()
    return form


@role_required(Role.FINANCE)
def statement_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        statement = selectors.statement_get_for_user(user=request.user, pk=pk)
    except StatementImport.DoesNotExist:
        raise Http404 from None
    try:
        proposal = statements.statement_proposal(user=request.user, statement=statement)
    except (SpreadsheetError, FileNotFoundError):
        messages.error(request, _("The file of this statement can no longer be read."))
        return redirect("finance:statements")
    method = _method(request)
    if request.method == "POST":
        if not confirmed(request) and statement.confirmed_at is None:
            return confirmation_page(request, _confirmation(statement, proposal, method))
        try:
            result = statements.statement_confirm_start(
                actor=request.user, statement=statement, method=method.cleaned_data["method"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if result is None:
                messages.info(
                    request,
                    _(
                        "The payments are being recorded in the background: this page shows "
                        "the outcome when it is done, and you will be notified."
                    ),
                )
            else:
                messages.success(request, result.message)
        return redirect("finance:statement_review", pk=statement.pk)
    context = {
        "statement": statement,
        "proposal": proposal,
        "method": method,
        "earlier": statements.same_file_imports(statement),
        "recorded": selectors.statement_recorded(statement) if statement.confirmed_at else [],
    }
    return render(request, "finance/statement_review.html", context)


def _confirmation(
    statement: StatementImport, proposal: statements.Proposal, method: StatementMethodForm
) -> Confirmation:
    count = len(proposal.to_record)
    skipped = len(proposal.lines) - count
    chosen = method.cleaned_data["method"]
    consequences = [
        ngettext(
            "%(n)s payment of %(amount)s DZD in all will be recorded (%(method)s), each with "
            "its receipt, allocated to the invoice its line names.",
            "%(n)s payments of %(amount)s DZD in all will be recorded (%(method)s), each with "
            "its receipt, allocated to the invoices their lines name.",
            count,
        )
        % {
            "n": count,
            "amount": amount_text(proposal.total),
            "method": Payment.Method(chosen).label,
        },
        _("What is paid beyond what is left on an invoice is kept as the payer's credit."),
        ngettext(
            "%(n)s line is not recorded (invalid, unmatched, already recorded or a duplicate).",
            "%(n)s lines are not recorded (invalid, unmatched, already recorded or duplicates).",
            skipped,
        )
        % {"n": skipped},
        _("Each line is recorded once: importing the file again records nothing more."),
    ]
    return Confirmation(
        title=_("Record the payments of %(file)s?") % {"file": statement.filename},
        consequences=consequences,
        button=_("Record the payments"),
        cancel_url=reverse("finance:statement_review", args=[statement.pk]),
        hidden={"method": chosen},
    )
