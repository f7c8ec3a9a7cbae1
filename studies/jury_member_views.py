"""The members of a jury, added and removed from the jury's page (coordination only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from core.numbers import positive_int
from studies.models import Jury, JuryMember
from studies.services import jury_members


def _back(jury: Jury) -> HttpResponse:
    if jury.year is not None:
        return redirect("studies:year_jury", slug=jury.cohort.slug, year=jury.year)
    return redirect(
        "studies:jury", slug=jury.cohort.slug, semester=jury.semester, session=jury.session
    )


@require_POST
@role_required(Role.COORDINATOR)
def jury_member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    jury = get_object_or_404(Jury.objects.select_related("cohort"), pk=pk)
    try:
        member = jury_members.jury_member_add(
            jury=jury,
            actor=request.user,
            name=request.POST.get("name", "")[:200],
            role=request.POST.get("role", ""),
            order=positive_int(request.POST.get("order") or ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s was added to the jury.") % {"name": member.name})
    return _back(jury)


@require_POST
@role_required(Role.COORDINATOR)
def jury_member_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(JuryMember.objects.select_related("jury__cohort"), pk=pk)
    jury_members.jury_member_remove(member=member, actor=request.user)
    messages.success(request, _("%(name)s was removed from the jury.") % {"name": member.name})
    return _back(member.jury)
