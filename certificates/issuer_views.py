"""Staff pages of the issuer of the documents and of their signatories (coordination only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from certificates import issuer_services
from certificates.models import IssuingAuthority, Kind, Signatory
from core.form_errors import attach

AR = {"dir": "rtl", "lang": "ar"}


class AuthorityForm(forms.ModelForm[IssuingAuthority]):
    # A plain file field: the content is checked by the service (core.uploads.check_image),
    # and its refusal shown on this field.
    logo = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        help_text=gettext_lazy("PNG or JPEG, 1 MB at most."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)

    class Meta:
        model = IssuingAuthority
        fields = list(issuer_services.AUTHORITY_FIELDS)
        widgets = {
            "name_ar": forms.TextInput(attrs=AR),
            "legal_basis_fr": forms.Textarea(attrs={"rows": 2}),
            "legal_basis_ar": forms.Textarea(attrs={**AR, "rows": 2}),
            "address_ar": forms.TextInput(attrs=AR),
            "phone": forms.TextInput(attrs={"type": "tel", "dir": "ltr"}),
        }


class SignatoryForm(forms.ModelForm[Signatory]):
    class Meta:
        model = Signatory
        fields = [*issuer_services.SIGNATORY_FIELDS, "active_from"]
        widgets = {
            "name_ar": forms.TextInput(attrs=AR),
            "title_ar": forms.TextInput(attrs=AR),
            "active_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "order": gettext_lazy("1 signs first (on the left of a French document)."),
            "active_from": gettext_lazy("The first day documents carry this signature."),
        }


def _kind(kind: str) -> Kind:
    if kind not in Kind.values:
        raise Http404
    return Kind(kind)


@role_required(Role.COORDINATOR)
def issuer(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The issuing authority (with its logo), and who signs each document now."""
    authority = issuer_services.active_authority()
    form = AuthorityForm(request.POST or None, request.FILES or None, instance=authority)
    if request.method == "POST" and form.is_valid():
        try:
            issuer_services.authority_save(
                actor=request.user,
                data=form.cleaned_data,
                logo=form.cleaned_data.get("logo"),
                remove_logo=form.cleaned_data.get("remove_logo", False),
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The issuer of the documents was saved."))
            return redirect("certificates:issuer")
    current = issuer_services.current_signatories(authority) if authority else []
    now = timezone.now()
    kinds: list[dict[str, Any]] = []
    for value, label in Kind.choices:
        signing = issuer_services.signatories_for(value, authority=authority, at=now)
        kinds.append(
            {
                "kind": value,
                "label": label,
                "signing": signing,
                "scheduled": [s for s in current if s.kind == value and s not in signing],
            }
        )
    return render(
        request,
        "certificates/issuer/authority.html",
        {"form": form, "authority": authority, "kinds": kinds},
        status=400 if form.errors else 200,
    )


@role_required(Role.COORDINATOR)
def signatories(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """Who signs one kind of document: now, from a later date, and before (the history);
    a form to add one."""
    chosen = _kind(kind)
    authority = issuer_services.active_authority()
    rows = issuer_services.signatory_history(authority, chosen) if authority else []
    form = SignatoryForm(
        request.POST or None,
        initial={
            "active_from": timezone.localdate(),
            "order": 1 + max((s.order for s in rows if s.retired_at is None), default=0),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            issuer_services.signatory_add(kind=chosen, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The signatory was added."))
            return redirect("certificates:signatories", kind=chosen.value)
    signing = issuer_services.signatories_for(chosen, authority=authority) if authority else []
    now = timezone.now()
    return render(
        request,
        "certificates/issuer/signatories.html",
        {
            "authority": authority,
            "kind": chosen,
            "form": form,
            "signing": signing,
            "scheduled": [
                s for s in rows if s not in signing and (s.retired_at is None or s.retired_at > now)
            ],
            "history": [s for s in rows if s.retired_at is not None and s.retired_at <= now],
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.COORDINATOR)
def signatory_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A change of a signatory: the row is retired and a new one takes its place, so the
    documents already issued keep the name they carry and the history shows who signed
    when."""
    signatory = get_object_or_404(Signatory.objects.filter(retired_at__isnull=True), pk=pk)
    form = SignatoryForm(
        request.POST or None,
        instance=None,
        initial={
            **{f: getattr(signatory, f) for f in issuer_services.SIGNATORY_FIELDS},
            "active_from": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            issuer_services.signatory_edit(
                signatory=signatory, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(
                request,
                _("The signatory was changed: the previous version is kept in the history."),
            )
            return redirect("certificates:signatories", kind=signatory.kind)
    return render(
        request,
        "certificates/issuer/signatory_edit.html",
        {"signatory": signatory, "form": form, "kind": Kind(signatory.kind)},
        status=400 if form.errors else 200,
    )


@role_required(Role.COORDINATOR)
def signatory_retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Retire a signatory: a page that asks to confirm (a box to tick), then the change."""
    signatory = get_object_or_404(Signatory.objects.filter(retired_at__isnull=True), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            issuer_services.signatory_retire(
                signatory=signatory,
                actor=request.user,
                confirm=request.POST.get("confirm") == "yes",
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("%(name)s signs no more documents of this kind.") % {"name": signatory.name_fr},
            )
            return redirect("certificates:signatories", kind=signatory.kind)
    return render(
        request,
        "certificates/issuer/signatory_retire.html",
        {
            "signatory": signatory,
            "kind": Kind(signatory.kind),
            "error": error,
            "last": len(issuer_services.signatories_for(signatory.kind)) <= 1,
        },
        status=400 if error else 200,
    )
