"""Hours taught against a timetable written by hand (#14), the command, the page, the alert."""

from __future__ import annotations

import datetime as dt
import html
import importlib
import io
import json
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import OutgoingEmail
from studies import hours
from studies.models import HoursAlert
from studies.services.hours_alerts import ALERT_HEADER, hours_alerts_send
from studies.services.sessions import session_book, session_cancel
from studies.services.timetable import attendance_save
from tests.factories.partners import AgreementFactory, ContactFactory, OrganisationFactory
from tests.helpers import logged_in
from tests.studies.teaching_helpers import at, make_teaching, offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def timetable(make_user):
    """Three lecturers: Karim teaches for ENP (a contact there), Nadia for the cluster
    (a contact there), Lina for no partner. The sessions of S1 2026-2027:

    | | when | kind | who | attendance |
    | a | 5 Oct 09:00–11:00 (2 h) | lecture | Karim | taken |
    | b | 6 Oct 09:00–10:30 (1.5 h) | tutorial | Karim + Nadia | taken |
    | c | 20 Oct 14:00–17:00 (3 h) | practical | Nadia | — |
    | d | 3 Nov 08:00–12:00 (4 h) | site visit | Nadia + Lina | taken |
    | e | 10 Nov 09:00–11:00 (2 h) | lecture | Karim | cancelled |
    | f | 12 Nov 10:00–11:00 (1 h) | lecture | Lina | — |
    """
    t = make_teaching(make_user)
    karim, nadia = t["lecturer"], t["partner_lecturer"]
    lina = make_user("lecturer", first_name="Lina", last_name="Ouali")
    enp = OrganisationFactory.create(acronym="ENPX", name_fr="École polytechnique X")
    cluster = OrganisationFactory.create(acronym="CLX", name_fr="Cluster X")
    ContactFactory.create(organisation=enp, user=karim)
    ContactFactory.create(organisation=cluster, user=nadia)
    cohort, coordinator = t["cohort"], t["coordinator"]
    f111 = offering(cohort, "F1.1.1")

    def session(day, start, end, kind, who, *, taken=False):
        booked = session_book(
            offering=f111, actor=coordinator, starts_at=at(day, start), ends_at=at(day, end),
            kind=kind, lecturers=who,
        )  # fmt: skip
        if taken:
            present: dict[int, str] = {s.pk: "present" for s in t["students"]}
            attendance_save(session=booked, actor=coordinator, statuses=present)
        return booked

    session("2026-10-05", "09:00", "11:00", "lecture", [karim], taken=True)
    session("2026-10-06", "09:00", "10:30", "tutorial", [karim, nadia], taken=True)
    session("2026-10-20", "14:00", "17:00", "practical", [nadia])
    session("2026-11-03", "08:00", "12:00", "site_visit", [nadia, lina], taken=True)
    cancelled = session("2026-11-10", "09:00", "11:00", "lecture", [karim])
    session_cancel(session=cancelled, actor=coordinator)
    session("2026-11-12", "10:00", "11:00", "lecture", [lina])
    agreement = AgreementFactory.create(
        title="Convention ENPX – CLX", parties=[enp, cluster], co_teaching_hours=60,
        valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2029, 12, 31),
    )  # fmt: skip
    # Not compared: no teaching in its scope; over before the year; no hours promised.
    AgreementFactory.create(parties=[enp], co_teaching_hours=10, scope_teaching=False)
    AgreementFactory.create(
        parties=[enp], co_teaching_hours=10,
        valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2026, 8, 31),
    )  # fmt: skip
    AgreementFactory.create(parties=[cluster])
    return {**t, "lina": lina, "enp": enp, "cluster": cluster, "agreement": agreement}


