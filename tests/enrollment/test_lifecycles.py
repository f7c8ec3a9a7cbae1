"""Admissions as a guarded workflow (#12): the transition tables, what a decision waits for,
bulk actions that skip what is not ready, interviews in time, slots, blind review, and pages
that offer only what the state allows."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, ngettext
from icalendar import Calendar

from enrollment import history
from enrollment.lifecycles import (
    APPLICATION,
    DOCUMENT,
    INTERVIEW,
    MARKED,
    MOVED,
    NONE,
    OFFER,
    SCHEDULED,
    Lifecycle,
    interview_state,
)
from enrollment.models import (
    Application,
    ApplicationDocument,
    Interview,
    InterviewSlot,
    Offer,
)
from enrollment.services.applications import application_submit
from enrollment.services.decisions import Decision, decide
from enrollment.services.review import (
    document_review,
    eligibility_set,
    interview_ics,
    interview_mark,
    interview_schedule,
    review_save,
    reviewer_assign,
    shortlist,
    slot_add,
    slot_book,
)
from tests.factories.enrollment import (
    NOT_GUARDED,
    IntakeFactory,
    make_decidable,
    ready_application,
)
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db
S = Application.Status
D = ApplicationDocument.Status
O = Offer.Status  # noqa: E741


# --- The tables -------------------------------------------------------------------------------
# Written out here, not read from the module: the specification the tables must meet.
APPLICATION_ALLOWED: dict[tuple[str, str], str] = {
    (S.DRAFT, "submit"): S.SUBMITTED,
    (S.DRAFT, "withdraw"): S.WITHDRAWN,
    **{(S.SUBMITTED, a): S.SUBMITTED for a in ("document", "assign", "review")},
    (S.SUBMITTED, "eligible"): S.ELIGIBLE,
    (S.SUBMITTED, "ineligible"): S.INELIGIBLE,
    (S.SUBMITTED, "withdraw"): S.WITHDRAWN,
    **{(S.ELIGIBLE, a): S.ELIGIBLE for a in ("document", "assign", "review")},
    (S.ELIGIBLE, "ineligible"): S.INELIGIBLE,
    (S.ELIGIBLE, "shortlist"): S.SHORTLISTED,
    (S.ELIGIBLE, "interview"): S.SHORTLISTED,
    (S.ELIGIBLE, "admit"): S.ADMITTED,
    (S.ELIGIBLE, "waitlist"): S.WAITLISTED,
    (S.ELIGIBLE, "reject"): S.REJECTED,
    (S.ELIGIBLE, "withdraw"): S.WITHDRAWN,
    (S.INELIGIBLE, "document"): S.INELIGIBLE,
    (S.INELIGIBLE, "eligible"): S.ELIGIBLE,
    (S.INELIGIBLE, "withdraw"): S.WITHDRAWN,
    **{(S.SHORTLISTED, a): S.SHORTLISTED for a in ("document", "assign", "review")},
    (S.SHORTLISTED, "interview"): S.SHORTLISTED,
    (S.SHORTLISTED, "book"): S.SHORTLISTED,
    (S.SHORTLISTED, "mark"): S.INTERVIEWED,
    (S.SHORTLISTED, "admit"): S.ADMITTED,
    (S.SHORTLISTED, "waitlist"): S.WAITLISTED,
    (S.SHORTLISTED, "reject"): S.REJECTED,
    (S.SHORTLISTED, "withdraw"): S.WITHDRAWN,
    **{(S.INTERVIEWED, a): S.INTERVIEWED for a in ("document", "assign", "review", "mark")},
    (S.INTERVIEWED, "admit"): S.ADMITTED,
    (S.INTERVIEWED, "waitlist"): S.WAITLISTED,
    (S.INTERVIEWED, "reject"): S.REJECTED,
    (S.INTERVIEWED, "withdraw"): S.WITHDRAWN,
    **{(S.WAITLISTED, a): S.WAITLISTED for a in ("document", "assign", "review")},
    (S.WAITLISTED, "admit"): S.ADMITTED,
    (S.WAITLISTED, "reject"): S.REJECTED,
    (S.WAITLISTED, "withdraw"): S.WITHDRAWN,
    (S.ADMITTED, "document"): S.ADMITTED,
    (S.ADMITTED, "accept"): S.ACCEPTED,
    (S.ADMITTED, "decline"): S.DECLINED,
    (S.ADMITTED, "expire"): S.EXPIRED,
    (S.ACCEPTED, "release"): S.WITHDRAWN,
    (S.WITHDRAWN, "reopen"): S.DRAFT,
}
DOCUMENT_ALLOWED: dict[tuple[str, str], str] = {
    (D.PROVIDED, "accept"): D.ACCEPTED,
    (D.PROVIDED, "reject"): D.REJECTED,
    (D.PROVIDED, "replace"): D.PROVIDED,
    (D.ACCEPTED, "reject"): D.REJECTED,
    (D.REJECTED, "accept"): D.ACCEPTED,
    (D.REJECTED, "replace"): D.PROVIDED,
}
INTERVIEW_ALLOWED: dict[tuple[str, str], str] = {
    (NONE, "schedule"): SCHEDULED,
    (NONE, "book"): SCHEDULED,
    (SCHEDULED, "move"): MOVED,
    (SCHEDULED, "book"): MOVED,
    (SCHEDULED, "mark"): MARKED,
    (MOVED, "move"): MOVED,
    (MOVED, "book"): MOVED,
    (MOVED, "mark"): MARKED,
    (MARKED, "mark"): MARKED,
}
OFFER_ALLOWED: dict[tuple[str, str], str] = {
    (O.PENDING, "accept"): O.ACCEPTED,
    (O.PENDING, "decline"): O.DECLINED,
    (O.PENDING, "expire"): O.EXPIRED,
}
TABLES: list[tuple[str, Lifecycle, dict[tuple[str, str], str], list[str]]] = [
    ("application", APPLICATION, APPLICATION_ALLOWED, list(S.values)),
    ("document", DOCUMENT, DOCUMENT_ALLOWED, list(D.values)),
    ("interview", INTERVIEW, INTERVIEW_ALLOWED, [NONE, SCHEDULED, MOVED, MARKED]),
    ("offer", OFFER, OFFER_ALLOWED, list(O.values)),
]


def _allowed_cases():
    for name, lifecycle, allowed, _states in TABLES:
        for (state, action), after in allowed.items():
            yield pytest.param(lifecycle, state, action, after, id=f"{name}-{state}-{action}")


def _refused_cases():
    for name, lifecycle, allowed, states in TABLES:
        actions = sorted({action for _state, action in allowed})
        for state in states:
            for action in actions:
                if (state, action) not in allowed:
                    yield pytest.param(lifecycle, state, action, id=f"{name}-{state}-{action}")


@pytest.mark.parametrize(("lifecycle", "state", "action", "after"), list(_allowed_cases()))
def test_each_transition_of_the_tables_is_allowed(lifecycle, state, action, after):
    assert lifecycle.allows(state, action)
    assert lifecycle.next(state, action) == after
    lifecycle.check(state, after)


@pytest.mark.parametrize(("lifecycle", "state", "action"), list(_refused_cases()))
def test_every_other_transition_is_refused_with_a_message(lifecycle, state, action):
    assert not lifecycle.allows(state, action)
    with pytest.raises(ValidationError) as exc:
        lifecycle.next(state, action)
    if (state, action) not in lifecycle.special:
        assert lifecycle.label(state) in exc.value.messages[0]
        assert str(lifecycle.refusals[action]) in exc.value.messages[0]


@pytest.mark.parametrize(("name", "lifecycle", "allowed", "states"), TABLES)
def test_the_tables_hold_exactly_the_transitions_specified(name, lifecycle, allowed, states):
    found = {
        (state, action): after
        for state, moves in lifecycle.table.items()
        for action, after in moves.items()
    }
    assert found == allowed
    assert set(lifecycle.states) == set(states)


def test_check_refuses_a_status_change_no_action_leads_to():
    APPLICATION.check(S.ELIGIBLE, S.ADMITTED)
    with pytest.raises(ValidationError) as exc:
        APPLICATION.check(S.SUBMITTED, S.ADMITTED)
    assert str(S.SUBMITTED.label) in exc.value.messages[0]
    assert str(S.ADMITTED.label) in exc.value.messages[0]


def test_refusals_that_depend_on_the_state_say_what_to_do_instead():
    with pytest.raises(ValidationError) as exc:
        APPLICATION.next(S.ADMITTED, "withdraw")
    assert exc.value.messages == [
        gettext("Decline the offer instead: the seat then goes to the next person waiting.")
    ]
    with pytest.raises(ValidationError) as exc:
        OFFER.next(O.ACCEPTED, "accept")
    assert exc.value.code == "already_accepted"
    with pytest.raises(ValidationError) as exc:
        OFFER.next(O.DECLINED, "accept")
    assert exc.value.code == "expired"


def test_the_interview_state_is_read_from_its_row():
    assert interview_state(None) == NONE
    interview = Interview(scheduled_at=timezone.now(), sequence=0)
    assert interview_state(interview) == SCHEDULED
    interview.sequence = 2
    assert interview_state(interview) == MOVED
    interview.mark = Decimal(12)
    assert interview_state(interview) == MARKED


# --- Helpers ----------------------------------------------------------------------------------
def submitted(make_user, intake) -> Application:
    user = make_user()
    application = ready_application(user, intake)
    application_submit(application=application, actor=user)
    application.refresh_from_db()
    return application


def scored(application, coordinator, reviewer, marks=("14", "14", "14")):
    review = reviewer_assign(application=application, actor=coordinator, reviewer=reviewer)
    academic, experience, motivation = (Decimal(m) for m in marks)
    return review_save(
        review=review,
        actor=reviewer,
        academic=academic,
        experience=experience,
        motivation=motivation,
    )


def take_place(application):
    """The interview's hour comes."""
    Interview.objects.filter(application=application).update(
        scheduled_at=timezone.now() - dt.timedelta(minutes=5)
    )


