"""Bank and CCP statements: reading the file, matching its lines to invoices, recording them
on confirmation only and once, under concurrency too; the command and the pages."""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook

from core.spreadsheets import SpreadsheetError
from enrollment.services.applications import application_submit
from finance.models import Allocation, MoneyEvent, Payment, StatementImport, StatementLine
from finance.services.application_fees import application_fee_invoices_issue
from finance.services.invoices import invoice_issue
from finance.services.payments import payment_record
from finance.services.schedules import schedule_set, sponsorship_confirm
from finance.services.statements import (
    Outcome,
    statement_confirm,
    statement_match,
    statement_proposal,
    statement_upload,
)
from finance.statements import read_statement
from tests.factories.enrollment import IntakeFactory, ready_application
from tests.factories.finance import (
    finance_user,
    schedule_with_instalments,
    statement_csv,
    students,
)
from tests.factories.partners import OrganisationFactory, pdf_bytes
from tests.helpers import mfa_login

pytestmark = pytest.mark.django_db
D = Decimal
NOV = "15/11/2026"


@pytest.fixture
def cashier(make_user):
    return make_user("finance")


@pytest.fixture
def billed(cashier):
    """Student a invoiced both instalments on two invoices (300,000 past due, 200,000 due
    later), student b the first one (300,000)."""
    _, (first, second) = schedule_with_instalments(actor=cashier)
    a, b = students(first.schedule.cohort, 2)
    (a_first,) = invoice_issue(actor=cashier, students=[a], instalments=[first])
    (a_second,) = invoice_issue(actor=cashier, students=[a], instalments=[second])
    (b_first,) = invoice_issue(actor=cashier, students=[b], instalments=[first])
    return {"a": a, "b": b, "a1": a_first, "a2": a_second, "b1": b_first}


def _rows(lines: list[str]):
    return read_statement(statement_csv(lines))


def _match(lines: list[str]):
    return statement_match(_rows(lines)).lines


# --- Reading --------------------------------------------------------------------------------
def test_a_semicolon_csv_with_bom_and_french_headers_is_read():
    (row,) = _rows([f"{NOV};1 234,50;FAC-2026-0001;SARL Atlas"])
    assert (row.row, row.booked_on, row.amount) == (2, dt.date(2026, 11, 15), D("1234.50"))
    assert (row.reference, row.payer, row.problems) == ("FAC-2026-0001", "SARL Atlas", [])


def test_a_comma_csv_in_windows_1252_with_english_headers_in_capitals_is_read():
    text = "Date,Amount,Reference,Payer\n2026-11-15,1234.50,VIR 118,Société Générale\n"
    upload = SimpleUploadedFile("statement.csv", text.encode("cp1252"))
    (row,) = read_statement(upload)
    assert (row.booked_on, row.amount, row.payer) == (
        dt.date(2026, 11, 15),
        D("1234.50"),
        "Société Générale",
    )


def test_an_xlsx_statement_with_date_and_number_cells_is_read():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Montant", "Référence", "Payeur"])
    sheet.append([dt.date(2026, 11, 15), 1234.5, 20260012, "ENP"])
    content = io.BytesIO()
    workbook.save(content)
    (row,) = read_statement(SimpleUploadedFile("releve.xlsx", content.getvalue()))
    assert (row.booked_on, row.amount, row.reference) == (
        dt.date(2026, 11, 15),
        D("1234.50"),
        "20260012",
    )


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("1.234,50", "1234.50"), ("1,234.50", "1234.50"), ("300000", "300000.00"),
     ("300 000,00 DA", "300000.00"), ("12,5", "12.50")],
)  # fmt: skip
def test_amounts_are_read_as_banks_write_them(amount, expected):
    (row,) = _rows([f"{NOV};{amount};X;Y"])
    assert row.amount == D(expected)


@pytest.mark.parametrize(
    ("date", "amount", "problem"),
    [
        (NOV, "-500,00", "the amount is negative (a debit): only money received is recorded"),
        (NOV, "0", "the amount is zero"),
        (NOV, "10,125", "the amount has more than two decimals"),
        (NOV, "1e5", "the amount %(amount)s is not a number"),
        (NOV, "", "the amount is missing"),
        (NOV, "mille", "the amount %(amount)s is not a number"),
        ("", "100", "the date is missing"),
        ("31/02/2026", "100", "the date %(date)s is not a date (YYYY-MM-DD or DD/MM/YYYY)"),
        ("2099-01-01", "100", "the date is in the future"),
    ],
)
def test_each_bad_line_is_reported_with_its_number_and_why(date, amount, problem):
    good, bad = _rows([f"{NOV};100;A;B", f"{date};{amount};A2;B"])
    assert good.valid
    assert bad.row == 3
    assert not bad.valid
    wanted = gettext(problem) % {"amount": amount, "date": date}
    assert bad.problems == [wanted]


