"""The people's own finance pages: a student's (or applicant's) fees, a sponsor contact's
space, and finance's page of a sponsor organisation's contacts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext

from accounts.models import OutgoingEmail, User
from enrollment.services.applications import application_submit
from enrollment.services.decisions import student_create
from finance import selectors
from finance.models import FinanceDocument, Invoice, MoneyEvent, SponsorContact, Sponsorship
from finance.services.application_fees import application_fee_invoices_issue
from finance.services.contacts import contact_account_give, contact_add
from finance.services.invoices import credit_note_issue, invoice_issue
from finance.services.payments import payment_record
from finance.services.schedules import adjustment_grant, schedule_set, sponsorship_confirm
from studies.models import ClassSession, Offering
from studies.services.juries import jury_get_or_create, jury_publish
from studies.services.timetable import attendance_save, session_add
from tests.factories.accounts import UserFactory
from tests.factories.enrollment import CohortFactory, IntakeFactory, ready_application
from tests.factories.finance import schedule_with_instalments, students
from tests.factories.partners import OrganisationFactory
from tests.helpers import login, mfa_login
from tests.studies.studies_helpers import make_setting
from tests.studies.test_results import run_semester

pytestmark = pytest.mark.django_db
D = Decimal
PAST = dt.date(2026, 1, 20)
NEW_PASSWORD = "Sponsor-passw0rd-2026"


@pytest.fixture
def cashier(make_user):
    return make_user("finance")


@pytest.fixture
def finance_client(cashier) -> Client:
    client = Client()
    mfa_login(client, cashier)
    return client


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def dzd(value: str) -> str:
    return formats.number_format(D(value), decimal_pos=2, use_l10n=True, force_grouping=True)


# --- My fees ----------------------------------------------------------------------------------
@pytest.fixture
def billed(cashier):
    """500,000 DZD a year (300,000 past due, 200,000 due later). ``a``: 70 % paid by ADC and a
    10 % scholarship on the second instalment, has paid 20,000; ``b``: 30 % paid by ADC;
    ``c``: wholly paid by another organisation. Everything invoiced."""
    schedule, (first, second) = schedule_with_instalments(actor=cashier)
    a, b, c = students(schedule.cohort, 3)
    adc = OrganisationFactory.create(acronym="ADC")
    other = OrganisationFactory.create(acronym="ESI")
    adjustment_grant(
        actor=cashier, student=a, instalment=second, kind="scholarship", reason="Mérite",
        approver_name="M. Directeur", percent=D("10"),
    )  # fmt: skip
    sponsorship_confirm(actor=cashier, student=a, organisation=adc, share=D("70"))
    sponsorship_confirm(actor=cashier, student=b, organisation=adc, share=D("30"))
    sponsorship_confirm(actor=cashier, student=c, organisation=other, share=D("100"))
    invoice_issue(actor=cashier, students=[a, b, c], instalments=[first, second])
    payment_record(actor=cashier, student=a, method="cash", paid_on=PAST, amount=D("20000"))
    return SimpleNamespace(cohort=schedule.cohort, a=a, b=b, c=c, adc=adc, other=other)


def test_a_student_sees_their_schedule_share_invoices_payments_and_balance(billed):
    a = billed.a
    html = client_of(a.user).get(reverse("finance:my_fees")).content.decode()
    # Their invoice: 90,000 (30 % of 300,000) + 54,000 (30 % of 200,000 less 10 %).
    own = Invoice.objects.get(payer_student=a)
    row = re.search(rf'data-invoice="{own.number}">(.*?)</tr>', html, re.S)
    assert row is not None
    assert dzd("144000") in row.group(1)
    assert dzd("124000") in row.group(1)  # left: the 20,000 paid settled the oldest line
    assert gettext("Overdue") in row.group(1)  # 70,000 left on the instalment past due
    totals = selectors.payer_totals(selectors.STUDENT, [a.pk])[a.pk]
    assert (totals.balance, totals.overdue) == (D("124000.00"), D("70000.00"))
    assert re.search(rf'data-testid="left">{dzd("124000")}<', html)
    assert re.search(rf'data-testid="overdue">{dzd("70000")}<', html)
    # The schedule with its due dates and the scholarship, the confirmed sponsorship.
    assert "Instalment 1" in html or "Tranche 1" in html
    assert gettext("Scholarship") in html
    assert "Mérite" in html
    assert "ADC" in html
    # ADC's invoice is shown as their part of it only: 210,000 + 126,000.
    adc_invoice = Invoice.objects.get(payer_organisation=billed.adc)
    part = gettext("Paid by %(org)s: %(amount)s DZD (invoice %(number)s)") % {
        "org": "ADC", "amount": dzd("336000"), "number": adc_invoice.number,
    }  # fmt: skip
    assert part in html
    assert dzd("486000") not in html  # ADC's total, with b's share
    assert billed.b.registration_number not in html
    assert billed.c.registration_number not in html
    assert f'data-invoice="{adc_invoice.number}"' not in html  # no link to ADC's PDF


def test_my_fees_is_right_to_left_in_arabic_and_uses_each_languages_decimals(billed):
    client = client_of(billed.a.user)
    english = client.get(reverse("finance:my_fees"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="left">124,000.00<' in english
    arabic = client.get(reverse("finance:my_fees"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert 'data-testid="left">124\xa0000,00<' in arabic


def test_a_student_sees_only_their_own_fees(billed):
    html = client_of(billed.b.user).get(reverse("finance:my_fees")).content.decode()
    assert billed.a.registration_number not in html
    assert Invoice.objects.get(payer_student=billed.a).number not in html
    assert "Mérite" not in html


def test_the_pdf_links_once_ready_and_being_prepared_before(billed):
    own = Invoice.objects.get(payer_student=billed.a)
    client = client_of(billed.a.user)
    html = client.get(reverse("finance:my_fees")).content.decode()
    assert html.count('data-testid="pdf-pending"') == 2  # the invoice and the receipt
    assert 'data-testid="pdf"' not in html
    document = FinanceDocument.objects.get(invoice=own)
    FinanceDocument.objects.filter(pk=document.pk).update(status=FinanceDocument.Status.READY)
    html = client.get(reverse("finance:my_fees")).content.decode()
    assert f'href="{reverse("finance:document", args=[document.pk])}"' in html
    assert html.count('data-testid="pdf-pending"') == 1
    # A row missing altogether (not rendered yet) is "being prepared" too.
    FinanceDocument.objects.filter(payment__payer_student=billed.a).delete()
    html = client.get(reverse("finance:my_fees")).content.decode()
    assert html.count('data-testid="pdf-pending"') == 1


def test_a_student_of_two_cohorts_sees_both(cashier, billed):
    schedule, instalments = schedule_with_instalments(
        actor=cashier, cohort=CohortFactory.create(), amounts=("111000",)
    )
    again = student_create(user=billed.a.user, cohort=schedule.cohort)
    invoice_issue(actor=cashier, students=[again], instalments=instalments)
    html = client_of(billed.a.user).get(reverse("finance:my_fees")).content.decode()
    assert f'data-testid="fees-{billed.a.registration_number}"' in html
    assert f'data-testid="fees-{again.registration_number}"' in html
    assert Invoice.objects.get(payer_student=again).number in html
    assert dzd("111000") in html


def test_the_query_count_does_not_grow_with_the_invoices(cashier, django_assert_max_num_queries):
    schedule, instalments = schedule_with_instalments(actor=cashier, amounts=("100000",) * 6)
    (student,) = students(schedule.cohort, 1)
    organisation = OrganisationFactory.create()
    sponsorship_confirm(actor=cashier, student=student, organisation=organisation, share=D("50"))
    client = client_of(student.user)

    def bill(instalment, n: int) -> None:
        (invoice, _sponsor) = sorted(
            invoice_issue(actor=cashier, students=[student], instalments=[instalment]),
            key=lambda i: i.payer_student_id is None,
        )
        payment_record(
            actor=cashier, student=student, method="transfer", reference=f"VIR-{n}",
            paid_on=PAST, amount=D("1000"),
        )  # fmt: skip
        credit_note_issue(actor=cashier, invoice=invoice, amount=D("500"), reason="Geste")

    bill(instalments[0], 0)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("finance:my_fees")).status_code == 200
    for n, instalment in enumerate(instalments[1:], 1):
        bill(instalment, n)
    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse("finance:my_fees"))
    assert response.content.decode().count("data-invoice=") == 6


def test_an_applicant_sees_their_application_fee(cashier, make_user):
    intake = IntakeFactory.create()
    schedule_set(
        actor=cashier, cohort=intake.cohort, tuition_per_year=D("500000"),
        application_fee=D("5000"),
    )  # fmt: skip
    user = make_user("applicant")
    application = ready_application(user, intake)
    application_submit(application=application, actor=user)
    (invoice,) = application_fee_invoices_issue(actor=cashier, intake=intake)
    client = client_of(user)
    assert f'href="{reverse("finance:my_fees")}"' in client.get(reverse("me")).content.decode()
    html = client.get(reverse("finance:my_fees")).content.decode()
    assert f'data-testid="application-{application.number}"' in html
    assert invoice.number in html
    left = gettext("Left to pay: %(left)s DZD") % {"left": dzd("5000")}
    assert left in html


def test_someone_with_nothing_to_pay_has_no_fees_page_nor_link(make_user):
    user = make_user("applicant")
    client = client_of(user)
    assert client.get(reverse("finance:my_fees")).status_code == 404
    assert reverse("finance:my_fees") not in client.get(reverse("me")).content.decode()


def test_a_students_space_and_menu_link_to_my_fees(billed):
    html = client_of(billed.a.user).get(reverse("me")).content.decode()
    assert html.count(f'href="{reverse("finance:my_fees")}"') == 2  # the menu and the space


# --- The sponsor contact's space ---------------------------------------------------------------
def attend(coordinator, offering: Offering, presence: dict[int, list[bool]]) -> None:
    start = timezone.now() - dt.timedelta(days=30)
    for n in range(4):
        session = session_add(
            offering=offering, actor=coordinator, starts_at=start + dt.timedelta(days=7 * n),
            ends_at=start + dt.timedelta(days=7 * n, hours=2), kind=ClassSession.Kind.LECTURE,
        )  # fmt: skip
        attendance_save(
            session=session,
            actor=coordinator,
            statuses={pk: "present" if came[n] else "absent" for pk, came in presence.items()},
        )


@pytest.fixture
def sponsored(make_user, cashier):
    """A cohort with marks: ``good`` (consents to share progress) and ``best`` (does not)
    sponsored by ADC at 60 %; ``weak`` by another organisation. Invoiced; attendance taken
    in S1; the S1 jury closed but not published yet. ADC's contact has an account."""
    setting = make_setting(make_user)
    cohort = setting["cohort"]
    good, best, weak = setting["students"]
    adc = OrganisationFactory.create(acronym="ADC-T")
    other = OrganisationFactory.create(acronym="OTHER-T")
    sponsorship_confirm(actor=cashier, student=good, organisation=adc, share=D("60"))
    sponsorship_confirm(actor=cashier, student=best, organisation=adc, share=D("60"))
    sponsorship_confirm(actor=cashier, student=weak, organisation=other, share=D("60"))
    Sponsorship.objects.filter(student=good).update(shares_progress=True)
    Sponsorship.objects.filter(student=weak).update(shares_progress=True)
    _schedule, instalments = schedule_with_instalments(
        actor=cashier, cohort=cohort, amounts=("100000",)
    )
    invoice_issue(actor=cashier, students=[good, best, weak], instalments=instalments)
    offering = Offering.objects.filter(cohort=cohort, semester=1).order_by("pk")[0]
    attend(
        setting["coordinator"], offering,
        {good.pk: [True, True, True, False], best.pk: [True] * 4, weak.pk: [True] * 4},
    )  # fmt: skip
    run_semester(setting, 1, ["12.5", "16", "8"])
    contact = contact_add(
        actor=cashier, organisation=adc, name="Nadia Ferhat", email="nadia@adc.dz",
        language="fr",
    )  # fmt: skip
    contact_account_give(actor=cashier, contact=contact)
    contact.refresh_from_db()
    assert contact.user is not None
    return SimpleNamespace(
        setting=setting, cohort=cohort, good=good, best=best, weak=weak, adc=adc,
        other=other, contact=contact, user=contact.user,
    )  # fmt: skip


