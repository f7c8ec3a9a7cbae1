"""Booking, moving and cancelling class sessions (#14): who teaches, where, for which group.

Every booking is refused with the conflicting session named when it would put one lecturer,
one room, or one group of a cohort in two sessions at once — a group collides with itself
and with the whole cohort (``group`` empty). The check runs under the cohort's lock, which
serialises the bookings of one cohort; two cohorts booking the same room or lecturer at the
same moment are told apart by PostgreSQL's exclusion constraints (migration 0005), whose
violation is turned into the same message.

Dates (a decision of #14, there is no calendar of semesters): the academic year
"2026-2027" of an offering runs from 1 September 2026 to 31 August 2027; its odd semesters
are taught from 1 September to 31 January, its even ones from 1 February to 31 August, and
never before the cohort starts. A session must start and end (on the clock of Algiers)
inside its offering's semester.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from accounts.access import Role, has_role
from accounts.emails import absolute_url, email_compose
from accounts.models import Notification, User
from accounts.services import email_queue
from enrollment.locks import lock_cohort
from enrollment.models import Student
from partners.models import Contact, Organisation
from studies.locks import lock_class_session
from studies.models import Attendance, ClassSession, Offering, Room, SessionLecturer

#: A lecturer of a session: the person alone (counted for the organisation where they are a
#: partner's contact, if any), or with the organisation chosen for them (``None``: none).
LecturerChoice = User | tuple[User, Organisation | None]

#: The PostgreSQL exclusion constraints and the field their violation is about.
CONSTRAINT_FIELDS = {
    "studies_session_room_free": "room",
    "studies_session_group_free": "group",
    "studies_lecturer_free": "lecturers",
}

Scheduled = ClassSession.Status.SCHEDULED


# --- Who, where, when ------------------------------------------------------------------------
def default_organisation(lecturer: User) -> Organisation | None:
    """The partner a lecturer teaches for unless told otherwise: the organisation where they
    are a contact (the first recorded), else none."""
    contact = (
        Contact.objects.filter(user=lecturer).select_related("organisation").order_by("pk").first()
    )
    return contact.organisation if contact else None


def _teaching(lecturers: Sequence[LecturerChoice]) -> list[tuple[User, Organisation | None]]:
    chosen: dict[int, tuple[User, Organisation | None]] = {}
    for item in lecturers:
        user, organisation = item if isinstance(item, tuple) else (item, default_organisation(item))
        chosen.setdefault(user.pk, (user, organisation))
    return list(chosen.values())


def semester_dates(offering: Offering) -> tuple[dt.date, dt.date] | None:
    """The first and last day a session of the offering may take place (module docstring);
    ``None`` when its academic year is not written as "2026-2027"."""
    first, _sep, second = offering.academic_year.partition("-")
    if not (first.isdigit() and second.isdigit() and int(second) == int(first) + 1):
        return None
    year = int(first)
    if offering.semester % 2:
        start, end = dt.date(year, 9, 1), dt.date(year + 1, 1, 31)
    else:
        start, end = dt.date(year + 1, 2, 1), dt.date(year + 1, 8, 31)
    return max(start, offering.cohort.start_date), end


def group_size(offering: Offering, group: str) -> int:
    """The active students a session of ``group`` (empty: the whole cohort) gathers."""
    students = Student.objects.filter(cohort=offering.cohort_id, status=Student.Status.ACTIVE)
    return (students.filter(group=group) if group else students).count()


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def describe(session: ClassSession) -> str:
    """A session as an error or an e-mail names it: module, kind, day and hours, room, group."""
    text = _("%(module)s (%(kind)s), %(start)s–%(end)s") % {
        "module": session.offering.module.code,
        "kind": session.get_kind_display(),
        "start": formats.date_format(_local(session.starts_at), "SHORT_DATETIME_FORMAT"),
        "end": formats.time_format(_local(session.ends_at), "TIME_FORMAT"),
    }
    if session.room_id:
        text += ", " + _("room %(room)s") % {"room": session.room}
    if session.group:
        text += ", " + _("group %(group)s") % {"group": session.group}
    return text


def _overlapping(starts_at: dt.datetime, ends_at: dt.datetime) -> QuerySet[ClassSession]:
    return ClassSession.objects.filter(
        status=Scheduled, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).select_related("offering__module", "room")


def clashes(
    session: ClassSession, lecturer_ids: Sequence[int]
) -> dict[str, list[str]]:  # fmt: skip
    """What ``session`` would collide with, by field: each message names the other session."""
    errors: dict[str, list[str]] = {}
    others = _overlapping(session.starts_at, session.ends_at)
    if session.pk:
        others = others.exclude(pk=session.pk)
    if session.room_id:
        other = others.filter(room=session.room_id).first()
        if other:
            errors.setdefault("room", []).append(
                _("Room %(room)s is taken at that time: %(session)s.")
                % {"room": session.room, "session": describe(other)}
            )
    if lecturer_ids:
        busy = (
            SessionLecturer.objects.filter(
                lecturer__in=lecturer_ids, session__in=others.values("pk")
            )
            .select_related("lecturer", "session__offering__module", "session__room")
            .order_by("session__starts_at", "pk")
        )
        seen: set[int] = set()
        for row in busy:
            if row.lecturer_id in seen:
                continue
            seen.add(row.lecturer_id)
            errors.setdefault("lecturers", []).append(
                _("%(lecturer)s already teaches at that time: %(session)s.")
                % {
                    "lecturer": row.lecturer.get_full_name() or row.lecturer.email,
                    "session": describe(row.session),
                }
            )
    same_cohort = others.filter(offering__cohort=session.offering.cohort_id)
    if session.group:
        same_cohort = same_cohort.filter(group__in=[session.group, ""])
    other = same_cohort.order_by("starts_at", "pk").first()
    if other:
        if not other.group:
            message = _("The whole cohort has a session at that time: %(session)s.")
        elif not session.group:
            message = _("Group %(group)s of the cohort has a session at that time: %(session)s.")
        else:
            message = _("Group %(group)s already has a session at that time: %(session)s.")
        errors.setdefault("group", []).append(
            message % {"group": other.group, "session": describe(other)}
        )
    return errors


def _check_booking(session: ClassSession, lecturer_ids: Sequence[int]) -> None:
    """Every rule of a booking (or a move); raises with each error on its field."""
    if session.ends_at <= session.starts_at:
        raise ValidationError({"ends_at": _("A session must end after it starts.")})
    errors: dict[str, list[str]] = {}
    offering = session.offering
    window = semester_dates(offering)
    if window is None:
        errors["starts_at"] = [
            _("The module's academic year (%(year)s) is not written like 2026-2027.")
            % {"year": offering.academic_year}
        ]
    elif not (
        window[0] <= _local(session.starts_at).date()
        and _local(session.ends_at).date() <= window[1]
    ):
        errors["starts_at"] = [
            _(
                "This date is outside semester %(semester)s of %(year)s, taught from %(first)s "
                "to %(last)s."
            )
            % {
                "semester": offering.semester,
                "year": offering.academic_year,
                "first": formats.date_format(window[0], "SHORT_DATE_FORMAT"),
                "last": formats.date_format(window[1], "SHORT_DATE_FORMAT"),
            }
        ]
    size = group_size(offering, session.group)
    if session.group and size == 0:
        errors["group"] = [
            _("No active student of the cohort is in group %(group)s.") % {"group": session.group}
        ]
    room = session.room
    if room is not None:
        if not room.active:
            errors.setdefault("room", []).append(
                _("Room %(room)s is no longer in use.") % {"room": room}
            )
        elif room.capacity < size:
            errors.setdefault("room", []).append(
                _("Room %(room)s seats %(capacity)s; %(audience)s has %(size)s students.")
                % {
                    "room": room,
                    "capacity": room.capacity,
                    "audience": (_("group %(group)s") % {"group": session.group})
                    if session.group
                    else _("the cohort"),
                    "size": size,
                }
            )
    for field, messages in clashes(session, lecturer_ids).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _constraint_error(
    exc: IntegrityError, session: ClassSession, lecturer_ids: Sequence[int]
) -> ValidationError | None:
    """The message of an exclusion constraint that refused a write another booking made
    possible between our check and our insert: the other session, now committed, named."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    if name not in CONSTRAINT_FIELDS:
        return None
    found = {
        field: messages
        for field, messages in clashes(session, lecturer_ids).items()
        if field == CONSTRAINT_FIELDS[name]
    }
    if found:
        return ValidationError(found)
    return ValidationError(
        {CONSTRAINT_FIELDS[name]: _("Another session was booked at that time meanwhile.")}
    )


