"""Cohorts, mark grids, juries (staff) and "my programme" (students)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import (
    AuthenticatedHttpRequest,
    Role,
    fresh_authentication_required,
    has_role,
    require_staff_session,
    role_required,
)
from core import spreadsheets
from core.confirmation import Confirmation, confirmation_page, confirmed, moment
from core.form_errors import attach
from core.numbers import positive_int
from core.uploads import private_file_response
from enrollment import selectors as enrollment_selectors
from enrollment.forms import StudentAddForm
from enrollment.models import Cohort, Student
from enrollment.services import students
from studies import grids, results_cache, selectors
from studies.forms import (
    ClassSessionForm,
    DefenceMarkForm,
    DefenceScheduleForm,
    InternshipForm,
)
from studies.lifecycles import JURY, SHEET
from studies.models import (
    Attendance,
    ClassSession,
    Defence,
    Internship,
    Jury,
    Mark,
    MarkChange,
    MarkSheet,
    Offering,
    Session,
)
from studies.services import internships, juries, marks, timetable


# --- Cohorts ----------------------------------------------------------------------------------
@role_required(Role.COORDINATOR)
def cohort_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "studies/cohort_list.html", {"cohorts": enrollment_selectors.cohorts_with_counts()}
    )


@role_required(Role.COORDINATOR)
def cohort_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)
    filterset, students = enrollment_selectors.student_list(cohort=cohort, filters=request.GET)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return spreadsheets.spreadsheet_response(
            selectors.roster_export_rows(students),
            fmt=fmt,
            filename=f"roster-{slug}",
            sep=request.GET.get("sep"),
        )
    return render(
        request,
        "studies/cohort_detail.html",
        {
            "cohort": cohort,
            "filter": filterset,
            "students": students,
            "sheets": selectors.cohort_sheets(cohort=cohort),
            "juries": Jury.objects.filter(cohort=cohort),
            "semesters": range(1, cohort.programme.semester_count + 1),
            "statuses": Student.Status.choices,
        },
    )


@require_POST
@role_required(Role.COORDINATOR)
def offerings_open(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    semester = positive_int(request.POST.get("semester"))
    year = request.POST.get("academic_year", "").strip()
    if semester is None or not year:
        messages.error(request, _("Choose a semester and an academic year."))
        return redirect("studies:cohort", slug=slug)
    try:
        opened = marks.offerings_open(
            cohort=cohort, semester=semester, academic_year=year[:9], actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s modules delivered.") % {"n": len(opened)})
    return redirect("studies:cohort", slug=slug)


# --- Grids ------------------------------------------------------------------------------------
@role_required(Role.LECTURER, Role.COORDINATOR)
def my_sheets(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "studies/my_sheets.html",
        {
            "sheets": selectors.sheets_for(user=request.user),
            "feed_token": timetable.feed_token(request.user),
        },
    )


def _sheet_for(request: AuthenticatedHttpRequest, pk: int) -> MarkSheet:
    sheet = get_object_or_404(
        MarkSheet.objects.select_related("offering__module", "offering__cohort__programme"), pk=pk
    )
    if not marks.may_edit_sheet(request.user, sheet):
        raise Http404  # not theirs: no hint that it exists
    return sheet


@role_required(Role.LECTURER, Role.COORDINATOR)
def sheet_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sheet = _sheet_for(request, pk)
    students = marks.sheet_students(sheet)
    cell_errors: dict[str, str] = {}
    errors: list[str] = []
    file_error = ""
    data: Any = None
    if request.method == "POST":
        data = request.POST
        upload = request.FILES.get("file")
        if upload is not None:
            try:
                records = grids.read_upload(upload)
            except ValueError as exc:  # the whole file is refused: shown next to its field
                file_error = str(exc)
                records, errors = [], [file_error]
            data = None  # the grid shows the stored marks, not the (empty) cells of the form
            parsed = grids.parse_table(records, students) if not errors else None
        else:
            parsed = grids.parse_form(request.POST, students)
        if parsed is not None:
            errors, cell_errors = parsed.errors, parsed.cell_errors
        if not errors and parsed is not None:
            try:
                changed = marks.grid_save(
                    sheet=sheet,
                    actor=request.user,
                    rows=parsed.rows,
                    reason=request.POST.get("reason", ""),
                )
                # "Save and submit": the marks are saved, the submission waits for its
                # confirmation page (unless this POST carries the confirmation itself).
                asked = request.POST.get("submit") == "1"
                submitted = asked and confirmed(request)
                if submitted:
                    sheet = marks.grid_submit(sheet=sheet, actor=request.user)
            except ValidationError as exc:
                errors = list(exc.messages)
            except ValueError as exc:
                errors = [str(exc)]
            else:
                if asked and not submitted:
                    if changed:
                        messages.success(
                            request,
                            ngettext("%(n)s mark saved.", "%(n)s marks saved.", changed)
                            % {"n": changed},
                        )
                    return redirect("studies:sheet_submit", pk=pk)
                if submitted:
                    messages.success(request, _sheet_submitted(sheet))
                    return redirect("studies:sheet", pk=pk)
                if changed:
                    message = ngettext("%(n)s mark saved.", "%(n)s marks saved.", changed)
                else:
                    message = _("Nothing changed: every mark was already saved as it is.")
                messages.success(request, message % {"n": changed})
                return redirect("studies:sheet", pk=pk)
    return render(
        request,
        "studies/sheet.html",
        {
            "sheet": sheet,
            "rows": selectors.sheet_rows(sheet=sheet, students=students),
            "data": data,
            "errors": errors,
            "cell_errors": cell_errors,
            "file_error": file_error,
            "editable": SHEET.allows(sheet.status, "save")
            or (SHEET.allows(sheet.status, "correct") and has_role(request.user, Role.COORDINATOR)),
            "is_coordinator": has_role(request.user, Role.COORDINATOR),
            "history": MarkChange.objects.filter(mark__sheet=sheet)
            .select_related("changed_by", "mark__student")
            .order_by("-changed_at", "-pk")[:50],
        },
        status=400 if errors else 200,
    )


def _sheet_submitted(sheet: MarkSheet) -> str:
    count = Mark.objects.filter(sheet=sheet).count()
    return ngettext(
        "Grid %(module)s (%(session)s) submitted on %(date)s: %(n)s mark is sent to the "
        "coordination, and only the coordination may change it now.",
        "Grid %(module)s (%(session)s) submitted on %(date)s: %(n)s marks are sent to the "
        "coordination, and only the coordination may change them now.",
        count,
    ) % {
        "module": sheet.offering.module.code,
        "session": sheet.get_session_display(),
        "date": moment(sheet.submitted_at or timezone.now()),
        "n": count,
    }


@require_http_methods(["GET", "POST"])
@role_required(Role.LECTURER, Role.COORDINATOR)
def sheet_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Submit a grid as it is saved: GET (or a POST without ``confirm=yes``) says what that
    does; the confirmed POST submits."""
    sheet = _sheet_for(request, pk)
    if not SHEET.allows(sheet.status, "submit"):
        messages.error(request, str(SHEET.refusals["submit"]))
        return redirect("studies:sheet", pk=pk)
    if not confirmed(request):
        module = sheet.offering.module
        count = Mark.objects.filter(sheet=sheet).count()
        return confirmation_page(
            request,
            Confirmation(
                title=_("Submit the grid of %(module)s (%(session)s)?")
                % {"module": module.code, "session": sheet.get_session_display()},
                consequences=[
                    ngettext(
                        "Its %(n)s saved mark is sent to the coordination, as it is now.",
                        "Its %(n)s saved marks are sent to the coordination, as they are now.",
                        count,
                    )
                    % {"n": count},
                    _(
                        "You can no longer change the grid: only the coordination may correct "
                        "a mark, giving a reason."
                    ),
                ],
                button=_("Submit the grid"),
                cancel_url=reverse("studies:sheet", args=[pk]),
            ),
        )
    try:
        submitted = marks.grid_submit(sheet=sheet, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _sheet_submitted(submitted))
    return redirect("studies:sheet", pk=pk)


