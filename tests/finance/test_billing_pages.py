"""The billing pages: a cohort's fee schedule and instalment plans, adjustments, issuing
invoices (preview, then confirm), an invoice and its credit notes, the payments."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext
from openpyxl import load_workbook

from enrollment.models import Student
from finance.models import (
    Adjustment,
    CreditNote,
    FeeSchedule,
    FinanceDocument,
    Instalment,
    Invoice,
    InvoiceLine,
    MoneyEvent,
    Sponsorship,
)
from finance.services.invoices import credit_note_issue, invoice_issue
from finance.services.payments import payment_record
from finance.services.schedules import sponsorship_confirm
from tests.factories.enrollment import CohortFactory
from tests.factories.finance import schedule_with_instalments, students
from tests.factories.partners import OrganisationFactory, pdf_upload
from tests.helpers import mfa_login

pytestmark = pytest.mark.django_db
D = Decimal
PAST = dt.date(2026, 1, 20)


@pytest.fixture
def cashier(make_user):
    return make_user("finance")


@pytest.fixture
def finance_client(cashier) -> Client:
    client = Client()
    mfa_login(client, cashier)
    return client


@pytest.fixture
def plan(cashier):
    """A cohort billed 500,000 DZD a year in two instalments (300,000 then 200,000)."""
    schedule, instalments = schedule_with_instalments(actor=cashier)
    return schedule.cohort, instalments


def _errors(response, form: str = "form") -> dict[str, list[str]]:
    return {k: list(v) for k, v in response.context[form].errors.items()}


# --- The fee schedule -----------------------------------------------------------------------
def test_the_schedule_page_shows_what_is_invoiced_in_french_and_in_arabic(
    finance_client, cashier, plan
):
    cohort, (first, _) = plan
    invoice_issue(actor=cashier, students=students(cohort, 2), instalments=[first])
    url = reverse("finance:schedule", args=[cohort.slug])
    french = finance_client.get(url)
    assert french.status_code == 200
    year = french.context["year"]
    assert [(r.instalment, r.students, r.invoiced) for r in year.rows] == [
        (first, 2, D("600000.00")), (plan[1][1], 0, D("0")),
    ]  # fmt: skip
    assert '<td class="number">600\xa0000,00</td>' in french.content.decode()
    arabic = finance_client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
    assert arabic.status_code == 200
    assert 'dir="rtl"' in arabic.content.decode()


def _schedule(**values: str) -> dict[str, str]:
    return {
        "action": "schedule",
        "schedule-tuition_per_year": "450000,50",
        "schedule-application_fee": "",
        "schedule-deposit": "",
        "schedule-deposit_days": "",
        **{f"schedule-{k}": v for k, v in values.items()},
    }


def test_a_fee_schedule_typed_with_the_french_comma_is_saved_and_kept_in_the_history(
    finance_client, cashier
):
    cohort = CohortFactory.create()
    data = _schedule(deposit="50000", deposit_days="15", application_fee="5000")
    response = finance_client.post(reverse("finance:schedule", args=[cohort.slug]), data)
    assert response.status_code == 302
    schedule = FeeSchedule.objects.get(cohort=cohort)
    assert (schedule.tuition_per_year, schedule.deposit, schedule.deposit_days) == (
        D("450000.50"), D("50000.00"), 15,
    )  # fmt: skip
    event = MoneyEvent.objects.get(kind=MoneyEvent.Kind.SCHEDULE)
    assert (event.actor, event.after["tuition_per_year"]) == (cashier, "450000.50")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"tuition_per_year": "10,001"}, "tuition_per_year", "An amount has at most two decimals."),
        ({"tuition_per_year": "0"}, "tuition_per_year", "The amount must be more than zero."),
        ({"deposit": "50000"}, "deposit_days",
         "A deposit needs a reply deadline of at least one day."),
        ({"deposit": "50000", "deposit_days": "0"}, "deposit_days",
         "A deposit needs a reply deadline of at least one day."),
        ({"deposit_days": "10"}, "deposit_days",
         "A deposit needs a reply deadline of at least one day."),
    ],
)  # fmt: skip
def test_a_refused_schedule_says_why_next_to_the_field_and_stores_nothing(
    finance_client, values, field, message
):
    cohort = CohortFactory.create()
    response = finance_client.post(
        reverse("finance:schedule", args=[cohort.slug]), _schedule(**values)
    )
    assert response.status_code == 400
    assert _errors(response, "schedule_form") == {field: [gettext(message)]}
    assert not FeeSchedule.objects.exists()
    assert not MoneyEvent.objects.exists()


def _plan(year: int, rows: list[tuple[str, str, str]], extra: int = 1) -> dict[str, str]:
    data = {
        "action": "plan",
        "plan-year": str(year),
        "instalments-TOTAL_FORMS": str(len(rows) + extra),
        "instalments-INITIAL_FORMS": "0",
    }
    for n, (label, amount, due) in enumerate(rows):
        data |= {
            f"instalments-{n}-label_fr": label,
            f"instalments-{n}-label_ar": "القسط",
            f"instalments-{n}-amount": amount,
            f"instalments-{n}-due_date": due,
        }
    return data


def test_a_plan_that_adds_up_to_the_tuition_replaces_the_years_instalments(finance_client, plan):
    cohort, _ = plan
    rows = [("Tranche A", "250000", "2026-10-15"), ("Tranche B", "250000,00", "2027-02-15")]
    url = reverse("finance:schedule", args=[cohort.slug])
    response = finance_client.post(url, _plan(1, rows))
    assert response.status_code == 302
    assert response["Location"] == f"{url}?year=1"
    saved = Instalment.objects.filter(schedule__cohort=cohort, year=1)
    assert [(i.position, i.label_fr, i.label_ar, i.amount) for i in saved] == [
        (1, "Tranche A", "القسط", D("250000.00")), (2, "Tranche B", "القسط", D("250000.00")),
    ]  # fmt: skip


def test_a_plan_for_the_second_year_leaves_the_first_alone(finance_client, plan):
    cohort, first_year = plan
    url = reverse("finance:schedule", args=[cohort.slug])
    response = finance_client.post(url, _plan(2, [("Année 2", "500000", "2027-10-15")]))
    assert response.status_code == 302
    assert list(Instalment.objects.filter(schedule__cohort=cohort, year=1)) == first_year
    assert Instalment.objects.get(schedule__cohort=cohort, year=2).amount == D("500000")


def test_a_plan_that_does_not_add_up_says_so_beside_the_total_and_changes_nothing(
    finance_client, plan
):
    cohort, before = plan
    rows = [("Tranche A", "250000", "2026-10-15"), ("Tranche B", "200000", "2027-02-15")]
    response = finance_client.post(reverse("finance:schedule", args=[cohort.slug]), _plan(1, rows))
    assert response.status_code == 400
    expected = gettext(
        "The instalments add up to %(total)s DZD; the tuition of a year is %(tuition)s DZD."
    ) % {"total": "450\xa0000,00", "tuition": "500\xa0000,00"}
    assert response.context["plan_form"].non_field_errors() == [expected]
    html = response.content.decode()
    assert f'data-testid="plan-error">{escape(expected)}</span>' in html
    assert list(Instalment.objects.filter(schedule__cohort=cohort)) == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be more than zero."),
        ("10,001", "An amount has at most two decimals."),
    ],
)
def test_an_instalment_with_a_bad_amount_is_refused_on_its_own_row(
    finance_client, plan, amount, message
):
    cohort, before = plan
    rows = [("Tranche A", "500000", "2026-10-15"), ("Tranche B", amount, "2027-02-15")]
    response = finance_client.post(reverse("finance:schedule", args=[cohort.slug]), _plan(1, rows))
    assert response.status_code == 400
    formset = response.context["formset"]
    assert [f.errors for f in formset.forms] == [{}, {"amount": [gettext(message)]}, {}]
    assert list(Instalment.objects.filter(schedule__cohort=cohort)) == before


def test_an_invoiced_year_is_shown_without_its_form_and_a_posted_plan_is_refused(
    finance_client, cashier, plan
):
    cohort, (first, second) = plan
    invoice_issue(actor=cashier, students=students(cohort, 1), instalments=[first])
    url = reverse("finance:schedule", args=[cohort.slug])
    html = finance_client.get(url).content.decode()
    assert 'data-testid="plan-locked"' in html
    assert 'data-testid="plan-form"' not in html
    response = finance_client.post(url, _plan(1, [("Tout", "500000", "2026-10-15")]))
    assert response.status_code == 400
    assert response.context["plan_form"].non_field_errors() == [
        gettext("This year is already invoiced: its plan cannot change.")
    ]
    assert list(Instalment.objects.filter(schedule__cohort=cohort)) == [first, second]


def test_a_plan_before_the_schedule_is_refused(finance_client):
    cohort = CohortFactory.create()
    response = finance_client.post(
        reverse("finance:schedule", args=[cohort.slug]),
        _plan(1, [("Tout", "500000", "2026-10-15")]),
    )
    assert response.status_code == 400
    assert response.context["plan_form"].non_field_errors() == [
        gettext("Save the fee schedule first: the plan adds up to its tuition.")
    ]
    assert not Instalment.objects.exists()


# --- Adjustments ----------------------------------------------------------------------------
def _adjustment(student: Student, instalment: Instalment, **values: str) -> dict[str, object]:
    return {
        "student": student.pk,
        "instalment": instalment.pk,
        "kind": "scholarship",
        "amount": "",
        "percent": "10",
        "reason": "Bourse d'excellence",
        "approver_name": "M. le Directeur",
        **values,
    }


def test_an_adjustment_is_granted_said_so_and_listed_on_the_schedule_page(
    finance_client, cashier, plan
):
    cohort, (_, second) = plan
    (student,) = students(cohort, 1)
    url = reverse("finance:adjustment_new", args=[cohort.slug])
    assert finance_client.get(url, HTTP_ACCEPT_LANGUAGE="ar").status_code == 200
    response = finance_client.post(url, _adjustment(student, second))
    assert response.status_code == 302
    assert response["Location"] == reverse("finance:schedule", args=[cohort.slug])
    adjustment = Adjustment.objects.get()
    assert (adjustment.percent, adjustment.approved_by, adjustment.approver_name) == (
        D("10.00"), cashier, "M. le Directeur",
    )  # fmt: skip
    expected = gettext("%(kind)s of %(off)s granted to %(student)s on %(instalment)s.") % {
        "kind": gettext("Scholarship"),
        "off": "10,00 %",
        "student": student.registration_number,
        "instalment": second,
    }
    assert [str(m) for m in get_messages(response.wsgi_request)] == [expected]
    page = finance_client.get(reverse("finance:schedule", args=[cohort.slug]))
    assert page.context["overview"].adjustments == [adjustment]
    assert "Bourse d&#x27;excellence" in page.content.decode()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"percent": ""}, "amount", "Give either an amount or a percentage."),
        ({"amount": "1000"}, "amount", "Give either an amount or a percentage."),
        ({"percent": "150"}, "percent", "A percentage is 100 at most."),
        ({"percent": "", "amount": "10,001"}, "amount", "An amount has at most two decimals."),
        ({"percent": "", "amount": "300000"}, "amount",
         "The adjustments would exceed the amount of the instalment."),
        ({"reason": " "}, "reason", "Say why."),
        ({"approver_name": ""}, "approver_name", "Name the person who approved it."),
    ],
)  # fmt: skip
def test_a_refused_adjustment_says_why_next_to_the_field_and_stores_nothing(
    finance_client, plan, values, field, message
):
    cohort, (_, second) = plan
    (student,) = students(cohort, 1)
    response = finance_client.post(
        reverse("finance:adjustment_new", args=[cohort.slug]),
        _adjustment(student, second, **values),
    )
    assert response.status_code == 400
    assert _errors(response) == {field: [gettext(message)]}
    assert not Adjustment.objects.exists()


def test_an_adjustment_on_an_invoiced_instalment_is_refused_on_the_instalment(
    finance_client, cashier, plan
):
    cohort, (first, _) = plan
    (student,) = students(cohort, 1)
    invoice_issue(actor=cashier, students=[student], instalments=[first])
    response = finance_client.post(
        reverse("finance:adjustment_new", args=[cohort.slug]), _adjustment(student, first)
    )
    assert response.status_code == 400
    assert _errors(response) == {
        "instalment": [gettext("This instalment is already invoiced: issue a credit note instead.")]
    }
    assert not Adjustment.objects.exists()


def test_the_adjustment_form_offers_only_the_cohorts_students(finance_client, plan):
    cohort, (first, _) = plan
    (mine,) = students(cohort, 1)
    (stranger,) = students(CohortFactory.create(), 1)
    response = finance_client.post(
        reverse("finance:adjustment_new", args=[cohort.slug]), _adjustment(stranger, first)
    )
    assert response.status_code == 400
    assert list(_errors(response)) == ["student"]
    assert list(response.context["form"].fields["student"].queryset) == [mine]


# --- Issuing invoices -----------------------------------------------------------------------
@pytest.fixture
def sponsored(cashier, plan):
    """Four students of the cohort: a and b sponsored at 70 % by a cluster (group A), c pays
    alone (group B), d withdrawn."""
    cohort, instalments = plan
    a, b, c, d = students(cohort, 4)
    Student.objects.filter(pk__in=[a.pk, b.pk]).update(group="A")
    Student.objects.filter(pk=c.pk).update(group="B")
    Student.objects.filter(pk=d.pk).update(status=Student.Status.WITHDRAWN)
    cluster = OrganisationFactory.create(name_fr="Cluster Agroalimentaire")
    for student in (a, b):
        sponsorship_confirm(actor=cashier, student=student, organisation=cluster, share=D("70"))
    return {"cohort": cohort, "instalments": instalments, "cluster": cluster,
            "a": a, "b": b, "c": c, "d": d}  # fmt: skip


def _issue_url(cohort) -> str:
    return reverse("finance:invoice_issue", args=[cohort.slug])


def _choice(students_: list[Student], instalments: list[Instalment], **extra: str) -> dict:
    return {
        "students": [s.pk for s in students_],
        "instalments": [i.pk for i in instalments],
        **extra,
    }


def test_the_issue_page_ticks_the_active_students_in_french_and_in_arabic(
    finance_client, sponsored
):
    url = _issue_url(sponsored["cohort"])
    response = finance_client.get(url)
    assert response.status_code == 200
    assert [s.pk for s in response.context["candidates"]] == [sponsored[k].pk for k in "abcd"]
    assert response.context["chosen_students"] == {str(sponsored[k].pk) for k in "abc"}
    html = response.content.decode()
    assert f'value="{sponsored["d"].pk}" id="student-{sponsored["d"].pk}">' in html
    assert f'value="{sponsored["a"].pk}" id="student-{sponsored["a"].pk}" checked>' in html
    arabic = finance_client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
    assert arabic.status_code == 200
    assert 'dir="rtl"' in arabic.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [({"group": "B"}, "c"), ({"sponsor": "cluster"}, "ab"), ({"sponsor": "null"}, "cd")],
)
def test_the_students_to_invoice_are_filtered_by_group_and_sponsor(
    finance_client, sponsored, query, expected
):
    if query.get("sponsor") == "cluster":
        query = {"sponsor": sponsored["cluster"].pk}
    response = finance_client.get(_issue_url(sponsored["cohort"]), query)
    assert [s.pk for s in response.context["candidates"]] == [sponsored[k].pk for k in expected]


def test_the_preview_issues_nothing_and_shows_exactly_what_is_then_issued(
    finance_client, sponsored
):
    cohort, (first, second) = sponsored["cohort"], sponsored["instalments"]
    data = _choice([sponsored[k] for k in "abc"], [first, second])
    preview = finance_client.post(_issue_url(cohort), data)
    assert preview.status_code == 200
    assert not Invoice.objects.exists()
    planned = preview.context["plan"].invoices
    expected = [
        (p.payer_organisation or p.payer_student,
         [(line.student.pk, line.instalment.pk, line.amount) for line in p.lines])
        for p in planned
    ]  # fmt: skip
    # the cluster's one invoice groups a and b; a, b and c each get their own.
    assert [payer for payer, _ in expected] == [
        sponsored["cluster"], sponsored["a"], sponsored["b"], sponsored["c"],
    ]  # fmt: skip
    a, b = sponsored["a"].pk, sponsored["b"].pk
    assert expected[0][1] == [
        (a, first.pk, D("210000.00")), (a, second.pk, D("140000.00")),
        (b, first.pk, D("210000.00")), (b, second.pk, D("140000.00")),
    ]  # fmt: skip
    html = preview.content.decode()
    assert 'name="confirm" value="yes"' in html
    assert html.count('data-testid="planned-invoice"') == 4
    assert '<td class="number" data-testid="planned-total">700\xa0000,00</td>' in html

    result = finance_client.post(_issue_url(cohort), {**data, "confirm": "yes"}, follow=True)
    assert result.redirect_chain == [(reverse("finance:invoice_issued", args=[cohort.slug]), 302)]
    invoices = list(Invoice.objects.order_by("number"))
    issued = [
        (invoice.payer_organisation or invoice.payer_student,
         [(line.student_id, line.instalment_id, line.amount)
          for line in invoice.lines.order_by("pk")])
        for invoice in invoices
    ]  # fmt: skip
    assert issued == expected
    assert [i.number for i in result.context["issued"]] == [i.number for i in invoices]
    assert result.context["skipped"] == []


def test_issuing_twice_issues_nothing_more_and_names_the_invoices_already_issued(
    finance_client, cashier, sponsored
):
    cohort, (first, _) = sponsored["cohort"], sponsored["instalments"]
    c = sponsored["c"]
    (earlier,) = invoice_issue(actor=cashier, students=[c], instalments=[first])
    data = _choice([sponsored["a"], c], [first], confirm="yes")
    once = finance_client.post(_issue_url(cohort), data, follow=True)
    assert once.status_code == 200
    assert len(once.context["issued"]) == 2  # the cluster's and a's; c's was issued before
    assert once.context["skipped"] == [
        {"registration_number": c.registration_number, "instalment": str(first),
         "sponsor": "", "number": earlier.number},
    ]  # fmt: skip
    assert f'href="{reverse("finance:invoice_detail", args=[earlier.number])}"' in (
        once.content.decode()
    )
    count = Invoice.objects.count()
    twice = finance_client.post(_issue_url(cohort), data, follow=True, HTTP_ACCEPT_LANGUAGE="ar")
    assert twice.status_code == 200
    assert 'dir="rtl"' in twice.content.decode()
    assert twice.context["issued"] == []
    assert len(twice.context["skipped"]) == 3
    assert Invoice.objects.count() == count
    preview = finance_client.post(_issue_url(cohort), _choice([sponsored["a"], c], [first]))
    assert 'data-testid="nothing-to-issue"' in preview.content.decode()
    assert 'name="confirm"' in preview.content.decode()  # the hidden field, but no button
    assert gettext("Issue %(counter)s invoice") % {"counter": 1} not in preview.content.decode()


def test_an_unconfirmed_sponsorship_is_named_and_nothing_is_issued(finance_client, sponsored):
    cohort, (first, _) = sponsored["cohort"], sponsored["instalments"]
    c = sponsored["c"]
    Sponsorship.objects.create(student=c, organisation=OrganisationFactory.create(), share=30)
    message = gettext("The sponsorship of %(student)s is not confirmed yet.") % {
        "student": c.registration_number
    }
    for extra in ({}, {"confirm": "yes"}):
        response = finance_client.post(_issue_url(cohort), _choice([c], [first], **extra))
        assert response.status_code == 400
        assert _errors(response) == {"students": [message]}
        assert f'data-testid="students-error">{escape(message)}</p>' in response.content.decode()
    assert not Invoice.objects.exists()


def test_a_student_of_another_cohort_is_named_and_nothing_is_issued(finance_client, sponsored):
    cohort, (first, _) = sponsored["cohort"], sponsored["instalments"]
    (stranger,) = students(CohortFactory.create(), 1)
    response = finance_client.post(
        _issue_url(cohort), _choice([sponsored["c"], stranger], [first], confirm="yes")
    )
    assert response.status_code == 400
    assert _errors(response) == {
        "students": [
            gettext("Not in the cohort %(cohort)s: %(students)s.")
            % {"cohort": cohort, "students": stranger.registration_number}
        ]
    }
    assert not InvoiceLine.objects.exists()


def test_the_result_page_without_an_issue_leads_back_to_the_issue_page(finance_client, plan):
    cohort, _ = plan
    response = finance_client.get(reverse("finance:invoice_issued", args=[cohort.slug]))
    assert response.status_code == 302
    assert response["Location"] == _issue_url(cohort)


def test_choosing_nothing_says_what_is_missing_next_to_each_list(finance_client, sponsored):
    response = finance_client.post(_issue_url(sponsored["cohort"]), {})
    assert response.status_code == 400
    assert _errors(response) == {
        "instalments": [gettext("Choose at least one instalment.")],
        "students": [gettext("Choose at least one student.")],
    }


def test_an_instalment_of_another_cohort_is_refused(finance_client, cashier, sponsored):
    _, (other, _) = schedule_with_instalments(actor=cashier)
    response = finance_client.post(
        _issue_url(sponsored["cohort"]), _choice([sponsored["c"]], [other], confirm="yes")
    )
    assert response.status_code == 400
    assert list(_errors(response)) == ["instalments"]
    assert not Invoice.objects.exists()


# --- An invoice -----------------------------------------------------------------------------
@pytest.fixture
def paid_in_part(cashier, plan):
    """An invoice of 500,000 DZD: 100,000 paid by transfer, a credit note of 50,000."""
    cohort, instalments = plan
    (student,) = students(cohort, 1)
    (invoice,) = invoice_issue(actor=cashier, students=[student], instalments=instalments)
    payment = payment_record(
        actor=cashier, student=student, method="transfer", reference="VIR 12",
        paid_on=PAST, amount=D("100000"), proof=pdf_upload("ordre.pdf"),
    ).payment  # fmt: skip
    credit_note_issue(actor=cashier, invoice=invoice, amount=D("50000"), reason="Remise tardive")
    return invoice, payment


def test_the_invoice_page_shows_lines_settlements_credit_notes_and_history_in_french(
    finance_client, paid_in_part
):
    invoice, payment = paid_in_part
    response = finance_client.get(reverse("finance:invoice_detail", args=[invoice.number]))
    assert response.status_code == 200
    detail = response.context["detail"]
    # the payment settles the first (oldest) line, the credit note the last one
    assert [line.open for line in detail.lines] == [D("200000.00"), D("150000.00")]
    assert detail.invoice.left == D("350000.00")
    assert [(a.payment, a.credit_note is not None, a.amount) for a in detail.allocations] == [
        (payment, False, D("100000.00")), (None, True, D("50000.00")),
    ]  # fmt: skip
    kinds = [row["event"].kind for row in response.context["history"]]
    assert kinds == ["invoice", "payment", "credit_note"]
    html = response.content.decode()
    assert '<dd class="number" data-testid="left">350\xa0000,00</dd>' in html
    left = gettext("Left to pay (DZD)")
    # The credit note's "before" and "after", as the history stores them.
    assert gettext("%(label)s: %(value)s") % {"label": left, "value": "400000,00"} in html
    assert gettext("%(label)s: %(value)s") % {"label": left, "value": "350000,00"} in html
    assert reverse("finance:payment_detail", args=[payment.pk]) in html
    assert reverse("finance:credit_note_new", args=[invoice.number]) in html


def test_the_invoice_page_in_english_and_in_arabic(finance_client, paid_in_part):
    invoice, _ = paid_in_part
    url = reverse("finance:invoice_detail", args=[invoice.number])
    english = finance_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<dd class="number" data-testid="left">350,000.00</dd>' in english
    arabic = finance_client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
    assert arabic.status_code == 200
    assert 'dir="rtl"' in arabic.content.decode()


def test_the_invoice_pdf_is_linked_when_ready_and_said_to_be_prepared_before(
    finance_client, paid_in_part
):
    invoice, _ = paid_in_part
    url = reverse("finance:invoice_detail", args=[invoice.number])
    FinanceDocument.objects.filter(invoice=invoice).delete()
    assert 'data-testid="pdf-pending"' in finance_client.get(url).content.decode()
    document = FinanceDocument.objects.create(kind="invoice", invoice=invoice)
    assert 'data-testid="pdf-link"' not in finance_client.get(url).content.decode()
    FinanceDocument.objects.filter(pk=document.pk).update(status="ready")
    html = finance_client.get(url).content.decode()
    assert (
        f'<a href="{reverse("finance:document", args=[document.pk])}" data-testid="pdf-link">'
        in html
    )


def test_an_unknown_invoice_is_not_found(finance_client):
    assert (
        finance_client.get(reverse("finance:invoice_detail", args=["FAC-1999-0001"])).status_code
        == 404
    )


# --- Credit notes ---------------------------------------------------------------------------
def test_a_credit_note_is_confirmed_then_issued_and_leads_back_to_the_invoice(
    finance_client, paid_in_part
):
    invoice, _ = paid_in_part
    url = reverse("finance:credit_note_new", args=[invoice.number])
    assert finance_client.get(url, HTTP_ACCEPT_LANGUAGE="ar").status_code == 200
    data = {"amount": "1500,50", "reason": "Erreur sur le libellé"}
    asked = finance_client.post(url, data)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert 'data-testid="confirmation"' in html
    assert '<input type="hidden" name="amount" value="1500.50">' in html
    assert CreditNote.objects.count() == 1  # the fixture's only
    done = finance_client.post(url, {**data, "amount": "1500.50", "confirm": "yes"})
    assert done.status_code == 302
    assert done["Location"] == reverse("finance:invoice_detail", args=[invoice.number])
    note = CreditNote.objects.latest("pk")
    assert (note.amount, note.reason) == (D("1500.50"), "Erreur sur le libellé")
    expected = gettext("Credit note %(credit_note)s of %(amount)s DZD issued on %(number)s.") % {
        "credit_note": note.number, "amount": "1\xa0500,50", "number": invoice.number,
    }  # fmt: skip
    assert [str(m) for m in get_messages(done.wsgi_request)] == [expected]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"amount": "350000,01", "reason": "x"},
            "Only %(left)s DZD are left to pay on %(number)s.",
        ),
        ({"amount": "0", "reason": "x"}, "The amount must be more than zero."),
        ({"amount": "10,001", "reason": "x"}, "An amount has at most two decimals."),
        ({"amount": "10", "reason": ""}, "Say why the invoice is corrected."),
    ],
)
@pytest.mark.parametrize("confirm", [{}, {"confirm": "yes"}])
def test_a_refused_credit_note_says_why_next_to_the_field_and_stores_nothing(
    finance_client, paid_in_part, data, message, confirm
):
    invoice, _ = paid_in_part
    response = finance_client.post(
        reverse("finance:credit_note_new", args=[invoice.number]), {**data, **confirm}
    )
    assert response.status_code == 400
    field = "reason" if message == "Say why the invoice is corrected." else "amount"
    expected = gettext(message) % {"left": "350\xa0000,00", "number": invoice.number}
    assert _errors(response) == {field: [expected]}
    assert CreditNote.objects.count() == 1


# --- Payments -------------------------------------------------------------------------------
@pytest.fixture
def payments(cashier, plan):
    """s paid 100,000 by transfer (on its invoice), the cluster 5,000 in cash (all credit),
    and a student of another cohort 20 by cheque."""
    cohort, (first, _) = plan
    (s,) = students(cohort, 1)
    invoice_issue(actor=cashier, students=[s], instalments=[first])
    cluster = OrganisationFactory.create(name_fr="Cluster Électronique")
    (other,) = students(CohortFactory.create(), 1)
    return {
        "cohort": cohort,
        "s": payment_record(actor=cashier, student=s, method="transfer", reference="VIR 9",
                            paid_on=PAST, amount=D("100000")).payment,
        "cluster": payment_record(actor=cashier, organisation=cluster, method="cash",
                                  paid_on=dt.date(2026, 2, 1), amount=D("5000")).payment,
        "other": payment_record(actor=cashier, student=other, method="cheque", reference="CHQ 4",
                                paid_on=dt.date(2026, 1, 5), amount=D("20")).payment,
    }  # fmt: skip


def _pks(response) -> list[int]:
    return [p.pk for p in response.context["page"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["cluster", "s", "other"]),
        ({"method": "cash"}, ["cluster"]),
        ({"payer": "organisation"}, ["cluster"]),
        ({"payer": "student"}, ["s", "other"]),
        ({"q": "electronique"}, ["cluster"]),
        ({"q": "vir 9"}, ["s"]),
        ({"paid_after": "2026-01-10", "paid_before": "2026-01-31"}, ["s"]),
    ],
)
def test_the_payments_are_filtered(finance_client, payments, query, expected):
    response = finance_client.get(reverse("finance:payments"), query)
    assert _pks(response) == [payments[k].pk for k in expected]


def test_the_payments_are_filtered_by_cohort_also_for_a_sponsor(finance_client, cashier, payments):
    response = finance_client.get(reverse("finance:payments"), {"cohort": payments["cohort"].pk})
    assert _pks(response) == [payments["s"].pk]


def test_the_payment_list_in_french_and_arabic_and_its_query_count(
    finance_client, payments, cashier, django_assert_num_queries
):
    url = reverse("finance:payments")
    html = finance_client.get(url).content.decode()
    assert reverse("finance:payment_detail", args=[payments["s"].pk]) in html
    assert '<td class="number">5\xa0000,00</td>' in html
    assert 'dir="rtl"' in finance_client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    with django_assert_num_queries(QUERIES):
        finance_client.get(url)
    (more,) = students(payments["cohort"], 1)
    for n in range(3):
        payment_record(actor=cashier, student=more, method="cash", paid_on=PAST, amount=D(n + 1))
    with django_assert_num_queries(QUERIES):
        finance_client.get(url)


# The session, the user and its second factor; the count, the page and the filter's cohorts.
QUERIES = 7


def test_the_payments_export_as_csv_and_xlsx(finance_client, payments):
    url = reverse("finance:payments")
    text = finance_client.get(url, {"format": "csv", "method": "cash"}).content.decode("utf-8")
    header, row = text.lstrip("\ufeff").splitlines()
    assert header.split(";")[0] == gettext("Date")
    assert row.split(";")[-3:] == ["5000,00", "0,00", "5000,00"]
    response = finance_client.get(url, {"format": "xlsx", "method": "transfer"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][3:] == ("VIR 9", 100000, 100000, 0)


def test_the_payment_page_shows_what_it_settles_and_the_credit_kept(finance_client, payments):
    url = reverse("finance:payment_detail", args=[payments["cluster"].pk])
    response = finance_client.get(url)
    assert response.status_code == 200
    assert response.context["detail"].allocations == []
    html = response.content.decode()
    assert '<dd class="number" data-testid="credit">5\xa0000,00</dd>' in html
    assert 'data-testid="proof-link"' not in html
    assert 'dir="rtl"' in finance_client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    settled = finance_client.get(reverse("finance:payment_detail", args=[payments["s"].pk]))
    (allocation,) = settled.context["detail"].allocations
    assert allocation.amount == D("100000.00")
    assert '<dd class="number" data-testid="credit">0,00</dd>' in settled.content.decode()


def test_the_proof_is_downloaded_by_finance_only(finance_client, persona_client, paid_in_part):
    _, payment = paid_in_part
    url = reverse("finance:payment_proof", args=[payment.pk])
    html = finance_client.get(reverse("finance:payment_detail", args=[payment.pk])).content
    assert url in html.decode()
    response = finance_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert persona_client("coordinator").get(url).status_code == 403


def test_a_payment_without_proof_has_no_download(finance_client, payments):
    url = reverse("finance:payment_proof", args=[payments["cluster"].pk])
    assert finance_client.get(url).status_code == 404


def test_the_cohorts_page_leads_to_a_new_cohorts_fee_schedule(finance_client, plan):
    fresh = CohortFactory.create()
    html = finance_client.get(reverse("finance:cohorts")).content.decode()
    assert reverse("finance:schedule", args=[fresh.slug]) in html
    assert reverse("finance:invoice_issue", args=[plan[0].slug]) in html
    assert reverse("finance:invoice_issue", args=[fresh.slug]) not in html
    arabic = finance_client.get(reverse("finance:cohorts"), HTTP_ACCEPT_LANGUAGE="ar")
    assert 'dir="rtl"' in arabic.content.decode()