def _coordinator(actor: User) -> None:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied


def _write(session: ClassSession, lecturer_ids: Sequence[int], write: Callable[[], None]) -> None:
    """Run ``write`` in a savepoint; an exclusion constraint's refusal becomes its message."""
    try:
        with transaction.atomic():
            write()
    except IntegrityError as exc:
        error = _constraint_error(exc, session, lecturer_ids)
        if error is None:
            raise
        raise error from exc
    _timetable_changed(session.cohort_id or session.offering.cohort_id)


def _timetable_changed(cohort_id: int) -> None:
    """After commit, the cohort's cached timetables of "My programme" are dropped, so that a
    session booked, moved or cancelled shows at once (studies/results_cache.py)."""
    from studies import results_cache

    transaction.on_commit(lambda: results_cache.timetable_forget(cohort_pk=cohort_id))


def _add_lecturers(
    session: ClassSession, teaching: Sequence[tuple[User, Organisation | None]]
) -> None:
    SessionLecturer.objects.bulk_create(
        SessionLecturer(
            session=session,
            lecturer=user,
            organisation=organisation,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
        )
        for user, organisation in teaching
    )


# --- The services ----------------------------------------------------------------------------
@transaction.atomic
def session_book(
    *,
    offering: Offering,
    actor: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    kind: str,
    room: Room | None = None,
    group: str = "",
    lecturers: Sequence[LecturerChoice] = (),
    place: str = "",
    host: Organisation | None = None,
) -> ClassSession:
    """A new session of the timetable (coordinators), with its room and lecturers."""
    _coordinator(actor)
    teaching = _teaching(lecturers)
    lecturer_ids = [user.pk for user, _org in teaching]
    lock_cohort(offering.cohort_id)
    session = ClassSession(
        offering=offering, cohort_id=offering.cohort_id, starts_at=starts_at, ends_at=ends_at,
        kind=kind, room=room, group=group.strip(), place=place, host=host,
    )  # fmt: skip
    _check_booking(session, lecturer_ids)
    session.full_clean()

    def write() -> None:
        session.save()
        _add_lecturers(session, teaching)

    _write(session, lecturer_ids, write)
    return session


