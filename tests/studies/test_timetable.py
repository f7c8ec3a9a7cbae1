from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from studies.models import Attendance, ClassSession, Offering
from studies.services.timetable import FEED_SALT, attendance_save, feed_token, session_add
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def logged(user) -> Client:
    return logged_in(user)  # staff with TOTP pass it in this session


def f111() -> Offering:
    return Offering.objects.get(module__code="F1.1.1")


def test_a_lecturer_plans_sessions_and_takes_attendance(setting):
    start = timezone.now() + dt.timedelta(days=1)
    client = logged(setting["lecturer"])
    url = reverse("studies:offering_sessions", args=[f111().pk])
    response = client.post(
        url,
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "kind": "site_visit",
            "place": "Zone industrielle de Rouiba",
        },
    )
    assert response.status_code == 302
    session = ClassSession.objects.get()
    a, b, c = setting["students"]
    response = client.post(
        reverse("studies:attendance", args=[session.pk]),
        {
            f"attendance-{a.pk}": "present",
            f"attendance-{b.pk}": "absent",
            f"attendance-{c.pk}": "justified",
        },
    )
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("student_id", "status")) == {
        a.pk: "present",
        b.pk: "absent",
        c.pk: "justified",
    }


def test_a_session_ending_before_it_starts_gets_a_message(setting):
    start = timezone.now()
    response = logged(setting["lecturer"]).post(
        reverse("studies:offering_sessions", args=[f111().pk]),
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "kind": "lecture",
        },
    )
    assert response.status_code == 400
    assert not ClassSession.objects.exists()


def test_only_the_offerings_lecturers_and_coordinators_plan_it(setting, make_user):
    start = timezone.now()
    with pytest.raises(PermissionDenied):
        session_add(
            offering=f111(),
            actor=make_user("lecturer"),
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            kind="lecture",
        )
    other = Offering.objects.get(module__code="F1.1.2")
    assert (
        logged(setting["lecturer"])
        .get(reverse("studies:offering_sessions", args=[other.pk]))
        .status_code
        == 404
    )


def test_attendance_refuses_a_student_of_another_cohort(setting):
    start = timezone.now()
    session = session_add(
        offering=f111(),
        actor=setting["lecturer"],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        kind="lecture",
    )
    with pytest.raises(ValidationError):
        attendance_save(session=session, actor=setting["lecturer"], statuses={999999: "present"})
    assert not Attendance.objects.exists()


def test_students_and_lecturers_subscribe_to_their_timetable(setting):
    start = timezone.now() + dt.timedelta(days=2)
    session_add(
        offering=f111(),
        actor=setting["lecturer"],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        kind="lecture",
        place="WTC Alger",
    )
    student = setting["students"][0].user
    page = logged(student).get(reverse("studies:my_programme")).content.decode()
    assert "WTC Alger" in page
    for user in (student, setting["lecturer"]):
        response = Client().get(reverse("studies:calendar", args=[feed_token(user)]))
        assert response.status_code == 200
        events = list(Calendar.from_ical(response.content).walk("VEVENT"))
        assert len(events) == 1
        assert "F1.1.1" in str(events[0]["summary"])
    assert Client().get(reverse("studies:calendar", args=["forged-token"])).status_code == 404


def _feed_link(page: str) -> str:
    match = re.search(r'href="(/calendar/[^"]+\.ics)" data-testid="calendar"', page)
    assert match, "no calendar address on the page"
    return match.group(1)


@pytest.mark.parametrize(("who", "page"), [("student", "my_programme"), ("lecturer", "my_sheets")])
def test_the_owner_replaces_or_turns_off_the_calendar_address(setting, who, page):
    user = setting["students"][0].user if who == "student" else setting["lecturer"]
    client = logged(user)
    first = _feed_link(client.get(reverse(f"studies:{page}")).content.decode())
    assert Client().get(first).status_code == 200

    response = client.post(reverse("studies:calendar_change"), {"action": "rotate"})
    assert response["Location"] == reverse(f"studies:{page}")
    html = client.get(reverse(f"studies:{page}")).content.decode()
    assert "la précédente ne fonctionne plus" in html
    second = _feed_link(html)
    assert second != first
    assert Client().get(first).status_code == 404  # whoever kept the old address
    assert Client().get(second).status_code == 200

    client.post(reverse("studies:calendar_change"), {"action": "revoke"})
    html = client.get(reverse(f"studies:{page}")).content.decode()
    assert 'data-testid="calendar-off"' in html
    assert 'data-testid="calendar"' not in html
    assert feed_token(user) is None
    assert Client().get(second).status_code == 404
    assert Client().get(first).status_code == 404

    client.post(reverse("studies:calendar_change"), {"action": "rotate"})
    third = _feed_link(client.get(reverse(f"studies:{page}")).content.decode())
    assert Client().get(third).status_code == 200
    assert Client().get(second).status_code == 404


def test_one_persons_rotation_leaves_the_others_address_working(setting):
    student, other = (s.user for s in setting["students"][:2])
    kept = feed_token(other)
    logged(student).post(reverse("studies:calendar_change"), {"action": "rotate"})
    assert Client().get(reverse("studies:calendar", args=[kept])).status_code == 200


def test_a_forged_feed_payload_is_a_404(setting):
    user = setting["students"][0].user
    for payload in ([user.pk, ""], [user.pk], {"u": user.pk}, "x", [user.pk, "guessed-key"]):
        token = signing.dumps(payload, salt=FEED_SALT, compress=True)
        assert Client().get(reverse("studies:calendar", args=[token])).status_code == 404
