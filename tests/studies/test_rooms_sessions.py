"""Rooms, who teaches each session, clashes, moves and cancellations (#14)."""

from __future__ import annotations

import base64
import threading
import time
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from icalendar import Calendar

from accounts.models import Notification, OutgoingEmail, User
from studies.models import ClassSession, Room, SessionLecturer
from studies.services.sessions import (
    describe,
    session_book,
    session_cancel,
    session_move,
    session_uid,
)
from studies.services.timetable import attendance_save, calendar_ics, feed_token, session_add
from tests.factories.partners import ContactFactory
from tests.helpers import logged_in
from tests.studies.teaching_helpers import at, make_cohort, make_teaching, offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def teaching(make_user):
    return make_teaching(make_user)


def book(t, code="F1.1.1", *, start="09:00", end="11:00", day="2026-10-12", cohort=None, **kw):
    return session_book(
        offering=offering(cohort or t["cohort"], code),
        actor=t["coordinator"],
        starts_at=at(day, start),
        ends_at=at(day, end),
        kind=kw.pop("kind", "lecture"),
        **kw,
    )


def errors_of(excinfo) -> dict[str, list[str]]:
    return {field: [str(m) for m in errs] for field, errs in excinfo.value.message_dict.items()}


# --- Clashes ---------------------------------------------------------------------------------
def test_a_lecturer_in_two_overlapping_sessions_is_refused_with_the_other_named(teaching):
    first = book(teaching, lecturers=[teaching["lecturer"]])
    with pytest.raises(ValidationError) as excinfo:
        book(teaching, "F1.1.2", start="10:00", end="12:00", group="A",
             lecturers=[teaching["partner_lecturer"], teaching["lecturer"]])  # fmt: skip
    assert errors_of(excinfo) == {
        "lecturers": [
            gettext("%(lecturer)s already teaches at that time: %(session)s.")
            % {"lecturer": "Karim Belkacemi", "session": describe(first)}
        ],
        "group": [
            gettext("The whole cohort has a session at that time: %(session)s.")
            % {"session": describe(first)}
        ],
    }
    assert "F1.1.1" in describe(first)
    assert ClassSession.objects.count() == 1


def test_a_lecturer_teaching_two_cohorts_at_once_is_refused(teaching):
    other = make_cohort("promo-other", teaching["programme"], teaching["coordinator"])
    book(teaching, lecturers=[teaching["lecturer"]])
    with pytest.raises(ValidationError) as excinfo:
        book(teaching, cohort=other, start="10:30", end="11:30", lecturers=[teaching["lecturer"]])
    assert list(errors_of(excinfo)) == ["lecturers"]


def test_a_room_taken_at_that_time_is_refused(teaching):
    other = make_cohort("promo-other", teaching["programme"], teaching["coordinator"])
    first = book(teaching, room=teaching["rooms"]["tema"])
    with pytest.raises(ValidationError) as excinfo:
        book(teaching, cohort=other, start="10:59", end="12:00", room=teaching["rooms"]["tema"])
    assert errors_of(excinfo) == {
        "room": [
            gettext("Room %(room)s is taken at that time: %(session)s.")
            % {"room": "TEMA 101", "session": describe(first)}
        ]
    }


def test_back_to_back_sessions_share_room_lecturer_and_cohort(teaching):
    book(teaching, room=teaching["rooms"]["tema"], lecturers=[teaching["lecturer"]])
    book(teaching, "F1.1.2", start="11:00", end="12:00", room=teaching["rooms"]["tema"],
         lecturers=[teaching["lecturer"]])  # fmt: skip
    assert ClassSession.objects.count() == 2


def test_groups_collide_with_themselves_and_with_the_whole_cohort_not_with_each_other(teaching):
    group_a = book(teaching, group="A")
    book(teaching, "F1.1.2", group="B")  # another group at the same time: fine
    with pytest.raises(ValidationError) as excinfo:
        book(teaching, "F1.2.1", group="A", start="10:00", end="10:30")
    assert errors_of(excinfo) == {
        "group": [
            gettext("Group %(group)s already has a session at that time: %(session)s.")
            % {"group": "A", "session": describe(group_a)}
        ]
    }
    with pytest.raises(ValidationError) as excinfo:
        book(teaching, "F1.2.1", start="08:00", end="09:30")  # the whole cohort
    assert list(errors_of(excinfo)) == ["group"]
    assert (
        gettext("Group %(group)s of the cohort has a session at that time: %(session)s.")
        % {
            "group": "A",
            "session": describe(group_a),
        }
        in errors_of(excinfo)["group"]
    )
    assert ClassSession.objects.count() == 2


