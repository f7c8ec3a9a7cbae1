"""Finance's PDFs: the download of one (to whom it concerns), a sponsor's statement asked
for, a failed one prepared again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import (
    AuthenticatedHttpRequest,
    Role,
    has_role,
    require_staff_session,
    role_required,
)
from core.uploads import private_file_response
from finance import documents as rendering
from finance import selectors
from finance.forms import StatementRequestForm
from finance.models import FinanceDocument
from finance.services import documents

#: How often the "being prepared" page looks again (seconds).
REFRESH = 5


@role_required(Role.APPLICANT)
def document(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The PDF, to finance and the coordination (from a session that passed the second
    factor), to the student or applicant who is its payer, to its organisation's contact
    person; 404 to anyone else. Until it is rendered, a page says it is being prepared."""
    found = selectors.document_get_for_user(user=request.user, pk=pk)
    if found is None:
        raise Http404
    if selectors.may_read(request.user):
        # Anyone's document: staff use, so only from a session that passed the second factor.
        require_staff_session(request)
    if found.status == FinanceDocument.Status.READY and found.file:
        return private_file_response(
            found.file, filename=rendering.download_name(found), content_type="application/pdf"
        )
    return render(
        request,
        "finance/documents_pending.html",
        {
            "document": found,
            "refresh": REFRESH,
            "may_retry": found.status == FinanceDocument.Status.FAILED
            and has_role(request.user, Role.FINANCE),
        },
    )


def _back(request: AuthenticatedHttpRequest, fallback: str) -> str:
    """Where the request came from (``next``, else the referring page of this site)."""
    for candidate in (request.POST.get("next"), request.headers.get("referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback


@require_POST
@role_required(Role.APPLICANT)
def statement_request(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Finance asks for any organisation's statement, a sponsor's contact person for their
    own organisation's (another one's: 404). Back where it was asked, with a message."""
    finance = has_role(request.user, Role.FINANCE)
    if finance:
        require_staff_session(request)
    form = StatementRequestForm(request.POST)
    if not form.is_valid():
        if finance or selectors.sponsor_organisation_of(request.user) is not None:
            messages.error(request, _("Choose the organisation and the cohort."))
            return redirect(_back(request, reverse("finance:dashboard" if finance else "me")))
        raise Http404
    organisation, cohort = form.cleaned_data["organisation"], form.cleaned_data["cohort"]
    own = selectors.sponsor_organisation_of(request.user)
    if not finance and (own is None or own.pk != organisation.pk):
        raise Http404
    try:
        statement = documents.statement_request(
            actor=request.user, organisation=organisation, cohort=cohort
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "The statement of %(organisation)s for %(cohort)s is being prepared: it will "
                "be listed among the statements in a moment."
            )
            % {"organisation": organisation, "cohort": cohort},
        )
        return redirect(_back(request, reverse("finance:document", args=[statement.pk])))
    return redirect(_back(request, reverse("finance:dashboard" if finance else "me")))


@require_POST
@role_required(Role.FINANCE)
def document_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Finance prepares a failed document again (its file keeps its name)."""
    found = get_object_or_404(FinanceDocument, pk=pk)
    try:
        documents.document_retry(actor=request.user, document=found)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The document is being prepared again."))
    return redirect("finance:document", pk=found.pk)
