"""The timetable, attendance and the iCalendar feeds of students and lecturers."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from icalendar import Calendar

from accounts.access import Role, has_role
from accounts.models import User
from enrollment.models import Student
from partners.models import Organisation
from studies.models import Attendance, CalendarFeed, ClassSession, Offering, SessionLecturer
from studies.services import sessions

FEED_SALT = "enrollment.calendar-feed"


def may_teach(user: User, offering: Offering) -> bool:
    return has_role(user, Role.COORDINATOR) or offering.lecturers.filter(pk=user.pk).exists()


def session_add(
    *, offering: Offering, actor: User, starts_at: datetime, ends_at: datetime, kind: str,
    place: str = "", host: Organisation | None = None,
) -> ClassSession:  # fmt: skip
    """A session a module's lecturer (or a coordinator) plans on the module's page; a
    lecturer of the module who plans it is its lecturer. Clashes are refused as in a
    booking (``studies.services.sessions``)."""
    if not may_teach(actor, offering):
        raise PermissionDenied
    teaches = offering.lecturers.filter(pk=actor.pk).exists()
    return sessions.session_plan(
        offering=offering, actor=actor, starts_at=starts_at, ends_at=ends_at, kind=kind,
        lecturers=[actor] if teaches else [], place=place, host=host,
    )  # fmt: skip


def attendance_save(*, session: ClassSession, actor: User, statuses: dict[int, str]) -> int:
    """Record who came, in one transaction; every student checked first."""
    if not may_teach(actor, session.offering):
        raise PermissionDenied
    allowed = set(
        Student.objects.filter(
            cohort=session.offering.cohort_id, status=Student.Status.ACTIVE
        ).values_list("pk", flat=True)
    )
    unknown = set(statuses) - allowed
    wrong = {v for v in statuses.values() if v not in Attendance.Status.values}
    if unknown or wrong:
        raise ValidationError(_("The attendance sheet names unknown students or statuses."))
    with transaction.atomic():
        existing = {a.student_id: a for a in Attendance.objects.filter(session=session)}
        create, update = [], []
        for student_id, status in statuses.items():
            row = existing.get(student_id)
            if row is None:
                create.append(Attendance(session=session, student_id=student_id, status=status))
            elif row.status != status:
                row.status = status
                update.append(row)
        Attendance.objects.bulk_create(create)
        Attendance.objects.bulk_update(update, ["status"])
    return len(create) + len(update)


def _timetable_of(user: User) -> QuerySet[ClassSession]:
    """A person's timetable: the sessions they teach (as a lecturer of the module or of the
    session) and those of their cohorts — of the whole cohort or of their group."""
    in_cohort = Student.objects.filter(
        user=user, status=Student.Status.ACTIVE, cohort=OuterRef("offering__cohort")
    )
    return (
        ClassSession.objects.filter(
            Q(offering__lecturers=user)
            | Q(session_lecturers__lecturer=user)
            | (Q(group="") & Q(Exists(in_cohort)))
            | Q(Exists(in_cohort.filter(group=OuterRef("group"))))
        )
        .distinct()
        .order_by("starts_at")
    )


def sessions_for(user: User) -> QuerySet[ClassSession]:
    """A person's timetable, with the module, cohort and host of each session."""
    return _timetable_of(user).select_related(
        "offering__module", "offering__cohort", "host", "room__organisation"
    )


def upcoming_for(user: User, *, now: datetime, limit: int = 10) -> list[ClassSession]:
    """The next sessions of a person's timetable with only what "My programme" prints (when,
    which module, what kind, where): the page every student opens on results day."""
    return list(
        _timetable_of(user)
        .filter(ends_at__gte=now)
        .exclude(status=ClassSession.Status.CANCELLED)
        .select_related("offering__module")
        .only("starts_at", "kind", "place", "offering__module__code")[:limit]
    )


def feed_token(user: User) -> str | None:
    """The secret address (signed) a calendar application, which cannot log in, reads;
    ``None`` once its owner turned it off."""
    feed = CalendarFeed.objects.filter(user=user).first()
    return feed_token_of(user.pk, None if feed is None else feed.key)


def feed_token_of(user_pk: int, key: str | None) -> str | None:
    """``feed_token`` from the key of the person's feed, already read (``None``: no feed
    yet, so the first address; ``""``: turned off)."""
    if key is None:
        return signing.dumps(user_pk, salt=FEED_SALT, compress=True)
    if not key:
        return None
    return signing.dumps([user_pk, key], salt=FEED_SALT, compress=True)


def feed_user(token: str) -> User | None:
    """Whose feed ``token`` is, if it is still the current address of that feed."""
    try:
        payload = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        return None
    match payload:
        case int(pk):
            key = None  # the first address: valid until the owner rotates or revokes it
        case [int(pk), str(key)]:
            pass
        case _:
            return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        return None
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        return user if key is None else None
    if key is None or not feed.key or not constant_time_compare(feed.key, key):
        return None
    return user


@transaction.atomic
def feed_rotate(*, user: User) -> str:
    """A new address for the owner's feed; the previous one answers 404 from now on."""
    CalendarFeed.objects.update_or_create(user=user, defaults={"key": secrets.token_urlsafe(24)})
    token = feed_token(user)
    assert token is not None
    return token


@transaction.atomic
def feed_revoke(*, user: User) -> None:
    """No address works any more, until the owner asks for a new one."""
    CalendarFeed.objects.update_or_create(user=user, defaults={"key": ""})


def calendar_ics(user: User) -> bytes:
    """A person's feed, in their language: every session with its room (LOCATION) and its
    lecturers; a cancelled one stays, as STATUS:CANCELLED, so calendars drop it."""
    calendar = Calendar()
    calendar.add("prodid", "-//TEMA-WTC//Master MCRT//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Master TEMA–WTC")
    rows = sessions_for(user).prefetch_related(
        Prefetch(
            "session_lecturers",
            queryset=SessionLecturer.objects.select_related("lecturer").order_by("pk"),
        ),
        "offering__lecturers",
    )[:2000]
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        for session in rows:
            lecturers = [row.lecturer for row in session.session_lecturers.all()] or list(
                session.offering.lecturers.all()
            )
            calendar.add_component(sessions.session_event(session, lecturers))
    return bytes(calendar.to_ical())
