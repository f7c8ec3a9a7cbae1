"""Finance's PDFs: a row per invoice, credit note and payment in the transaction that issues
it, rendered after commit as bilingual PDF/A, stored once under its name, downloaded only by
whom it concerns; a sponsor's statement on request, with progress only where consented."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from pypdf import PdfReader

from curriculum.models import Module, Semester, TeachingUnit
from finance import documents
from finance.models import FinanceDocument, Invoice, SponsorContact
from finance.services import documents as services
from finance.services.invoices import credit_note_issue, invoice_issue
from finance.services.payments import payment_record
from finance.services.schedules import sponsorship_confirm
from studies.models import Attendance, ClassSession, Jury, Offering, SemesterResult
from tests.certificates.pdfcheck import pdf_text
from tests.factories.accounts import UserFactory
from tests.factories.enrollment import complete_profile
from tests.factories.finance import finance_user, schedule_with_instalments, students
from tests.factories.partners import OrganisationFactory
from tests.helpers import logged_in, pass_mfa, wait_for

pytestmark = pytest.mark.django_db
D = Decimal
PAID_ON = dt.date(2026, 1, 20)


# --- Amounts in figures and words --------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "french", "arabic"),
    [
        ("0.50", "cinquante centimes", "خمسون سنتيم"),
        ("71", "soixante et onze dinars algériens", "واحد وسبعون دينار جزائري"),
        ("80", "quatre-vingts dinars algériens", "ثمانون دينار جزائري"),
        ("1", "un dinar algérien", "واحد دينار جزائري"),
        ("1000000", "un million de dinars algériens", "مليون دينار جزائري"),
        (
            "1234567.89",
            "un million deux cent trente-quatre mille cinq cent soixante-sept dinars "
            "algériens et quatre-vingt-neuf centimes",
            "مليون ومئتان وأربعة وثلاثون ألفاً وخمسمائة وسبعة وستون دينار جزائري "
            "وتسعة وثمانون سنتيم",
        ),
    ],
)
def test_amounts_are_written_in_french_and_arabic_words(amount, french, arabic):
    assert documents.words_fr(D(amount)) == french
    assert documents.words_ar(D(amount)) == arabic
    assert " و " not in documents.words_ar(D(amount))  # "and" is a prefix in Arabic


def test_amounts_are_grouped_by_three_with_the_decimal_comma_in_both_languages():
    assert documents.dzd_fr(D("1234567")) == "1\u00a0234\u00a0567,00\u00a0DZD"
    # Western digits and the decimal comma, isolated left to right inside the Arabic line.
    assert documents.dzd_ar(D("1234567.5")) == "\u20661\u00a0234\u00a0567,50\u2069\u00a0دج"


# --- Helpers -------------------------------------------------------------------------------------
@pytest.fixture
def cashier():
    return finance_user()


@pytest.fixture
def setting(cashier):
    """A cohort with two instalments; Amina (sponsored 70 % by a cluster, consenting to share
    her progress), Karim (sponsored 70 %, not consenting) and Lina (paying alone)."""
    _, (first, second) = schedule_with_instalments(actor=cashier, amounts=("300000", "200000"))
    cohort = first.schedule.cohort
    amina, karim, lina = students(cohort, 3)
    complete_profile(amina.user)
    complete_profile(
        karim.user,
        surname_latin="Haddad",
        given_names_latin="Karim",
        surname_ar="حداد",
        given_names_ar="كريم",
    )
    complete_profile(
        lina.user,
        surname_latin="Mansouri",
        given_names_latin="Lina",
        surname_ar="منصوري",
        given_names_ar="لينة",
    )
    cluster = OrganisationFactory.create(
        name_fr="Cluster Numérique d'Alger",
        name_ar="عنقود الرقمنة بالجزائر",
        acronym="CNA",
        city="Alger",
        wilaya="Alger",
    )
    sponsorship_confirm(
        actor=cashier, student=amina, organisation=cluster, share=D("70"), shares_progress=True
    )
    sponsorship_confirm(actor=cashier, student=karim, organisation=cluster, share=D("70"))
    return {
        "cohort": cohort,
        "instalments": [first, second],
        "amina": amina,
        "karim": karim,
        "lina": lina,
        "cluster": cluster,
    }


def issue(cashier, setting, django_capture_on_commit_callbacks) -> list[Invoice]:
    """Invoice both instalments; the PDFs render after the commit (Celery runs eagerly)."""
    people = [setting["amina"], setting["karim"], setting["lina"]]
    with django_capture_on_commit_callbacks(execute=True):
        return list(
            invoice_issue(actor=cashier, students=people, instalments=setting["instalments"])
        )


def content(document: FinanceDocument) -> bytes:
    document.refresh_from_db()
    assert document.status == FinanceDocument.Status.READY, document.error
    with document.file.open("rb") as handle:
        return handle.read()


def text(data: bytes) -> str:
    """The text a reader copies out of the PDF (pdftotext: columns apart, Arabic in its
    logical order), lines joined."""
    return pdf_text(data)


def visual(arabic: str) -> str:
    """An Arabic word as pdfplumber reads it off the page, glyph by glyph: right to left."""
    return arabic[::-1]


def contact_of(organisation, **kwargs):
    user = UserFactory.create(is_sponsor=True, **kwargs)
    SponsorContact.objects.create(
        organisation=organisation,
        name="Nadia Cherif",
        email=user.email,
        user=user,
        created_by=finance_user(),
    )
    return user


# --- The invoice ---------------------------------------------------------------------------------
def test_an_invoice_gets_a_pending_pdf_in_its_transaction_rendered_after_commit(
    cashier, setting, django_capture_on_commit_callbacks
):
    people = [setting["lina"]]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (invoice,) = invoice_issue(
            actor=cashier, students=people, instalments=setting["instalments"]
        )
        # The row exists with the invoice; nothing is rendered before the commit.
        assert FinanceDocument.objects.get(invoice=invoice).status == FinanceDocument.Status.PENDING
    assert callbacks
    for callback in callbacks:
        callback()
    document = FinanceDocument.objects.get(invoice=invoice)
    data = content(document)
    assert document.file.name == f"finance/invoices/{invoice.number}.pdf"
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.rendered_at is not None


def test_the_invoice_prints_both_languages_the_legal_identifiers_and_the_amount_in_words(
    cashier, setting, django_capture_on_commit_callbacks, settings
):
    settings.FINANCE_ISSUER = {
        **settings.FINANCE_ISSUER,
        "nif": "001216098765432",
        "nis": "098716020304050",
        "rc": "16/00-1234567B21",
        "article": "16019876543",
        "bank_account": "00400123456789012345",
    }
    invoices = issue(cashier, setting, django_capture_on_commit_callbacks)
    grouped = next(i for i in invoices if i.payer_organisation_id)
    words = text(content(grouped.document))
    # The issuer's identifiers and the payer, in French…
    for expected in (
        "NIF : 001216098765432",
        "NIS : 098716020304050",
        "RC : 16/00-1234567B21",
        "Article d'imposition : 16019876543",
        "Compte bancaire (RIB) : 00400123456789012345",
        "Cluster Numérique d'Alger",
        f"N° : {grouped.number}",
        "BENALI Amina",
        "HADDAD Karim",
        "15/01/2026",
        "210 000,00",  # 70 % of the first instalment, for each of the two
        "Total de la facture",
        "Reste à payer",
        "Arrêté la présente facture à la somme de : sept cent mille dinars algériens",
    ):
        assert expected in words, expected
    assert words.count("700 000,00 DZD") == 3  # the total, what is left, the words' figures
    # … and in Arabic: the title, the payer's name, the participants, the amount in words.
    for expected in (
        "فاتورة",
        "عنقود الرقمنة بالجزائر",
        "بن علي أمينة",
        "حداد كريم",
        "أوقفت هذه الفاتورة على مبلغ",
        "سبعمائة ألف دينار جزائري",
        "الجبائي",  # "رقم التعريف الجبائي": pdftotext cuts a word where Amiri kerns
    ):
        assert expected in words, expected
    assert "Mansouri" not in words  # Lina pays her own invoice


def test_the_pdf_is_pdf_a_3b_with_its_metadata_and_the_arabic_shaped_in_amiri(
    cashier, setting, django_capture_on_commit_callbacks
):
    invoices = issue(cashier, setting, django_capture_on_commit_callbacks)
    own = next(i for i in invoices if i.payer_student_id == setting["lina"].pk)
    data = content(own.document)
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None
    assert own.number in str(reader.metadata.title)
    assert reader.metadata.author == "Institut de technologie et de management d'Alger (TEMA)"
    assert reader.root_object.get("/Lang") == "fr"
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in xmp.stream.get_data()
    assert own.number.encode() in reader.attachments["document.json"][0]
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        chars = pdf.pages[0].chars
    arabic = [c for c in chars if "\u0600" <= c["text"] <= "\u06ff"]
    assert arabic
    assert all("Amiri" in c["fontname"] for c in arabic)
    # Laid out right to left: pdfplumber reads the glyphs of a name in the page's order.
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert visual("منصوري") in pdf.pages[0].extract_text()


# --- Credit note and receipt -------------------------------------------------------------------
def test_the_credit_note_names_its_invoice_its_reason_and_what_is_left(
    cashier, setting, django_capture_on_commit_callbacks
):
    invoices = issue(cashier, setting, django_capture_on_commit_callbacks)
    own = next(i for i in invoices if i.payer_student_id == setting["lina"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        note = credit_note_issue(
            actor=cashier, invoice=own, amount=D("71"), reason="Remise accordée par la direction"
        )
    words = text(content(note.document))
    assert note.document.file.name == f"finance/credit-notes/{note.number}.pdf"
    for expected in (
        "Facture d'avoir",
        f"Facture corrigée : {own.number}",
        "Remise accordée par la direction",
        "Montant de l'avoir",
        "71,00 DZD",
        f"Reste à payer sur la facture {own.number}",
        "499 929,00 DZD",
        "Arrêté le présent avoir à la somme de : soixante et onze dinars algériens",
    ):
        assert expected in words, expected
    assert "واحد وسبعون دينار جزائري" in words


def test_the_receipt_lists_what_the_payment_settled_and_the_credit_kept(
    cashier, setting, django_capture_on_commit_callbacks
):
    invoices = issue(cashier, setting, django_capture_on_commit_callbacks)
    own = next(i for i in invoices if i.payer_student_id == setting["lina"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        result = payment_record(
            actor=cashier,
            student=setting["lina"],
            method="ccp",
            reference="CCP 0042",
            paid_on=PAID_ON,
            amount=D("500080.50"),
        )
    document = result.payment.receipt
    words = text(content(document))
    assert document.file.name == f"finance/receipts/REC-2026-{result.payment.pk:06d}.pdf"
    for expected in (
        "Reçu de paiement",
        "Reçu de : MANSOURI Lina",
        "Date du paiement : 20 janvier 2026",
        "Mode de paiement : Virement CCP",
        "Référence : CCP 0042",
        own.number,
        "Tranche 1 — ",
        "Montant reçu",
        "500 080,50 DZD",
        "Imputé sur des factures",
        "500 000,00 DZD",
        "Conservé en crédit du payeur",
        "80,50 DZD",
        "cinq cent mille quatre-vingts dinars algériens et cinquante centimes",
    ):
        assert expected in words, expected
    assert "وصل استلام دفع" in words


# --- The sponsor's statement ---------------------------------------------------------------------
def _attendance(cohort, statuses: dict[int, list[str]]) -> None:
    """Class sessions of one module, each student's attendance taken at each."""
    semester = Semester.objects.get_or_create(programme=cohort.programme, number=1)[0]
    unit = TeachingUnit.objects.create(
        programme=cohort.programme,
        semester=semester,
        code="UEF1",
        kind="UEF",
        credits=12,
        coefficient=1,
    )
    module = Module.objects.create(
        programme=cohort.programme,
        unit=unit,
        code="F1.1.1",
        title_fr="Clusters",
        credits=6,
        coefficient=2,
    )
    offering = Offering.objects.create(
        cohort=cohort, module=module, academic_year="2026-2027", semester=1
    )
    start = timezone.now() - dt.timedelta(days=30)
    count = max(len(taken) for taken in statuses.values())
    sessions = [
        ClassSession.objects.create(
            offering=offering,
            starts_at=start + dt.timedelta(days=n),
            ends_at=start + dt.timedelta(days=n, hours=2),
        )
        for n in range(count)
    ]
    for student_id, taken in statuses.items():
        for session, status in zip(sessions, taken, strict=False):
            Attendance.objects.create(session=session, student_id=student_id, status=status)