def test_a_bad_line_is_shown_as_invalid_and_never_recorded(cashier, billed):
    good, bad = _match([f"{NOV};300000;{billed['b1'].number};B", f"{NOV};-1;X;Y"])
    assert good.outcome == Outcome.MATCHED
    assert (bad.outcome, bad.line.row) == (Outcome.INVALID, 3)


def test_a_pdf_named_csv_is_refused():
    upload = SimpleUploadedFile("releve.csv", pdf_bytes())
    with pytest.raises(SpreadsheetError) as caught:
        read_statement(upload)
    assert str(caught.value) == gettext("This is a PDF document, not a CSV or Excel file.")


def test_a_file_with_an_unknown_column_is_refused():
    upload = SimpleUploadedFile(
        "releve.csv", b"date;montant;reference;payeur;solde\n2026-11-15;1;A;B;0\n"
    )
    with pytest.raises(SpreadsheetError) as caught:
        read_statement(upload)
    assert str(caught.value) == gettext(
        "Unknown columns: %(unknown)s. The columns are %(expected)s, no other."
    ) % {
        "unknown": "solde",
        "expected": "date, amount, reference, payer (date, montant, référence, payeur)",
    }


def test_a_file_without_the_payer_column_is_refused():
    upload = SimpleUploadedFile("releve.csv", b"date;montant;reference\n2026-11-15;1;A\n")
    with pytest.raises(SpreadsheetError) as caught:
        read_statement(upload)
    assert str(caught.value) == gettext(
        "Missing columns: %(missing)s. The columns are %(expected)s."
    ) % {
        "missing": "payer",
        "expected": "date, amount, reference, payer (date, montant, référence, payeur)",
    }


def test_a_file_with_more_lines_than_the_limit_is_refused_whole(settings):
    settings.IMPORT_MAX_ROWS = 3
    with pytest.raises(SpreadsheetError) as caught:
        _rows([f"{NOV};{n};A{n};B" for n in range(1, 5)])
    assert str(caught.value) == gettext(
        "The file has more than %(n)s lines: split it. Nothing was imported."
    ) % {"n": 3}


# --- Matching -------------------------------------------------------------------------------
def test_an_exact_amount_naming_the_invoice_is_matched(billed):
    (line,) = _match([f"{NOV};300000,00;VIR {billed['b1'].number};B"])
    assert line.outcome == Outcome.MATCHED
    assert line.invoice_numbers == billed["b1"].number
    assert line.left == D("300000.00")


def test_the_invoice_number_is_found_in_lower_case_with_spaces_or_without_separators(billed):
    year, number = billed["b1"].number.split("-")[1:]
    references = [
        f"fac {year} {number}",
        f"FAC{year}{number}",
        f"paiement fac/{year}/{int(number)}",
    ]
    lines = _match([f"{NOV};100;{ref};B" for ref in references])
    assert [line.invoice_numbers for line in lines] == [billed["b1"].number] * 3


def test_a_smaller_amount_is_partial_and_a_larger_one_an_over_payment(billed):
    partial, over = _match(
        [f"{NOV};100000;{billed['b1'].number};B", f"{NOV};350000;{billed['a1'].number};A"]
    )
    assert partial.outcome == Outcome.PARTIAL
    assert over.outcome == Outcome.OVERPAYMENT
    assert over.reason == gettext(
        "%(credit)s DZD more than what is left to pay, kept as the payer's credit"
    ) % {"credit": "50\xa0000,00"}


def test_a_reference_without_any_known_invoice_or_student_is_unmatched(billed):
    unknown, nothing = _match([f"{NOV};100;FAC-2026-9999;B", f"{NOV};100;VIR 118;B"])
    assert (unknown.outcome, nothing.outcome) == (Outcome.UNMATCHED, Outcome.UNMATCHED)
    assert unknown.reason == gettext("no invoice %(number)s") % {"number": "FAC-2026-9999"}


