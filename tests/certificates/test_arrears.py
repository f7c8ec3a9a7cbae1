"""Consequences of arrears (#13): a programme may withhold the enrollment attestation, or
the transcripts, from a student whose own instalment is overdue for more than N days. Off by
default; the eligibility list says why; the verdicts of a cohort cost the same queries for 3
students or 8."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from certificates import services
from certificates.models import Kind
from curriculum.models import Programme
from enrollment.demo import seed_students
from enrollment.models import Cohort, Student
from finance.services.invoices import invoice_issue
from finance.services.payments import payment_record
from finance.services.schedules import (
    PlannedInstalment,
    instalments_plan,
    schedule_set,
    sponsorship_confirm,
)
from tests.factories.finance import finance_user
from tests.factories.partners import OrganisationFactory
from tests.helpers import mfa_login

pytestmark = pytest.mark.django_db
D = Decimal


def fees_overdue(days: int) -> str:
    return ngettext(
        "fees overdue for more than %(days)s day", "fees overdue for more than %(days)s days", days
    ) % {"days": days}


def invoice_cohort(cohort: Cohort, *, late_by: int) -> list[Student]:
    """The cohort's students invoiced one instalment of 300,000 DZD due ``late_by`` days ago
    and one due next year; returns them by registration number."""
    cashier = finance_user()
    today = timezone.localdate()
    schedule = schedule_set(actor=cashier, cohort=cohort, tuition_per_year=D("500000"))
    instalments = instalments_plan(
        actor=cashier,
        schedule=schedule,
        year=1,
        instalments=[
            PlannedInstalment("Tranche 1", D("300000"), today - dt.timedelta(days=late_by)),
            PlannedInstalment("Tranche 2", D("200000"), today + dt.timedelta(days=365)),
        ],
    )
    students = list(cohort.students.order_by("registration_number"))
    invoice_issue(actor=cashier, students=students, instalments=instalments)
    return students


def withhold(cohort: Cohort, *, attestation: int | None = None, transcript: int | None = None):
    Programme.objects.filter(pk=cohort.programme_id).update(
        arrears_withhold_attestation_days=attestation, arrears_withhold_transcript_days=transcript
    )


def verdicts(cohort: Cohort, kind: str = Kind.ENROLLMENT, semester: int | None = None):
    return {
        row.student.pk: row
        for row in services.eligible_list(cohort=cohort, kind=kind, semester=semester)
    }


def test_by_default_a_student_in_arrears_still_gets_the_attestation(cohort):
    students = invoice_cohort(cohort, late_by=200)
    rows = verdicts(cohort)
    assert all(rows[s.pk].ok for s in students)
    programme = Programme.objects.get(pk=cohort.programme_id)
    assert programme.arrears_withhold_attestation_days is None
    assert programme.arrears_withhold_transcript_days is None


def test_when_set_the_attestation_is_refused_with_the_reason_after_n_days_only(cohort, coordinator):
    late, paid, also_late = invoice_cohort(cohort, late_by=31)
    cashier = finance_user()
    payment_record(
        actor=cashier, student=paid, method="cash", paid_on=timezone.localdate(), amount=D("300000")
    )
    withhold(cohort, attestation=30)
    rows = verdicts(cohort)
    assert not rows[late.pk].ok
    assert rows[late.pk].reason == fees_overdue(30)
    assert rows[paid.pk].ok  # the overdue instalment is paid
    assert not rows[also_late.pk].ok
    # 31 days late is not more than 31.
    withhold(cohort, attestation=31)
    assert verdicts(cohort)[late.pk].ok
    # The student asking for it is refused with the same reason.
    withhold(cohort, attestation=30)
    with pytest.raises(ValidationError) as refused:
        services.certificate_request(student=late, kind=Kind.ENROLLMENT, actor=late.user)
    assert fees_overdue(30) in " ".join(refused.value.messages)


def test_a_share_left_unpaid_by_the_sponsor_does_not_withhold_the_students_document(cohort):
    cashier = finance_user()
    today = timezone.localdate()
    student = cohort.students.order_by("registration_number")[0]
    sponsorship_confirm(
        actor=cashier, student=student, organisation=OrganisationFactory.create(), share=D("100")
    )
    schedule = schedule_set(actor=cashier, cohort=cohort, tuition_per_year=D("300000"))
    instalments = instalments_plan(
        actor=cashier,
        schedule=schedule,
        year=1,
        instalments=[PlannedInstalment("Tranche 1", D("300000"), today - dt.timedelta(days=90))],
    )
    invoice_issue(actor=cashier, students=[student], instalments=instalments)
    withhold(cohort, attestation=30)
    assert verdicts(cohort)[student.pk].ok


def test_transcripts_are_never_withheld_by_default_and_are_when_the_programme_says_so(make_user):
    from studies.services.juries import jury_get_or_create, jury_publish
    from tests.studies.studies_helpers import make_setting
    from tests.studies.test_results import run_semester

    setting = make_setting(make_user)
    cohort = setting["cohort"]
    run_semester(setting, 1, ["12.5", "16", "11"])
    jury_publish(
        jury=jury_get_or_create(cohort=cohort, semester=1, session="N"),
        actor=setting["coordinator"],
    )
    students = invoice_cohort(cohort, late_by=100)
    withhold(cohort, attestation=10)
    transcripts = verdicts(cohort, Kind.TRANSCRIPT, semester=1)
    assert all(transcripts[s.pk].ok for s in students)
    assert not any(row.ok for row in verdicts(cohort).values())
    withhold(cohort, transcript=60)
    for kind in (Kind.TRANSCRIPT, Kind.CUMULATIVE):
        rows = verdicts(cohort, kind, semester=1)
        assert all(fees_overdue(60) in rows[s.pk].reason for s in students)
        assert not any(row.ok for row in rows.values())
    assert all(row.ok for row in verdicts(cohort).values())  # attestation rule now off


def test_the_verdicts_cost_the_same_queries_for_3_or_8_students_in_arrears(cohort):
    larger, _ = seed_students(count=8, cohort_slug="promo-arrears", programme=cohort.programme)
    for each in (cohort, larger):
        invoice_cohort(each, late_by=90)
    withhold(cohort, attestation=30)  # one programme: both cohorts
    counts = {}
    for each in (cohort, larger):
        with CaptureQueriesContext(connection) as captured:
            rows = services.eligible_list(cohort=each, kind=Kind.ENROLLMENT)
        assert len(rows) == each.students.count()
        assert all(row.reason == fees_overdue(30) for row in rows)
        counts[len(rows)] = len(captured)
    assert counts[3] == counts[8]


def test_a_coordinator_turns_the_rule_on_in_the_programme_settings(cohort, coordinator):
    client = Client()
    mfa_login(client, coordinator)
    programme = Programme.objects.get(pk=cohort.programme_id)
    url = reverse("curriculum:programme_edit", args=[programme.slug])
    assert 'name="arrears_withhold_attestation_days"' in client.get(url).content.decode()
    data = {
        k: ("" if v is None else v)
        for k, v in model_to_dict(programme).items()
        if k not in {"id", "diploma_authority"}
    }
    data.update(
        diploma_authority=programme.diploma_authority_id, arrears_withhold_attestation_days="45"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.arrears_withhold_attestation_days == 45
    assert programme.arrears_withhold_transcript_days is None