def _published_result(student, cohort, average: str) -> None:
    """The record as a published jury stored it (studies' jury services write these)."""
    jury = Jury.objects.get_or_create(
        cohort=cohort, semester=1, session="N", status=Jury.Status.PUBLISHED, version=1
    )[0]
    SemesterResult.objects.create(
        jury=jury, student=student, semester=1, session="N", average=D(average), credits=30,
        total_credits=30, decision="ADMIS", version=1, current=True,
    )  # fmt: skip


def test_the_statement_shows_attendance_and_results_only_of_those_who_consented(
    cashier, setting, django_capture_on_commit_callbacks
):
    amina, karim, cohort = setting["amina"], setting["karim"], setting["cohort"]
    issue(cashier, setting, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(
            actor=cashier, organisation=setting["cluster"], method="transfer",
            reference="VIR 1", paid_on=PAID_ON, amount=D("300000"),
        )  # fmt: skip
    present, absent = Attendance.Status.PRESENT, Attendance.Status.ABSENT
    # Karim's attendance is taken too, but he did not consent: it is not his sponsor's.
    _attendance(cohort, {amina.pk: [present, present, present, absent], karim.pk: [absent]})
    _published_result(amina, cohort, "13.25")
    _published_result(karim, cohort, "9.75")
    with django_capture_on_commit_callbacks(execute=True):
        statement = services.statement_request(
            actor=cashier, organisation=setting["cluster"], cohort=cohort
        )
    data = content(statement)
    words = text(data)
    for expected in (
        "Relevé de compte du sponsor",
        "Cluster Numérique d'Alger",
        # The cluster's share: 70 % of 500 000 for each of the two; 300 000 paid, on the
        # oldest lines first (Amina's first instalment, then Karim's).
        "BENALI Amina · MCRT",
        "70,00 % 350 000,00 0,00 210 000,00 140 000,00",
        "70,00 % 350 000,00 0,00 90 000,00",
        "Assiduité : 75 % des séances",
        "Semestre 1 : moyenne 13,25/20, 30/30 crédits",
        "Le participant n'a pas consenti à communiquer son assiduité et ses résultats au sponsor.",
        "VIR 1",
        "300 000,00 300 000,00",  # the payment, all of it settled on this cohort
    ):
        assert expected in words, expected
    assert "260 000,00" in words  # Karim's balance
    assert "9,75" not in words  # Karim's result stays his
    assert words.count("Assiduité") == 1
    assert "كشف حساب الممول" in words


def test_a_statement_asked_twice_while_pending_is_one_and_another_cohort_is_refused(
    cashier, setting
):
    cluster = setting["cluster"]
    first = services.statement_request(
        actor=cashier, organisation=cluster, cohort=setting["cohort"]
    )
    again = services.statement_request(
        actor=cashier, organisation=cluster, cohort=setting["cohort"]
    )
    assert first.pk == again.pk
    _, (other, _) = schedule_with_instalments(actor=cashier)
    with pytest.raises(ValidationError) as exc:
        services.statement_request(
            actor=cashier, organisation=cluster, cohort=other.schedule.cohort
        )
    assert exc.value.message_dict == {
        "cohort": [
            gettext("%(organisation)s sponsors no participant of the cohort %(cohort)s.")
            % {"organisation": cluster, "cohort": other.schedule.cohort}
        ]
    }
    assert FinanceDocument.objects.filter(kind="statement").count() == 1


# --- Failures, retries, the periodic re-queue --------------------------------------------------
def test_a_failed_render_keeps_no_file_and_a_retry_writes_the_same_name(
    cashier, setting, settings, tmp_path, django_capture_on_commit_callbacks
):
    working = dict(settings.STORAGES["private"])
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**working, "OPTIONS": {"location": str(blocked)}},
    }
    with django_capture_on_commit_callbacks(execute=True):
        (invoice,) = invoice_issue(
            actor=cashier, students=[setting["lina"]], instalments=setting["instalments"]
        )
    document = FinanceDocument.objects.get(invoice=invoice)
    assert document.status == FinanceDocument.Status.FAILED
    assert document.error
    assert not document.file
    settings.STORAGES = {**settings.STORAGES, "private": working}
    root = Path(working["OPTIONS"]["location"])
    name = f"finance/invoices/{invoice.number}.pdf"
    # What a worker killed after the move and before the commit would leave at the name.
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(b"left by a dead worker")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_retry(actor=cashier, document=document)
    data = content(document)
    assert document.file.name == name
    assert data.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert sorted(p.name for p in (root / "finance" / "invoices").iterdir()) == [
        f"{invoice.number}.pdf"
    ]
    # Ready: running the task again renders nothing more.
    assert services.document_render(document.pk) is False