def test_a_group_without_students_is_refused(teaching):
    with pytest.raises(ValidationError) as excinfo:
        book(teaching, group="C")
    assert list(errors_of(excinfo)) == ["group"]


def test_a_room_smaller_than_its_audience_is_refused(teaching):
    rooms = teaching["rooms"]
    with pytest.raises(ValidationError) as excinfo:
        book(teaching, room=rooms["partner"], group="A")  # 1 seat, 2 students
    assert errors_of(excinfo) == {
        "room": [
            gettext("Room %(room)s seats %(capacity)s; %(audience)s has %(size)s students.")
            % {
                "room": "Atelier 2",
                "capacity": 1,
                "audience": gettext("group %(group)s") % {"group": "A"},
                "size": 2,
            }
        ]
    }
    with pytest.raises(ValidationError):
        book(teaching, room=rooms["wtc"])  # 3 seats, 4 students in the cohort
    assert book(teaching, room=rooms["wtc"], group="B").room == rooms["wtc"]


def test_a_room_out_of_use_takes_no_booking(teaching):
    Room.objects.filter(pk=teaching["rooms"]["tema"].pk).update(active=False)
    with pytest.raises(ValidationError) as excinfo:
        book(teaching, room=Room.objects.get(pk=teaching["rooms"]["tema"].pk))
    assert list(errors_of(excinfo)) == ["room"]


def test_a_session_outside_its_semester_is_refused(teaching):
    # S1 of 2026-2027: from the cohort's start (4 October 2026) to 31 January 2027.
    for day in ("2027-02-01", "2026-10-03", "2026-09-15"):
        with pytest.raises(ValidationError) as excinfo:
            book(teaching, day=day)
        assert list(errors_of(excinfo)) == ["starts_at"]
    assert book(teaching, day="2027-01-31").pk
    assert book(teaching, day="2026-10-04").pk
    # S2: from 1 February 2027.
    with pytest.raises(ValidationError):
        book(teaching, "F2.1.1", day="2026-11-10")
    assert book(teaching, "F2.1.1", day="2027-02-01").pk


def test_only_coordinators_book(teaching):
    with pytest.raises(PermissionDenied):
        session_book(
            offering=offering(teaching["cohort"], "F1.1.1"),
            actor=teaching["lecturer"],
            starts_at=at("2026-10-12", "09:00"),
            ends_at=at("2026-10-12", "10:00"),
            kind="lecture",
        )


def test_a_lecturer_counts_for_their_contact_organisation_unless_told_otherwise(teaching):
    ContactFactory.create(organisation=teaching["partner"], user=teaching["partner_lecturer"])
    session = book(teaching, lecturers=[teaching["partner_lecturer"], teaching["lecturer"]])
    assert dict(session.session_lecturers.values_list("lecturer_id", "organisation_id")) == {
        teaching["partner_lecturer"].pk: teaching["partner"].pk,
        teaching["lecturer"].pk: None,
    }
    second = book(teaching, day="2026-10-13", lecturers=[(teaching["partner_lecturer"], None)])
    assert second.session_lecturers.get().organisation is None


def test_the_lecturers_own_page_refuses_a_clash_of_the_cohort(teaching):
    lecturer = teaching["lecturer"]
    first = session_add(
        offering=offering(teaching["cohort"], "F1.1.1"), actor=lecturer,
        starts_at=at("2026-10-12", "09:00"), ends_at=at("2026-10-12", "11:00"), kind="lecture",
    )  # fmt: skip
    assert first.cohort == teaching["cohort"]
    assert list(first.session_lecturers.values_list("lecturer", flat=True)) == [lecturer.pk]
    with pytest.raises(ValidationError) as excinfo:
        book(teaching, "F1.1.2", start="10:00", end="12:00")
    assert list(errors_of(excinfo)) == ["group"]