def session_plan(
    *,
    offering: Offering,
    actor: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    kind: str,
    lecturers: Sequence[LecturerChoice],
    place: str = "",
    host: Organisation | None = None,
) -> ClassSession:
    """A session a module's lecturer plans on their own page (``timetable.session_add``):
    no room, the whole cohort; the clashes of lecturers and of the cohort are refused as in
    a booking, the dates are not checked (that page predates the semester rule)."""
    teaching = _teaching(lecturers)
    lecturer_ids = [user.pk for user, _org in teaching]
    with transaction.atomic():
        lock_cohort(offering.cohort_id)
        session = ClassSession(
            offering=offering, cohort_id=offering.cohort_id, starts_at=starts_at,
            ends_at=ends_at, kind=kind, place=place, host=host,
        )  # fmt: skip
        session.full_clean()
        errors = clashes(session, lecturer_ids)
        if errors:
            raise ValidationError(errors)

        def write() -> None:
            session.save()
            _add_lecturers(session, teaching)

        _write(session, lecturer_ids, write)
    return session


def _locked(session: ClassSession) -> ClassSession:
    """The cohort's lock, then the session's (enrollment.locks' order: cohort first)."""
    lock_cohort(session.offering.cohort_id)
    locked = lock_class_session(session.pk, "offering__module", "offering__cohort", "room")
    if locked.status != Scheduled:
        raise ValidationError(_("This session is cancelled: book a new one instead."))
    if Attendance.objects.filter(session=locked).exists():
        raise ValidationError(
            _("Attendance was taken for this session: it took place and stays as it is.")
        )
    return locked


@transaction.atomic
def session_move(
    *,
    session: ClassSession,
    actor: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room: Room | None,
) -> ClassSession:
    """Another time or room for a session: its SEQUENCE rises and the students and
    lecturers concerned receive the updated invitation (METHOD:REQUEST)."""
    _coordinator(actor)
    locked = _locked(session)
    if (locked.starts_at, locked.ends_at, locked.room_id) == (
        starts_at,
        ends_at,
        room.pk if room else None,
    ):
        raise ValidationError({"starts_at": _("The session is already at that time and place.")})
    lecturer_ids = list(locked.session_lecturers.values_list("lecturer_id", flat=True))
    locked.starts_at, locked.ends_at, locked.room = starts_at, ends_at, room
    _check_booking(locked, lecturer_ids)
    locked.sequence += 1
    locked.full_clean()

    def write() -> None:
        locked.save(update_fields=["starts_at", "ends_at", "room", "sequence"])
        locked.session_lecturers.update(starts_at=starts_at, ends_at=ends_at)

    _write(locked, lecturer_ids, write)
    _tell(locked, moved=True)
    return locked


@transaction.atomic
def session_cancel(*, session: ClassSession, actor: User, reason: str = "") -> ClassSession:
    """Cancel a session: it stays in the feeds as cancelled (STATUS:CANCELLED), its SEQUENCE
    rises and the students and lecturers concerned receive the cancellation (METHOD:CANCEL)."""
    _coordinator(actor)
    locked = _locked(session)
    locked.status = ClassSession.Status.CANCELLED
    locked.cancel_reason = reason.strip()[:300]
    locked.sequence += 1
    locked.full_clean()
    locked.save(update_fields=["status", "cancel_reason", "sequence"])
    locked.session_lecturers.update(cancelled=True)
    _timetable_changed(locked.cohort_id or locked.offering.cohort_id)
    _tell(locked, moved=False)
    return locked


