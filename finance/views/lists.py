"""What every finance list shares: a page of rows with the filters kept in its links, and
the same rows exported as CSV or XLSX (``?format=csv|xlsx``, ``&sep=`` for CSV)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse

from accounts.access import AuthenticatedHttpRequest
from core import spreadsheets

PER_PAGE = 50
EXPORTS = ("csv", "xlsx")


def wants_export(request: AuthenticatedHttpRequest) -> bool:
    return request.GET.get("format") in EXPORTS


def export(
    request: AuthenticatedHttpRequest, rows: Iterator[list[object]], name: str, title: str
) -> HttpResponse:
    return spreadsheets.spreadsheet_response(
        rows,
        fmt=request.GET["format"],
        filename=name,
        sep=request.GET.get("sep"),
        title=title,
        bold_header=True,
        freeze_header=True,
    )


def page_context(
    request: AuthenticatedHttpRequest,
    rows: Sequence[Any] | QuerySet[Any],
    per_page: int | None = None,
) -> dict[str, Any]:
    """The page asked for (``?page=``) and the query string of the filters, without it."""
    page = Paginator(rows, per_page or PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode()}
