"""Words, not codes (#12): every status, decision and history event in the reader's language,
with local dates and the language's numbers, on the pages and in the exports; the staff
search ignores accents and case; the dashboard shows the seats and the offers waiting."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from enrollment import exports, history
from enrollment.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Education,
    Offer,
    Review,
    Student,
)
from enrollment.selectors import application_list
from enrollment.services.applications import application_submit
from enrollment.services.decisions import seats_taken
from partners.models import Organisation
from tests.factories.enrollment import IntakeFactory, ready_application
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

K = ApplicationEvent.Kind
S = Application.Status
LANGUAGES = ("fr", "en", "ar")
#: 1 December 2026, 08:30 UTC: 09:30 in Algiers; month first it would read "12/01/2026".
MOMENT = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)

#: Every code a page could leak: statuses, decisions, event kinds, message codes, choices.
RAW_CODES = frozenset(
    {
        *S.values,
        *ApplicationDocument.Status.values,
        *Offer.Status.values,
        *K.values,
        *history.DECISION_LABELS,
        *(code for code in history.REVIEW_LABELS if code),
        *history.OTHER_LABELS,
        *history.MESSAGES,
        *Organisation.Sector.values,
        *Education.Degree.values,
    }
)


# --- Labels and messages ------------------------------------------------------------------------
VALUES = [
    *((K.STATUS, value, S(value).label) for value in S.values),
    *((K.DOCUMENT, v, ApplicationDocument.Status(v).label) for v in ApplicationDocument.Status),
    *((K.OFFER, value, Offer.Status(value).label) for value in Offer.Status.values),
    *((K.DECISION, value, label) for value, label in history.DECISION_LABELS.items()),
    *((K.REVIEW, value, label) for value, label in history.REVIEW_LABELS.items() if value),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("kind", "value", "label"), VALUES)
def test_every_state_of_an_event_is_the_label_of_its_own_kind(language, kind, value, label):
    with translation.override(language):
        shown = history.value_label(kind, value)
        assert shown == str(label)  # the label, in this language (gettext of its msgid)
    assert shown != value


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_same_code_reads_differently_for_a_document_and_an_application(language):
    with translation.override(language):
        document = history.value_label(K.DOCUMENT, "accepted")
        application = history.value_label(K.STATUS, "accepted")
        assert document == str(ApplicationDocument.Status.ACCEPTED.label)
        assert application == str(S.ACCEPTED.label)
    assert document != application


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", K.values)
def test_every_kind_of_event_is_named(language, kind):
    event = ApplicationEvent(kind=kind)
    with translation.override(language):
        assert history.describe(event).kind == str(K(kind).label)
    assert history.describe(event).kind != kind


def sample_params(code: str) -> dict[str, object]:
    """A value for every placeholder of the message, by the registry's conventions."""
    params: dict[str, object] = {}
    for key in re.findall(r"%\((\w+)\)s", str(history.MESSAGES[code])):
        if key.endswith("_at") or key == "deadline":
            params[key] = history.moment(MOMENT)
        elif key in {"academic", "experience", "motivation", "mark", "score"}:
            params[key] = "12.50"
        elif key in {"document", "documents"}:
            params[key] = {"fr": "Pièce FR", "ar": "وثيقة", "en": "Document EN"}
        else:
            params[key] = "Valeur"
    return params


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", sorted(history.MESSAGES))
def test_every_message_code_is_a_sentence_with_its_values_for_the_reader(language, code):
    params = sample_params(code)
    with translation.override(language):
        text = history.message(code, params)
        template = str(history.MESSAGES[code])
    assert text
    assert text != code
    assert "%(" not in text  # every placeholder filled
    assert text.startswith(template.split("%(")[0])  # the message of this code
    if "deadline" in params or any(key.endswith("_at") for key in params):
        assert "01/12/2026 09:30" in text  # day first, on the clock of Algiers
    if any(value == "12.50" for value in params.values()):
        assert ("12.50" if language == "en" else "12,50") in text
    if any(isinstance(value, dict) for value in params.values()):
        assert {"fr": "Pièce FR", "ar": "وثيقة", "en": "Document EN"}[language] in text