# --- Two bookings at once (PostgreSQL) --------------------------------------------------------
def _outcome(work) -> str:
    try:
        work()
    except ValidationError as exc:
        return ",".join(sorted(exc.message_dict))
    finally:
        connection.close()
    return "ok"


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_booking_one_room_at_once_cannot_both_succeed(make_user):
    teaching = make_teaching(make_user)
    other = make_cohort("promo-other", teaching["programme"], teaching["coordinator"])
    room = teaching["rooms"]["tema"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(cohort) -> None:
        barrier.wait()
        outcomes.append(_outcome(lambda: book(teaching, cohort=cohort, room=room)))

    threads = [threading.Thread(target=run, args=(c,)) for c in (teaching["cohort"], other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "room"]
    assert ClassSession.objects.filter(room=room).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_exclusion_constraint_refuses_what_the_check_could_not_see(make_user):
    """The first booking is written but not committed when the second checks (it sees no
    clash): PostgreSQL makes the second wait, then refuses it; the message names the first."""
    from django.db import transaction

    teaching = make_teaching(make_user)
    other = make_cohort("promo-other", teaching["programme"], teaching["coordinator"])
    lecturer = teaching["lecturer"]
    written, release = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def first() -> None:
        def work() -> None:
            with transaction.atomic():
                book(teaching, lecturers=[lecturer])
                written.set()
                release.wait(timeout=30)

        outcomes["first"] = _outcome(work)

    def second() -> None:
        written.wait(timeout=30)
        outcomes["second"] = _outcome(
            lambda: book(teaching, cohort=other, start="10:00", end="12:00", lecturers=[lecturer])
        )

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    with connection.cursor() as cursor:  # wait until the second booking waits for the first
        for _ in range(300):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the second booking never waited for the first")
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == {"first": "ok", "second": "lecturers"}
    assert SessionLecturer.objects.filter(lecturer=lecturer).count() == 1


# --- Moving and cancelling --------------------------------------------------------------------
def _calendar_of(email: OutgoingEmail) -> Calendar:
    (attachment,) = email.attachments
    assert attachment["name"] == "session.ics"
    return Calendar.from_ical(base64.b64decode(attachment["content"]))


def test_moving_a_session_emails_its_group_and_lecturers_an_updated_invitation(teaching):
    students = teaching["students"]
    User.objects.filter(pk=students[0].user_id).update(preferred_language="en")
    session = book(teaching, group="A", room=teaching["rooms"]["tema"],
                   lecturers=[teaching["partner_lecturer"]])  # fmt: skip
    assert not OutgoingEmail.objects.exists()  # a booking tells nobody
    moved = session_move(
        session=session, actor=teaching["coordinator"], starts_at=at("2026-10-14", "14:00"),
        ends_at=at("2026-10-14", "16:00"), room=teaching["rooms"]["wtc"],
    )  # fmt: skip
    assert moved.sequence == 1
    emails = {e.to[0]: e for e in OutgoingEmail.objects.all()}
    group_a = [s.user.email for s in students if s.group == "A"]
    assert sorted(emails) == sorted([*group_a, teaching["partner_lecturer"].email])
    with translation.override("en"):
        english = gettext("Session moved: %(module)s") % {"module": "F1.1.1"}
    with translation.override("fr"):
        french = gettext("Session moved: %(module)s") % {"module": "F1.1.1"}
    assert emails[students[0].user.email].subject == english
    assert emails[students[1].user.email].subject == french
    calendar = _calendar_of(emails[students[0].user.email])
    assert str(calendar["method"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == session_uid(session)
    assert session_uid(session).startswith(f"session-{session.pk}@")  # the feed's UID
    assert int(str(event["sequence"])) == 1
    assert event.decoded("dtstart") == at("2026-10-14", "14:00")
    assert "Salle Atlas" in str(event["location"])
    assert "Nadia Haddad" in str(event["description"])
    assert SessionLecturer.objects.get(session=session).starts_at == at("2026-10-14", "14:00")
    # Also in each person's notifications, as a timetable change (which a person may mute).
    assert sorted(Notification.objects.values_list("kind", flat=True)) == ["timetable"] * 3


def test_a_move_is_checked_like_a_booking(teaching):
    session = book(teaching, group="A")
    book(teaching, "F1.1.2", day="2026-10-14", start="14:00", end="15:00", group="A")
    with pytest.raises(ValidationError) as excinfo:
        session_move(
            session=session, actor=teaching["coordinator"], starts_at=at("2026-10-14", "14:30"),
            ends_at=at("2026-10-14", "15:30"), room=None,
        )  # fmt: skip
    assert list(errors_of(excinfo)) == ["group"]
    session.refresh_from_db()
    assert (session.sequence, session.starts_at) == (0, at("2026-10-12", "09:00"))
    assert not OutgoingEmail.objects.exists()


def test_cancelling_a_session_emails_a_cancellation_and_frees_the_room(teaching):
    room = teaching["rooms"]["tema"]
    session = book(teaching, room=room, lecturers=[teaching["lecturer"]])
    session_move(session=session, actor=teaching["coordinator"],
                 starts_at=at("2026-10-12", "10:00"), ends_at=at("2026-10-12", "12:00"),
                 room=room)  # fmt: skip
    OutgoingEmail.objects.all().delete()
    cancelled = session_cancel(session=session, actor=teaching["coordinator"], reason="Grève")
    assert (cancelled.status, cancelled.sequence) == ("cancelled", 2)
    emails = list(OutgoingEmail.objects.all())
    assert len(emails) == 4 + 1  # the whole cohort and its lecturer
    calendar = _calendar_of(emails[0])
    assert str(calendar["method"]) == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert (str(event["status"]), int(str(event["sequence"]))) == ("CANCELLED", 2)
    assert str(event["uid"]) == session_uid(session)
    assert "Grève" in emails[0].body
    assert SessionLecturer.objects.get(session=session).cancelled
    # The room, the lecturer and the cohort are free again at that time.
    assert book(teaching, "F1.1.2", start="10:00", end="12:00", room=room,
                lecturers=[teaching["lecturer"]]).pk  # fmt: skip
    with pytest.raises(ValidationError):
        session_cancel(session=session, actor=teaching["coordinator"])


def test_a_session_whose_attendance_was_taken_stays_as_it_is(teaching):
    session = book(teaching)
    present: dict[int, str] = {s.pk: "present" for s in teaching["students"]}
    attendance_save(session=session, actor=teaching["coordinator"], statuses=present)
    with pytest.raises(ValidationError):
        session_cancel(session=session, actor=teaching["coordinator"])
    with pytest.raises(ValidationError):
        session_move(session=session, actor=teaching["coordinator"],
                     starts_at=at("2026-10-13", "09:00"), ends_at=at("2026-10-13", "11:00"),
                     room=None)  # fmt: skip
    assert ClassSession.objects.get(pk=session.pk).status == "scheduled"


# --- The feeds -------------------------------------------------------------------------------
def _events(user) -> dict[str, Any]:
    response = Client().get(reverse("studies:calendar", args=[feed_token(user)]))
    assert response.status_code == 200
    return {str(e["uid"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_the_feeds_show_the_room_the_lecturers_and_the_cancelled_sessions(teaching):
    rooms, students = teaching["rooms"], teaching["students"]
    for_a = book(teaching, group="A", room=rooms["tema"], lecturers=[teaching["partner_lecturer"]])
    for_b = book(teaching, "F1.1.2", group="B", room=rooms["wtc"])
    cancelled = book(teaching, day="2026-10-13")
    session_cancel(session=cancelled, actor=teaching["coordinator"])

    in_a = _events(students[0].user)
    assert set(in_a) == {session_uid(for_a), session_uid(cancelled)}  # not group B's
    event = in_a[session_uid(for_a)]
    assert str(event["location"]) == "TEMA 101, TEMA"
    assert "Nadia Haddad" in str(event["description"])
    assert str(event["status"]) == "CONFIRMED"
    assert str(in_a[session_uid(cancelled)]["status"]) == "CANCELLED"
    assert int(in_a[session_uid(cancelled)]["sequence"]) == 1
    assert str(_events(students[2].user)[session_uid(for_b)]["location"]) == (
        f"Salle Atlas, {Room.Site.WTC.label}, Pins maritimes"  # the site's name in French
    )
    # The partner lecturer teaches no module of the programme, only this session.
    assert set(_events(teaching["partner_lecturer"])) == {session_uid(for_a)}
    assert "BEGIN:VEVENT" in calendar_ics(teaching["lecturer"]).decode()


# --- Pages ------------------------------------------------------------------------------------
def test_a_coordinator_books_a_partner_lecturer_in_a_partners_room_and_sees_a_clash(teaching):
    client = logged_in(teaching["coordinator"])
    url = reverse("studies:session_book", args=[teaching["cohort"].slug])
    assert client.get(url).status_code == 200
    data = {
        "offering": offering(teaching["cohort"], "F1.1.1").pk, "kind": "site_visit",
        "starts_at": "2026-10-12T09:00", "ends_at": "2026-10-12T12:00",
        "group": "", "room": teaching["rooms"]["tema"].pk,
        "lecturer_1": teaching["partner_lecturer"].pk,
        "organisation_1": str(teaching["partner"].pk),
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    row = SessionLecturer.objects.get()
    assert (row.lecturer, row.organisation) == (teaching["partner_lecturer"], teaching["partner"])
    response = client.post(url, {**data, "offering": offering(teaching["cohort"], "F1.1.2").pk})
    assert response.status_code == 400
    form = response.context["form"]
    assert "TEMA 101" in form.errors["room"][0]
    assert "F1.1.1" in form.errors["room"][0]
    assert ClassSession.objects.count() == 1
    timetable = client.get(reverse("studies:timetable", args=[teaching["cohort"].slug]))
    assert "Nadia Haddad" in timetable.content.decode()


def test_the_cancel_page_asks_first_then_cancels(teaching):
    session = book(teaching)
    client = logged_in(teaching["coordinator"])
    url = reverse("studies:session_cancel", args=[session.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert ClassSession.objects.get(pk=session.pk).status == "scheduled"
    response = client.post(url, {"confirm": "yes", "reason": "Salle inondée"})
    assert response.status_code == 302
    assert ClassSession.objects.get(pk=session.pk).cancel_reason == "Salle inondée"


def test_the_move_page_puts_the_services_refusal_next_to_the_field(teaching):
    session = book(teaching)
    client = logged_in(teaching["coordinator"])
    response = client.post(
        reverse("studies:session_move", args=[session.pk]),
        {"starts_at": "2027-03-01T09:00", "ends_at": "2027-03-01T10:00", "room": ""},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["starts_at"]


def test_a_room_at_a_partners_site_names_the_partner(teaching):
    client = logged_in(teaching["coordinator"])
    data = {"name": "Hall B", "site": "partner", "capacity": "40", "active": "on"}
    response = client.post(reverse("studies:room_add"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["organisation"] == [
        gettext("Choose the partner whose site this is.")
    ]
    response = client.post(
        reverse("studies:room_add"), {**data, "organisation": teaching["partner"].pk}
    )
    assert response.status_code == 302
    assert Room.objects.get(name="Hall B").organisation == teaching["partner"]
    listing = client.get(reverse("studies:rooms"), {"site": "partner"}).content.decode()
    assert "Hall B" in listing
    assert "TEMA 101" not in listing


def test_the_timetable_page_makes_the_same_queries_for_1_or_6_sessions(
    teaching, django_assert_max_num_queries
):
    client = logged_in(teaching["coordinator"])
    url = reverse("studies:timetable", args=[teaching["cohort"].slug])
    book(teaching, room=teaching["rooms"]["tema"], lecturers=[teaching["lecturer"]])
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for day in range(13, 18):
        book(teaching, day=f"2026-10-{day}", room=teaching["rooms"]["tema"],
             lecturers=[teaching["lecturer"], teaching["partner_lecturer"]])  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- Demo data --------------------------------------------------------------------------------
def test_the_demo_fills_the_running_cohorts_timetable_once(teaching):
    from studies.demo import seed_timetable

    booked = seed_timetable(teaching["cohort"], coordinator=teaching["coordinator"])
    assert booked > 30
    sessions = ClassSession.objects.filter(offering__cohort=teaching["cohort"])
    assert sessions.count() == booked
    assert set(sessions.values_list("room__site", flat=True)) == {"tema", "wtc", "partner"}
    assert SessionLecturer.objects.filter(organisation__slug="c-mec").exists()
    assert seed_timetable(teaching["cohort"], coordinator=teaching["coordinator"]) == 0