# --- The calendar event and the e-mails -------------------------------------------------------
def session_uid(session: ClassSession) -> str:
    """The event's UID, the same in the feeds and in the e-mailed invitations."""
    return f"session-{session.pk}@{settings.SITE_URL.split('//')[-1]}"


def session_location(session: ClassSession) -> str:
    if session.room_id:
        room = session.room
        assert room is not None
        parts = [room.name]
        if room.organisation_id:
            parts.append(str(room.organisation))
        elif room.site:
            parts.append(str(room.get_site_display()))
        if room.address:
            parts.append(room.address)
        return ", ".join(parts)
    return session.place or (str(session.host) if session.host else "")


def session_event(session: ClassSession, lecturers: Sequence[User]) -> Event:
    """A session as an iCalendar event, in the active language; its lecturers in the
    description."""
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    module = session.offering.module
    event.add("summary", f"{module.code} — {module.tr('title')} ({session.get_kind_display()})")
    location = session_location(session)
    if location:
        event.add("location", location)
    lines = []
    if lecturers:
        lines.append(
            _("Lecturers: %(names)s")
            % {"names": ", ".join(u.get_full_name() or u.email for u in lecturers)}
        )
    if session.group:
        lines.append(_("Group %(group)s") % {"group": session.group})
    if session.cancel_reason:
        lines.append(session.cancel_reason)
    if lines:
        event.add("description", "\n".join(lines))
    cancelled = session.status == ClassSession.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def session_ics(
    session: ClassSession, *, lecturers: Sequence[User], attendee: str, method: str
) -> bytes:
    """The invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL) e-mailed to one
    person about one session."""
    calendar = Calendar()
    calendar.add("prodid", "-//TEMA-WTC//Master MCRT//FR")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = session_event(session, lecturers)
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = name or address
    event.add("organizer", organizer)
    person = vCalAddress(f"mailto:{attendee}")
    person.params["rsvp"] = "FALSE"
    event.add("attendee", person)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def audience(session: ClassSession) -> tuple[list[User], list[User]]:
    """Who a change concerns: the active students of the cohort (or of the group), and the
    session's lecturers (the offering's when none is named)."""
    students = Student.objects.filter(
        cohort=session.offering.cohort_id, status=Student.Status.ACTIVE
    ).select_related("user")
    if session.group:
        students = students.filter(group=session.group)
    lecturers = [row.lecturer for row in session.session_lecturers.select_related("lecturer")]
    if not lecturers:
        lecturers = list(session.offering.lecturers.all())
    return [s.user for s in students.order_by("registration_number")], lecturers


def _tell(session: ClassSession, *, moved: bool) -> None:
    """E-mail each person concerned, in their language, with the updated calendar event."""
    students, lecturers = audience(session)
    teaching = {u.pk for u in lecturers}
    people = {u.pk: u for u in [*students, *lecturers] if u.is_active and u.email}
    method = "REQUEST" if moved else "CANCEL"
    for user in people.values():
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            what = describe(session)
            if moved:
                subject = _("Session moved: %(module)s") % {"module": session.offering.module.code}
                content = _(
                    "A session of your timetable has moved. It now takes place:\n\n%(session)s"
                ) % {"session": what}
            else:
                subject = _("Session cancelled: %(module)s") % {
                    "module": session.offering.module.code
                }
                content = _("This session of your timetable is cancelled:\n\n%(session)s") % {
                    "session": what
                }
                if session.cancel_reason:
                    content += "\n\n" + _("Reason: %(reason)s") % {"reason": session.cancel_reason}
            location = session_location(session)
            if location:
                content += "\n\n" + _("Place: %(place)s") % {"place": location}
            content += "\n\n" + _(
                "The attached calendar file updates the event in your calendar application."
            )
            page = "studies:my_sheets" if user.pk in teaching else "studies:my_programme"
            message = email_compose(
                to=[user.email],
                subject=subject,
                content=content,
                name=user.get_full_name(),
                link_url=absolute_url(reverse(page)),
                link_label=_("See your timetable"),
                reply_to=[settings.COORDINATION_EMAIL],
            )
            ics = session_ics(session, lecturers=lecturers, attendee=user.email, method=method)
        message.attach("session.ics", ics, f"text/calendar; method={method}")
        email_queue(message, kind=Notification.Kind.TIMETABLE)
