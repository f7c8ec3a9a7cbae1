"""Demo data of studies: the running cohort's first year and a graduated cohort."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from curriculum.models import Programme
from enrollment.demo import academic_year_of, cohort_get_or_create, seed_students
from enrollment.models import Cohort, Student


def seed_marks(*, cohort: Cohort, coordinator: User) -> None:
    """The running cohort's first year: S1 marked, its jury closed and published; S2
    delivered with grids half filled. Runs once (nothing happens if S1 is delivered)."""
    from studies.models import Mark, MarkSheet, Session
    from studies.services import juries, marks

    # "Delivered" is marked: `seed_demo --students N --cohort SLUG` opens every semester of a
    # cohort beforehand (its offerings exist, no mark yet), and its S1 is still to be marked.
    if Mark.objects.filter(sheet__offering__cohort=cohort).exists():
        return
    year = f"{cohort.start_date.year}-{cohort.start_date.year + 1}"
    marks.offerings_open(cohort=cohort, semester=1, academic_year=year, actor=coordinator)
    marks.offerings_open(cohort=cohort, semester=2, academic_year=year, actor=coordinator)
    rng = random.Random(cohort.slug)  # noqa: S311
    students = list(cohort.students.filter(status=Student.Status.ACTIVE))
    for sheet in MarkSheet.objects.filter(
        offering__cohort=cohort, session=Session.NORMAL
    ).select_related("offering"):
        if sheet.offering.semester > 2 or (
            sheet.offering.semester == 2 and sheet.offering.module.code > "F2.2"
        ):
            continue
        rows = [
            marks.MarkRow(s.pk, Decimal(rng.randint(16, 38)) / 2, Decimal(rng.randint(12, 38)) / 2)
            for s in students
        ]
        marks.grid_save(sheet=sheet, actor=coordinator, rows=rows)
        if sheet.offering.semester == 1:
            marks.grid_submit(sheet=sheet, actor=coordinator)
    jury = juries.jury_get_or_create(cohort=cohort, semester=1, session=Session.NORMAL)
    juries.jury_close(jury=jury, actor=coordinator)
    juries.jury_publish(jury=jury, actor=coordinator)


def seed_graduates(*, programme: Programme, coordinator: User, count: int = 4) -> Cohort:
    """A cohort that finished two years ago: four semesters marked (all passed), every jury
    closed and published, so that its cumulative transcripts and success attestations can be
    issued. Runs once (nothing happens if the cohort has offerings)."""
    from studies.models import MarkSheet, Offering, Session
    from studies.services import juries, marks

    # Started two academic years before this one: its four semesters are over.
    start = dt.date(academic_year_of(timezone.localdate()) - 2, 10, 1)
    cohort = cohort_get_or_create(
        slug=f"promotion-{start.year}-{start.year + 2}", programme=programme, start=start
    )
    cohort, _ = seed_students(count=count, cohort_slug=cohort.slug, programme=programme)
    if Offering.objects.filter(cohort=cohort).exists():
        return cohort
    rng = random.Random(cohort.slug)  # noqa: S311
    students = list(cohort.students.filter(status=Student.Status.ACTIVE))
    for semester in range(1, programme.semester_count + 1):
        year = start.year + (semester - 1) // 2
        marks.offerings_open(
            cohort=cohort, semester=semester, academic_year=f"{year}-{year + 1}", actor=coordinator
        )
        for sheet in MarkSheet.objects.filter(
            offering__cohort=cohort, offering__semester=semester, session=Session.NORMAL
        ):
            rows = [
                marks.MarkRow(
                    s.pk, Decimal(rng.randint(24, 36)) / 2, Decimal(rng.randint(24, 36)) / 2
                )
                for s in students
            ]
            marks.grid_save(sheet=sheet, actor=coordinator, rows=rows)
            marks.grid_submit(sheet=sheet, actor=coordinator)
        jury = juries.jury_get_or_create(cohort=cohort, semester=semester, session=Session.NORMAL)
        juries.jury_close(jury=jury, actor=coordinator)
        juries.jury_publish(jury=jury, actor=coordinator)
        if semester % 2 == 0:  # the year's deliberation; the last one decides the final result
            deliberation = juries.year_jury_get_or_create(cohort=cohort, year=semester // 2)
            juries.jury_close(jury=deliberation, actor=coordinator)
            juries.jury_publish(jury=deliberation, actor=coordinator)
    return cohort


# Invented people (docs/academic-rules.md §7): a lecturer of ENP and a practitioner of the
# precision-mechanics cluster, each a contact of their organisation, so their hours count
# for it.
DEMO_PARTNER_LECTURERS = (
    ("enp", "yacine.hamidi@enp.example.dz", "Yacine", "Hamidi", "Maître de conférences"),
    ("c-mec", "farid.mansouri@c-mec.example.dz", "Farid", "Mansouri", "Animateur du cluster"),
)


def seed_timetable(cohort: Cohort, *, coordinator: User | None = None) -> int:
    """The running cohort's S1 timetable: rooms at TEMA, at the WTC and at the mechanics
    cluster, two partner lecturers, twelve weeks of lectures, tutorials and site visits
    booked through the service (so every rule holds); attendance taken for the sessions
    already over. Returns the number of sessions booked (0 when the timetable has rooms)."""
    from partners.models import Contact, Organisation
    from studies.models import Attendance, ClassSession, Offering, Room
    from studies.services import sessions, timetable

    if ClassSession.objects.filter(offering__cohort=cohort, room__isnull=False).exists():
        return 0
    coordinator = coordinator or (
        User.objects.filter(is_coordinator=True, is_active=True).order_by("pk").first()
    )
    offerings = list(
        Offering.objects.filter(cohort=cohort, semester=1)
        .select_related("module", "cohort")
        .order_by("module__code")[:3]
    )
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=["enp", "c-mec"])}
    if coordinator is None or len(offerings) < 3 or len(organisations) < 2:
        return 0
    rooms = [
        Room.objects.get_or_create(
            site=Room.Site.TEMA, name="TEMA — Amphi 1",
            defaults={"capacity": 80, "address": "Bab Ezzouar, Alger"},
        )[0],
        Room.objects.get_or_create(
            site=Room.Site.WTC, name="WTC — Salle Atlas",
            defaults={"capacity": 30, "address": "Pins maritimes, Mohammadia, Alger"},
        )[0],
        Room.objects.get_or_create(
            site=Room.Site.PARTNER, organisation=organisations["c-mec"], name="Atelier d'usinage",
            defaults={"capacity": 25, "address": "Zone industrielle de Rouiba"},
        )[0],
    ]  # fmt: skip
    partner_lecturers = []
    for slug, email, first, last, role in DEMO_PARTNER_LECTURERS:
        user, _ = User.objects.get_or_create(
            email=email, defaults={"first_name": first, "last_name": last, "is_lecturer": True}
        )
        Contact.objects.get_or_create(
            organisation=organisations[slug], user=user,
            defaults={"full_name": f"{first} {last}", "role": role, "email": email},
        )  # fmt: skip
        partner_lecturers.append(user)
    own = list(offerings[0].lecturers.all()[:1])
    zone = timezone.get_current_timezone()
    first_sunday = cohort.start_date + dt.timedelta(days=(6 - cohort.start_date.weekday()) % 7)
    window = sessions.semester_dates(offerings[0])
    now = timezone.now()
    students = list(cohort.students.filter(status=Student.Status.ACTIVE).order_by("pk"))
    # (weekday offset from Sunday, start hour, hours, kind, offering, room, lecturers)
    week = [
        (0, 9, 2, ClassSession.Kind.LECTURE, offerings[0], rooms[0], own or partner_lecturers[:1]),
        (1, 9, 3, ClassSession.Kind.TUTORIAL, offerings[1], rooms[1], partner_lecturers[:1]),
        (3, 13, 2, ClassSession.Kind.PRACTICAL, offerings[2], rooms[1], partner_lecturers[1:]),
    ]
    booked = 0
    for n in range(12):
        plan = list(week)
        if n % 4 == 2:  # once a month, a visit of the cluster's workshops
            plan.append(
                (2, 9, 4, ClassSession.Kind.SITE_VISIT, offerings[2], rooms[2], partner_lecturers)
            )
        for offset, hour, length, kind, offering, room, lecturers in plan:
            day = first_sunday + dt.timedelta(days=7 * n + offset)
            if window is None or not window[0] <= day <= window[1]:
                continue
            starts_at = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
            session = sessions.session_book(
                offering=offering, actor=coordinator, kind=kind, room=room,
                starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=length),
                lecturers=list(lecturers),
            )  # fmt: skip
            booked += 1
            if session.ends_at < now and students:
                absent = students[(7 * n + offset) % len(students)].pk
                timetable.attendance_save(
                    session=session, actor=coordinator,
                    statuses={
                        s.pk: Attendance.Status.ABSENT if s.pk == absent
                        else Attendance.Status.PRESENT
                        for s in students
                    },
                )  # fmt: skip
    return booked