def by_type(**values: tuple[str, str]) -> dict[str, dict[str, str]]:
    kinds = {"lecture", "tutorial", "practical", "site_visit"}
    return {
        kind: dict(zip(("planned", "done"), values.get(kind, ("0.00", "0.00")), strict=True))
        for kind in kinds
    }


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("hours_report", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_hours_of_october_per_lecturer_and_per_partner(timetable):
    report = run("--month", "2026-10", "--cohort", timetable["cohort"].slug)
    assert report["lecturers"] == [
        {"name": "Karim Belkacemi", "planned": "3.50", "done": "3.50",
         "by_type": by_type(lecture=("2.00", "2.00"), tutorial=("1.50", "1.50"))},
        {"name": "Nadia Haddad", "planned": "4.50", "done": "1.50",
         "by_type": by_type(tutorial=("1.50", "1.50"), practical=("3.00", "0.00"))},
    ]  # fmt: skip
    assert report["partners"] == [
        {"name": "Cluster X (CLX)", "planned": "4.50", "done": "1.50",
         "by_type": by_type(tutorial=("1.50", "1.50"), practical=("3.00", "0.00"))},
        {"name": "École polytechnique X (ENPX)", "planned": "3.50", "done": "3.50",
         "by_type": by_type(lecture=("2.00", "2.00"), tutorial=("1.50", "1.50"))},
    ]  # fmt: skip
    # Session b, taught for both parties, counts once for the agreement: a + b + c.
    assert report["agreements"] == [
        {"agreement": "Convention ENPX – CLX",
         "partner": "Cluster X (CLX), École polytechnique X (ENPX)",
         "promised": "60.00", "planned": "6.50", "done": "3.50"},
    ]  # fmt: skip


def test_the_hours_of_the_year_and_of_the_semester_leave_the_cancelled_session_out(timetable):
    expected_lecturers = [
        ("Karim Belkacemi", "3.50", "3.50"),
        ("Lina Ouali", "5.00", "4.00"),
        ("Nadia Haddad", "8.50", "5.50"),
    ]
    for args in (["--semester", "1", "--cohort", timetable["cohort"].slug], []):
        report = hours.hours_report(
            period=hours.period_from(
                semester=int(args[1]) if args else None,
                cohort=timetable["cohort"] if args else None,
                today=dt.date(2026, 12, 1),
            ),
            cohort=timetable["cohort"] if args else None,
        )
        assert [
            (line.name, f"{line.figures.planned:.2f}", f"{line.figures.done:.2f}")
            for line in report.lecturers
        ] == expected_lecturers
        lina = report.lecturers[1].figures
        assert lina.by_type["site_visit"] == {"planned": Decimal(4), "done": Decimal(4)}
        assert lina.by_type["lecture"] == {"planned": Decimal(1), "done": Decimal(0)}
        (agreement,) = report.agreements
        assert (agreement.planned, agreement.done) == (Decimal("10.5"), Decimal("7.5"))


def test_another_month_or_cohort_has_no_hours(timetable):
    assert run("--month", "2026-12")["lecturers"] == []
    assert run("--month", "2026-11")["lecturers"][0] == {
        "name": "Lina Ouali", "planned": "5.00", "done": "4.00",
        "by_type": by_type(lecture=("1.00", "0.00"), site_visit=("4.00", "4.00")),
    }  # fmt: skip


def test_the_command_refuses_a_badly_written_month(timetable):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("hours_report", "--month", "10-2026")
    with pytest.raises(CommandError):
        call_command("hours_report", "--cohort", "nope")


def test_the_command_prints_a_table(timetable):
    out = io.StringIO()
    call_command("hours_report", "--month", "2026-10", stdout=out)
    text = out.getvalue()
    assert "Karim Belkacemi  3.50" in text
    assert "Convention ENPX – CLX" in text


def test_the_page_and_its_export_show_the_same_figures(timetable):
    client = logged_in(timetable["coordinator"])
    url = reverse("studies:hours")
    response = client.get(url, {"month": "2026-10"})
    assert response.status_code == 200
    report = response.context["report"]
    assert [(line.name, line.figures.planned) for line in report.partners] == [
        ("Cluster X (CLX)", Decimal("4.5")),
        ("École polytechnique X (ENPX)", Decimal("3.5")),
    ]
    assert "4,50" in response.content.decode()  # French decimals
    csv = client.get(url, {"month": "2026-10", "format": "csv"}).content.decode("utf-8-sig")
    assert "Karim Belkacemi;3,50;3,50;2,00;2,00;1,50;1,50;0,00;0,00;0,00;0,00" in csv.replace(
        "\r", ""
    ).replace('"', "")
    assert client.get(url, {"month": "2026-10", "semester": "1"}).status_code == 400


def test_a_partner_behind_its_promise_is_reported_once(timetable, make_user):
    # 1 December is the 92nd day of a 365-day year → 60 h × 92/365 = 15.12 h expected;
    # 75 % of it = 11.34 h; done by then: a 2 + b 1.5 + d 4 = 7.5 h.
    OutgoingEmail.objects.all().delete()
    assert hours_alerts_send(today=dt.date(2026, 12, 1)) == 1
    (email,) = OutgoingEmail.objects.all()
    assert email.to == [timetable["coordinator"].email]
    assert email.headers[ALERT_HEADER] == f"hours:{timetable['agreement'].pk}:2026-2027:behind"
    body = " ".join(email.body.split())
    # In the coordinator's language (French, its decimal comma): done, expected, promised.
    assert " 7,50 " in body
    assert " 15,12 " in body
    assert "taught" not in body
    assert hours_alerts_send(today=dt.date(2026, 12, 8)) == 0
    assert OutgoingEmail.objects.count() == 1


def test_the_alert_row_not_the_outbox_says_what_was_sent(timetable):
    """The alert is kept as a row (agreement, academic year, state, the figures): purging
    the outbox of its e-mails does not make the next run send it again."""
    assert hours_alerts_send(today=dt.date(2026, 12, 1)) == 1
    (alert,) = HoursAlert.objects.all()
    assert (alert.agreement_id, alert.academic_year, alert.state) == (
        timetable["agreement"].pk,
        "2026-2027",
        HoursAlert.State.BEHIND,
    )
    assert (alert.done, alert.promised) == (Decimal("7.5"), Decimal("60"))
    OutgoingEmail.objects.all().delete()
    assert hours_alerts_send(today=dt.date(2026, 12, 8)) == 0
    assert not OutgoingEmail.objects.exists()
    # The hours page lists it, in the reader's language.
    page = logged_in(timetable["coordinator"]).get(reverse("studies:hours"))
    (row,) = page.context["alerts"]
    assert row == alert
    assert gettext("behind the promise") in html.unescape(page.content.decode())


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_the_alert_once(timetable):
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(hours_alerts_send(today=dt.date(2026, 12, 1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [0, 1]
    assert HoursAlert.objects.count() == 1
    assert OutgoingEmail.objects.filter(headers__has_key=ALERT_HEADER).count() == 1


def test_alerts_sent_before_the_rows_existed_are_not_sent_again(timetable):
    """The migration that brings the rows makes one for each alert e-mail already sent
    (known then by its header), so the first weekly run after the upgrade sends nothing."""
    from django.apps import apps

    migration = importlib.import_module("studies.migrations.0006_hours_alerts_mixed_responses")
    key = f"hours:{timetable['agreement'].pk}:2026-2027:behind"
    for _ in range(2):  # one e-mail per coordinator: one alert
        OutgoingEmail.objects.create(
            to=["c@example.org"],
            from_email="x@example.org",
            subject="s",
            headers={ALERT_HEADER: key},
        )
    OutgoingEmail.objects.create(
        to=["c@example.org"], from_email="x@example.org", subject="s", headers={ALERT_HEADER: "x"}
    )
    migration.alerts_from_emails(apps, None)
    assert list(HoursAlert.objects.values_list("agreement_id", "academic_year", "state")) == [
        (timetable["agreement"].pk, "2026-2027", "behind")
    ]
    assert hours_alerts_send(today=dt.date(2026, 12, 1)) == 0


def test_nobody_is_behind_before_november(timetable):
    assert hours_alerts_send(today=dt.date(2026, 10, 30)) == 0
    assert not OutgoingEmail.objects.filter(headers__has_key=ALERT_HEADER).exists()


def test_a_partner_beyond_its_promise_is_reported_once(timetable):
    type(timetable["agreement"]).objects.filter(pk=timetable["agreement"].pk).update(
        co_teaching_hours=5
    )
    assert hours_alerts_send(today=dt.date(2026, 12, 1)) == 1
    (email,) = OutgoingEmail.objects.filter(headers__has_key=ALERT_HEADER)
    assert email.headers[ALERT_HEADER].endswith(":beyond")
    assert hours_alerts_send(today=dt.date(2026, 12, 8)) == 0


def test_the_hours_page_makes_the_same_queries_for_more_sessions(
    timetable, django_assert_max_num_queries
):
    client = logged_in(timetable["coordinator"])
    url = reverse("studies:hours")
    with django_assert_max_num_queries(60) as first:
        client.get(url, {"month": "2026-10"})
    session_book(
        offering=offering(timetable["cohort"], "F1.1.2"), actor=timetable["coordinator"],
        starts_at=at("2026-10-27", "09:00"), ends_at=at("2026-10-27", "10:00"), kind="lecture",
        lecturers=[timetable["lina"]],
    )  # fmt: skip
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url, {"month": "2026-10"})