@role_required(Role.LECTURER, Role.COORDINATOR)
def sheet_export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    sheet = _sheet_for(request, pk)
    rows = grids.export_rows(sheet, marks.sheet_students(sheet))
    return spreadsheets.spreadsheet_response(
        rows,
        fmt=fmt,
        filename=f"{sheet.offering.module.code}-{sheet.session}",
        sep=request.GET.get("sep"),
    )


# --- Juries -----------------------------------------------------------------------------------
def _jury(slug: str, semester: int, session: str) -> Jury:
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)
    if session not in Session.values or not 1 <= semester <= cohort.programme.semester_count:
        raise Http404
    return juries.jury_get_or_create(cohort=cohort, semester=semester, session=session)


def _year_jury(slug: str, year: str) -> Jury:
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)
    try:
        return juries.year_jury_get_or_create(cohort=cohort, year=int(year))
    except ValidationError:
        raise Http404 from None


def _action_urls(jury: Jury) -> dict[str, str]:
    from studies.lifecycles import JURY

    if jury.year is not None:
        args: list[object] = [jury.cohort.slug, jury.year]
        name = "studies:year_jury_action"
    else:
        args = [jury.cohort.slug, jury.semester, jury.session]
        name = "studies:jury_action"
    return {action: reverse(name, args=[*args, action]) for action in JURY.actions(jury.status)}