def later(**delta):
    return (timezone.now() + dt.timedelta(**delta)).replace(second=0, microsecond=0)


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator")


# --- What a decision waits for ----------------------------------------------------------------
def test_a_decision_waits_for_the_complete_reviews_the_intake_requires(make_user, coordinator):
    intake = IntakeFactory.create(**{**NOT_GUARDED, "reviews_required": 2})
    application = submitted(make_user, intake)
    eligibility_set(application=application, actor=coordinator, eligible=True)
    scored(application, coordinator, make_user("lecturer"))
    conflicted = make_user("lecturer")
    review = reviewer_assign(application=application, actor=coordinator, reviewer=conflicted)
    review_save(
        review=review,
        actor=conflicted,
        academic=None,
        experience=None,
        motivation=None,
        conflict_of_interest=True,
    )
    waits = ngettext(
        "%(count)s complete review of the %(required)s required.",
        "%(count)s complete reviews of the %(required)s required.",
        1,
    ) % {"count": 1, "required": 2}
    for decision in Decision.CHOICES:  # a rejection waits for the reviews too
        with pytest.raises(ValidationError) as exc:
            decide(applications=[application], actor=coordinator, decision=decision)
        assert waits in exc.value.messages[0]
        assert application.number in exc.value.messages[0]
    scored(application, coordinator, make_user("lecturer"))
    decide(applications=[application], actor=coordinator, decision=Decision.ADMIT)
    application.refresh_from_db()
    assert application.status == S.ADMITTED