def test_a_registration_number_proposes_the_students_open_invoices_oldest_first(billed):
    (line,) = _match([f"{NOV};500000;frais {billed['a'].registration_number.lower()};A"])
    assert line.outcome == Outcome.MATCHED
    assert line.invoice_numbers == f"{billed['a1'].number}, {billed['a2'].number}"


def test_an_application_fee_is_paid_by_a_line_naming_the_application_number(cashier, make_user):
    intake = IntakeFactory.create()
    schedule_set(
        actor=cashier, cohort=intake.cohort, tuition_per_year=D("500000"),
        application_fee=D("5000"),
    )  # fmt: skip
    applicant = make_user("applicant")
    application = ready_application(applicant, intake)
    application_submit(application=application, actor=applicant)
    (invoice,) = application_fee_invoices_issue(actor=cashier, intake=intake)
    statement = statement_upload(
        actor=cashier, upload=statement_csv([f"{NOV};5000;DOSSIER {application.number};X"])
    )
    (line,) = statement_proposal(user=cashier, statement=statement).lines
    assert (line.outcome, line.invoice_numbers) == (Outcome.MATCHED, invoice.number)
    statement_confirm(actor=cashier, statement=statement, method="ccp")
    assert Payment.objects.get().payer_application == application


def test_lines_of_one_file_paying_the_same_invoice_share_what_is_left(billed):
    first, second = _match(
        [f"{NOV};200000;{billed['b1'].number} a;B", f"{NOV};200000;{billed['b1'].number} b;B"]
    )
    assert (first.outcome, second.outcome) == (Outcome.PARTIAL, Outcome.OVERPAYMENT)
    assert second.left == D("100000.00")


def test_the_same_line_twice_in_a_file_is_a_duplicate_the_second_time(billed):
    line = f"{NOV};300000;{billed['b1'].number};B"
    first, second = _match([line, line])
    assert (first.outcome, second.outcome) == (Outcome.MATCHED, Outcome.DUPLICATE)
    assert second.reason == gettext("the same as line %(row)s") % {"row": 2}


def test_a_payment_already_recorded_by_hand_with_that_reference_is_not_proposed(cashier, billed):
    reference = f"VIR {billed['b1'].number}"
    payment_record(
        actor=cashier, student=billed["b"], method="transfer", reference=reference,
        paid_on=dt.date(2026, 11, 15), amount=D("300000"),
    )  # fmt: skip
    (line,) = _match([f"{NOV};300000;{reference};B"])
    assert line.outcome == Outcome.RECORDED


def test_matching_takes_the_same_number_of_queries_for_one_line_or_fifty(billed):
    # The invoices named, the fingerprints recorded, the payments of the same references.
    def queries(n: int) -> int:
        rows = _rows([f"{NOV};{k + 1};{billed['b1'].number} {k};B" for k in range(n)])
        with CaptureQueriesContext(connection) as context:
            statement_match(rows)
        return len(context)

    assert queries(1) == queries(50) == 3


# --- Recording --------------------------------------------------------------------------------
def test_uploading_and_reviewing_records_nothing(cashier, billed):
    statement = statement_upload(
        actor=cashier, upload=statement_csv([f"{NOV};300000;{billed['b1'].number};B"])
    )
    (line,) = statement_proposal(user=cashier, statement=statement).lines
    assert line.outcome == Outcome.MATCHED
    assert Payment.objects.count() == 0
    assert StatementLine.objects.count() == 0
    assert str(statement.file.name).startswith("statements/")


def test_confirming_records_each_matched_line_on_the_invoice_it_names(cashier, billed):
    # a's second invoice is named: the payment settles it, not the older first one.
    statement = statement_upload(
        actor=cashier,
        upload=statement_csv(
            [
                f"{NOV};200000;ccp {billed['a2'].number};Mme A",
                f"10/11/2026;350000;{billed['b1'].number};M. B",
                f"{NOV};10;VIR 118;Inconnu",
            ]
        ),
    )
    result = statement_confirm(actor=cashier, statement=statement, method="ccp")
    assert len(result.recorded) == 2
    assert [p.line.row for p in result.skipped] == [4]
    a_payment = Payment.objects.get(payer_student=billed["a"])
    assert (a_payment.method, a_payment.reference, a_payment.paid_on) == (
        "ccp",
        f"CCP {billed['a2'].number}",
        dt.date(2026, 11, 15),
    )
    assert {a.line.invoice_id for a in Allocation.objects.filter(payment=a_payment)} == {
        billed["a2"].pk
    }
    b_payment = Payment.objects.get(payer_student=billed["b"])
    assert sum(a.amount for a in b_payment.allocations.all()) == D("300000.00")
    line = StatementLine.objects.get(payment=b_payment)
    assert (line.row, line.amount, line.payer) == (3, D("350000.00"), "M. B")
    event = MoneyEvent.objects.get(kind=MoneyEvent.Kind.STATEMENT, payment=b_payment)
    assert event.actor == cashier
    assert event.after["outcome"] == Outcome.OVERPAYMENT
    assert event.after["credit"] == "50000.00"
    statement.refresh_from_db()
    assert statement.confirmed_by == cashier


