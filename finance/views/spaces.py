"""The people's own finance pages: a student's (or applicant's) fees, a sponsor contact's
space; and finance's page of a sponsor organisation's contacts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from core.confirmation import Confirmation, confirmation_page, confirmed
from core.form_errors import attach
from finance import selectors
from finance.forms import SponsorContactForm
from finance.models import SponsorContact
from finance.services import contacts as contact_services


@role_required(Role.APPLICANT)
def my_fees(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the person is charged, paid and owes: their student records' fees and their
    application fees. Nothing of the kind: 404, as the student's other pages."""
    fees = selectors.fees_of(user=request.user)
    if fees is None:
        raise Http404
    return render(request, "finance/spaces_my_fees.html", {"fees": fees})


@role_required(Role.SPONSOR)
def sponsor_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A sponsor contact's space: their organisation's statement only."""
    contact = selectors.sponsor_contact_of(request.user)
    if contact is None:
        return render(request, "finance/spaces_sponsor_no_contact.html", status=403)
    space = selectors.sponsor_space(contact=contact)
    return render(request, "finance/spaces_sponsor_home.html", {"space": space})


# --- Finance: the contacts of a sponsor organisation ----------------------------------------
@role_required(Role.FINANCE)
def contacts(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation, listed = selectors.sponsor_contacts_of(user=request.user, pk=pk)
    form = SponsorContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_services.contact_add(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s will receive the invoices, reminders and statements of %(org)s.")
                % {"name": contact.name, "org": organisation},
            )
            return redirect("finance:contacts", pk=organisation.pk)
    return render(
        request,
        "finance/spaces_contacts.html",
        {"organisation": organisation, "contacts": listed, "form": form},
        status=400 if form.errors else 200,
    )


def _contact(request: AuthenticatedHttpRequest, pk: int, contact: int) -> SponsorContact:
    organisation, _listed = selectors.sponsor_contacts_of(user=request.user, pk=pk)
    return get_object_or_404(
        SponsorContact.objects.select_related("organisation", "user"),
        pk=contact,
        organisation=organisation,
    )


@require_POST
@role_required(Role.FINANCE)
def contact_account(request: AuthenticatedHttpRequest, pk: int, contact: int) -> HttpResponse:
    """Give the contact an account (an e-mail lets them choose its password)."""
    found = _contact(request, pk, contact)
    try:
        given = contact_services.contact_account_give(actor=request.user, contact=found)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _(
                "%(name)s has an account: an e-mail to %(email)s lets them choose its password, "
                "then see the statement of %(org)s."
            )
            % {"name": given.name, "email": given.email, "org": given.organisation},
        )
    return redirect("finance:contacts", pk=pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.FINANCE)
def contact_revoke(request: AuthenticatedHttpRequest, pk: int, contact: int) -> HttpResponse:
    found = _contact(request, pk, contact)
    back = reverse("finance:contacts", args=[pk])
    if not confirmed(request):
        return confirmation_page(
            request,
            Confirmation(
                title=_("Close the sponsor account of %(name)s?") % {"name": found.name},
                consequences=[
                    _("%(email)s no longer sees the statement of %(org)s.")
                    % {
                        "email": found.user.email if found.user else found.email,
                        "org": found.organisation,
                    },
                    _(
                        "The contact still receives the organisation's invoices, reminders and "
                        "statements by e-mail; an account may be given again later."
                    ),
                ],
                button=_("Close the account"),
                cancel_url=back,
                danger=True,
            ),
        )
    try:
        contact_services.contact_account_revoke(actor=request.user, contact=found)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The account of %(name)s no longer sees the statement of %(org)s.")
            % {"name": found.name, "org": found.organisation},
        )
    return redirect(back)


@require_http_methods(["GET", "POST"])
@role_required(Role.FINANCE)
def contact_remove(request: AuthenticatedHttpRequest, pk: int, contact: int) -> HttpResponse:
    found = _contact(request, pk, contact)
    back = reverse("finance:contacts", args=[pk])
    if not confirmed(request):
        values = {"name": found.name, "email": found.email, "org": found.organisation}
        consequences = [
            _(
                "%(name)s (%(email)s) no longer receives the invoices, reminders and "
                "statements of %(org)s."
            )
            % values
        ]
        if found.user is not None:
            consequences.append(_("Their account no longer sees the organisation's statement."))
        return confirmation_page(
            request,
            Confirmation(
                title=_("Remove the contact %(name)s?") % {"name": found.name},
                consequences=consequences,
                button=_("Remove the contact"),
                cancel_url=back,
                danger=True,
            ),
        )
    try:
        contact_services.contact_remove(actor=request.user, contact=found)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(name)s is no longer a contact of %(org)s.")
            % {"name": found.name, "org": found.organisation},
        )
    return redirect(back)