# --- No page shows a code ------------------------------------------------------------------------
class _Text(HTMLParser):
    """The visible text of a page: text nodes outside scripts and styles; what is typed in
    the text boxes (the value of a text input shows in the page)."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        values = dict(attrs)
        if tag == "input" and values.get("type", "text") == "text" and values.get("value"):
            self.nodes.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.nodes.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.nodes


#: What separates values shown side by side ("CV — Provided", "Status: A → B"); not the
#: comma, which joins the words of a sentence ("Eligibility, interview, decision").
SEGMENTS = re.compile(r"[—–·→:()\[\]|;/\n]+")


def message_words() -> set[str]:
    """The segments of the history's own sentences in the active language: "CV: accepted"
    is English for the message ``document_accepted``, not a code."""
    words = set()
    for template in history.MESSAGES.values():
        for segment in SEGMENTS.split(re.sub(r"%\(\w+\)s", "", str(template))):
            words.add(segment.strip())
    return words


def leaked_codes(texts: list[str]) -> set[str]:
    """Codes shown as a value: a whole segment of a text that is one of the raw codes
    (case kept: "Submitted" is a word, "submitted" the code); a code inside a sentence
    ("an offer waiting") is English, not a leak, nor a segment of a message's sentence."""
    found = set()
    allowed = message_words()
    for text in texts:
        for segment in SEGMENTS.split(text):
            if segment.strip() in RAW_CODES - allowed:
                found.add(segment.strip())
    return found


def add_every_event(application: Application) -> None:
    """One event of each kind and value, and one for every message code."""
    events = [
        ApplicationEvent(application=application, kind=K.STATUS, before=S.DRAFT, after=value)
        for value in S.values
    ]
    events += [
        ApplicationEvent(application=application, kind=K.DOCUMENT, before="provided", after=v)
        for v in (*ApplicationDocument.Status.values, "deleted", "purged")
    ]
    events += [
        ApplicationEvent(application=application, kind=K.OFFER, before="pending", after=value)
        for value in Offer.Status.values
    ]
    events += [
        ApplicationEvent(application=application, kind=K.DECISION, after=value)
        for value in history.DECISION_LABELS
    ]
    events += [
        ApplicationEvent(application=application, kind=K.REVIEW, before="", after=value)
        for value in ("scored", "conflict")
    ]
    events += [ApplicationEvent(application=application, kind=K.INTERVIEW, after="14.25")]
    events += [
        ApplicationEvent(
            application=application, kind=K.STATUS, code=code, params=sample_params(code)
        )
        for code in history.MESSAGES
    ]
    for event in events:
        event.at = MOMENT
    ApplicationEvent.objects.bulk_create(events)


OFFER_OF: dict[str, str] = {
    S.ADMITTED: Offer.Status.PENDING,
    S.ACCEPTED: Offer.Status.ACCEPTED,
    S.DECLINED: Offer.Status.DECLINED,
    S.EXPIRED: Offer.Status.EXPIRED,
}


@pytest.fixture
def every_state(make_user):
    """One application in each state, with documents in each state, a review, scores, an
    offer where the state has one, and every kind of event in its history."""
    intake = IntakeFactory.create()
    coordinator = make_user("coordinator")
    applications = []
    for status in S.values:
        user = make_user()
        application = ready_application(user, intake)
        if status != S.DRAFT:
            application_submit(application=application, actor=user)
        Application.objects.filter(pk=application.pk).update(
            status=status,
            dossier_score=Decimal("12.50"),
            interview_score=Decimal("14.25"),
            final_score=Decimal("13.10"),
        )
        documents = list(application.documents.order_by("pk"))
        documents[0].status = ApplicationDocument.Status.ACCEPTED
        documents[-1].status = ApplicationDocument.Status.REJECTED
        documents[-1].rejection_reason = "Illisible"
        ApplicationDocument.objects.bulk_update(documents, ["status", "rejection_reason"])
        if status in OFFER_OF:
            Offer.objects.create(application=application, deadline=MOMENT, status=OFFER_OF[status])
        Review.objects.create(
            application=application,
            reviewer=coordinator,
            academic=Decimal("12.50"),
            experience=Decimal("11.75"),
            motivation=Decimal("15.00"),
            scored_at=MOMENT,
        )
        add_every_event(application)
        applications.append(Application.objects.get(pk=application.pk))
    return coordinator, applications


