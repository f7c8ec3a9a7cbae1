"""Teaching operations (#14), coordinators' pages: rooms, a cohort's timetable (booking,
moving, cancelling sessions) and the hours taught."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import AuthenticatedHttpRequest, Role, role_required
from core import spreadsheets
from core.confirmation import Confirmation, ReasonForm, confirmation_page, confirmed
from core.form_errors import attach
from enrollment.models import Cohort
from studies import hours, teaching_selectors
from studies.models import ClassSession
from studies.services import rooms, sessions
from studies.teaching_forms import HoursPeriodForm, RoomForm, SessionBookForm, SessionMoveForm


# --- Rooms ------------------------------------------------------------------------------------
@role_required(Role.COORDINATOR)
def room_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filterset, queryset = teaching_selectors.room_list(filters=request.GET)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "studies/teaching_rooms.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@role_required(Role.COORDINATOR)
def room_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    room = teaching_selectors.room_get(pk=pk) if pk else None
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            saved = rooms.room_save(room=form.save(commit=False), actor=request.user)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Room %(room)s was saved.") % {"room": saved})
            return redirect("studies:rooms")
    return render(
        request,
        "studies/teaching_form.html",
        {
            "form": form,
            "title": _("Edit room %(room)s") % {"room": room} if room else _("Add a room"),
            "back_url": reverse("studies:rooms"),
            "back_label": _("Rooms"),
        },
        status=400 if form.errors else 200,
    )


# --- A cohort's timetable ---------------------------------------------------------------------
def _cohort(slug: str) -> Cohort:
    return get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)


@role_required(Role.COORDINATOR)
def timetable(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    cohort = _cohort(slug)
    filterset, queryset = teaching_selectors.session_list(cohort=cohort, filters=request.GET)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "studies/teaching_timetable.html",
        {"cohort": cohort, "filter": filterset, "page": page, "query": query.urlencode()},
    )


@role_required(Role.COORDINATOR)
def session_book(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    cohort = _cohort(slug)
    form = SessionBookForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            session = sessions.session_book(actor=request.user, **form.booking())
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(
                request,
                _("The session is booked: %(session)s.") % {"session": sessions.describe(session)},
            )
            return redirect("studies:timetable", slug=slug)
    return render(
        request,
        "studies/teaching_form.html",
        {
            "form": form,
            "title": _("Book a session for %(cohort)s") % {"cohort": cohort},
            "back_url": reverse("studies:timetable", args=[slug]),
            "back_label": _("Timetable"),
        },
        status=400 if form.errors else 200,
    )


def _session(pk: int) -> ClassSession:
    return teaching_selectors.session_get(pk=pk)


@role_required(Role.COORDINATOR)
def session_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    form = SessionMoveForm(
        request.POST or None,
        initial={"starts_at": session.starts_at, "ends_at": session.ends_at, "room": session.room},
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = sessions.session_move(session=session, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(
                request,
                _("The session moved to %(session)s; its students and lecturers are told.")
                % {"session": sessions.describe(moved)},
            )
            return redirect("studies:timetable", slug=session.offering.cohort.slug)
    return render(
        request,
        "studies/teaching_form.html",
        {
            "form": form,
            "title": _("Move %(session)s") % {"session": sessions.describe(session)},
            "back_url": reverse("studies:timetable", args=[session.offering.cohort.slug]),
            "back_label": _("Timetable"),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.COORDINATOR)
def session_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    back = reverse("studies:timetable", args=[session.offering.cohort.slug])
    form = ReasonForm(
        request.POST if confirmed(request) else None,
        label=_("Reason given to the students (optional)"),
    )
    if confirmed(request) and form.is_valid():
        try:
            sessions.session_cancel(
                session=session, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(session)s is cancelled; its students and lecturers are told.")
                % {"session": sessions.describe(session)},
            )
        return redirect(back)
    students, lecturers = sessions.audience(session)
    return confirmation_page(
        request,
        Confirmation(
            title=_("Cancel %(session)s?") % {"session": sessions.describe(session)},
            consequences=[
                _("The session stays in the timetable and the calendars, marked cancelled."),
                _(
                    "%(students)s students and %(lecturers)s lecturers receive an e-mail with "
                    "the cancellation for their calendar."
                )
                % {"students": len(students), "lecturers": len(lecturers)},
                _("A cancelled session cannot be restored: book a new one instead."),
            ],
            button=_("Cancel the session"),
            cancel_url=back,
            danger=True,
            form=form,
        ),
    )


# --- Hours taught -----------------------------------------------------------------------------
@role_required(Role.COORDINATOR)
def hours_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = HoursPeriodForm(request.GET or None)
    report = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        month = data.get("month")
        period = hours.period_from(
            month=month.strftime("%Y-%m") if month else None,
            semester=data.get("semester"),
            cohort=data.get("cohort"),
        )
        report = hours.hours_report(period=period, cohort=data.get("cohort"))
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx"):
            return spreadsheets.spreadsheet_response(
                hours.report_rows(report),
                fmt=fmt,
                filename="hours-taught",
                sep=request.GET.get("sep"),
                bold_header=True,
            )
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "studies/teaching_hours.html",
        {
            "form": form,
            "report": report,
            "kinds": ClassSession.Kind.choices,
            "query": query.urlencode(),
            "alerts": teaching_selectors.hours_alerts_recent(),
        },
        status=400 if form.errors else 200,
    )