def _participant_row(html: str, student) -> str:
    row = re.search(rf'data-participant="{student.registration_number}">(.*?)</tr>', html, re.S)
    assert row is not None, html
    return row.group(1)


def test_a_sponsor_contact_sees_their_organisations_participants_and_figures_only(sponsored):
    html = client_of(sponsored.user).get(reverse("finance:sponsor_home")).content.decode()
    good = _participant_row(html, sponsored.good)
    assert dzd("60000") in good  # 60 % of 100,000, invoiced to ADC, nothing paid yet
    _participant_row(html, sponsored.best)
    assert sponsored.weak.registration_number not in html
    assert "OTHER-T" not in html
    adc_invoice = Invoice.objects.get(payer_organisation=sponsored.adc)
    other_invoice = Invoice.objects.get(payer_organisation=sponsored.other)
    assert adc_invoice.number in html
    assert other_invoice.number not in html
    assert re.search(rf'data-testid="cohort-left">{dzd("120000")}<', html)
    statement = selectors.sponsor_statement(organisation=sponsored.adc, cohort=sponsored.cohort)
    assert statement.totals.balance == D("120000.00")


def test_the_sponsor_sees_attendance_and_published_results_only_where_consented(sponsored):
    client = client_of(sponsored.user)
    html = client.get(reverse("finance:sponsor_home")).content.decode()
    good = _participant_row(html, sponsored.good)
    assert gettext("Attendance: %(rate)s %%") % {"rate": 75} in good
    assert gettext("No result published yet.") in good  # the jury is closed, not published
    best = _participant_row(html, sponsored.best)
    assert gettext("Not shared by the participant") in best
    assert "100 %" not in best

    jury_publish(
        jury=jury_get_or_create(cohort=sponsored.cohort, semester=1, session="N"),
        actor=sponsored.setting["coordinator"],
    )
    html = client.get(reverse("finance:sponsor_home")).content.decode()
    good = _participant_row(html, sponsored.good)
    assert f"{dzd('12.5')}/20" in good
    assert gettext("No result published yet.") not in good
    best = _participant_row(html, sponsored.best)
    assert f"{dzd('16')}/20" not in best
    assert gettext("Not shared by the participant") in best