def test_admission_and_the_waiting_list_wait_for_the_interview_mark_but_a_rejection_does_not(
    make_user, coordinator
):
    intake = IntakeFactory.create(**{**NOT_GUARDED, "interview_required": True})
    application = submitted(make_user, intake)
    eligibility_set(application=application, actor=coordinator, eligible=True)
    for decision in Decision.TOWARDS_A_SEAT:
        with pytest.raises(ValidationError) as exc:
            decide(applications=[application], actor=coordinator, decision=decision)
        assert gettext("The interview has not been marked.") in exc.value.messages[0]
    assert not Offer.objects.exists()
    decide(applications=[application], actor=coordinator, decision=Decision.REJECT)
    application.refresh_from_db()
    assert application.status == S.REJECTED


def test_an_interview_marked_lets_the_admission_through(make_user, coordinator):
    intake = IntakeFactory.create(**{**NOT_GUARDED, "interview_required": True})
    application = submitted(make_user, intake)
    eligibility_set(application=application, actor=coordinator, eligible=True)
    interview_schedule(
        application=application,
        actor=coordinator,
        scheduled_at=later(hours=2),
        place="WTC Alger",
        link="",
        panel=[coordinator],
    )
    take_place(application)
    interview_mark(application=application, actor=coordinator, mark=Decimal(14))
    decide(applications=[application], actor=coordinator, decision=Decision.ADMIT)
    assert Offer.objects.filter(application=application).exists()


def _with_a_rejected_identity(make_user, coordinator, **intake_settings):
    intake = IntakeFactory.create(**{**NOT_GUARDED, **intake_settings})
    application = submitted(make_user, intake)
    eligibility_set(application=application, actor=coordinator, eligible=True)
    cv = application.documents.get(requirement__kind="cv")
    identity = application.documents.get(requirement__kind="identity")
    document_review(document=cv, actor=coordinator, accept=True)
    document_review(document=identity, actor=coordinator, accept=False, reason="Illisible")
    return application, identity