def pages(staff, applications):
    """(name, client, url) of the main pages of staff and applicants."""
    yield "staff list", staff, reverse("enrollment:staff_applications")
    yield "staff list (filtered)", staff, reverse("enrollment:staff_applications") + "?q=Benali"
    yield "dashboard", staff, reverse("enrollment:staff_dashboard")
    for application in applications:
        yield (
            f"staff detail ({application.status})",
            staff,
            reverse("enrollment:staff_application", args=[application.number]),
        )
        applicant = logged_in(application.applicant)
        yield (
            f"applicant detail ({application.status})",
            applicant,
            reverse("enrollment:application", args=[application.number]),
        )
        yield f"my space ({application.status})", applicant, reverse("me")


def streamed(response) -> bytes:
    """The body of a streamed response (the CSV export)."""
    return b"".join(response.streaming_content)


def export_cells(client, language: str) -> list[tuple[str, list[str]]]:
    url = reverse("enrollment:staff_applications")
    response = client.get(url, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE=language)
    content = streamed(response).decode("utf-8-sig")
    delimiter = "," if language == "en" else ";"
    rows = list(csv.reader(io.StringIO(content), delimiter=delimiter))
    response = client.get(url, {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE=language)
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [[str(c) for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    return [("csv", row) for row in rows] + [("xlsx", row) for row in cells]


def test_no_page_or_export_shows_a_raw_code_in_any_language(every_state):
    coordinator, applications = every_state
    staff = logged_in(coordinator)  # once: a TOTP code is accepted once
    walk = list(pages(staff, applications))
    for language in LANGUAGES:
        for name, client, url in walk:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (name, language)
            assert response.content.decode().count(f'lang="{language}"') >= 1, (name, language)
            texts = visible_text(response.content.decode())
            assert not leaked_codes(texts), (name, language, leaked_codes(texts))
        for fmt, row in export_cells(staff, language):
            leaked = RAW_CODES.intersection(cell.strip() for cell in row)
            assert not leaked, (fmt, language, leaked, row)


def test_the_walk_would_see_a_leaked_code():
    """The detector itself: a status printed raw, beside words, is found; the same word in
    a sentence or in an attribute is not."""
    page = (
        '<p class="status-submitted"><a href="?status=admitted">x</a> CV — provided</p>'
        "<td>draft</td><p>an offer waiting for an answer</p>"
    )
    assert leaked_codes(visible_text(page)) == {"provided", "draft"}


# --- Dates and numbers ---------------------------------------------------------------------------
NUMBER = re.compile(r"\d+([.,])\d+")


def separators(html: str) -> set[str]:
    return {m.group(1) for text in visible_text(html) for m in NUMBER.finditer(text)}


@pytest.mark.parametrize(("language", "separator"), [("fr", ","), ("ar", ","), ("en", ".")])
def test_a_page_writes_every_decimal_with_one_separator(every_state, language, separator):
    """Scores, the review form, the frozen profile's average (kept as "13.40" in JSON), the
    interview mark and the messages' marks: one separator, the language's."""
    coordinator, applications = every_state
    application = next(a for a in applications if a.status == S.INTERVIEWED)
    url = reverse("enrollment:staff_application", args=[application.number])
    html = logged_in(coordinator).get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert separators(html) == {separator}
    assert f"13{separator}40" in html  # the snapshot's average
    assert f'value="12{separator}50"' in html  # the review form, as the page writes it


def test_arabic_pages_write_dates_day_first_on_the_clock_of_algiers(every_state):
    coordinator, applications = every_state
    url = reverse("enrollment:staff_application", args=[applications[1].number])
    html = logged_in(coordinator).get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'lang="ar"' in html
    assert "01/12/2026 09:30" in html  # the history, in local time
    assert "12/01/2026" not in html
    assert "08:30" not in html  # not UTC


# --- Exports -------------------------------------------------------------------------------------
def submitted(make_user, intake, **fields):
    user = make_user()
    application = ready_application(user, intake)
    application_submit(application=application, actor=user)
    Application.objects.filter(pk=application.pk).update(**fields)
    return Application.objects.get(pk=application.pk)


def test_the_csv_export_is_for_excel_in_the_readers_language(make_user):
    intake = IntakeFactory.create(title_fr="Appel 2026", title_ar="إعلان 2026")
    application = submitted(
        make_user,
        intake,
        submitted_at=MOMENT,
        sector="agro_food",
        degree="licence",
        final_score=Decimal("13.10"),
    )
    client = logged_in(make_user("coordinator"))
    url = reverse("enrollment:staff_applications")

    content = streamed(client.get(url, {"format": "csv"}))
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    header, row = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    with translation.override("fr"):
        assert header == exports.header()
        assert row[0] == application.number
        assert row[3] == "Appel 2026"  # the intake's title, not its slug
        assert row[4] == str(S.SUBMITTED.label)
        assert row[5] == str(Organisation.Sector("agro_food").label)
        assert row[6] == str(Education.Degree.LICENCE.label)
        assert row[8] == "01/12/2026 09:30"  # day first, on the clock of Algiers
        assert row[11] == "13,10"
        assert row[-1].startswith(f"{K.STATUS.label}: ")  # the last change, in words
        assert str(S.SUBMITTED.label) in row[-1]
    assert len(row) == len(header) == 15

    arabic = streamed(client.get(url, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="ar"))
    _, row = csv.reader(io.StringIO(arabic.decode("utf-8-sig")), delimiter=";")
    assert row[3] == "إعلان 2026"
    assert row[8] == "01/12/2026 09:30"

    english = streamed(client.get(url, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en"))
    _, row = csv.reader(io.StringIO(english.decode("utf-8-sig")))  # "," in English
    assert row[11] == "13.10"

    asked = streamed(client.get(url, {"format": "csv", "sep": "comma"}))
    _, row = csv.reader(io.StringIO(asked.decode("utf-8-sig")))
    assert row[0] == application.number
    assert row[11] == "13.10"  # a comma-separated file keeps the decimal point


def test_the_excel_export_has_local_dates_as_dates_and_words(make_user):
    intake = IntakeFactory.create()
    submitted(make_user, intake, submitted_at=MOMENT, final_score=Decimal("13.10"))
    client = logged_in(make_user("coordinator"))
    response = client.get(reverse("enrollment:staff_applications"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = next(sheet.iter_rows(min_row=2, max_row=2))
    # Algiers' clock, as Excel has no time zones.
    assert row[8].value == dt.datetime(2026, 12, 1, 9, 30)  # noqa: DTZ001
    assert row[8].number_format == "dd/mm/yyyy hh:mm"
    assert row[11].value == 13.1
    with translation.override("fr"):
        assert row[4].value == str(S.SUBMITTED.label)
    assert isinstance(row[13].value, dt.datetime)  # the last change


# --- Search --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed", ["bénali", "benali", "BENALI", "Bénali", "BÉNALI", "amina bénali"]
)
def test_the_staff_search_ignores_accents_and_case(make_user, typed):
    intake = IntakeFactory.create()
    found = submitted(make_user, intake, full_name="Amina Bénali")
    plain = submitted(make_user, intake, full_name="Amina Benali")
    submitted(make_user, intake, full_name="Sofiane Haddad")
    _, queryset = application_list(filters={"q": typed})
    assert set(queryset) == {found, plain}


def test_the_search_page_finds_a_name_typed_without_its_accent(make_user):
    intake = IntakeFactory.create()
    found = submitted(make_user, intake, full_name="Rachid Zeroual-Hénni")
    client = logged_in(make_user("coordinator"))
    html = client.get(reverse("enrollment:staff_applications"), {"q": "henni"}).content.decode()
    assert found.number in html


def test_sqlite_connections_get_an_unaccent_function_and_the_lookup_uses_it():
    """The embedded default is SQLite: a new SQLite connection gets ``unaccent`` (through
    connection_created), and the search compiles to UNACCENT() on both sides there too."""
    # A handler of its own (not django.db.connections): its "default" is a throw-away SQLite.
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    )
    lite = handler["default"]
    try:
        with lite.cursor() as cursor:
            cursor.execute("SELECT unaccent(%s), unaccent(%s), unaccent(NULL)", ["Bénali", "Œuvre"])
            assert cursor.fetchone() == ("Benali", "OEuvre", None)
            cursor.execute(
                "SELECT UPPER(unaccent(%s)) LIKE UPPER(unaccent(%s))", ["BÉNALI", "bénali"]
            )
            assert cursor.fetchone() == (1,)
        _, queryset = application_list(filters={"q": "bénali"})
        sql, params = queryset.query.get_compiler(connection=lite).as_sql()
        assert 'UNACCENT("enrollment_application"."full_name")' in sql
        assert "UNACCENT(%s)" in sql  # the word typed, without its accents too
        assert "bénali" in params
    finally:
        lite.close()
    assert connections["default"].vendor == "postgresql"


# --- Dashboard -----------------------------------------------------------------------------------
def test_the_dashboard_shows_seats_and_offers_waiting_the_soonest_first(make_user):
    intake = IntakeFactory.create()
    later = submitted(make_user, intake, status=S.ADMITTED, full_name="Nadia Later")
    sooner = submitted(make_user, intake, status=S.ADMITTED, full_name="Karim Sooner")
    answered = submitted(make_user, intake, status=S.ACCEPTED, full_name="Yacine Student")
    now = timezone.now()
    Offer.objects.create(application=later, deadline=now + dt.timedelta(days=6))
    Offer.objects.create(application=sooner, deadline=now + dt.timedelta(days=2))
    Offer.objects.create(
        application=answered, deadline=now, status=Offer.Status.ACCEPTED, answered_at=now
    )
    Student.objects.create(
        user=answered.applicant,
        cohort=intake.cohort,
        registration_number="MCRT-2026-0001",
        application=answered,
    )
    assert seats_taken(intake.cohort) == 3  # the service that decides admissions

    client = logged_in(make_user("coordinator"))
    for query in ({}, {"intake": intake.pk}):
        html = client.get(reverse("enrollment:staff_dashboard"), query).content.decode()
        seats = html.split(f'data-testid="seats-{intake.cohort.pk}"')[1].split("</tr>")[0]
        assert [int(n) for n in re.findall(r"<td>(\d+)</td>", seats)] == [25, 3, 22]
        offers = html.split('data-testid="offers"')[1].split("</table>")[0]
        assert offers.index(sooner.number) < offers.index(later.number)
        assert "Karim Sooner" in offers
        assert answered.number not in offers  # answered: no longer waiting


def test_my_data_gives_the_history_in_words_on_the_clock_of_algiers(make_user):
    application = submitted(make_user, IntakeFactory.create(), submitted_at=MOMENT)
    ApplicationEvent.objects.create(
        application=application, kind=K.DOCUMENT, before="provided", after="accepted", at=MOMENT
    )
    response = logged_in(application.applicant).get(reverse("enrollment:my_data"))
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    mine = data["applications"][0]
    assert mine["submitted_at"].startswith("2026-12-01T09:30:00+01:00")
    with translation.override("fr"):
        assert mine["status_label"] == str(S.SUBMITTED.label)
        document = next(e for e in mine["history"] if e["kind"] == K.DOCUMENT)
        assert document["at"].startswith("2026-12-01T09:30:00+01:00")
        accepted = str(ApplicationDocument.Status.ACCEPTED.label)
        provided = str(ApplicationDocument.Status.PROVIDED.label)
        assert document["text"] == f"{K.DOCUMENT.label}: {provided} → {accepted}"
    assert (document["from"], document["to"]) == ("provided", "accepted")  # and the codes
