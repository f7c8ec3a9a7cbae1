from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.access import (
    AuthenticatedHttpRequest,
    Role,
    fresh_authentication_required,
    may_grant,
    role_required,
    roles_of,
)
from accounts.forms import RoleChangeForm
from accounts.models import OutgoingEmail, User


@role_required(Role.COORDINATOR)
def emails(request: HttpRequest) -> HttpResponse:
    """The e-mails that did not leave (or any, filtered), with the reason and a retry."""
    filterset, queryset = selectors.outgoing_email_list(filters=request.GET)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/emails.html",
        {"filter": filterset, "page": page, "query": _querystring_without_page(request)},
    )


@require_POST
@role_required(Role.COORDINATOR)
def email_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    outgoing = get_object_or_404(OutgoingEmail, pk=pk)
    try:
        services.outgoing_email_retry(actor=request.user, email_id=outgoing.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The e-mail “%(subject)s” will be sent again.") % {"subject": outgoing.subject},
        )
    return redirect("accounts:emails")


@role_required(Role.COORDINATOR)
def people(request: HttpRequest) -> HttpResponse:
    filterset, queryset = selectors.people_list(filters=request.GET)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/people.html",
        {
            "filter": filterset,
            "page": page,
            "may_grant_lecturer": may_grant(request.user, Role.LECTURER),
            "query": _querystring_without_page(request),
        },
    )


@role_required(Role.COORDINATOR)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = RoleChangeForm()
    return _render_person(request, person, form)


@require_POST
@role_required(Role.COORDINATOR)
@fresh_authentication_required
def person_role(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = RoleChangeForm(request.POST)
    if form.is_valid():
        try:
            services.user_set_role(
                actor=request.user,
                user=person,
                role=form.role_value(),
                granted=form.cleaned_data["granted"],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied:
            form.add_error("role", _("You may not grant or revoke this role."))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The roles of %(person)s were updated.") % {"person": person}
            )
            return redirect("accounts:person", pk=person.pk)
    return _render_person(request, person, form, status=400)


def _render_person(
    request: HttpRequest, person: User, form: RoleChangeForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "accounts/person.html",
        {
            "person": person,
            "person_roles": sorted(roles_of(person), key=list(Role).index),
            "history": selectors.role_history(user=person),
            "form": form,
        },
        status=status,
    )


def _querystring_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