def test_admission_waits_for_every_mandatory_document_accepted(make_user, coordinator):
    application, identity = _with_a_rejected_identity(
        make_user, coordinator, documents_accepted_required=True
    )
    expected = gettext("Mandatory documents not accepted: %(documents)s.") % {
        "documents": identity.requirement.display_label
    }
    for decision in Decision.TOWARDS_A_SEAT:
        with pytest.raises(ValidationError) as exc:
            decide(applications=[application], actor=coordinator, decision=decision)
        assert expected in exc.value.messages[0]
    # The optional photo, never sent, is not waited for: once the identity is accepted,
    # the admission goes through.
    document_review(document=identity, actor=coordinator, accept=True)
    decide(applications=[application], actor=coordinator, decision=Decision.ADMIT)
    application.refresh_from_db()
    assert application.status == S.ADMITTED


def test_a_coordinator_may_decide_despite_the_documents_with_a_reason_kept_in_the_history(
    make_user, coordinator
):
    application, identity = _with_a_rejected_identity(
        make_user, coordinator, documents_accepted_required=True
    )
    with pytest.raises(ValidationError):  # a blank reason is no reason
        decide(
            applications=[application],
            actor=coordinator,
            decision=Decision.ADMIT,
            override_reason="   ",
        )
    decide(
        applications=[application],
        actor=coordinator,
        decision=Decision.ADMIT,
        override_reason="Original seen at the desk",
    )
    application.refresh_from_db()
    assert application.status == S.ADMITTED
    event = application.events.get(code="decision_override")
    assert (event.actor, event.kind, event.after, event.note) == (
        coordinator,
        "decision",
        "admit",
        "Original seen at the desk",
    )
    assert history.describe(event).message == gettext(
        "Decided although these mandatory documents were not accepted: %(documents)s"
    ) % {"documents": identity.requirement.display_label}


def test_the_override_covers_the_documents_only(make_user, coordinator):
    application, _identity = _with_a_rejected_identity(
        make_user, coordinator, documents_accepted_required=True, interview_required=True
    )
    with pytest.raises(ValidationError) as exc:
        decide(
            applications=[application],
            actor=coordinator,
            decision=Decision.ADMIT,
            override_reason="Original seen at the desk",
        )
    assert gettext("The interview has not been marked.") in exc.value.messages[0]
    assert not application.events.filter(code="decision_override").exists()


def test_a_submitted_application_cannot_be_decided_before_its_eligibility(make_user, coordinator):
    application = submitted(make_user, IntakeFactory.create(**NOT_GUARDED))
    with pytest.raises(ValidationError) as exc:
        decide(applications=[application], actor=coordinator, decision=Decision.ADMIT)
    assert APPLICATION.refusal(S.SUBMITTED, "admit").messages[0] in exc.value.messages[0]
    with pytest.raises(ValidationError):
        shortlist(application=application, actor=coordinator)
    eligibility_set(application=application, actor=coordinator, eligible=True)
    with pytest.raises(ValidationError) as exc:
        eligibility_set(application=application, actor=coordinator, eligible=True)
    assert exc.value.messages == [gettext("This application is already eligible.")]