def _jury_page(request: AuthenticatedHttpRequest, jury: Jury, filename: str) -> HttpResponse:
    fmt = request.GET.get("format")
    try:
        context = selectors.jury_context(jury=jury)
    except juries.NoStructureError as exc:
        context = {
            "jury": jury,
            "cohort": jury.cohort,
            "units": [],
            "rows": [],
            "anomalies": exc.messages,
            "events": [],
            "actions": (),
        }
    if fmt in ("csv", "xlsx"):
        return spreadsheets.spreadsheet_response(
            selectors.jury_export_rows(context),
            fmt=fmt,
            filename=filename,
            sep=request.GET.get("sep"),
        )
    context["action_urls"] = _action_urls(jury)
    if jury.status in (Jury.Status.OPEN, Jury.Status.REOPENED) and not context["anomalies"]:
        context["problems"] = juries.jury_problems(jury, context.get("table"))
    return render(request, "studies/jury.html", context)


@role_required(Role.COORDINATOR)
def jury_detail(
    request: AuthenticatedHttpRequest, slug: str, semester: str, session: str
) -> HttpResponse:
    jury = _jury(slug, int(semester), session)
    return _jury_page(request, jury, f"jury-{slug}-S{semester}-{session}")


@role_required(Role.COORDINATOR)
def year_jury_detail(request: AuthenticatedHttpRequest, slug: str, year: str) -> HttpResponse:
    jury = _year_jury(slug, year)
    return _jury_page(request, jury, f"jury-{slug}-year-{year}")


def _is_reopen(request: HttpRequest) -> bool:
    return request.path.rstrip("/").endswith("/reopen")


def _jury_title(jury: Jury) -> str:
    if jury.year is not None:
        return _("the annual deliberation of year %(n)s") % {"n": jury.year}
    return _("the jury of semester %(n)s (%(session)s)") % {
        "n": jury.semester,
        "session": jury.get_session_display(),
    }


def _jury_confirmation(jury: Jury, action: str) -> Confirmation:
    """What closing or publishing a jury does, said before it is done."""
    what = {"jury": _jury_title(jury), "cohort": jury.cohort}
    if jury.year is not None:
        cancel = reverse("studies:year_jury", args=[jury.cohort.slug, jury.year])
    else:
        cancel = reverse("studies:jury", args=[jury.cohort.slug, jury.semester, jury.session])
    if action == "close":
        consequences = [
            _(
                "The results shown on the page of %(jury)s are recorded as version "
                "%(version)s, and the mark grids they come from are locked."
            )
            % {**what, "version": jury.version + 1},
        ]
        if jury.year is None and jury.session == Session.NORMAL:
            consequences.append(
                _("The resit grids open for the students and modules the rules send there.")
            )
        consequences.append(
            _("Changing a result afterwards means reopening the jury and giving a reason.")
        )
        return Confirmation(
            title=_("Close %(jury)s of %(cohort)s?") % what,
            consequences=consequences,
            button=_("Close the deliberation") if jury.year else _("Close the jury"),
            cancel_url=cancel,
        )
    return Confirmation(
        title=_("Publish the results of %(jury)s of %(cohort)s?") % what,
        consequences=[
            _("Each student of %(cohort)s reads these results in their space from now on.") % what,
            _("Each is told by e-mail at once, and an e-mail cannot be taken back."),
        ],
        button=_("Publish to the students"),
        cancel_url=cancel,
    )