def test_a_sponsors_grouped_invoice_is_paid_by_its_statement_line(cashier):
    _, (first, _) = schedule_with_instalments(actor=cashier)
    a, b = students(first.schedule.cohort, 2)
    cluster = OrganisationFactory.create()
    for student in (a, b):
        sponsorship_confirm(actor=cashier, student=student, organisation=cluster, share=D(70))
    invoices = invoice_issue(actor=cashier, students=[a, b], instalments=[first])
    grouped = next(i for i in invoices if i.payer_organisation_id == cluster.pk)
    statement = statement_upload(
        actor=cashier, upload=statement_csv([f"{NOV};420000;{grouped.number};Cluster"])
    )
    (line,) = statement_proposal(user=cashier, statement=statement).lines
    assert line.outcome == Outcome.MATCHED
    statement_confirm(actor=cashier, statement=statement, method="transfer")
    assert Payment.objects.get().payer_organisation == cluster


def test_a_file_imported_twice_is_recorded_once(cashier, billed):
    lines = [f"{NOV};300000;{billed['b1'].number};B"]
    first = statement_upload(actor=cashier, upload=statement_csv(lines))
    statement_confirm(actor=cashier, statement=first, method="transfer")
    second = statement_upload(actor=cashier, upload=statement_csv(lines))
    (line,) = statement_proposal(user=cashier, statement=second).lines
    assert line.outcome == Outcome.RECORDED
    with pytest.raises(ValidationError) as caught:
        statement_confirm(actor=cashier, statement=second, method="transfer")
    assert caught.value.code == "empty"
    assert Payment.objects.count() == 1


def test_an_import_is_confirmed_once(cashier, billed):
    statement = statement_upload(
        actor=cashier, upload=statement_csv([f"{NOV};100;{billed['b1'].number};B"])
    )
    statement_confirm(actor=cashier, statement=statement, method="transfer")
    with pytest.raises(ValidationError) as caught:
        statement_confirm(actor=cashier, statement=statement, method="transfer")
    assert caught.value.code == "confirmed"
    assert Payment.objects.count() == 1


def test_a_statement_is_recorded_as_transfers_or_ccp_only(cashier, billed):
    statement = statement_upload(
        actor=cashier, upload=statement_csv([f"{NOV};100;{billed['b1'].number};B"])
    )
    with pytest.raises(ValidationError) as caught:
        statement_confirm(actor=cashier, statement=statement, method="cash")
    assert caught.value.message_dict == {
        "method": [gettext("Choose how the statement's payments were made.")]
    }
    assert Payment.objects.count() == 0


def test_only_finance_uploads_or_confirms_a_statement(make_user, cashier, billed):
    coordinator = make_user("coordinator")
    with pytest.raises(PermissionDenied):
        statement_upload(actor=coordinator, upload=statement_csv([f"{NOV};1;A;B"]))
    statement = statement_upload(actor=cashier, upload=statement_csv([f"{NOV};1;A;B"]))
    with pytest.raises(PermissionDenied):
        statement_confirm(actor=coordinator, statement=statement, method="transfer")


def test_a_file_that_is_not_a_statement_is_not_kept(cashier):
    with pytest.raises(ValidationError) as caught:
        statement_upload(actor=cashier, upload=SimpleUploadedFile("r.csv", pdf_bytes()))
    assert caught.value.message_dict == {
        "file": [gettext("This is a PDF document, not a CSV or Excel file.")]
    }
    assert StatementImport.objects.count() == 0