# --- Bulk actions -----------------------------------------------------------------------------
def test_bulk_admission_admits_the_ready_ones_and_lists_the_others_with_why(make_user, coordinator):
    intake = IntakeFactory.create()
    ready = make_decidable(submitted(make_user, intake), coordinator=coordinator)
    only_submitted = submitted(make_user, intake)
    not_interviewed = submitted(make_user, intake)
    eligibility_set(application=not_interviewed, actor=coordinator, eligible=True)
    client = logged_in(coordinator)
    response = client.post(
        reverse("enrollment:staff_bulk"),
        {"action": "admit", "selected": [ready.pk, only_submitted.pk, not_interviewed.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert Offer.objects.get().application == ready
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[only_submitted.pk] == S.SUBMITTED
    assert statuses[not_interviewed.pk] == S.ELIGIBLE
    assert escape(gettext("%(count)s application(s) updated.") % {"count": 1}) in html
    assert f"{only_submitted.number} — " in html
    assert escape(APPLICATION.refusal(S.SUBMITTED, "admit").messages[0]) in html
    assert f"{not_interviewed.number} — " in html
    assert escape(gettext("The interview has not been marked.")) in html


def test_bulk_eligibility_changes_the_submitted_and_lists_the_already_eligible(
    make_user, coordinator
):
    intake = IntakeFactory.create()
    fresh, already = submitted(make_user, intake), submitted(make_user, intake)
    eligibility_set(application=already, actor=coordinator, eligible=True)
    response = logged_in(coordinator).post(
        reverse("enrollment:staff_bulk"),
        {"action": "eligible", "selected": [fresh.pk, already.pk]},
        follow=True,
    )
    fresh.refresh_from_db()
    assert fresh.status == S.ELIGIBLE
    html = response.content.decode()
    assert f"{already.number} — {escape(gettext('This application is already eligible.'))}" in html


def test_the_bulk_action_has_no_preselected_choice(make_user, coordinator):
    submitted(make_user, IntakeFactory.create())
    html = logged_in(coordinator).get(reverse("enrollment:staff_applications")).content.decode()
    assert f'<option value="" selected>{escape(gettext("— choose —"))}</option>' in html
    response = logged_in(coordinator).post(
        reverse("enrollment:staff_bulk"),
        {"action": "", "selected": [Application.objects.get().pk]},
        follow=True,
    )
    assert escape(gettext("Select at least one application and an action.")) in (
        response.content.decode()
    )
    assert Application.objects.get().status == S.SUBMITTED


# --- Interviews -------------------------------------------------------------------------------
def _eligible(make_user, coordinator, **intake_settings):
    application = submitted(make_user, IntakeFactory.create(**intake_settings))
    eligibility_set(application=application, actor=coordinator, eligible=True)
    return application


def test_an_interview_cannot_be_scheduled_in_the_past(
    make_user, coordinator, django_capture_on_commit_callbacks
):
    application = _eligible(make_user, coordinator)
    with pytest.raises(ValidationError) as exc:
        interview_schedule(
            application=application,
            actor=coordinator,
            scheduled_at=timezone.now() - dt.timedelta(hours=1),
            place="WTC Alger",
            link="",
            panel=[coordinator],
        )
    assert exc.value.message_dict == {
        "scheduled_at": [gettext("An interview cannot be scheduled in the past.")]
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(coordinator).post(
            reverse("enrollment:staff_action", args=[application.number, "interview"]),
            {
                "scheduled_at": timezone.localtime(timezone.now() - dt.timedelta(days=1)).strftime(
                    "%Y-%m-%dT%H:%M"
                ),
                "duration_minutes": "30",
                "place": "WTC Alger",
                "panel": [coordinator.pk],
            },
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_scheduled_at_error"' in html
    assert escape(gettext("An interview cannot be scheduled in the past.")) in html
    assert not Interview.objects.exists()
    assert mail.outbox == []


def test_a_mark_waits_for_the_interview_to_start(make_user, coordinator):
    application = _eligible(make_user, coordinator)
    interview_schedule(
        application=application,
        actor=coordinator,
        scheduled_at=later(days=2),
        place="WTC Alger",
        link="",
        panel=[coordinator],
    )
    with pytest.raises(ValidationError) as exc:
        interview_mark(application=application, actor=coordinator, mark=Decimal(15))
    assert list(exc.value.message_dict) == ["mark"]
    client = logged_in(coordinator)
    page = client.get(
        reverse("enrollment:staff_application", args=[application.number])
    ).content.decode()
    assert 'data-testid="mark-later"' in page
    assert reverse("enrollment:staff_action", args=[application.number, "mark"]) not in page
    response = client.post(
        reverse("enrollment:staff_action", args=[application.number, "mark"]), {"mark": "15"}
    )
    assert response.status_code == 400
    assert 'id="id_mark_error"' in response.content.decode()
    assert Interview.objects.get().mark is None
    take_place(application)
    interview_mark(application=application, actor=coordinator, mark=Decimal(15))
    application.refresh_from_db()
    assert application.status == S.INTERVIEWED


def _ics_of(message) -> Calendar:
    [attachment] = [a for a in message.attachments if a[0] == "interview.ics"]
    _name, content, mimetype = attachment
    assert mimetype.startswith("text/calendar")
    return Calendar.from_ical(content)


def _event(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event


def test_moving_an_interview_raises_its_sequence_and_invites_again_with_the_ics(
    make_user, coordinator, django_capture_on_commit_callbacks
):
    application = _eligible(make_user, coordinator)
    first, second = later(days=2), later(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        interview_schedule(
            application=application,
            actor=coordinator,
            scheduled_at=first,
            place="WTC Alger, salle 2",
            link="",
            panel=[coordinator],
        )
    invitation = _ics_of(mail.outbox[-1])
    assert str(invitation["method"]) == "REQUEST"
    event = _event(invitation)
    uid = str(event["uid"])
    assert (event.decoded("sequence"), event.decoded("dtstart")) == (0, first)
    assert event.decoded("dtend") == first + dt.timedelta(minutes=30)
    assert str(event["location"]) == "WTC Alger, salle 2"

    with django_capture_on_commit_callbacks(execute=True):
        interview_schedule(
            application=application,
            actor=coordinator,
            scheduled_at=second,
            place="",
            link="https://visio.example.dz/tema",
            panel=[coordinator],
            duration_minutes=45,
        )
    interview = Interview.objects.get()
    assert interview.sequence == 1
    moved = _event(_ics_of(mail.outbox[-1]))
    assert str(moved["uid"]) == uid
    assert moved.decoded("sequence") == 1
    assert moved.decoded("dtstart") == second
    assert moved.decoded("dtend") == second + dt.timedelta(minutes=45)
    assert str(moved["url"]) == "https://visio.example.dz/tema"
    assert "location" not in moved
    # The function the e-mail uses says the same.
    built = _event(Calendar.from_ical(interview_ics(interview)))
    assert (str(built["uid"]), built.decoded("sequence")) == (uid, 1)
    assert application.events.filter(code="interview_moved").count() == 1
    # …and the e-mail says it moved, not that this is a first invitation.
    with translation.override(application.language):
        assert mail.outbox[-1].subject == gettext(
            "Application %(number)s: your interview has been moved"
        ) % {"number": application.number}
        assert gettext("You are invited to an interview on %(when)s.").split("%")[0] not in (
            mail.outbox[-1].body
        )


def test_a_marked_interview_is_not_moved(make_user, coordinator):
    application = _eligible(make_user, coordinator)
    interview_schedule(
        application=application,
        actor=coordinator,
        scheduled_at=later(hours=1),
        place="WTC Alger",
        link="",
        panel=[coordinator],
    )
    take_place(application)
    interview_mark(application=application, actor=coordinator, mark=Decimal(12))
    with pytest.raises(ValidationError):
        interview_schedule(
            application=application,
            actor=coordinator,
            scheduled_at=later(days=1),
            place="WTC Alger",
            link="",
            panel=[coordinator],
        )
    assert Interview.objects.get().sequence == 0


# --- Slots ------------------------------------------------------------------------------------
def _shortlisted(make_user, coordinator, intake):
    application = submitted(make_user, intake)
    eligibility_set(application=application, actor=coordinator, eligible=True)
    shortlist(application=application, actor=coordinator)
    application.refresh_from_db()
    return application


def _slot(intake, coordinator, **delta):
    return slot_add(
        intake=intake,
        actor=coordinator,
        starts_at=later(**(delta or {"days": 2})),
        duration_minutes=40,
        place="WTC Alger, salle Casbah",
        link="",
        panel=[coordinator],
    )


def test_the_coordination_publishes_lists_and_deletes_unbooked_slots(make_user, coordinator):
    intake = IntakeFactory.create(interview_booking=True)
    client = logged_in(coordinator)
    url = reverse("enrollment:intake_slots", args=[intake.pk])
    when = timezone.localtime(later(days=4))
    response = client.post(
        url,
        {
            "starts_at": when.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "30",
            "place": "WTC Alger, salle 3",
            "panel": [coordinator.pk],
        },
    )
    assert response.status_code == 302
    slot = InterviewSlot.objects.get()
    assert (slot.starts_at, slot.place) == (when, "WTC Alger, salle 3")
    assert "WTC Alger, salle 3" in client.get(url).content.decode()
    past = client.post(
        url,
        {
            "starts_at": timezone.localtime(timezone.now() - dt.timedelta(days=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "duration_minutes": "30",
            "place": "WTC Alger",
        },
    )
    assert past.status_code == 400
    assert 'id="id_starts_at_error"' in past.content.decode()
    assert InterviewSlot.objects.count() == 1

    booked = _slot(intake, coordinator, days=5)
    applicant = _shortlisted(make_user, coordinator, intake)
    slot_book(slot=booked, application=applicant, actor=applicant.applicant)
    response = client.post(
        reverse("enrollment:slot_delete", args=[intake.pk, booked.pk]), follow=True
    )
    assert escape(gettext("This slot is booked; it can no longer be deleted.")) in (
        response.content.decode()
    )
    client.post(reverse("enrollment:slot_delete", args=[intake.pk, slot.pk]))
    assert list(InterviewSlot.objects.all()) == [booked]


def test_a_shortlisted_applicant_books_a_slot_and_the_interview_follows_it(
    make_user, coordinator, django_capture_on_commit_callbacks
):
    intake = IntakeFactory.create(interview_booking=True)
    first, second = _slot(intake, coordinator, days=2), _slot(intake, coordinator, days=3)
    application = _shortlisted(make_user, coordinator, intake)
    client = logged_in(application.applicant)
    book = reverse("enrollment:slot_book", args=[application.number])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(book, {"slot": first.pk})
    assert response["Location"] == reverse("enrollment:application", args=[application.number])
    interview = Interview.objects.get(application=application)
    assert (interview.scheduled_at, interview.duration_minutes, interview.place) == (
        first.starts_at,
        40,
        first.place,
    )
    assert list(interview.panel.all()) == [coordinator]
    assert _event(_ics_of(mail.outbox[-1])).decoded("sequence") == 0

    with django_capture_on_commit_callbacks(execute=True):
        client.post(book, {"slot": second.pk})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.application is None
    assert second.application == application
    interview.refresh_from_db()
    assert (interview.scheduled_at, interview.sequence) == (second.starts_at, 1)
    assert _event(_ics_of(mail.outbox[-1])).decoded("dtstart") == second.starts_at

    # Someone else cannot book in this application's name, nor take a booked slot.
    other = _shortlisted(make_user, coordinator, intake)
    assert logged_in(other.applicant).post(book, {"slot": first.pk}).status_code == 404
    with pytest.raises(ValidationError) as exc:
        slot_book(slot=second, application=other, actor=other.applicant)
    assert exc.value.code == "taken"


def test_booking_needs_a_shortlisted_application_of_an_intake_that_books(make_user, coordinator):
    intake = IntakeFactory.create(interview_booking=True)
    slot = _slot(intake, coordinator)
    eligible = submitted(make_user, intake)
    eligibility_set(application=eligible, actor=coordinator, eligible=True)
    with pytest.raises(ValidationError) as exc:
        slot_book(slot=slot, application=eligible, actor=eligible.applicant)
    assert APPLICATION.refusal(S.ELIGIBLE, "book").messages == exc.value.messages
    scheduled_by_hand = _shortlisted(make_user, coordinator, IntakeFactory.create())
    with pytest.raises(ValidationError) as exc:
        slot_book(slot=slot, application=scheduled_by_hand, actor=scheduled_by_hand.applicant)
    assert exc.value.messages == [
        gettext("Interviews of this intake are scheduled by the coordination.")
    ]
    assert not Interview.objects.exists()


def test_the_booking_include_offers_the_free_slots_to_a_shortlisted_applicant_only(
    make_user, coordinator
):
    intake = IntakeFactory.create(interview_booking=True)
    free = _slot(intake, coordinator)
    taken = _slot(intake, coordinator, days=6)
    holder = _shortlisted(make_user, coordinator, intake)
    slot_book(slot=taken, application=holder, actor=holder.applicant)
    application = _shortlisted(make_user, coordinator, intake)
    template = Template("{% load booking %}{% slot_booking application %}")
    html = template.render(Context({"application": application}))
    assert reverse("enrollment:slot_book", args=[application.number]) in html
    assert f'value="{free.pk}"' in html
    assert f'value="{taken.pk}"' not in html
    eligible = submitted(make_user, intake)
    eligibility_set(application=eligible, actor=coordinator, eligible=True)
    eligible.refresh_from_db()
    assert "slot-booking" not in template.render(Context({"application": eligible}))


@pytest.mark.django_db(transaction=True)
def test_a_slot_booked_twice_at_once_goes_to_one_applicant(make_user):
    coordinator = make_user("coordinator")
    intake = IntakeFactory.create(interview_booking=True)
    slot = _slot(intake, coordinator)
    applications = [_shortlisted(make_user, coordinator, intake) for _ in range(2)]
    barrier = threading.Barrier(len(applications))
    outcomes: list[str] = []

    def book(application: Application) -> None:
        try:
            barrier.wait()
            slot_book(slot=slot, application=application, actor=application.applicant)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(str(exc.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "taken"]
    slot.refresh_from_db()
    assert slot.application in applications
    assert Interview.objects.get().application == slot.application


# --- Blind review -----------------------------------------------------------------------------
def _two_reviewers(make_user, coordinator, *, blind):
    application = submitted(make_user, IntakeFactory.create(blind_review=blind))
    eligibility_set(application=application, actor=coordinator, eligible=True)
    mine, theirs = make_user("lecturer"), make_user("lecturer")
    reviewer_assign(application=application, actor=coordinator, reviewer=mine)
    scored(application, coordinator, theirs, ("17.5", "12", "14"))  # file score 15.15
    return application, mine


def test_under_blind_review_a_reviewer_sees_the_others_scores_only_after_submitting_theirs(
    make_user, coordinator
):
    application, mine = _two_reviewers(make_user, coordinator, blind=True)
    detail = reverse("enrollment:staff_application", args=[application.number])
    client = logged_in(mine)
    page = client.get(detail).content.decode()
    assert "17,50" not in page  # the reviews table and the history
    assert "15,15" not in page  # the file score
    assert 'data-testid="blind-review"' in page
    assert "17,50" in logged_in(coordinator).get(detail).content.decode()
    response = client.post(
        reverse("enrollment:staff_action", args=[application.number, "review"]),
        {"academic": "10", "experience": "10", "motivation": "10"},
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "17,50" in page
    assert "12,58" in page  # (15.15 + 10) / 2
    assert 'data-testid="blind-review"' not in page


def test_without_blind_review_a_reviewer_sees_the_others_scores_at_once(make_user, coordinator):
    application, mine = _two_reviewers(make_user, coordinator, blind=False)
    page = (
        logged_in(mine)
        .get(reverse("enrollment:staff_application", args=[application.number]))
        .content.decode()
    )
    assert "17,50" in page
    assert "15,15" in page


# --- The pages offer only what the state allows -----------------------------------------------
def _page(client, application) -> str:
    return client.get(
        reverse("enrollment:staff_application", args=[application.number])
    ).content.decode()


def _action(application, name) -> str:
    return reverse("enrollment:staff_action", args=[application.number, name])


def test_a_submitted_application_offers_eligibility_with_nothing_preselected(
    make_user, coordinator
):
    application = submitted(make_user, IntakeFactory.create())
    html = _page(logged_in(coordinator), application)
    assert _action(application, "eligibility") in html
    for refused in ("shortlist", "interview", "mark", "decide"):
        assert _action(application, refused) not in html, refused
    assert f'<option value="" selected>{escape(gettext("— choose —"))}</option>' in html
    assert '<option value="1" selected>' not in html
    assert escape(gettext("Eligible")) in html


def test_an_interviewed_application_offers_the_decisions_with_none_preselected(
    make_user, coordinator
):
    application = make_decidable(
        submitted(make_user, IntakeFactory.create()), coordinator=coordinator
    )
    html = _page(logged_in(coordinator), application)
    assert _action(application, "decide") in html
    for refused in ("eligibility", "shortlist", "interview"):
        assert _action(application, refused) not in html, refused
    assert 'name="decision"' in html
    assert 'value="admit" selected' not in html
    assert 'name="override_reason"' not in html
    response = logged_in(coordinator).post(_action(application, "decide"), {"decision": ""})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == S.INTERVIEWED


def test_admission_is_not_offered_before_the_interview_and_the_page_says_why(
    make_user, coordinator
):
    application = _eligible(make_user, coordinator, **{**NOT_GUARDED, "interview_required": True})
    html = _page(logged_in(coordinator), application)
    assert 'value="reject"' in html
    assert 'value="admit"' not in html
    assert 'value="waitlist"' not in html
    assert 'data-testid="decision-waits"' in html
    assert escape(gettext("The interview has not been marked.")) in html


def test_when_only_documents_wait_admission_is_offered_with_a_reason_to_give(
    make_user, coordinator
):
    application, _identity = _with_a_rejected_identity(
        make_user, coordinator, documents_accepted_required=True
    )
    client = logged_in(coordinator)
    html = _page(client, application)
    assert 'value="admit"' in html
    assert 'name="override_reason"' in html
    response = client.post(
        _action(application, "decide"),
        {"decision": "admit", "override_reason": "Original vu au guichet"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.ADMITTED
    assert application.events.get(code="decision_override").note == "Original vu au guichet"


def test_rejecting_a_document_without_a_reason_shows_the_error_next_to_its_reason_field(
    make_user, coordinator
):
    application = submitted(make_user, IntakeFactory.create())
    document = application.documents.get(requirement__kind="cv")
    response = logged_in(coordinator).post(
        _action(application, "document"), {"document": document.pk, "accept": "0", "reason": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    error = html.index(f'id="id_doc{document.pk}_reason_error"')
    assert html.index(f'id="id_doc{document.pk}_reason"') < error
    assert escape(gettext("Say why the document is rejected.")) in html[error : error + 300]
    document.refresh_from_db()
    assert document.status == D.PROVIDED


def test_a_document_offers_only_the_moves_its_state_allows(make_user, coordinator):
    application = submitted(make_user, IntakeFactory.create())
    document = application.documents.get(requirement__kind="cv")
    document_review(document=document, actor=coordinator, accept=True)
    html = _page(logged_in(coordinator), application)
    start = html.index(f'data-testid="document-{document.pk}"')
    row = html[start : html.index("</li>", start)]
    assert '<option value="0">' in row
    assert '<option value="1">' not in row
    assert '<option value="" selected>' in row
