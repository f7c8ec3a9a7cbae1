"""Finance's pages: the staff home entry, the dashboard, the invoices and a payment."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import load_workbook

from enrollment.models import Student
from finance import selectors
from finance.models import Invoice, Payment
from finance.services.invoices import credit_note_issue, invoice_issue
from finance.services.payments import payment_record
from finance.services.schedules import adjustment_grant, sponsorship_confirm
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


# --- Staff home -----------------------------------------------------------------------------
def test_finance_lands_on_the_staff_home_with_a_finance_entry_and_no_teaching_pages(
    finance_client,
):
    html = finance_client.get(reverse("staff_home")).content.decode()
    assert f'href="{reverse("finance:dashboard")}"' in html
    assert reverse("studies:my_sheets") not in html
    assert reverse("enrollment:my_reviews") not in html


def test_a_lecturer_sees_no_finance_entry(persona_client):
    html = persona_client("lecturer").get(reverse("staff_home")).content.decode()
    assert reverse("finance:dashboard") not in html
    assert reverse("studies:my_sheets") in html


# --- Dashboard ------------------------------------------------------------------------------
@pytest.fixture
def cohort_with_money(cashier):
    """Three students billed 500,000 DZD a year: a and b invoiced, d not yet (10 % off its
    second instalment), c withdrawn; a paid 100,000, b got a credit note of 50,000."""
    schedule, (first, second) = schedule_with_instalments(actor=cashier)
    cohort = schedule.cohort
    a, b, c, d = students(cohort, 4)
    Student.objects.filter(pk=c.pk).update(status=Student.Status.WITHDRAWN)
    adjustment_grant(
        actor=cashier, student=d, instalment=second, kind="scholarship", reason="Mérite",
        approver_name="M. Directeur", percent=D("10"),
    )  # fmt: skip
    invoice_issue(actor=cashier, students=[a, b], instalments=[first, second])
    payment_record(actor=cashier, student=a, method="cash", paid_on=PAST, amount=D("100000"))
    credit_note_issue(
        actor=cashier, invoice=Invoice.objects.get(payer_student=b), amount=D("50000"),
        reason="Erreur",
    )  # fmt: skip
    return cohort


def _row_of(html: str, cohort) -> list[str]:
    row = re.search(rf'data-cohort="{cohort.slug}">(.*?)</tr>', html, re.S)
    assert row is not None, html
    return re.findall(r'<td class="number">([^<]*)</td>', row.group(1))


def test_the_dashboard_shows_each_cohorts_figures_with_the_french_decimal_comma(
    finance_client, cohort_with_money
):
    html = finance_client.get(reverse("finance:dashboard")).content.decode()
    # expected: 3 × 500,000 − 10 % of 200,000; overdue: a's 200,000 and b's 300,000 left on
    # the first instalment (the credit note settled b's last line).
    assert _row_of(html, cohort_with_money) == [
        "1\xa0480\xa0000,00",
        "1\xa0000\xa0000,00",
        "50\xa0000,00",
        "100\xa0000,00",
        "500\xa0000,00",
    ]


def test_the_dashboard_reads_the_selectors_figures(cashier, cohort_with_money):
    (row,) = selectors.cohort_figures_for_user(user=cashier)
    totals = selectors.cohort_totals(cohort=cohort_with_money)
    assert (row.expected, row.totals.invoiced, row.totals.paid, row.totals.overdue) == (
        D("1480000.00"), totals.invoiced, totals.paid, totals.overdue,
    )  # fmt: skip


def test_the_dashboard_in_english_has_the_decimal_point_and_in_arabic_is_right_to_left(
    finance_client, cohort_with_money
):
    english = finance_client.get(reverse("finance:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert _row_of(english.content.decode(), cohort_with_money)[0] == "1,480,000.00"
    arabic = finance_client.get(reverse("finance:dashboard"), HTTP_ACCEPT_LANGUAGE="ar")
    html = arabic.content.decode()
    assert 'dir="rtl"' in html
    assert _row_of(html, cohort_with_money)[0] == "1\xa0480\xa0000,00"


def test_the_dashboard_refuses_a_coordinator_even_though_they_may_read_balances(persona_client):
    assert persona_client("coordinator").get(reverse("finance:dashboard")).status_code == 403


# --- Invoices -------------------------------------------------------------------------------
@pytest.fixture
def invoices(cashier):
    """a paid in full, b sponsored at 70 % by a cluster, e in another cohort."""
    _, (first, _) = schedule_with_instalments(actor=cashier)
    cohort = first.schedule.cohort
    a, b = students(cohort, 2)
    cluster = OrganisationFactory.create(name_fr="Cluster Mécanique de précision")
    sponsorship_confirm(actor=cashier, student=b, organisation=cluster, share=D("70"))
    invoice_issue(actor=cashier, students=[a, b], instalments=[first])
    payment_record(
        actor=cashier, student=a, method="transfer", reference="V1", paid_on=PAST,
        amount=D("300000"),
    )  # fmt: skip
    _, (other_first, _) = schedule_with_instalments(actor=cashier)
    (e,) = students(other_first.schedule.cohort, 1)
    invoice_issue(actor=cashier, students=[e], instalments=[other_first])
    return {
        "cohort": cohort,
        "a": Invoice.objects.get(payer_student=a),
        "b": Invoice.objects.get(payer_student=b),
        "cluster": Invoice.objects.get(payer_organisation=cluster),
        "e": Invoice.objects.get(payer_student=e),
    }


def _numbers(response) -> set[str]:
    return {invoice.number for invoice in response.context["page"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"a", "b", "cluster", "e"}),
        ({"status": "paid"}, {"a"}),
        ({"status": "open"}, {"b", "cluster", "e"}),
        ({"payer": "organisation"}, {"cluster"}),
        ({"payer": "student"}, {"a", "b", "e"}),
        ({"q": "mecanique"}, {"cluster"}),
    ],
)
def test_the_invoices_are_filtered_by_status_payer_and_name(
    finance_client, invoices, query, expected
):
    response = finance_client.get(reverse("finance:invoices"), query)
    assert _numbers(response) == {invoices[key].number for key in expected}


def test_the_invoices_are_filtered_by_cohort_and_found_by_number(finance_client, invoices):
    url = reverse("finance:invoices")
    by_cohort = finance_client.get(url, {"cohort": invoices["cohort"].pk})
    assert _numbers(by_cohort) == {invoices[k].number for k in ("a", "b", "cluster")}
    by_number = finance_client.get(url, {"q": invoices["b"].number})
    assert _numbers(by_number) == {invoices["b"].number}
    registration = invoices["a"].payer_student.registration_number
    assert _numbers(finance_client.get(url, {"q": registration})) == {invoices["a"].number}


def test_the_invoices_are_paginated(finance_client, invoices, monkeypatch):
    monkeypatch.setattr("finance.views.lists.PER_PAGE", 3)
    url = reverse("finance:invoices")
    first, second = finance_client.get(url), finance_client.get(url, {"page": 2})
    assert len(_numbers(first)) == 3
    assert len(_numbers(second)) == 1
    everything = {invoices[k].number for k in ("a", "b", "cluster", "e")}
    assert _numbers(first) | _numbers(second) == everything


def test_the_invoice_list_takes_as_many_queries_for_more_invoices(
    finance_client, invoices, cashier, django_assert_num_queries
):
    url = reverse("finance:invoices")
    with django_assert_num_queries(QUERIES):
        finance_client.get(url)
    _, (first, _) = schedule_with_instalments(actor=cashier)
    invoice_issue(actor=cashier, students=students(first.schedule.cohort, 3), instalments=[first])
    with django_assert_num_queries(QUERIES):
        finance_client.get(url)


# The session, the user and its second factor; the count, the page and the filter's cohorts.
QUERIES = 7


def test_the_invoices_export_as_csv_in_the_readers_language(finance_client, invoices):
    url = reverse("finance:invoices")
    french = finance_client.get(url, {"format": "csv", "status": "paid"})
    assert french["Content-Type"].startswith("text/csv")
    text = french.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, row = text.lstrip("\ufeff").splitlines()
    assert header.split(";")[0] == gettext("Number")
    cells = row.split(";")
    assert cells[0] == invoices["a"].number
    assert cells[-2:] == ["300000,00", "0,00"]
    english = finance_client.get(
        url, {"format": "csv", "status": "paid"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.content.decode("utf-8").splitlines()[1].split(",")[-2:] == [
        "300000.00", "0.00",
    ]  # fmt: skip


def test_the_invoices_export_as_xlsx_with_numbers(finance_client, invoices):
    response = finance_client.get(
        reverse("finance:invoices"), {"format": "xlsx", "payer": "organisation"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == invoices["cluster"].number
    assert rows[1][4:] == (210000, 210000)


# --- Recording a payment --------------------------------------------------------------------
@pytest.fixture
def invoiced_student(cashier):
    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    invoice_issue(actor=cashier, students=[student], instalments=[first])
    return student


def _payment(**values: object) -> dict[str, object]:
    return {"method": "transfer", "reference": "VIR 77", "paid_on": "2026-01-20", **values}


def test_a_payment_typed_with_the_french_comma_is_recorded_and_said_so(
    finance_client, invoiced_student
):
    data = _payment(student=invoiced_student.registration_number.lower(), amount="1500,50")
    response = finance_client.post(reverse("finance:payment_new"), data)
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.payer_student, payment.amount, payment.reference) == (
        invoiced_student, D("1500.50"), "VIR 77",
    )  # fmt: skip
    expected = gettext("Payment of %(amount)s DZD recorded and allocated to open invoices.") % {
        "amount": "1\xa0500,50"
    }
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == expected


def test_a_payment_of_an_organisation_beyond_what_is_due_says_the_credit_kept(finance_client):
    cluster = OrganisationFactory.create()
    data = _payment(organisation=cluster.pk, amount="5000")
    response = finance_client.post(reverse("finance:payment_new"), data, follow=True)
    expected = gettext(
        "Payment of %(amount)s DZD recorded: %(allocated)s DZD settle open invoices and "
        "%(credit)s DZD, more than what was due, are kept as the payer's credit."
    ) % {"amount": "5\xa0000,00", "allocated": "0,00", "credit": "5\xa0000,00"}
    assert [str(m) for m in response.context["messages"]][-1] == expected
    assert Payment.objects.get().payer_organisation == cluster


def test_a_proof_is_kept_with_the_payment(finance_client, invoiced_student):
    data = _payment(
        student=invoiced_student.registration_number, amount="10", proof=pdf_upload("recu.pdf")
    )
    assert finance_client.post(reverse("finance:payment_new"), data).status_code == 302
    assert str(Payment.objects.get().proof.name).startswith("payments/")


def _refused(client: Client, data: dict[str, object]) -> dict[str, list[str]]:
    response = client.post(reverse("finance:payment_new"), data)
    assert response.status_code == 400
    assert not Payment.objects.exists()
    return response.context["form"].errors


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"amount": "10,001"}, "amount", "An amount has at most two decimals."),
        ({"amount": "0"}, "amount", "The amount must be more than zero."),
        ({"amount": "10", "reference": ""}, "reference", "Give the reference of the payment."),
        ({"amount": "10", "paid_on": "2099-01-01"}, "paid_on",
         "A payment cannot be dated in the future."),
    ],
)  # fmt: skip
def test_a_refused_payment_says_why_next_to_the_field(
    finance_client, invoiced_student, values, field, message
):
    data = _payment(student=invoiced_student.registration_number, **values)
    assert _refused(finance_client, data) == {field: [gettext(message)]}


def test_a_fake_proof_is_refused_on_its_field(finance_client, invoiced_student):
    fake = SimpleUploadedFile("recu.pdf", b"not a scan")
    data = _payment(student=invoiced_student.registration_number, amount="10", proof=fake)
    assert list(_refused(finance_client, data)) == ["proof"]


def test_a_duplicate_payment_is_refused_on_its_reference(finance_client, cashier, invoiced_student):
    payment_record(
        actor=cashier, student=invoiced_student, method="transfer", reference="VIR 77",
        paid_on=PAST, amount=D("10"),
    )  # fmt: skip
    data = _payment(student=invoiced_student.registration_number, amount="10,00")
    response = finance_client.post(reverse("finance:payment_new"), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["reference"]
    assert Payment.objects.count() == 1


def test_the_payer_is_a_known_student_or_an_organisation_but_not_both(
    finance_client, invoiced_student
):
    unknown = _refused(finance_client, _payment(student="MCRT-1999-0001", amount="10"))
    assert unknown == {
        "student": [
            gettext("No student has the registration number %(number)s.")
            % {"number": "MCRT-1999-0001"}
        ]
    }
    both = _payment(
        student=invoiced_student.registration_number,
        organisation=OrganisationFactory.create().pk,
        amount="10",
    )
    neither = _payment(amount="10")
    expected = gettext(
        "Give the registration number of the student, choose the organisation or give the "
        "application number of the applicant: one of them."
    )
    assert _refused(finance_client, both) == {"student": [expected]}
    assert _refused(finance_client, neither) == {"student": [expected]}


def test_the_payment_form_carries_a_csrf_token_and_sends_its_file(finance_client):
    html = finance_client.get(reverse("finance:payment_new")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'enctype="multipart/form-data"' in html