# --- Concurrency (real threads on PostgreSQL) -------------------------------------------------
def _at_once(work, arguments) -> list[str]:
    barrier = threading.Barrier(len(arguments))
    outcomes: list[str] = []

    def run(argument) -> None:
        try:
            barrier.wait()
            work(argument)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.code or "invalid")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _statement_lines(billed) -> list[str]:
    return [
        f"{NOV};300000;{billed['b1'].number};B",
        f"{NOV};300000;{billed['a1'].number};A",
    ]


@pytest.mark.django_db(transaction=True)
def test_two_finance_users_confirming_the_same_import_at_once_record_it_once(cashier, billed):
    statement = statement_upload(actor=cashier, upload=statement_csv(_statement_lines(billed)))
    outcomes = _at_once(
        lambda user: statement_confirm(actor=user, statement=statement, method="transfer"),
        [cashier, finance_user()],
    )
    assert sorted(outcomes) == ["confirmed", "ok"]
    assert Payment.objects.count() == 2
    assert StatementLine.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_confirmed_at_once_record_each_line_once(cashier, billed):
    imports = [
        statement_upload(actor=cashier, upload=statement_csv(_statement_lines(billed)))
        for _ in range(2)
    ]
    outcomes = _at_once(
        lambda statement: statement_confirm(actor=cashier, statement=statement, method="ccp"),
        imports,
    )
    assert sorted(outcomes) == ["empty", "ok"]
    assert Payment.objects.count() == 2
    assert Allocation.objects.filter(payment__isnull=False).count() == 2


