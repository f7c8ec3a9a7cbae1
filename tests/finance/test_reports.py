"""Finance's reports (#13): the overdue list, the sponsors' balances, the dashboard's chart
and the accounting export — filtered, exported to CSV and Excel, every figure read from
``finance.selectors``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from finance import journal, selectors
from finance.models import Invoice, Payment
from finance.services.invoices import credit_note_issue, invoice_issue
from finance.services.payments import payment_record
from finance.services.schedules import sponsorship_confirm
from tests.factories.finance import PAST, schedule_with_instalments, students
from tests.factories.partners import OrganisationFactory
from tests.helpers import mfa_login

pytestmark = pytest.mark.django_db
D = Decimal
PAID_ON = dt.date(2026, 2, 10)


@pytest.fixture
def cashier(make_user):
    return make_user("finance")


@pytest.fixture
def finance_client(cashier) -> Client:
    client = Client()
    mfa_login(client, cashier)
    return client


@pytest.fixture
def money(cashier):
    """Cohort 1: a pays 100,000 of their 300,000 first instalment; b is sponsored at 70 % by
    a cluster, which paid 250,000 (40,000 more than its 210,000 due: kept as credit); c got
    a credit note of 50,000. Cohort 2: e owes their first instalment."""
    _, (first, _second) = schedule_with_instalments(actor=cashier)
    cohort = first.schedule.cohort
    a, b, c = students(cohort, 3)
    cluster = OrganisationFactory.create(name_fr="Cluster Agroalimentaire")
    sponsorship_confirm(actor=cashier, student=b, organisation=cluster, share=D("70"))
    invoice_issue(actor=cashier, students=[a, b, c], instalments=[first])
    payment_record(actor=cashier, student=a, method="cash", paid_on=PAID_ON, amount=D("100000"))
    payment_record(
        actor=cashier, organisation=cluster, method="transfer", reference="VIR-1",
        paid_on=PAID_ON, amount=D("250000"),
    )  # fmt: skip
    credit_note_issue(
        actor=cashier, invoice=Invoice.objects.get(payer_student=c), amount=D("50000"),
        reason="Erreur de tarif",
    )  # fmt: skip
    _, (other_first, _) = schedule_with_instalments(actor=cashier)
    (e,) = students(other_first.schedule.cohort, 1)
    invoice_issue(actor=cashier, students=[e], instalments=[other_first])
    return {"cohort": cohort, "other": other_first.schedule.cohort, "cluster": cluster,
            "a": a, "b": b, "c": c, "e": e}  # fmt: skip


def _rows(html: str, attribute: str) -> dict[str, list[str]]:
    return {
        key: re.findall(r'<td class="number">([^<]*)</td>', row)
        for key, row in re.findall(rf'{attribute}="([^"]+)">(.*?)</tr>', html, re.S)
    }


# --- Overdue ----------------------------------------------------------------------------------
def test_the_overdue_list_shows_what_is_left_on_each_late_line(finance_client, money):
    html = finance_client.get(reverse("finance:overdue")).content.decode()
    rows = _rows(html, "data-line")
    days = str((timezone.localdate() - PAST).days)
    # a: 200,000 left; b: their 30 % (90,000); c: 250,000 after the credit note; e: 300,000.
    # The cluster's 210,000 line is paid: not listed.
    assert sorted(rows.values()) == sorted(
        [
            [days, "200\xa0000,00"],
            [days, "90\xa0000,00"],
            [days, "250\xa0000,00"],
            [days, "300\xa0000,00"],
        ]
    )
    assert money["a"].registration_number in html
    assert "Cluster Agroalimentaire" not in html


def test_the_overdue_list_filters_by_cohort_sponsor_and_days_late(cashier, money):
    cluster = money["cluster"]
    _, in_cohort = selectors.overdue_list(user=cashier, filters={"cohort": money["other"].pk})
    assert [row.line.student for row in in_cohort] == [money["e"]]
    OrganisationFactory.create()  # never invoiced: not offered as a sponsor to filter on
    # The cluster paid its share: nothing of it is overdue.
    _, of_sponsor = selectors.overdue_list(user=cashier, filters={"sponsor": cluster.pk})
    assert of_sponsor == []
    late_days = (timezone.localdate() - PAST).days
    _, late = selectors.overdue_list(user=cashier, filters={"days": late_days})
    assert len(late) == 4
    _, later = selectors.overdue_list(user=cashier, filters={"days": late_days + 1})
    assert later == []
    filterset, _ = selectors.overdue_list(user=cashier, filters={})
    offered = list(filterset.form.fields["sponsor"].queryset)
    assert offered == [cluster]


def test_the_overdue_list_exports_csv_with_semicolons_in_french_and_xlsx(finance_client, money):
    response = finance_client.get(reverse("finance:overdue"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 4
    assert sorted(row[-1] for row in rows[1:]) == [
        "200000,00",
        "250000,00",
        "300000,00",
        "90000,00",
    ]
    response = finance_client.get(
        reverse("finance:overdue"), {"format": "xlsx", "cohort": money["other"].pk}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2
    assert sheet.cell(row=2, column=8).value == 300000


def test_the_overdue_list_makes_the_same_queries_whatever_the_number_of_lines(
    finance_client, money, cashier, django_assert_num_queries
):
    url = reverse("finance:overdue")
    finance_client.get(url)
    with CaptureQueriesContext(connection) as before:
        finance_client.get(url)
    _, (first, _) = schedule_with_instalments(actor=cashier)
    invoice_issue(actor=cashier, students=students(first.schedule.cohort, 5), instalments=[first])
    with django_assert_num_queries(len(before)):
        html = finance_client.get(url).content.decode()
    assert len(_rows(html, "data-line")) == 9


def test_the_coordination_reads_the_overdue_list_without_finances_links(persona_client, money):
    html = persona_client("coordinator").get(reverse("finance:overdue")).content.decode()
    assert money["a"].registration_number in html
    assert reverse("finance:payment_new") not in html
    assert reverse("finance:invoice_detail", args=["FAC-2026-0001"]) not in html


# --- Sponsors ---------------------------------------------------------------------------------
def test_the_sponsors_page_shows_participants_invoiced_paid_balance_and_overdue(
    finance_client, cashier, money
):
    late = OrganisationFactory.create(name_fr="Zeta Électronique")
    _, (first, _) = schedule_with_instalments(actor=cashier)
    (f,) = students(first.schedule.cohort, 1)
    sponsorship_confirm(actor=cashier, student=f, organisation=late, share=D("50"))
    invoice_issue(actor=cashier, students=[f], instalments=[first])
    html = finance_client.get(reverse("finance:sponsors")).content.decode()
    rows = _rows(html, "data-organisation")
    # participants, invoiced, credited, paid, balance (40,000 kept as credit), overdue
    assert rows[str(money["cluster"].pk)] == [
        "1", "210\xa0000,00", "0,00", "250\xa0000,00", "-40\xa0000,00", "0,00",
    ]  # fmt: skip
    assert rows[str(late.pk)] == [
        "1", "150\xa0000,00", "0,00", "0,00", "150\xa0000,00", "150\xa0000,00",
    ]  # fmt: skip
    filtered = finance_client.get(reverse("finance:sponsors"), {"cohort": money["cohort"].pk})
    assert list(_rows(filtered.content.decode(), "data-organisation")) == [str(money["cluster"].pk)]
    response = finance_client.get(reverse("finance:sponsors"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3
    assert [cell.value for cell in sheet[3]] == [
        str(late), 1, 150000, 0, 0, 150000, 150000,
    ]  # fmt: skip


# --- Dashboard chart --------------------------------------------------------------------------
def test_the_dashboard_draws_a_bar_chart_per_cohort_and_per_sponsor_with_its_table(
    finance_client, money
):
    html = finance_client.get(reverse("finance:dashboard")).content.decode()
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    cohorts = re.search(r'data-testid="chart-cohorts">(.*?)</figure>', html, re.S)
    sponsors = re.search(r'data-testid="chart-sponsors">(.*?)</figure>', html, re.S)
    assert cohorts
    assert sponsors
    assert 'role="img"' in cohorts.group(1)
    # Two cohorts × expected, invoiced, received, overdue; one sponsor × three.
    assert cohorts.group(1).count("<rect x=") - 4 == 2 * 4  # less the legend's swatches
    assert sponsors.group(1).count('data-series="') == 3
    assert 'data-testid="finance-dashboard-sponsors"' in html
    # The largest figure spans the chart less the room for its value.
    widths = [float(w) for w in re.findall(r'width="([\d.]+)" height="14"', cohorts.group(1))]
    assert max(widths) == 510.0


def test_the_chart_grows_from_the_right_in_arabic(finance_client, money):
    html = finance_client.get(reverse("finance:dashboard"), HTTP_ACCEPT_LANGUAGE="ar").content
    chart = re.search(r'data-testid="chart-cohorts">(.*?)</figure>', html.decode(), re.S).group(1)  # type: ignore[union-attr]
    assert 'direction="rtl"' in chart
    bars = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="14"', chart)
    assert len(bars) == 2 * 4
    assert all(float(x) + float(w) == 640.0 for x, w in bars)


# --- Accounting export ------------------------------------------------------------------------
def test_every_piece_of_the_journal_balances_on_the_scf_accounts(cashier, money):
    book = journal.journal_for_user(user=cashier)
    pieces: dict[str, list[journal.JournalLine]] = defaultdict(list)
    for line in book.lines:
        pieces[line.piece].append(line)
    # Invoices of a, b, c, the cluster and e; the credit note; the two payments.
    assert len(pieces) == 5 + 1 + 2
    for lines in pieces.values():
        assert sum(line.debit for line in lines) == sum(line.credit for line in lines)
    assert book.debit == book.credit
    cluster_payment = Payment.objects.get(payer_organisation=money["cluster"])
    accounts = {
        (line.account, line.debit, line.credit)
        for line in book.lines
        if line.piece == f"REC-2026-{cluster_payment.pk:06d}"
    }
    assert accounts == {
        ("512", D("250000.00"), D("0.00")),
        ("411", D("0.00"), D("210000.00")),
        ("4191", D("0.00"), D("40000.00")),
    }
    cash = [line for line in book.lines if line.account == "53"]
    assert [(line.journal, line.debit) for line in cash] == [("CA", D("100000.00"))]
    note = [line for line in book.lines if line.piece.startswith("AVO-")]
    assert {(line.account, line.debit, line.credit) for line in note} == {
        ("706", D("50000.00"), D("0.00")),
        ("411", D("0.00"), D("50000.00")),
    }


def test_the_journal_filters_by_period_and_cohort(cashier, money):
    cohort = journal.journal_for_user(user=cashier, cohort=money["other"])
    assert {line.piece for line in cohort.lines} == {
        Invoice.objects.get(payer_student=money["e"]).number
    }
    period = journal.journal_for_user(user=cashier, date_from=PAID_ON, date_to=PAID_ON)
    assert {line.journal for line in period.lines} == {"BQ", "CA"}
    today = journal.journal_for_user(user=cashier, date_from=timezone.localdate())
    assert {line.journal for line in today.lines} == {"VT"}


def test_the_journal_exports_csv_and_xlsx_and_refuses_a_period_ending_before_it_starts(
    finance_client, money
):
    response = finance_client.get(reverse("finance:journal"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows[0]) == 8
    debit = sum(D(row[5].replace(",", ".")) for row in rows[1:])
    credit = sum(D(row[6].replace(",", ".")) for row in rows[1:])
    assert debit == credit > 0
    english = finance_client.get(
        reverse("finance:journal"), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.content.decode("utf-8-sig").splitlines()[0].count(",") == 7
    response = finance_client.get(reverse("finance:journal"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == len(rows)
    bad = finance_client.get(
        reverse("finance:journal"), {"date_from": "2026-03-01", "date_to": "2026-02-01"}
    )
    assert bad.status_code == 400
    assert 'data-testid="journal"' not in bad.content.decode()


def test_the_coordination_may_not_export_the_journal(persona_client):
    assert persona_client("coordinator").get(reverse("finance:journal")).status_code == 403
