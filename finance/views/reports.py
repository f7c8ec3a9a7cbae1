"""Finance's reports: the overdue list, the sponsors' balances and the accounting export.
The overdue list and the sponsors are read by finance and the coordination (who follows up
the participants); the journal is finance's only."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.access import AuthenticatedHttpRequest, Role, has_role, role_required
from finance import journal, selectors
from finance.forms import JournalForm
from finance.views import lists

JOURNAL_PER_PAGE = 200


def _page_context(
    request: AuthenticatedHttpRequest, rows: Sequence[object], per_page: int | None = None
) -> dict[str, Any]:
    return {
        **lists.page_context(request, rows, per_page),
        "is_finance": has_role(request.user, Role.FINANCE),
    }


# --- Overdue ----------------------------------------------------------------------------------
def _overdue_rows(rows: list[selectors.OverdueLine]) -> Iterator[list[object]]:
    yield [
        _("Invoice"),
        _("Cohort"),
        _("Payer"),
        _("Student"),
        _("Line"),
        _("Due on"),
        _("Days late"),
        _("Left to pay (DZD)"),
    ]
    for row in rows:
        line = row.line
        yield [
            line.invoice.number,
            str(line.invoice.cohort),
            str(row.payer),
            str(line.student or line.application or ""),
            line.label,
            line.due_on,
            row.days_late,
            row.left,
        ]


@role_required(Role.FINANCE, Role.COORDINATOR)
def overdue(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    filterset, rows = selectors.overdue_list(user=request.user, filters=request.GET)
    if lists.wants_export(request):
        return lists.export(request, _overdue_rows(rows), "overdue", _("Overdue"))
    context = {"filter": filterset, **_page_context(request, rows)}
    return render(request, "finance/reports_overdue.html", context)


# --- Sponsors ---------------------------------------------------------------------------------
def _sponsor_rows(rows: list[selectors.SponsorRow]) -> Iterator[list[object]]:
    yield [
        _("Sponsor"),
        _("Participants"),
        _("Invoiced (DZD)"),
        _("Credited (DZD)"),
        _("Paid (DZD)"),
        _("Balance (DZD)"),
        _("Overdue (DZD)"),
    ]
    for row in rows:
        yield [
            str(row.organisation),
            row.participants,
            row.totals.invoiced,
            row.totals.credited,
            row.totals.paid,
            row.totals.balance,
            row.totals.overdue,
        ]


@role_required(Role.FINANCE, Role.COORDINATOR)
def sponsors(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    filterset, rows = selectors.sponsor_list(user=request.user, filters=request.GET)
    if lists.wants_export(request):
        return lists.export(request, _sponsor_rows(rows), "sponsors", _("Sponsors"))
    context = {"filter": filterset, **_page_context(request, rows)}
    return render(request, "finance/reports_sponsors.html", context)


# --- Accounting export ------------------------------------------------------------------------
@role_required(Role.FINANCE)
def journal_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    form = JournalForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "journal": journal.Journal(), **_page_context(request, [], 1)}
        return render(request, "finance/reports_journal.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    book = journal.journal_for_user(
        user=request.user,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        cohort=data.get("cohort"),
    )
    if lists.wants_export(request):
        return lists.export(request, journal.journal_rows(book), "journal", _("Journal"))
    context = {
        "form": form,
        "journal": book,
        **_page_context(request, book.lines, JOURNAL_PER_PAGE),
    }
    return render(request, "finance/reports_journal.html", context)
