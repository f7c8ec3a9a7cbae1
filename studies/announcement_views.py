"""Announcements: written by a coordinator or a module's lecturer (confirmed before it goes
out), listed for the staff and for the students they reach, with the attachment served only
to the audience and the author."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import AuthenticatedHttpRequest, Role, has_role, role_required
from core.confirmation import Confirmation, confirmation_page, confirmed
from core.form_errors import attach
from core.uploads import private_file_response
from studies import announcement_selectors as selectors
from studies.announcement_forms import AnnouncementForm
from studies.services import announcements

STAGED_FIELD = "staged_attachment"


@role_required(Role.COORDINATOR, Role.LECTURER)
def announcement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filterset, queryset = selectors.announcement_list_for_staff(
        user=request.user, filters=request.GET
    )
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "studies/announcement_list.html",
        {
            "filter": filterset if has_role(request.user, Role.COORDINATOR) else None,
            "page": page,
            "query": query.urlencode(),
            "may_write": True,
        },
    )


@role_required(Role.COORDINATOR, Role.LECTURER)
def announcement_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The form; its POST shows who will receive it and asks to confirm; the confirmation's
    POST sends it. A checked attachment waits in private storage in between."""
    posted = request.method == "POST"
    form = AnnouncementForm(
        request.POST if posted else None, request.FILES if posted else None, user=request.user
    )
    if posted and form.is_valid():
        try:
            if confirmed(request):
                return _send(request, form)
            return _confirm(request, form)
        except PermissionDenied:
            form.add_error("offering", _("You may write only to the students of your modules."))
        except ValidationError as exc:
            attach(form, exc)
    return render(
        request,
        "studies/announcement_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _confirm(request: AuthenticatedHttpRequest, form: AnnouncementForm) -> HttpResponse:
    arguments = form.send_arguments()
    _cohort, students = announcements.announcement_check(
        actor=request.user,
        cohort=arguments["cohort"],
        group=arguments["group"],
        offering=arguments["offering"],
    )
    hidden = form.hidden_values()
    consequences = [
        ngettext(
            "“%(subject)s” goes to %(count)s student: in their notifications, and by e-mail "
            "unless they turned announcement e-mails off.",
            "“%(subject)s” goes to %(count)s students: in their notifications, and by e-mail "
            "unless they turned announcement e-mails off.",
            len(students),
        )
        % {"subject": arguments["subject"], "count": len(students)},
    ]
    upload = form.cleaned_data.get("attachment")
    if upload is not None:
        staged, token = announcements.attachment_stage(actor=request.user, upload=upload)
        hidden[STAGED_FIELD] = token
        consequences.append(_("With the file %(name)s.") % {"name": staged.original})
    consequences.append(_("An announcement cannot be withdrawn once sent."))
    return confirmation_page(
        request,
        Confirmation(
            title=_("Send this announcement?"),
            consequences=consequences,
            button=_("Send the announcement"),
            cancel_url=reverse("studies:announcement_new"),
            hidden=hidden,
        ),
    )


def _send(request: AuthenticatedHttpRequest, form: AnnouncementForm) -> HttpResponse:
    token = request.POST.get(STAGED_FIELD, "")
    staged = announcements.attachment_unstage(actor=request.user, token=token) if token else None
    announcement = announcements.announcement_send(
        actor=request.user,
        attachment=form.cleaned_data.get("attachment"),
        staged=staged,
        **form.send_arguments(),
    )
    count = announcements.audience(
        cohort=announcement.cohort, group=announcement.group, offering=announcement.offering
    ).count()
    messages.success(
        request,
        ngettext(
            "The announcement “%(subject)s” was sent to %(count)s student.",
            "The announcement “%(subject)s” was sent to %(count)s students.",
            count,
        )
        % {"subject": announcement.subject, "count": count},
    )
    return redirect("studies:announcements")


@role_required(Role.STUDENT)
def my_announcements(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.announcement_list_for_student(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "studies/announcement_mine.html", {"page": page, "query": ""})


@role_required(Role.APPLICANT)
def announcement_attachment(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    announcement = selectors.announcement_get_for_download(user=request.user, pk=pk)
    return private_file_response(
        announcement.attachment,
        filename=announcement.attachment_name,
        content_type=announcements.content_type(announcement),
    )