def test_pending_documents_older_than_a_minute_are_queued_again(cashier, setting):
    # Issued while the broker was down: the rows stay pending (no commit callback here).
    (invoice,) = invoice_issue(
        actor=cashier, students=[setting["lina"]], instalments=setting["instalments"]
    )
    document = FinanceDocument.objects.get(invoice=invoice)
    assert services.documents_requeue() == 0  # too recent: its own task may still come
    FinanceDocument.objects.filter(pk=document.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=2)
    )
    assert services.documents_requeue() == 1  # Celery runs eagerly in these tests
    document.refresh_from_db()
    assert document.status == FinanceDocument.Status.READY


def test_an_invoice_a_service_left_without_its_pdf_gets_one_from_the_requeue(cashier, setting):
    (invoice,) = invoice_issue(
        actor=cashier, students=[setting["lina"]], instalments=setting["instalments"]
    )
    FinanceDocument.objects.filter(invoice=invoice).delete()
    assert services.documents_requeue() == 0  # issued less than a minute ago
    assert not FinanceDocument.objects.filter(invoice=invoice).exists()
    # A minute later: its row is made, and sent at once.
    assert services.documents_requeue(older_than=dt.timedelta(0)) == 1
    document = FinanceDocument.objects.get(invoice=invoice)
    document.refresh_from_db()
    assert document.status == FinanceDocument.Status.READY