def test_the_sponsor_can_ask_for_the_statement_pdf_of_a_cohort(sponsored):
    html = client_of(sponsored.user).get(reverse("finance:sponsor_home")).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form is not None
    assert form.group(1) == reverse("finance:statement_request")
    assert f'name="cohort" value="{sponsored.cohort.pk}"' in form.group(2)
    assert f'name="organisation" value="{sponsored.adc.pk}"' in form.group(2)


def test_a_sponsor_contact_lands_on_their_space_and_reaches_no_other_finance_or_student_page(
    sponsored,
):
    client = client_of(sponsored.user)
    response = client.get(reverse("me"))
    assert response.status_code == 302
    assert response["Location"] == reverse("finance:sponsor_home")
    for name in ("finance:dashboard", "finance:invoices", "studies:my_programme"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("finance:contacts", args=[sponsored.adc.pk])).status_code == 403
    assert client.get(reverse("finance:my_fees")).status_code == 404


def test_a_sponsor_account_without_contact_is_refused_with_a_clear_page(persona_client):
    response = persona_client("sponsor").get(reverse("finance:sponsor_home"))
    assert response.status_code == 403
    assert 'data-testid="no-contact"' in response.content.decode()


# --- Finance: the contacts of an organisation -------------------------------------------------
@pytest.fixture
def organisation():
    return OrganisationFactory.create(acronym="CLUS")


