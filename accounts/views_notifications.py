"""My notifications: the list (newest first, unread marked), reading one or all, and which
kinds come by e-mail. Each person reaches only their own."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts import notifications
from accounts.access import AuthenticatedHttpRequest, Role, role_required
from accounts.models import Notification
from core.form_errors import attach


@role_required(Role.APPLICANT)
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filterset, queryset = notifications.notification_list(user=request.user, filters=request.GET)
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/notifications.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@require_POST
@role_required(Role.APPLICANT)
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go to the page it is about (the list when it links nowhere)."""
    notification = notifications.notification_open(user=request.user, pk=pk)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("accounts:notifications")


@require_POST
@role_required(Role.APPLICANT)
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = notifications.notifications_read_all(user=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s notification marked as read.",
            "%(count)s notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect("accounts:notifications")


class PreferencesForm(forms.Form):
    """One box per kind: ticked, the kind comes by e-mail; the mandatory ones are ticked and
    cannot be unticked."""

    emailed = forms.MultipleChoiceField(
        label=gettext_lazy("Send me an e-mail for"),
        choices=Notification.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_emailed(self) -> list[str]:
        # A disabled box is not posted: the mandatory kinds are always part of the answer.
        return sorted(set(self.cleaned_data["emailed"]) | set(Notification.MANDATORY))


@role_required(Role.APPLICANT)
def notification_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    muted = notifications.muted_kinds(request.user)
    form = PreferencesForm(
        # Every box unticked posts nothing: a POST all the same.
        request.POST if request.method == "POST" else None,
        initial={"emailed": [k for k in Notification.Kind.values if k not in muted]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            notifications.preferences_set(user=request.user, emailed=form.cleaned_data["emailed"])
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Your e-mail preferences are saved."))
            return redirect("accounts:notification_preferences")
    emailed = set(form["emailed"].value() or []) if form.is_bound else set(form.initial["emailed"])
    rows = [
        {
            "value": kind.value,
            "label": kind.label,
            "mandatory": kind.value in Notification.MANDATORY,
            "checked": kind.value in Notification.MANDATORY or kind.value in emailed,
        }
        for kind in Notification.Kind
    ]
    return render(
        request,
        "accounts/notification_preferences.html",
        {"form": form, "rows": rows},
        status=400 if form.errors else 200,
    )