def _jury_act(request: AuthenticatedHttpRequest, jury: Jury, action: str) -> HttpResponse | None:
    """Close, publish or reopen; closing and publishing first show their confirmation page
    (returned), reopening asks for its reason on the jury's page instead."""
    if action in ("close", "publish") and not confirmed(request):
        if not JURY.allows(jury.status, action):
            messages.error(request, str(JURY.refusals[action]))
            return None
        return confirmation_page(request, _jury_confirmation(jury, action))
    if request.method != "POST":
        return None  # reopening is a POST from the jury's page, with its reason
    try:
        if action == "close":
            closed = juries.jury_close(jury=jury, actor=request.user)
            count = selectors.decided_count(jury=closed)
            messages.success(
                request,
                ngettext(
                    "Closed on %(date)s: %(jury)s records the result of %(n)s student "
                    "(version %(version)s).",
                    "Closed on %(date)s: %(jury)s records the results of %(n)s students "
                    "(version %(version)s).",
                    count,
                )
                % {
                    "date": moment(closed.closed_at or timezone.now()),
                    "jury": _jury_title(closed),
                    "n": count,
                    "version": closed.version,
                },
            )
        elif action == "publish":
            published = juries.jury_publish(jury=jury, actor=request.user)
            count = selectors.decided_count(jury=published)
            messages.success(
                request,
                ngettext(
                    "Published on %(date)s: the results of %(jury)s are open to %(n)s "
                    "student, who is told by e-mail.",
                    "Published on %(date)s: the results of %(jury)s are open to %(n)s "
                    "students, each told by e-mail.",
                    count,
                )
                % {
                    "date": moment(published.published_at or timezone.now()),
                    "jury": _jury_title(published),
                    "n": count,
                },
            )
        elif action == "reopen":
            juries.jury_reopen(
                jury=jury, actor=request.user, reason=request.POST.get("reason", "")[:2000]
            )
            messages.success(
                request,
                _(
                    "Jury reopened. Its results stay as recorded until it closes again, which "
                    "records a new version and keeps this one."
                ),
            )
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages[:20]:
            messages.error(request, message)
    return None


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
@fresh_authentication_required(when=_is_reopen)  # reopening undoes a jury's decisions
def jury_action(
    request: AuthenticatedHttpRequest, slug: str, semester: str, session: str, action: str
) -> HttpResponse:
    page = _jury_act(request, _jury(slug, int(semester), session), action)
    return page or redirect("studies:jury", slug=slug, semester=semester, session=session)


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
@fresh_authentication_required(when=_is_reopen)
def year_jury_action(
    request: AuthenticatedHttpRequest, slug: str, year: str, action: str
) -> HttpResponse:
    page = _jury_act(request, _year_jury(slug, year), action)
    return page or redirect("studies:year_jury", slug=slug, year=year)


