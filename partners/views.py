"""Coordinators' management of organisations, contacts and agreements."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Role, role_required
from core.form_errors import attach
from core.uploads import private_file_response
from partners import selectors, services
from partners.forms import AgreementForm, ContactForm, OrganisationForm
from partners.models import Agreement, Contact, Organisation


@role_required(Role.COORDINATOR)
def organisation_list(request: HttpRequest) -> HttpResponse:
    filterset, queryset = selectors.organisation_list(filters=request.GET)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partners/staff/organisation_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@role_required(Role.COORDINATOR)
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_for_staff(slug=slug)
    return render(
        request,
        "partners/staff/organisation_detail.html",
        {"organisation": organisation, "contact_form": ContactForm()},
    )


@role_required(Role.COORDINATOR)
def organisation_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    organisation = selectors.organisation_get(slug=slug) if slug else None
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        logo = request.FILES.get("logo")
        instance = form.save(commit=False)
        try:
            services.organisation_save(organisation=instance, logo=logo)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": instance.display_name})
            return redirect("partners:organisation", slug=instance.slug)
    return render(
        request,
        "partners/staff/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": organisation}
            if organisation
            else _("Add an organisation"),
            "multipart": True,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.COORDINATOR)
def contact_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    organisation = selectors.organisation_get(slug=slug)
    contact = get_object_or_404(Contact, pk=pk, organisation=organisation) if pk else None
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        instance.organisation = organisation
        try:
            services.contact_save(contact=instance)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The contact was saved."))
            return redirect("partners:organisation", slug=slug)
    return render(
        request,
        "partners/staff/form.html",
        {"form": form, "title": _("Contact of %(name)s") % {"name": organisation}},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.COORDINATOR)
def contact_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=pk, organisation__slug=slug)
    services.contact_delete(contact=contact)
    messages.success(request, _("The contact was removed."))
    return redirect("partners:organisation", slug=slug)


@role_required(Role.COORDINATOR)
def agreement_list(request: HttpRequest) -> HttpResponse:
    filterset, queryset = selectors.agreement_list(filters=request.GET)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partners/staff/agreement_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@role_required(Role.COORDINATOR)
def agreement_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    agreement = get_object_or_404(Agreement, pk=pk) if pk else None
    initial = {}
    if agreement is None and request.GET.get("party"):
        initial["parties"] = Organisation.objects.filter(slug=request.GET["party"])
    form = AgreementForm(
        request.POST or None, request.FILES or None, instance=agreement, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        instance = form.save(commit=False)
        try:
            services.agreement_save(
                agreement=instance,
                parties=form.cleaned_data["parties"],
                signed_pdf=request.FILES.get("signed_pdf"),
                remove_pdf=request.POST.get("signed_pdf-clear") == "on",
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The agreement was saved."))
            return redirect("partners:agreements")
    return render(
        request,
        "partners/staff/form.html",
        {
            "form": form,
            "title": _("Edit the agreement") if agreement else _("Add an agreement"),
            "multipart": True,
            "agreement": agreement,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.COORDINATOR)
def agreement_pdf(request: HttpRequest, pk: int) -> FileResponse:
    agreement = selectors.agreement_get(pk=pk)
    if not agreement.signed_pdf:
        raise Http404
    return private_file_response(
        agreement.signed_pdf,
        filename=f"agreement-{agreement.pk}",  # the uploader's name is shown, never used
        content_type="application/pdf",
    )