# --- Downloads and access ----------------------------------------------------------------------
@pytest.fixture
def issued(cashier, setting, django_capture_on_commit_callbacks):
    invoices = issue(cashier, setting, django_capture_on_commit_callbacks)
    return {
        "grouped": next(i for i in invoices if i.payer_organisation_id),
        "lina": next(i for i in invoices if i.payer_student_id == setting["lina"].pk),
        "amina": next(i for i in invoices if i.payer_student_id == setting["amina"].pk),
    }


def _url(invoice: Invoice) -> str:
    return reverse("finance:document", args=[FinanceDocument.objects.get(invoice=invoice).pk])


def test_a_student_downloads_their_own_invoice_and_gets_404_for_anothers(setting, issued):
    client = logged_in(setting["lina"].user)
    response = client.get(_url(issued["lina"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{issued["lina"].number}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.getvalue().startswith(b"%PDF-")
    assert client.get(_url(issued["amina"])).status_code == 404
    assert client.get(_url(issued["grouped"])).status_code == 404  # the sponsor's, not hers


def test_a_sponsor_contact_downloads_their_organisations_documents_only(setting, issued, cashier):
    own = logged_in(contact_of(setting["cluster"]))
    other = logged_in(contact_of(OrganisationFactory.create()))
    assert own.get(_url(issued["grouped"])).status_code == 200
    assert own.get(_url(issued["lina"])).status_code == 404  # a student's invoice
    assert other.get(_url(issued["grouped"])).status_code == 404
    statement = services.statement_request(
        actor=cashier, organisation=setting["cluster"], cohort=setting["cohort"]
    )
    url = reverse("finance:document", args=[statement.pk])
    pending = own.get(url)
    assert pending.status_code == 200
    assert 'data-testid="document-pending"' in pending.content.decode()
    assert other.get(url).status_code == 404
    services.document_render(statement.pk)
    response = own.get(url)
    day = timezone.localdate().isoformat()
    cluster, cohort = setting["cluster"], setting["cohort"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="releve-{cluster.slug}-{cohort.slug}-{day}.pdf"'
    )


def test_finance_downloads_any_document_once_its_session_passed_the_second_factor(
    make_user, issued
):
    user = make_user("finance")
    client = Client()
    client.force_login(user)  # signed in with the password alone
    assert client.get(_url(issued["lina"])).status_code == 302
    pass_mfa(client, user)
    assert client.get(_url(issued["lina"])).status_code == 200


def test_a_failed_document_offers_finance_to_prepare_it_again(
    make_user, issued, django_capture_on_commit_callbacks
):
    document = FinanceDocument.objects.get(invoice=issued["lina"])
    FinanceDocument.objects.filter(pk=document.pk).update(
        status=FinanceDocument.Status.FAILED, error="OSError: disk full", file=""
    )
    user = make_user("finance")
    client = logged_in(user)
    page = client.get(_url(issued["lina"])).content.decode()
    assert "OSError: disk full" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("finance:document_retry", args=[document.pk]))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == FinanceDocument.Status.READY


# --- Asking for a statement ----------------------------------------------------------------------
def test_a_sponsor_contact_asks_for_their_statement_and_is_sent_back_with_a_message(setting):
    client = logged_in(contact_of(setting["cluster"]))
    back = reverse("me")
    response = client.post(
        reverse("finance:statement_request"),
        {"organisation": setting["cluster"].pk, "cohort": setting["cohort"].pk, "next": back},
    )
    assert response.status_code == 302
    assert response["Location"] == back
    statement = FinanceDocument.objects.get(kind="statement")
    assert (statement.organisation, statement.cohort) == (setting["cluster"], setting["cohort"])
    [message] = list(get_messages(response.wsgi_request))
    assert str(message) == gettext(
        "The statement of %(organisation)s for %(cohort)s is being prepared: it will be listed "
        "among the statements in a moment."
    ) % {"organisation": setting["cluster"], "cohort": setting["cohort"]}


def test_a_sponsor_contact_cannot_ask_for_another_organisations_statement(setting):
    client = logged_in(contact_of(OrganisationFactory.create()))
    response = client.post(
        reverse("finance:statement_request"),
        {"organisation": setting["cluster"].pk, "cohort": setting["cohort"].pk},
    )
    assert response.status_code == 404
    assert not FinanceDocument.objects.filter(kind="statement").exists()


def test_a_statement_for_a_cohort_the_organisation_does_not_sponsor_is_refused_with_a_message(
    setting, make_user, cashier
):
    _, (other, _) = schedule_with_instalments(actor=cashier)
    user = make_user("finance")
    client = logged_in(user)
    response = client.post(
        reverse("finance:statement_request"),
        {"organisation": setting["cluster"].pk, "cohort": other.schedule.cohort.pk, "next": "/"},
    )
    assert response.status_code == 302
    [message] = list(get_messages(response.wsgi_request))
    assert str(message) == gettext(
        "%(organisation)s sponsors no participant of the cohort %(cohort)s."
    ) % {"organisation": setting["cluster"], "cohort": other.schedule.cohort}
    assert not FinanceDocument.objects.filter(kind="statement").exists()


# --- With a real worker ----------------------------------------------------------------------
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_invoice_after_the_issue_commits(celery_worker_process, settings):
    # The session's worker keeps files where the settings say (PRIVATE_ROOT): read them there.
    root = Path(settings.PRIVATE_ROOT)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    cashier = finance_user()
    _, instalments = schedule_with_instalments(actor=cashier)
    (student,) = students(instalments[0].schedule.cohort, 1)
    (invoice,) = invoice_issue(actor=cashier, students=[student], instalments=instalments)
    name = f"finance/invoices/{invoice.number}.pdf"
    try:
        document = wait_for(
            lambda: FinanceDocument.objects.filter(invoice=invoice, status="ready").first(),
            timeout=60,
        )
        assert document.file.name == name
        with document.file.open("rb") as handle:
            assert f"N° : {invoice.number}" in text(handle.read())
    finally:
        (root / name).unlink(missing_ok=True)