# --- Students ---------------------------------------------------------------------------------
@role_required(Role.STUDENT)
def my_programme(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The page every student opens on results day: its costly parts are cached fragments,
    read in one round trip and computed only when missing (studies/results_cache.py, #16)."""
    user = request.user
    student = selectors.programme_student(user=user)
    if student is None:
        raise Http404
    parts = results_cache.programme_fragments(student=student, user=user, request=request)
    context = {
        "student": student,
        "fragments": parts,
        "feed_token": timetable.feed_token_of(user.pk, student.feed_key),  # type: ignore[attr-defined]
    }
    if "upcoming" not in parts:
        context["upcoming"] = timetable.upcoming_for(user, now=timezone.now())
    return render(request, "studies/my_programme.html", context)


# --- Students of a cohort ------------------------------------------------------------------
IMPORT_SESSION_KEY = "enrollment.student_import"


@role_required(Role.COORDINATOR)
def student_add(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    form = StudentAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            student = students.student_add(
                cohort=cohort, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(
                request, _("%(number)s added.") % {"number": student.registration_number}
            )
            return redirect("studies:cohort", slug=slug)
    return render(
        request,
        "studies/student_add.html",
        {"cohort": cohort, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.COORDINATOR)
def student_import(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Upload → preview with every invalid row → confirm; nothing is created before."""
    cohort = get_object_or_404(Cohort, slug=slug)
    preview = None
    error = ""
    if request.method == "POST" and request.POST.get("confirm"):
        rows = request.session.pop(IMPORT_SESSION_KEY, None)
        if not rows or rows.get("cohort") != cohort.pk:
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("studies:student_import", slug=slug)
        try:
            created = students.students_import(cohort=cohort, actor=request.user, rows=rows["rows"])
        except ValidationError as exc:
            for message in exc.messages[:30]:
                messages.error(request, message)
        else:
            messages.success(request, _("%(n)s student(s) imported.") % {"n": len(created)})
            return redirect("studies:cohort", slug=slug)
    elif request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a CSV or Excel file.")
        else:
            try:
                records = grids.read_upload(upload, required=("email",))
            except ValueError as exc:
                error = str(exc)
            else:
                preview = students.check_rows(cohort=cohort, records=records)
                if preview.valid:
                    request.session[IMPORT_SESSION_KEY] = {
                        "cohort": cohort.pk,
                        "rows": preview.rows,
                    }
    return render(
        request,
        "studies/student_import.html",
        {"cohort": cohort, "preview": preview, "error": error, "columns": students.FIELDS},
        status=400 if error or (preview and not preview.valid) else 200,
    )


@require_POST
@role_required(Role.COORDINATOR)
def student_status(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a student's status with a reason; a refusal shows the form again, each message
    next to its field, with the student's history."""
    student = get_object_or_404(
        Student.objects.select_related("user", "cohort"), pk=pk, cohort__slug=slug
    )
    status, reason = request.POST.get("status", ""), request.POST.get("reason", "")
    before = student.status
    try:
        changed = students.student_set_status(
            student=student, actor=request.user, status=status, reason=reason
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"all": exc.messages}
        return render(
            request,
            "studies/student_status.html",
            {
                "cohort": student.cohort,
                "student": student,
                "status": status,
                "reason": reason,
                "statuses": Student.Status.choices,
                "errors": {name: " ".join(texts) for name, texts in errors.items()},
                "changes": student.status_changes.select_related("changed_by").order_by(
                    "-changed_at", "-pk"
                ),
            },
            status=400,
        )
    if changed.status != before:
        messages.success(
            request,
            _("%(student)s is now %(status)s.")
            % {"student": student.registration_number, "status": changed.get_status_display()},
        )
    return redirect("studies:cohort", slug=slug)


@role_required(Role.COORDINATOR)
def cohort_results(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)
    years = range(1, cohort.programme.semester_count // 2 + 1)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return spreadsheets.spreadsheet_response(
            selectors.results_export_rows(cohort=cohort),
            fmt=fmt,
            filename=f"results-{slug}",
            sep=request.GET.get("sep"),
        )
    return render(
        request,
        "studies/results.html",
        {
            "cohort": cohort,
            "years": [(year, selectors.year_rows(cohort=cohort, year=year)) for year in years],
            "final": selectors.final_rows(cohort=cohort),
        },
    )


# --- Timetable and attendance ------------------------------------------------------------------
def _offering_for(request: AuthenticatedHttpRequest, pk: int) -> Offering:
    offering = get_object_or_404(Offering.objects.select_related("module", "cohort"), pk=pk)
    if not timetable.may_teach(request.user, offering):
        raise Http404
    return offering


@role_required(Role.LECTURER, Role.COORDINATOR)
def offering_sessions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    offering = _offering_for(request, pk)
    form = ClassSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            timetable.session_add(offering=offering, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("The session was added to the timetable."))
            return redirect("studies:offering_sessions", pk=pk)
    return render(
        request,
        "studies/sessions.html",
        {
            "offering": offering,
            "sessions": offering.class_sessions.select_related("host"),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.LECTURER, Role.COORDINATOR)
def session_attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(
        ClassSession.objects.select_related("offering__module", "offering__cohort"), pk=pk
    )
    if not timetable.may_teach(request.user, session.offering):
        raise Http404
    students = list(
        Student.objects.filter(cohort=session.offering.cohort, status=Student.Status.ACTIVE)
        .select_related("user")
        .order_by("registration_number")
    )
    if request.method == "POST":
        statuses = {
            s.pk: request.POST.get(f"attendance-{s.pk}", Attendance.Status.PRESENT)
            for s in students
        }
        try:
            timetable.attendance_save(session=session, actor=request.user, statuses=statuses)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Attendance saved."))
            return redirect("studies:offering_sessions", pk=session.offering_id)
    current = dict(Attendance.objects.filter(session=session).values_list("student_id", "status"))
    return render(
        request,
        "studies/attendance.html",
        {
            "session": session,
            "rows": [(s, current.get(s.pk, Attendance.Status.PRESENT)) for s in students],
            "statuses": Attendance.Status.choices,
        },
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed a calendar application subscribes to, by its secret address."""
    user = timetable.feed_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(
        timetable.calendar_ics(user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="tema-wtc.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_POST
@role_required(Role.STUDENT, Role.LECTURER, Role.COORDINATOR)
def calendar_feed_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The owner replaces the address of their feed (the old one answers 404) or turns it off."""
    student = has_role(request.user, Role.STUDENT)
    if not student:
        require_staff_session(request)  # the address is shown on a staff page
    action = request.POST.get("action")
    if action == "rotate":
        timetable.feed_rotate(user=request.user)
        messages.success(
            request,
            _(
                "Your calendar has a new address; the old one no longer works. Subscribe "
                "again with the new one."
            ),
        )
    elif action == "revoke":
        timetable.feed_revoke(user=request.user)
        messages.success(
            request,
            _("Your calendar address is turned off: nobody receives your timetable through it."),
        )
    else:
        messages.error(request, _("Choose what to do with the calendar address."))
    return redirect("studies:my_programme" if student else "studies:my_sheets")


# --- Internships and defences (S4) ------------------------------------------------------------
@role_required(Role.COORDINATOR)
def internship_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    rows = (
        Student.objects.filter(cohort=cohort, status=Student.Status.ACTIVE)
        .select_related("user", "internship__host", "internship__defence")
        .order_by("registration_number")
    )
    return render(request, "studies/internships.html", {"cohort": cohort, "rows": rows})


@role_required(Role.COORDINATOR)
def internship_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    student = get_object_or_404(
        Student.objects.select_related("cohort__programme", "user"), pk=pk, cohort__slug=slug
    )
    instance = Internship.objects.filter(student=student).first() or Internship(student=student)
    form = InternshipForm(request.POST or None, request.FILES or None, instance=instance)
    defence = Defence.objects.filter(internship=instance).first() if instance.pk else None
    schedule_form = DefenceScheduleForm(prefix="jury")
    mark_form = DefenceMarkForm(prefix="mark")
    action = request.POST.get("action", "internship")
    if request.method == "POST":
        try:
            if action == "internship" and form.is_valid():
                internships.internship_save(
                    internship=form.instance,
                    actor=request.user,
                    agreement=form.cleaned_data["agreement"],
                )
                messages.success(request, _("The internship was saved."))
                return redirect("studies:internship", slug=slug, pk=pk)
            if defence is not None and action == "authorise":
                internships.defence_authorise(defence=defence, actor=request.user)
                return redirect("studies:internship", slug=slug, pk=pk)
            if defence is not None and action == "schedule":
                schedule_form = DefenceScheduleForm(request.POST, prefix="jury")
                if schedule_form.is_valid():
                    members = internships.parse_members(schedule_form.cleaned_data["members"])
                    internships.defence_schedule(
                        defence=defence,
                        actor=request.user,
                        members=members,
                        scheduled_at=schedule_form.cleaned_data["scheduled_at"],
                        room=schedule_form.cleaned_data["room"],
                    )
                    return redirect("studies:internship", slug=slug, pk=pk)
            thesis = request.FILES.get("thesis")
            if defence is not None and action == "thesis" and thesis is not None:
                internships.thesis_upload(defence=defence, actor=request.user, upload=thesis)
                return redirect("studies:internship", slug=slug, pk=pk)
            if defence is not None and action == "send":
                sent = internships.thesis_send(
                    defence=defence, actor=request.user, site_url=settings.SITE_URL
                )
                messages.success(
                    request, _("The thesis was sent to %(n)s jury members.") % {"n": sent}
                )
                return redirect("studies:internship", slug=slug, pk=pk)
            if defence is not None and action == "mark":
                mark_form = DefenceMarkForm(request.POST, prefix="mark")
                if mark_form.is_valid():
                    mark = internships.defence_mark(
                        defence=defence, actor=request.user, **mark_form.cleaned_data
                    )
                    messages.success(request, _("Thesis mark: %(mark)s/20.") % {"mark": mark})
                    return redirect("studies:internship", slug=slug, pk=pk)
        except ValidationError as exc:
            target = {"internship": form, "schedule": schedule_form, "mark": mark_form}.get(action)
            if target is not None:
                attach(target, exc)
            else:
                for message in exc.messages:
                    messages.error(request, message)
    invalid = form.errors or schedule_form.errors or mark_form.errors
    return render(
        request,
        "studies/internship.html",
        {
            "student": student,
            "cohort": student.cohort,
            "form": form,
            "defence": defence,
            "schedule_form": schedule_form,
            "mark_form": mark_form,
        },
        status=400 if invalid else 200,
    )


def thesis_link(request: HttpRequest, token: str) -> FileResponse:
    """A jury member's private link to the thesis (signed, expires)."""
    defence = internships.thesis_from_token(token)
    if defence is None or not defence.thesis:
        raise Http404
    return private_file_response(
        defence.thesis, filename="memoire.pdf", content_type="application/pdf"
    )
