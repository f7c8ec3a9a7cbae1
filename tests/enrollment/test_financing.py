"""Who pays the fees, declared at application (#13): the rules of the declaration (one set for
the form and for submission), the motivation step, submission, the snapshot, the
coordinator's page, and the seat given back when a deposit is not paid."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from enrollment import history
from enrollment.models import Application, Student, StudentStatusChange
from enrollment.services.applications import (
    application_problems,
    application_save_draft,
    application_submit,
    financing_clean,
)
from enrollment.services.decisions import Decision, decide, offer_accept, seat_release
from enrollment.services.review import eligibility_set
from tests.factories.enrollment import NOT_GUARDED, IntakeFactory, ready_application
from tests.factories.partners import OrganisationFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db
F = Application.Financing
D = Decimal


# --- The rules ---------------------------------------------------------------------------------
def test_paying_oneself_keeps_no_sponsor_whatever_was_typed_for_one():
    organisation = OrganisationFactory.create()
    values, errors = financing_clean(
        {
            "financing": F.SELF,
            "sponsor_organisation": organisation,
            "sponsor_name": "Sonatrach",
            "sponsor_share": D("70"),
            "sponsor_consent": True,
        }
    )
    assert errors == {}
    assert values == {
        "financing": F.SELF,
        "sponsor_organisation": None,
        "sponsor_name": "",
        "sponsor_share": None,
        "sponsor_consent": False,
    }


def test_an_organisation_paying_everything_pays_100_percent():
    organisation = OrganisationFactory.create()
    values, errors = financing_clean({"financing": F.SPONSOR, "sponsor_organisation": organisation})
    assert errors == {}
    assert values["sponsor_share"] == D(100)
    _, errors = financing_clean(
        {"financing": F.SPONSOR, "sponsor_organisation": organisation, "sponsor_share": D(70)}
    )
    assert errors == {
        "sponsor_share": [
            gettext("An organisation that pays all of your fees pays 100 %: leave the share empty.")
        ]
    }


SPLIT_SHARE = gettext(
    "In a split, the organisation pays from 1 to 99 percent of the fees (two decimals at most)."
)


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (None, gettext("Give the part the organisation pays, in percent (1 to 99).")),
        (D("0.5"), SPLIT_SHARE),
        (D("100"), SPLIT_SHARE),
        (D("70.125"), SPLIT_SHARE),
    ],
)
def test_a_split_needs_a_share_from_1_to_99_percent(share, expected):
    _, errors = financing_clean(
        {"financing": F.SPLIT, "sponsor_name": "Condor", "sponsor_share": share}
    )
    assert errors == {"sponsor_share": [expected]}


def test_a_split_of_70_percent_with_a_typed_name_is_kept_with_the_consent():
    values, errors = financing_clean(
        {
            "financing": F.SPLIT,
            "sponsor_name": "  Condor Electronics ",
            "sponsor_share": D("70"),
            "sponsor_consent": True,
        }
    )
    assert errors == {}
    assert values["sponsor_name"] == "Condor Electronics"
    assert values["sponsor_share"] == D("70")
    assert values["sponsor_consent"] is True


def test_the_sponsor_is_chosen_or_typed_but_not_both_nor_neither():
    organisation = OrganisationFactory.create()
    _, both = financing_clean(
        {
            "financing": F.SPLIT,
            "sponsor_organisation": organisation,
            "sponsor_name": "Condor",
            "sponsor_share": D(50),
        }
    )
    assert both == {
        "sponsor_name": [gettext("Choose the organisation in the list or type its name, not both.")]
    }
    _, neither = financing_clean({"financing": F.SPONSOR})
    assert neither == {
        "sponsor_organisation": [
            gettext("Choose the organisation that pays, or type its name if it is not in the list.")
        ]
    }


# --- The motivation step -----------------------------------------------------------------------
@pytest.fixture
def draft(make_user):
    user = make_user()
    application = ready_application(user, IntakeFactory.create())
    Application.objects.filter(pk=application.pk).update(financing="")
    application.refresh_from_db()
    return application


def _step(application: Application) -> str:
    return reverse("enrollment:step", args=[application.number, "motivation"])


def test_the_applicant_declares_a_70_30_split_with_an_organisation_of_the_list(draft):
    organisation = OrganisationFactory.create()
    client = logged_in(draft.applicant)
    response = client.post(
        _step(draft),
        {
            "motivation": "Structurer la filière",
            "project": "",
            "financing": F.SPLIT,
            "sponsor_organisation": organisation.pk,
            "sponsor_share": "70",
            "sponsor_consent": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("enrollment:step", args=[draft.number, "documents"])
    draft.refresh_from_db()
    assert (draft.financing, draft.sponsor_organisation, draft.sponsor_share) == (
        F.SPLIT,
        organisation,
        D("70.00"),
    )
    assert draft.sponsor_consent is True
    assert draft.motivation == "Structurer la filière"


def test_a_refused_declaration_shows_its_error_next_to_the_field_and_stores_nothing(draft):
    client = logged_in(draft.applicant)
    with translation.override("en"):
        response = client.post(
            _step(draft),
            {
                "motivation": "Un autre texte",
                "financing": F.SPLIT,
                "sponsor_name": "Condor",
                "sponsor_share": "",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
        message = gettext("Give the part the organisation pays, in percent (1 to 99).")
    assert response.status_code == 400
    html = response.content.decode()
    field = html.split('data-field="sponsor_share"', 1)[1].split("data-field=", 1)[0]
    assert message in field
    assert 'data-testid="error-summary"' in html
    draft.refresh_from_db()
    assert draft.motivation == "Animer le cluster numérique de ma wilaya."
    assert (draft.financing, draft.sponsor_name) == ("", "")


def test_the_consent_is_explained_on_the_step(draft):
    client = logged_in(draft.applicant)
    html = unescape(client.get(_step(draft)).content.decode())
    assert (
        gettext("The organisation that pays may see my attendance and my published results") in html
    )
    assert 'name="financing" value="split"' in html


# --- Submission --------------------------------------------------------------------------------
def test_an_application_cannot_be_submitted_before_saying_who_pays(draft):
    needed = gettext("Say who pays your fees (in the Motivation step).")
    assert needed in application_problems(draft)
    with pytest.raises(ValidationError) as exc:
        application_submit(application=draft, actor=draft.applicant)
    assert needed in exc.value.messages
    assert Application.objects.get(pk=draft.pk).status == Application.Status.DRAFT


def test_the_declaration_is_frozen_in_the_snapshot_at_submission(draft):
    organisation = OrganisationFactory.create(name_fr="Cluster Numérique")
    application_save_draft(
        application=draft,
        actor=draft.applicant,
        motivation=draft.motivation,
        project="",
        financing={
            "financing": F.SPONSOR,
            "sponsor_organisation": organisation,
            "sponsor_consent": False,
        },
    )
    submitted = application_submit(application=draft, actor=draft.applicant)
    assert submitted.snapshot["financing"] == {
        "financing": "sponsor",
        "sponsor_organisation": organisation.pk,
        "sponsor_organisation_name": str(organisation),
        "sponsor_name": "",
        "sponsor_share": "100.00",
        "sponsor_consent": False,
    }
    with pytest.raises(ValidationError):
        application_save_draft(
            application=submitted,
            actor=draft.applicant,
            motivation="x",
            project="",
            financing={"financing": F.SELF},
        )


def test_the_coordinator_sees_the_declaration_with_a_typed_name(draft, make_user):
    application_save_draft(
        application=draft,
        actor=draft.applicant,
        motivation=draft.motivation,
        project="",
        financing={
            "financing": F.SPLIT,
            "sponsor_name": "Condor Electronics",
            "sponsor_share": D("70"),
            "sponsor_consent": True,
        },
    )
    application_submit(application=draft, actor=draft.applicant)
    client = logged_in(make_user("coordinator"))
    html = client.get(reverse("enrollment:staff_application", args=[draft.number])).content
    block = html.decode().split('data-testid="financing-declaration"', 1)[1].split("</dl>")[0]
    assert str(F.SPLIT.label) in block
    assert "Condor Electronics" in block
    assert gettext("typed: not in the list") in block
    assert "70" in block
    assert gettext("Yes, with the applicant's consent") in block


# --- The seat given back -----------------------------------------------------------------------
def accepted_student(make_user, intake) -> Student:
    coordinator = make_user("coordinator")
    user = make_user()
    application = ready_application(user, intake)
    application_submit(application=application, actor=user)
    eligibility_set(application=application, actor=coordinator, eligible=True)
    decide(applications=[application], actor=coordinator, decision=Decision.ADMIT)
    application.refresh_from_db()
    return offer_accept(offer=application.offer, actor=user)


def test_a_released_seat_withdraws_the_student_and_offers_it_to_the_next_waiting(
    make_user, django_capture_on_commit_callbacks
):
    intake = IntakeFactory.create(seats=1, cohort__seats=1, **NOT_GUARDED)
    student = accepted_student(make_user, intake)
    coordinator = make_user("coordinator")
    waiting_user = make_user()
    waiting = ready_application(waiting_user, intake)
    application_submit(application=waiting, actor=waiting_user)
    eligibility_set(application=waiting, actor=coordinator, eligible=True)
    decide(applications=[waiting], actor=coordinator, decision=Decision.WAITLIST)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert seat_release(student_id=student.pk, params={"due_on": "2026-10-01"}) is True

    student.refresh_from_db()
    assert student.status == Student.Status.WITHDRAWN
    change = StudentStatusChange.objects.get(student=student)
    assert (change.before, change.after, change.changed_by) == ("active", "withdrawn", None)
    application = Application.objects.get(student=student)
    assert application.status == Application.Status.WITHDRAWN
    event = application.events.filter(code="seat_released_deposit").get()
    assert (event.before, event.after) == ("accepted", "withdrawn")
    with translation.override("en"):
        assert history.message(event.code, event.params) == gettext(
            "Seat released: the deposit was not paid by %(due_on)s; it goes to the next person "
            "waiting"
        ) % {"due_on": "01/10/2026"}
    waiting.refresh_from_db()
    assert waiting.status == Application.Status.ADMITTED
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([student.user.email, waiting_user.email])
    # Twice: nothing more.
    assert seat_release(student_id=student.pk) is False
    assert StudentStatusChange.objects.filter(student=student).count() == 1
