from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studies.models import Defence, Internship, Mark, MarkSheet, Session
from studies.services import internships
from studies.services.marks import offerings_open
from tests.factories.partners import pdf_upload
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

JURY = """president, Pr. Salima Rahal, rahal@example.dz
supervisor, Dr. Karim Belkacemi, belkacemi@example.dz
examiner, Dr. Omar Lounis, lounis@example.dz
examiner, M. Farid Mansouri, mansouri@example.dz
invited, Mme Nesrine Kaci, kaci@example.dz"""


@pytest.fixture
def internship(setting):
    student = setting["students"][0]
    item = Internship(
        student=student,
        host_name="Entreprise membre du cluster numérique",
        subject="Feuille de route du cluster",
        starts_on=dt.date(2027, 2, 1),
        ends_on=dt.date(2027, 6, 14),
        host_tutor="Mme Tutrice",
        supervisor=setting["lecturer"],
    )
    return internships.internship_save(
        internship=item, actor=setting["coordinator"], agreement=pdf_upload()
    )


def test_an_internship_lasts_16_to_24_weeks(setting):
    item = Internship(
        student=setting["students"][1],
        host_name="X",
        subject="S",
        starts_on=dt.date(2027, 2, 1),
        ends_on=dt.date(2027, 3, 1),
        host_tutor="T",
        supervisor=setting["lecturer"],
    )
    with pytest.raises(ValidationError) as exc:
        internships.internship_save(internship=item, actor=setting["coordinator"])
    assert "ends_on" in exc.value.message_dict
    assert not Internship.objects.filter(student=setting["students"][1]).exists()


@pytest.mark.parametrize(
    "text",
    [
        "supervisor, A, a@x.dz\nexaminer, B, b@x.dz\nexaminer, C, c@x.dz\nexaminer, D, d@x.dz",
        "president, A, a@x.dz\nsupervisor, B, b@x.dz\nexaminer, C, c@x.dz",
        "president, A, a@x.dz\nsupervisor, B, b@x.dz\nexaminer, C, c@x.dz\nexaminer, D, d@x.dz\n"
        "invited, E, e@x.dz\ninvited, F, f@x.dz",
    ],
    ids=["no-president", "three-members", "two-invited"],
)
def test_a_wrong_jury_is_refused(internship, setting, text):
    defence = Defence.objects.get(internship=internship)
    with pytest.raises(ValidationError):
        internships.defence_schedule(
            defence=defence,
            actor=setting["coordinator"],
            scheduled_at=timezone.now(),
            room="Salle 1",
            members=internships.parse_members(text),
        )
    assert not defence.members.exists()


def test_the_thesis_goes_to_the_jury_a_week_before_with_private_links(
    internship, setting, django_capture_on_commit_callbacks
):
    defence = Defence.objects.get(internship=internship)
    internships.defence_schedule(
        defence=defence,
        actor=setting["coordinator"],
        room="WTC, salle 3",
        scheduled_at=timezone.now() + dt.timedelta(days=3),
        members=internships.parse_members(JURY),
    )
    internships.thesis_upload(
        defence=defence, actor=setting["students"][0].user, upload=pdf_upload("memoire.pdf")
    )
    with pytest.raises(ValidationError) as exc:
        internships.thesis_send(
            defence=defence, actor=setting["coordinator"], site_url="http://testserver"
        )
    assert len(exc.value.messages) == 2  # not authorised, and less than a week ahead
    internships.defence_authorise(defence=defence, actor=setting["lecturer"])
    defence.scheduled_at = timezone.now() + dt.timedelta(days=10)
    defence.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            internships.thesis_send(
                defence=defence, actor=setting["coordinator"], site_url="http://testserver"
            )
            == 5
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(re.findall(r"[\w.]+@example\.dz", JURY))
    link = re.search(r"http://testserver(/thesis/\S+/)", str(mail.outbox[0].body))
    assert link
    response = Client().get(link.group(1))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    assert Client().get(link.group(1).replace("thesis/", "thesis/x")).status_code == 404


def test_the_thesis_mark_comes_from_the_rubric_and_feeds_the_s4_grid(internship, setting):
    offerings_open(
        cohort=setting["cohort"],
        semester=4,
        academic_year="2026-2027",
        actor=setting["coordinator"],
    )
    defence = Defence.objects.get(internship=internship)
    mark = internships.defence_mark(
        defence=defence,
        actor=setting["coordinator"],
        written=Decimal(14),
        oral=Decimal(12),
        tutor=Decimal(16),
    )
    assert mark == Decimal("14.00")  # example I
    sheet = MarkSheet.objects.get(offering__module__code="F4.1.1", session=Session.NORMAL)
    assert Mark.objects.get(sheet=sheet, student=internship.student).mark == Decimal("14.00")


def test_the_internship_page_saves_and_schedules(internship, setting):
    client = logged_in(setting["coordinator"])
    url = reverse("studies:internship", args=[setting["cohort"].slug, internship.student.pk])
    assert client.get(url).status_code == 200
    when = (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url,
        {
            "action": "schedule",
            "jury-scheduled_at": when,
            "jury-room": "Salle 2",
            "jury-members": "président, X",
        },
    )
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "action": "schedule",
            "jury-scheduled_at": when,
            "jury-room": "Salle 2",
            "jury-members": JURY,
        },
    )
    assert response.status_code == 302
    assert Defence.objects.get(internship=internship).members.count() == 5


def test_the_thesis_e_mail_gives_the_day_of_the_defence_in_algiers(
    internship, setting, django_capture_on_commit_callbacks
):
    """A defence at 00:30 in Algiers is 23:30 the day before in UTC: the subject says the
    local day, day first."""
    defence = Defence.objects.get(internship=internship)
    local = timezone.localtime(timezone.now() + dt.timedelta(days=12)).replace(
        hour=0, minute=30, second=0, microsecond=0
    )
    internships.defence_schedule(
        defence=defence,
        actor=setting["coordinator"],
        room="WTC, salle 3",
        scheduled_at=local,
        members=internships.parse_members(JURY),
    )
    internships.thesis_upload(
        defence=defence, actor=setting["students"][0].user, upload=pdf_upload("memoire.pdf")
    )
    internships.defence_authorise(defence=defence, actor=setting["lecturer"])
    with django_capture_on_commit_callbacks(execute=True):
        internships.thesis_send(
            defence=defence, actor=setting["coordinator"], site_url="http://testserver"
        )
    assert local.astimezone(dt.UTC).date() != local.date()
    assert mail.outbox[0].subject.endswith(local.strftime("%d/%m/%Y"))