# --- The command ------------------------------------------------------------------------------
def _in_site_language(message: str) -> str:
    """A command speaks the site's language (LANGUAGE_CODE), whatever the test activated."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(message)


def _file(tmp_path, lines: list[str]) -> str:
    path = tmp_path / "releve.csv"
    path.write_bytes(statement_csv(lines).read())
    return str(path)


def test_the_command_prints_the_proposed_matches_and_records_nothing(tmp_path, billed):
    path = _file(tmp_path, [f"{NOV};300000;{billed['b1'].number};B", f"{NOV};-3;X;Y"])
    out = io.StringIO()
    call_command("import_statement", path, stdout=out)
    text = out.getvalue()
    assert billed["b1"].number in text
    assert gettext("Matched") in text
    assert gettext("Invalid line") in text
    assert gettext("Run again with --confirm to record %(n)s payment(s).") % {"n": 1} in text
    assert Payment.objects.count() == 0
    assert StatementImport.objects.count() == 0


def test_the_command_records_with_confirm_and_skips_what_is_recorded(tmp_path, cashier, billed):
    path = _file(tmp_path, [f"{NOV};300000;{billed['b1'].number};B"])
    call_command("import_statement", path, "--confirm", stdout=io.StringIO())
    payment = Payment.objects.get()
    assert (payment.recorded_by, payment.method) == (cashier, "transfer")
    out = io.StringIO()
    call_command("import_statement", path, "--confirm", stdout=out)
    assert gettext("Already recorded") in out.getvalue()
    assert gettext("No line can be recorded.") in out.getvalue()
    assert Payment.objects.count() == 1
    assert StatementImport.objects.count() == 1


def test_the_command_needs_a_finance_user_when_there_are_several(tmp_path, cashier, billed):
    other = finance_user()
    path = _file(tmp_path, [f"{NOV};300000;{billed['b1'].number};B"])
    with pytest.raises(CommandError) as caught:
        call_command("import_statement", path, "--confirm")
    assert str(caught.value) == gettext(
        "Give --user EMAIL: the finance user who records the payments."
    )
    call_command(
        "import_statement", path, "--confirm", "--user", other.email, "--method", "ccp",
        stdout=io.StringIO(),
    )  # fmt: skip
    assert Payment.objects.get().recorded_by == other


def test_the_command_refuses_a_user_who_is_not_finance(tmp_path, make_user, cashier, billed):
    coordinator = make_user("coordinator")
    path = _file(tmp_path, [f"{NOV};300000;{billed['b1'].number};B"])
    with pytest.raises(CommandError):
        call_command("import_statement", path, "--confirm", "--user", coordinator.email)
    assert Payment.objects.count() == 0


def test_the_command_refuses_a_file_that_is_not_a_statement(tmp_path):
    path = tmp_path / "releve.csv"
    path.write_bytes(b"date;montant\n2026-11-15;1\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_statement", str(path))
    assert str(caught.value).startswith(
        _in_site_language("Missing columns: %(missing)s. The columns are %(expected)s.")[:15]
    )


# --- The pages --------------------------------------------------------------------------------
@pytest.fixture
def finance_client(cashier) -> Client:
    client = Client()
    mfa_login(client, cashier)
    return client


def test_uploading_leads_to_the_review_where_nothing_is_recorded_yet(finance_client, billed):
    upload = statement_csv([f"{NOV};300000;{billed['b1'].number};B"])
    response = finance_client.post(reverse("finance:statements"), {"file": upload, "method": "ccp"})
    statement = StatementImport.objects.get()
    review = reverse("finance:statement_review", args=[statement.pk])
    assert response["Location"] == f"{review}?method=ccp"
    html = finance_client.get(response["Location"]).content.decode()
    assert 'data-outcome="matched"' in html
    assert billed["b1"].number in html
    assert 'value="ccp" selected' in html
    assert Payment.objects.count() == 0


def test_a_file_that_is_not_a_statement_is_refused_next_to_the_file_field(finance_client):
    upload = SimpleUploadedFile(
        "releve.csv", b"date;montant;reference;payeur;solde\n2026-11-15;1;A;B;0\n"
    )
    response = finance_client.post(
        reverse("finance:statements"), {"file": upload, "method": "transfer"}
    )
    assert response.status_code == 400
    (error,) = response.context["form"].errors["file"]
    assert error.startswith(
        _in_site_language("Unknown columns: %(unknown)s. The columns are %(expected)s, no other.")[
            :15
        ]
    )
    assert StatementImport.objects.count() == 0


def test_the_review_asks_for_confirmation_then_records_and_shows_what_was(
    finance_client, cashier, billed
):
    statement = statement_upload(
        actor=cashier, upload=statement_csv([f"{NOV};300000;{billed['b1'].number};B"])
    )
    url = reverse("finance:statement_review", args=[statement.pk])
    asked = finance_client.post(url, {"method": "ccp"})
    assert asked.status_code == 200
    assert 'data-testid="confirmation"' in asked.content.decode()
    assert Payment.objects.count() == 0
    done = finance_client.post(url, {"method": "ccp", "confirm": "yes"})
    assert done["Location"] == url
    assert Payment.objects.get().method == "ccp"
    (message,) = get_messages(done.wsgi_request)
    assert str(message) == gettext(
        "%(n)s payment recorded from the statement, %(amount)s DZD in all; %(skipped)s "
        "line not recorded."
    ) % {"n": 1, "amount": "300\xa0000,00", "skipped": 0}
    html = finance_client.get(url).content.decode()
    assert 'data-testid="recorded"' in html
    assert 'data-outcome="recorded"' in html
    assert 'data-testid="statement-confirm"' not in html


def test_the_review_links_the_other_imports_of_the_same_file(finance_client, cashier):
    first = statement_upload(actor=cashier, upload=statement_csv([f"{NOV};1;A;B"]))
    second = statement_upload(actor=cashier, upload=statement_csv([f"{NOV};1;A;B"]))
    html = finance_client.get(reverse("finance:statement_review", args=[second.pk])).content
    assert b'data-testid="same-file"' in html
    assert reverse("finance:statement_review", args=[first.pk]).encode() in html
    html = finance_client.get(reverse("finance:statement_review", args=[first.pk])).content
    assert reverse("finance:statement_review", args=[second.pk]).encode() in html


def test_the_review_of_a_large_statement_takes_a_fixed_number_of_queries(
    finance_client, cashier, billed, django_assert_max_num_queries
):
    lines = [f"{NOV};{n};{billed['b1'].number} {n};B" for n in range(1, 201)]
    statement = statement_upload(actor=cashier, upload=statement_csv(lines))
    url = reverse("finance:statement_review", args=[statement.pk])
    with django_assert_max_num_queries(12):
        response = finance_client.get(url)
    assert response.content.decode().count('data-outcome="partial"') == 200


def test_the_list_shows_past_imports_in_a_fixed_number_of_queries(
    finance_client, cashier, django_assert_max_num_queries
):
    for _ in range(5):
        statement_upload(actor=cashier, upload=statement_csv([f"{NOV};1;A;B"]))
    with django_assert_max_num_queries(8):
        response = finance_client.get(reverse("finance:statements"))
    assert response.content.decode().count("releve.csv") == 5
