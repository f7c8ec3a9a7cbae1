"""The applicant's space (#12): every irreversible step asks for confirmation first (withdraw,
decline, accept), a withdrawn draft can be started again, the page lists what is left to do
(the submit step's own list) with the deadline, shows the interview with its .ics, offers
the printable receipt once a worker rendered it, and an upload error names its document."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from icalendar import Calendar

from core.confirmation import moment
from enrollment import receipt
from enrollment.models import Application, ApplicationDocument, Interview, Offer, Student
from enrollment.services.applications import (
    application_problems,
    application_start,
    application_submit,
    application_withdraw,
)
from enrollment.services.decisions import Decision, decide
from enrollment.services.review import document_review, eligibility_set, reviewer_assign
from enrollment.tasks import render_receipt
from tests.certificates.pdfcheck import pdf_text, rtl_text
from tests.factories.enrollment import IntakeFactory, complete_profile, ready_application
from tests.helpers import logged_in, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    # The pages answer in French (the default); the expected texts are rendered alike.
    with translation.override("fr"):
        yield


@pytest.fixture
def intake():
    """Open for 3 days and 5 hours more; nothing waits before a decision."""
    return IntakeFactory.create(
        title_fr="Appel à candidatures 2026–2028",
        closes_at=timezone.now() + dt.timedelta(days=3, hours=5, minutes=30),
        reviews_required=0,
        interview_required=False,
        documents_accepted_required=False,
    )


def submitted(make_user, intake) -> Application:
    user = make_user()
    application = ready_application(user, intake)
    application_submit(application=application, actor=user)
    application.refresh_from_db()
    return application


def admitted(make_user, intake) -> Application:
    application = submitted(make_user, intake)
    coordinator = make_user("coordinator")
    eligibility_set(application=application, actor=coordinator, eligible=True)
    decide(applications=[application], actor=coordinator, decision=Decision.ADMIT)
    application.refresh_from_db()
    assert application.status == Application.Status.ADMITTED
    return application


def page(client: Client, application: Application) -> str:
    url = reverse("enrollment:application", args=[application.number])
    return client.get(url).content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Confirmation of each irreversible step ------------------------------------------------
def test_withdrawing_shows_what_it_does_first_and_the_get_changes_nothing(make_user, intake):
    application = submitted(make_user, intake)
    client = logged_in(application.applicant)
    detail = page(client, application)
    url = reverse("enrollment:withdraw", args=[application.number])
    assert f'href="{url}"' in detail  # a link to the confirmation, not a button that does it
    for response in (client.get(url), client.post(url, {"reason": "Autre choix"})):
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="confirmation"' in html
        assert escape(_("You cannot apply to this call again.")) in html
        assert 'name="confirm" value="yes"' in html
        assert f'href="{reverse("enrollment:application", args=[application.number])}"' in html
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_a_confirmed_withdrawal_withdraws_and_says_when(make_user, intake):
    application = submitted(make_user, intake)
    client = logged_in(application.applicant)
    response = client.post(
        reverse("enrollment:withdraw", args=[application.number]),
        {"confirm": "yes", "reason": "J'ai trouvé un emploi"},
        follow=True,
    )
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    last = application.events.last()
    assert last is not None
    assert last.note == "J'ai trouvé un emploi"
    expected = _("Application %(number)s withdrawn on %(date)s.") % {
        "number": application.number,
        "date": moment(application.updated_at),
    }
    assert messages_of(response) == [expected]
    # Withdrawn: the page offers no second withdrawal, and the URL refuses it.
    assert 'data-testid="withdraw"' not in response.content.decode()
    again = client.get(reverse("enrollment:withdraw", args=[application.number]), follow=True)
    assert 'data-testid="confirmation"' not in again.content.decode()


def test_declining_asks_first_then_declines_and_the_seat_goes_on(make_user, intake):
    application = admitted(make_user, intake)
    client = logged_in(application.applicant)
    url = reverse("enrollment:offer_answer", args=[application.number, "decline"])
    assert f'href="{url}"' in page(client, application)
    html = client.get(url).content.decode()
    assert (
        escape(
            _(
                "You decline the offer of application %(number)s: your seat goes to the next "
                "person on the waiting list."
            )
            % {"number": application.number}
        )
        in html
    )
    assert Offer.objects.get(application=application).status == Offer.Status.PENDING

    response = client.post(url, {"confirm": "yes"}, follow=True)
    offer = Offer.objects.get(application=application)
    assert offer.status == Offer.Status.DECLINED
    assert offer.answered_at is not None
    assert messages_of(response) == [
        _(
            "You declined the offer of application %(number)s on %(date)s; your seat "
            "goes to the next person on the waiting list."
        )
        % {"number": application.number, "date": moment(offer.answered_at)}
    ]


def test_accepting_asks_first_then_gives_the_registration_number_and_the_date(make_user, intake):
    application = admitted(make_user, intake)
    client = logged_in(application.applicant)
    url = reverse("enrollment:offer_answer", args=[application.number, "accept"])
    html = client.post(url).content.decode()  # no confirmation field: the page, not the step
    assert escape(_("This answer is final: you can no longer decline the offer.")) in html
    assert not Student.objects.exists()

    response = client.post(url, {"confirm": "yes"}, follow=True)
    student = Student.objects.get(user=application.applicant)
    offer = Offer.objects.get(application=application)
    assert offer.answered_at is not None
    assert messages_of(response) == [
        _("Welcome! You accepted your seat on %(date)s; your registration number is %(number)s.")
        % {"date": moment(offer.answered_at), "number": student.registration_number}
    ]
    # Answered: the confirmation is not offered again.
    again = client.get(url, follow=True)
    assert 'data-testid="confirmation"' not in again.content.decode()
    assert messages_of(again) == [_("This offer has already been answered or has expired.")]


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_another_applicant_cannot_reach_the_confirmation_of_an_offer(make_user, intake, answer):
    application = admitted(make_user, intake)
    url = reverse("enrollment:offer_answer", args=[application.number, answer])
    assert logged_in(make_user()).get(url).status_code == 404
    assert (
        logged_in(make_user())
        .get(reverse("enrollment:withdraw", args=[application.number]))
        .status_code
        == 404
    )


# --- A withdrawn draft is started again ----------------------------------------------------
def test_a_withdrawn_draft_is_reopened_by_applying_again(make_user, intake):
    user = make_user()
    draft = application_start(applicant=user, intake=intake)
    client = logged_in(user)
    html = client.get(reverse("enrollment:withdraw", args=[draft.number])).content.decode()
    assert escape(_("Withdraw my draft")) in html
    response = client.post(
        reverse("enrollment:withdraw", args=[draft.number]), {"confirm": "yes"}, follow=True
    )
    draft.refresh_from_db()
    assert draft.status == Application.Status.WITHDRAWN
    assert messages_of(response) == [
        _("Draft %(number)s withdrawn on %(date)s. You may start it again until %(deadline)s.")
        % {
            "number": draft.number,
            "date": moment(draft.updated_at),
            "deadline": moment(intake.closes_at),
        }
    ]
    assert escape(_("Start my application again")) in response.content.decode()

    response = client.post(reverse("enrollment:apply", args=[intake.slug]))
    assert response["Location"] == reverse("enrollment:step", args=[draft.number, "profile"])
    assert Application.objects.filter(applicant=user).count() == 1
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT
    assert list(draft.events.values_list("code", "after")) == [
        ("draft_started", "draft"),
        ("", "withdrawn"),
        ("draft_reopened", "draft"),
    ]


def test_a_withdrawn_draft_is_not_reopened_once_the_call_is_closed(make_user, intake):
    from django.core.exceptions import ValidationError

    user = make_user()
    draft = application_start(applicant=user, intake=intake)
    application_withdraw(application=draft, actor=user)
    intake.closes_at = timezone.now() - dt.timedelta(minutes=1)
    intake.opens_at = intake.closes_at - dt.timedelta(days=30)
    intake.save()
    with pytest.raises(ValidationError):
        application_start(applicant=user, intake=intake)
    draft.refresh_from_db()
    assert draft.status == Application.Status.WITHDRAWN


def test_a_withdrawn_submitted_application_stays_withdrawn(make_user, intake):
    application = submitted(make_user, intake)
    application_withdraw(application=application, actor=application.applicant)
    again = application_start(applicant=application.applicant, intake=intake)
    assert again.pk == application.pk
    assert again.status == Application.Status.WITHDRAWN
    assert (
        "start my application again"
        not in page(logged_in(application.applicant), application).lower()
    )


# --- What is left, the deadline, the interview ---------------------------------------------
def test_the_checklist_is_the_submit_steps_list_with_the_deadline_and_the_time_left(
    make_user, intake
):
    user = make_user()
    complete_profile(user)
    draft = application_start(applicant=user, intake=intake)
    html = page(logged_in(user), draft)
    block = html[html.index('data-testid="checklist"') :]
    items = [
        html_lib.unescape(i) for i in re.findall(r"<li>(.*?)</li>", block[: block.index("</ul>")])
    ]
    problems = application_problems(draft)
    assert len(problems) == 4  # the motivation, who pays, the two required documents
    assert items == [str(p) for p in problems]
    closes = formats.date_format(timezone.localtime(intake.closes_at), "DATETIME_FORMAT")
    left = timeuntil(intake.closes_at)
    # The sentence is the template's own text (not escaped) around escaped values: compare
    # with what a reader sees.
    assert _("Submit it before %(closes)s (Algiers time): %(left)s left.") % {
        "closes": closes,
        "left": left,
    } in html_lib.unescape(html)


def test_my_space_gives_a_drafts_deadline(make_user, intake):
    user = make_user()
    draft = application_start(applicant=user, intake=intake)
    html = logged_in(user).get(reverse("me")).content.decode()
    row = html[html.index(draft.number) :]
    closes = formats.date_format(timezone.localtime(intake.closes_at), "DATETIME_FORMAT")
    expected = _("Submit it before %(closes)s (Algiers time): %(left)s left.") % {
        "closes": closes,
        "left": timeuntil(intake.closes_at),
    }
    assert expected in html_lib.unescape(row[: row.index("</tr>")])


def test_a_complete_draft_has_nothing_left(make_user, intake):
    user = make_user()
    draft = ready_application(user, intake)
    html = page(logged_in(user), draft)
    assert 'data-testid="checklist"' not in html
    assert application_problems(draft) == []
    assert 'data-testid="checklist-done"' in html


def test_the_interview_is_shown_with_its_calendar_file(make_user, intake):
    application = submitted(make_user, intake)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.SHORTLISTED)
    at = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=4)
    interview = Interview.objects.create(
        application=application,
        scheduled_at=at,
        duration_minutes=45,
        place="WTC Alger, salle 3",
        link="https://visio.example.dz/mcrt-42",
        sequence=2,
    )
    client = logged_in(application.applicant)
    html = page(client, application)
    block = html[html.index('data-testid="interview"') :]
    local = timezone.localtime(at)
    assert formats.date_format(local, "DATE_FORMAT") in block
    assert _("%(at)s (Algiers time), %(minutes)s minutes") % {
        "at": local.strftime("%H:%M"),
        "minutes": 45,
    } in html_lib.unescape(block)
    assert "WTC Alger, salle 3" in block
    assert 'href="https://visio.example.dz/mcrt-42"' in block
    ics_url = reverse("enrollment:interview_calendar", args=[application.number])
    assert f'href="{ics_url}"' in block

    response = client.get(ics_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["uid"]).startswith(f"interview-{interview.pk}@")
    assert event.decoded("sequence") == 2
    assert event.decoded("dtstart") == at
    assert event.decoded("dtend") == at + dt.timedelta(minutes=45)
    assert str(event["location"]) == "WTC Alger, salle 3"
    assert str(event["url"]) == "https://visio.example.dz/mcrt-42"
    # The same UID next time: a calendar updates the event instead of adding one.
    [again] = Calendar.from_ical(client.get(ics_url).content).walk("VEVENT")
    assert again["uid"] == event["uid"]
    assert logged_in(make_user()).get(ics_url).status_code == 404


def test_a_shortlisted_applicant_books_a_slot_from_the_page(make_user, intake):
    from enrollment.models import InterviewSlot
    from enrollment.services.review import shortlist

    intake.interview_booking = True
    intake.save()
    application = submitted(make_user, intake)
    coordinator = make_user("coordinator")
    eligibility_set(application=application, actor=coordinator, eligible=True)
    shortlist(application=application, actor=coordinator)
    slot = InterviewSlot.objects.create(
        intake=intake, starts_at=timezone.now() + dt.timedelta(days=5), place="WTC Alger"
    )
    html = page(logged_in(application.applicant), application)
    assert 'data-testid="slot-booking"' in html
    assert reverse("enrollment:slot_book", args=[application.number]) in html
    assert f'value="{slot.pk}"' in html


def test_without_an_interview_there_is_no_calendar_file(make_user, intake):
    application = submitted(make_user, intake)
    client = logged_in(application.applicant)
    assert 'data-testid="interview"' not in page(client, application)
    url = reverse("enrollment:interview_calendar", args=[application.number])
    assert client.get(url).status_code == 404


# --- The receipt ---------------------------------------------------------------------------
def test_the_receipt_is_rendered_after_submission_and_holds_what_was_submitted(
    make_user, intake, django_capture_on_commit_callbacks, tmp_path
):
    user = make_user()
    application = ready_application(user, intake)
    client = logged_in(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        application_submit(application=application, actor=user)
    # Until the worker renders it, the page says it is being prepared and there is no file.
    html = page(client, application)
    assert _(
        "Your receipt is being prepared: reload this page in a moment to download it."
    ) in html_lib.unescape(html)
    url = reverse("enrollment:receipt", args=[application.number])
    assert client.get(url).status_code == 404
    for callback in callbacks:  # the e-mail and the receipt, as after a real commit
        callback()
    application.refresh_from_db()
    assert str(application.receipt.name).startswith("receipts/")

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    (tmp_path / "receipt.pdf").write_bytes(content)
    text = pdf_text(content)
    assert application.number in text
    assert "BENALI Amina" in text
    assert "Appel à candidatures 2026–2028" in text
    assert "Animer le cluster numérique de ma wilaya." in text
    for document in application.documents.all():
        assert document.original_name in text
        assert document.requirement.display_label in text
    arabic = rtl_text(content)
    assert "بن علي" in arabic
    assert "أمينة" in arabic


def test_an_arabic_application_gets_its_receipt_right_to_left(make_user, intake, tmp_path):
    application = submitted(make_user, intake)
    Application.objects.filter(pk=application.pk).update(language="ar")
    application.refresh_from_db()
    assert '<html lang="ar" dir="rtl">' in receipt.render_html(application)
    content = receipt.render_pdf(application)
    (tmp_path / "receipt-ar.pdf").write_bytes(content)
    assert application.number in pdf_text(content)
    assert "بن علي" in rtl_text(content)


def test_the_receipt_is_kept_once_however_often_its_task_runs(make_user, intake):
    application = submitted(make_user, intake)
    assert render_receipt(application.pk) is True
    application.refresh_from_db()
    kept = application.receipt.name
    assert render_receipt(application.pk) is False
    application.refresh_from_db()
    assert application.receipt.name == kept
    # A draft has nothing to print.
    draft = application_start(applicant=make_user(), intake=intake)
    assert render_receipt(draft.pk) is False


def test_a_receipt_missing_a_while_after_submission_is_queued_again(make_user, intake):
    late = submitted(make_user, intake)
    fresh = submitted(make_user, intake)
    Application.objects.filter(pk=late.pk).update(
        submitted_at=timezone.now() - receipt.REQUEUE_AFTER - dt.timedelta(seconds=1)
    )
    assert receipt.receipts_missing() == [late.pk]
    assert fresh.pk not in receipt.receipts_missing()


@pytest.mark.parametrize(
    ("who", "mine", "staff"),
    [
        ("owner", 200, None),
        ("applicant", 404, 403),
        ("lecturer", 404, 404),
        ("coordinator", 404, 200),
    ],
)
def test_only_its_owner_and_a_coordinator_download_the_receipt(make_user, intake, who, mine, staff):
    application = submitted(make_user, intake)
    render_receipt(application.pk)
    coordinator = make_user("coordinator")
    if who == "owner":
        user = application.applicant
    elif who == "lecturer":
        user = make_user("lecturer")  # even a reviewer of the file
        reviewer_assign(application=application, actor=coordinator, reviewer=user)
    elif who == "coordinator":
        user = coordinator
    else:
        user = make_user()
    client = logged_in(user)
    assert client.get(reverse("enrollment:receipt", args=[application.number])).status_code == mine
    if staff is not None:
        url = reverse("enrollment:staff_receipt", args=[application.number])
        assert client.get(url).status_code == staff
    if who == "coordinator":
        detail = client.get(reverse("enrollment:staff_application", args=[application.number]))
        assert reverse("enrollment:staff_receipt", args=[application.number]) in (
            detail.content.decode()
        )


# --- Upload errors name their document -----------------------------------------------------
def test_an_upload_error_names_its_document_next_to_its_input(make_user, intake):
    user = make_user()
    draft = application_start(applicant=user, intake=intake)
    cv = intake.requirements.get(kind="cv")
    response = logged_in(user).post(
        reverse("enrollment:step", args=[draft.number, "documents"]),
        {"requirement": cv.pk, "file": SimpleUploadedFile("cv.pdf", b"<html>not a pdf</html>")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    expected = escape(
        _("%(document)s: %(error)s")
        % {"document": cv.display_label, "error": _("The file is not a PDF document.")}
    )
    row = html[html.index('data-testid="requirement-cv"') :]
    row = row[: row.index("</tr>")]
    assert f'id="file-{cv.pk}-error"' in row
    assert f'aria-describedby="file-{cv.pk}-error"' in row
    assert expected in row
    summary = html[html.index('data-testid="error-summary"') :]
    assert f'<a href="#file-{cv.pk}">{expected}</a>' in summary
    identity = html[html.index('data-testid="requirement-identity"') :]
    assert "errorlist" not in identity[: identity.index("</tr>")]
    assert not draft.documents.exists()


def test_a_refused_replacement_names_its_document_next_to_its_input(make_user, intake):
    application = submitted(make_user, intake)
    document = application.documents.get(requirement__kind="identity")
    document_review(
        document=document, actor=make_user("coordinator"), accept=False, reason="Illisible"
    )
    response = logged_in(application.applicant).post(
        reverse("enrollment:document_replace", args=[application.number]),
        {
            "requirement": document.requirement_id,
            "file": SimpleUploadedFile("id.png", b"GIF89a not an image"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    row = html[html.index('data-testid="document-identity"') :]
    row = row[: row.index("</tr>")]
    assert f'id="replace-{document.pk}-error"' in row
    error = row[row.index(f'id="replace-{document.pk}-error"') :]
    prefix = _("%(document)s: %(error)s") % {
        "document": document.requirement.display_label,
        "error": "",
    }
    assert html_lib.unescape(error.split(">", 1)[1]).startswith(prefix)
    document.refresh_from_db()
    assert document.status == ApplicationDocument.Status.REJECTED


# --- With a real worker --------------------------------------------------------------------
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_receipt_after_the_submission_commits(
    make_user, celery_worker_process, settings
):
    # The session's worker keeps files where the settings say (PRIVATE_ROOT): read them there.
    root = Path(settings.PRIVATE_ROOT)
    backend = "core.storage.AtomicFileSystemStorage"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": backend, "OPTIONS": {"location": str(root)}},
    }
    intake = IntakeFactory.create()
    user = make_user()
    application = ready_application(user, intake)
    names = [str(d.file.name) for d in application.documents.all()]
    try:
        application_submit(application=application, actor=user)
        kept = wait_for(
            lambda: Application.objects.filter(pk=application.pk).exclude(receipt="").first(),
            timeout=60,
        )
        names.append(str(kept.receipt.name))
        with kept.receipt.open("rb") as handle:
            assert application.number in pdf_text(handle.read())
    finally:
        for name in names:
            (root / name).unlink(missing_ok=True)


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Contribuer à structurer le cluster.", "ltr"),
        ("« 2026 » : أساهم في هيكلة العنقود.", "rtl"),
        ("12 ans d'expérience", "ltr"),
        ("", "ltr"),
    ],
)
def test_the_receipt_sets_the_motivations_direction_from_its_first_letter(text, direction):
    """WeasyPrint ignores dir="auto": a French motivation on an Arabic receipt would end with
    its full stop on the left."""
    from enrollment.receipt import text_direction

    assert text_direction(text) == direction