def contacts_url(organisation) -> str:
    return reverse("finance:contacts", args=[organisation.pk])


def test_finance_adds_a_contact_and_the_change_is_kept(finance_client, organisation, cashier):
    response = finance_client.post(
        contacts_url(organisation),
        {"name": "  Karim   Haddad ", "email": "Karim@Clus.dz", "language": "ar"},
    )
    assert response.status_code == 302
    contact = SponsorContact.objects.get(organisation=organisation)
    assert (contact.name, contact.email) == ("Karim Haddad", "karim@clus.dz")
    assert contact.language == "ar"
    event = MoneyEvent.objects.get(kind=MoneyEvent.Kind.SPONSOR_CONTACT, organisation=organisation)
    assert event.actor == cashier
    assert event.after["action"] == "added"
    assert event.after["email"] == "karim@clus.dz"
    html = finance_client.get(contacts_url(organisation)).content.decode()
    assert "karim@clus.dz" in html


def test_the_same_address_twice_is_refused_next_to_the_field(finance_client, organisation):
    data = {"name": "Karim Haddad", "email": "karim@clus.dz", "language": "fr"}
    finance_client.post(contacts_url(organisation), data)
    response = finance_client.post(contacts_url(organisation), {**data, "email": "KARIM@clus.dz"})
    assert response.status_code == 400
    message = gettext("This address is already a contact of %(organisation)s.") % {
        "organisation": organisation
    }
    assert response.context["form"].errors["email"] == [message]
    assert SponsorContact.objects.filter(organisation=organisation).count() == 1


