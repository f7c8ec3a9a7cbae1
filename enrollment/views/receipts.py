"""The receipt of a submitted application (enrollment/receipt.py): its owner downloads it
from their page, a coordinator from the staff page; anyone else gets a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from accounts.access import AuthenticatedHttpRequest, Role, has_role, role_required
from core.uploads import private_file_response
from enrollment import selectors
from enrollment.models import Application


def _receipt(application: Application) -> FileResponse:
    if not application.receipt:
        raise Http404  # not rendered yet: the page says it is being prepared
    return private_file_response(
        application.receipt,
        filename=f"receipt-{application.number}",
        content_type="application/pdf",
    )


@require_GET
@login_required
def mine(request: AuthenticatedHttpRequest, number: str) -> FileResponse:
    return _receipt(selectors.application_get_for_applicant(user=request.user, number=number))


@require_GET
@role_required(Role.LECTURER, Role.COORDINATOR)
def staff(request: AuthenticatedHttpRequest, number: str) -> FileResponse:
    """Coordinators only; a reviewer is answered as if there were nothing (no hint)."""
    if not has_role(request.user, Role.COORDINATOR):
        raise Http404
    return _receipt(selectors.application_get_for_staff(user=request.user, number=number))