def test_an_invalid_address_is_refused_next_to_the_field(finance_client, organisation):
    response = finance_client.post(
        contacts_url(organisation), {"name": "X", "email": "not-an-address", "language": "fr"}
    )
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert not SponsorContact.objects.exists()


def test_an_account_is_given_by_email_and_its_holder_sets_a_password_and_lands_on_the_space(
    finance_client, organisation, cashier
):
    contact = contact_add(
        actor=cashier, organisation=organisation, name="Karim Haddad", email="karim@clus.dz",
        language="en",
    )  # fmt: skip
    response = finance_client.post(
        reverse("finance:contact_account", args=[organisation.pk, contact.pk])
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    user = contact.user
    assert user is not None
    assert (user.email, user.is_sponsor, user.is_student, user.is_finance) == (
        "karim@clus.dz", True, False, False,
    )  # fmt: skip
    assert not user.has_usable_password()
    event = MoneyEvent.objects.filter(kind=MoneyEvent.Kind.SPONSOR_CONTACT).last()
    assert event is not None
    assert (event.after["action"], event.after["account"]) == ("account_given", "karim@clus.dz")
    mail = OutgoingEmail.objects.get(to=["karim@clus.dz"])
    link = re.search(r"https?://\S+/password/reset/key/\S+/", mail.body)
    assert link is not None, mail.body

    holder = Client()
    step = holder.get(urlsplit(link.group(0)).path)
    assert step.status_code == 302
    done = holder.post(step["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    holder = Client()
    assert login(holder, "karim@clus.dz", NEW_PASSWORD)["Location"] == reverse("me")
    landing = holder.get(reverse("me"))
    assert landing["Location"] == reverse("finance:sponsor_home")
    assert holder.get(reverse("finance:sponsor_home")).status_code == 200


def test_the_account_email_is_in_the_contacts_language(organisation, cashier):
    contact = contact_add(
        actor=cashier, organisation=organisation, name="كريم حداد", email="karim@clus.dz",
        language="ar",
    )  # fmt: skip
    contact_account_give(actor=cashier, contact=contact)
    mail = OutgoingEmail.objects.get(to=["karim@clus.dz"])
    assert '<html lang="ar" dir="rtl">' in mail.html_body
    assert "كريم حداد" in mail.body
    assert User.objects.get(email="karim@clus.dz").preferred_language == "ar"


def test_an_existing_account_without_role_is_linked_rather_than_duplicated(
    finance_client, organisation, cashier
):
    existing = UserFactory.create(email="karim@clus.dz")
    contact = contact_add(
        actor=cashier, organisation=organisation, name="Karim", email="karim@clus.dz",
        language="fr",
    )  # fmt: skip
    finance_client.post(reverse("finance:contact_account", args=[organisation.pk, contact.pk]))
    contact.refresh_from_db()
    existing.refresh_from_db()
    assert contact.user == existing
    assert existing.is_sponsor
    assert User.objects.filter(email__iexact="karim@clus.dz").count() == 1


def test_an_address_of_a_student_is_refused_an_account_with_a_message(
    finance_client, organisation, cashier
):
    student = UserFactory.create(email="karim@clus.dz", is_student=True)
    contact = contact_add(
        actor=cashier, organisation=organisation, name="Karim", email="karim@clus.dz",
        language="fr",
    )  # fmt: skip
    response = finance_client.post(
        reverse("finance:contact_account", args=[organisation.pk, contact.pk])
    )
    expected = gettext(
        "This address belongs to an account with another role (%(roles)s): a sponsor's "
        "account sees only its organisation. Give the contact another address."
    ) % {"roles": gettext("Student")}
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == expected
    contact.refresh_from_db()
    student.refresh_from_db()
    assert contact.user is None
    assert not student.is_sponsor
    assert not MoneyEvent.objects.filter(after__action="account_given").exists()
    assert not OutgoingEmail.objects.filter(to=["karim@clus.dz"]).exists()


def test_revoking_an_account_asks_first_then_closes_the_sponsor_space(finance_client, sponsored):
    url = reverse("finance:contact_revoke", args=[sponsored.adc.pk, sponsored.contact.pk])
    page = finance_client.get(url)
    assert page.status_code == 200
    assert gettext("Close the account") in page.content.decode()
    finance_client.post(url)  # without confirm=yes: nothing happens
    sponsored.user.refresh_from_db()
    assert sponsored.user.is_sponsor

    response = finance_client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    sponsored.user.refresh_from_db()
    sponsored.contact.refresh_from_db()
    assert not sponsored.user.is_sponsor
    assert sponsored.contact.user is None
    event = MoneyEvent.objects.filter(after__action="account_revoked").get()
    assert event.before["account"] == sponsored.user.email
    assert client_of(sponsored.user).get(reverse("finance:sponsor_home")).status_code == 403


def test_removing_a_contact_asks_first_and_takes_their_account_away(finance_client, sponsored):
    url = reverse("finance:contact_remove", args=[sponsored.adc.pk, sponsored.contact.pk])
    assert gettext("Remove the contact") in finance_client.get(url).content.decode()
    finance_client.post(url)
    assert SponsorContact.objects.filter(pk=sponsored.contact.pk).exists()

    finance_client.post(url, {"confirm": "yes"})
    assert not SponsorContact.objects.filter(pk=sponsored.contact.pk).exists()
    sponsored.user.refresh_from_db()
    assert not sponsored.user.is_sponsor
    event = MoneyEvent.objects.filter(after__action="removed").get()
    assert event.before["email"] == "nadia@adc.dz"
    assert event.organisation == sponsored.adc


def test_a_contact_of_another_organisation_is_not_found_on_this_one(finance_client, sponsored):
    stranger = OrganisationFactory.create()
    url = reverse("finance:contact_remove", args=[stranger.pk, sponsored.contact.pk])
    assert finance_client.post(url, {"confirm": "yes"}).status_code == 404
    assert SponsorContact.objects.filter(pk=sponsored.contact.pk).exists()
