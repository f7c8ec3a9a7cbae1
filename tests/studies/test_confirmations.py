"""Submitting a mark grid, closing and publishing a jury cannot be undone: each shows a
confirmation page first (a GET, or a POST without ``confirm=yes``, changes nothing) and,
once confirmed, a message saying what happened, with the numbers and the date (#12)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.confirmation import moment
from studies.models import Jury, Mark, MarkSheet, SemesterResult, Session
from studies.services.juries import jury_close, jury_get_or_create
from tests.helpers import logged_in
from tests.studies.studies_helpers import EXAMPLE_C, fill

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def f111() -> MarkSheet:
    return MarkSheet.objects.get(offering__module__code="F1.1.1", session=Session.NORMAL)


def grid(setting, value: str = "12") -> dict[str, str]:
    data = {}
    for student in setting["students"]:
        data[f"cc-{student.pk}"] = data[f"exam-{student.pk}"] = value
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Mark grids ----------------------------------------------------------------------------
def test_save_and_submit_saves_the_marks_and_asks_before_submitting(setting):
    client = logged_in(setting["lecturer"])
    response = client.post(
        reverse("studies:sheet", args=[f111().pk]), {**grid(setting), "submit": "1"}
    )
    assert response["Location"] == reverse("studies:sheet_submit", args=[f111().pk])
    assert Mark.objects.filter(sheet=f111()).count() == 3  # saved: that part is reversible
    assert f111().status == MarkSheet.Status.OPEN

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="confirmation"' in html
    assert (
        escape(
            ngettext(
                "Its %(n)s saved mark is sent to the coordination, as it is now.",
                "Its %(n)s saved marks are sent to the coordination, as they are now.",
                3,
            )
            % {"n": 3}
        )
        in html
    )
    assert 'name="confirm" value="yes"' in html
    assert f'href="{reverse("studies:sheet", args=[f111().pk])}"' in html
    assert f111().status == MarkSheet.Status.OPEN


def test_a_post_without_the_confirmation_does_not_submit(setting):
    client = logged_in(setting["lecturer"])
    client.post(reverse("studies:sheet", args=[f111().pk]), grid(setting))
    response = client.post(reverse("studies:sheet_submit", args=[f111().pk]))
    assert response.status_code == 200
    assert 'data-testid="confirmation"' in response.content.decode()
    assert f111().status == MarkSheet.Status.OPEN


def test_the_confirmed_submission_submits_and_says_how_many_and_when(setting):
    client = logged_in(setting["lecturer"])
    client.post(reverse("studies:sheet", args=[f111().pk]), grid(setting), follow=True)
    response = client.post(
        reverse("studies:sheet_submit", args=[f111().pk]), {"confirm": "yes"}, follow=True
    )
    sheet = f111()
    assert sheet.status == MarkSheet.Status.SUBMITTED
    assert sheet.submitted_at is not None
    assert messages_of(response) == [
        ngettext(
            "Grid %(module)s (%(session)s) submitted on %(date)s: %(n)s mark is sent to the "
            "coordination, and only the coordination may change it now.",
            "Grid %(module)s (%(session)s) submitted on %(date)s: %(n)s marks are sent to the "
            "coordination, and only the coordination may change them now.",
            3,
        )
        % {
            "module": "F1.1.1",
            "session": sheet.get_session_display(),
            "date": moment(sheet.submitted_at),
            "n": 3,
        }
    ]
    # Submitted: asking again says so instead of confirming a second time.
    again = client.get(reverse("studies:sheet_submit", args=[sheet.pk]), follow=True)
    assert 'data-testid="confirmation"' not in again.content.decode()


def test_another_lecturer_cannot_reach_the_confirmation_of_a_grid(setting, make_user):
    other = MarkSheet.objects.get(offering__module__code="F1.1.2", session=Session.NORMAL)
    client = logged_in(setting["lecturer"])
    assert client.get(reverse("studies:sheet_submit", args=[other.pk])).status_code == 404
    response = client.post(reverse("studies:sheet_submit", args=[other.pk]), {"confirm": "yes"})
    assert response.status_code == 404
    assert other.status == MarkSheet.objects.get(pk=other.pk).status == MarkSheet.Status.OPEN


# --- Juries --------------------------------------------------------------------------------
def jury_url(setting, action: str) -> str:
    return reverse("studies:jury_action", args=[setting["cohort"].slug, 1, "N", action])


def test_the_jury_page_links_to_the_confirmations(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    client = logged_in(setting["coordinator"])
    html = client.get(
        reverse("studies:jury", args=[setting["cohort"].slug, 1, "N"])
    ).content.decode()
    assert f'href="{jury_url(setting, "close")}"' in html
    assert f'action="{jury_url(setting, "close")}"' not in html  # no form that closes at once


@pytest.mark.parametrize("method", ["get", "post"])
def test_closing_shows_its_consequences_and_changes_nothing(setting, method):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    client = logged_in(setting["coordinator"])
    response = getattr(client, method)(jury_url(setting, "close"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="confirmation"' in html
    assert (
        escape(_("The resit grids open for the students and modules the rules send there.")) in html
    )
    jury = Jury.objects.get(cohort=setting["cohort"], semester=1, session="N")
    assert jury.status == Jury.Status.OPEN
    assert not SemesterResult.objects.exists()


def test_a_confirmed_close_records_the_results_and_says_how_many_and_when(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    client = logged_in(setting["coordinator"])
    response = client.post(jury_url(setting, "close"), {"confirm": "yes"}, follow=True)
    jury = Jury.objects.get(cohort=setting["cohort"], semester=1, session="N")
    assert jury.status == Jury.Status.CLOSED
    assert SemesterResult.objects.count() == 3
    assert jury.closed_at is not None
    assert messages_of(response) == [
        ngettext(
            "Closed on %(date)s: %(jury)s records the result of %(n)s student "
            "(version %(version)s).",
            "Closed on %(date)s: %(jury)s records the results of %(n)s students "
            "(version %(version)s).",
            3,
        )
        % {
            "date": moment(jury.closed_at),
            "jury": _("the jury of semester %(n)s (%(session)s)")
            % {"n": 1, "session": jury.get_session_display()},
            "n": 3,
            "version": 1,
        }
    ]


def test_publishing_asks_first_then_publishes_and_says_who_is_told(setting):
    fill(setting, [EXAMPLE_C, EXAMPLE_C, EXAMPLE_C])
    jury = jury_close(
        jury=jury_get_or_create(cohort=setting["cohort"], semester=1, session="N"),
        actor=setting["coordinator"],
    )
    client = logged_in(setting["coordinator"])
    html = client.get(jury_url(setting, "publish")).content.decode()
    assert escape(_("Each is told by e-mail at once, and an e-mail cannot be taken back.")) in html
    assert Jury.objects.get(pk=jury.pk).status == Jury.Status.CLOSED

    response = client.post(jury_url(setting, "publish"), {"confirm": "yes"}, follow=True)
    jury.refresh_from_db()
    assert jury.status == Jury.Status.PUBLISHED
    assert jury.published_at is not None
    assert messages_of(response) == [
        ngettext(
            "Published on %(date)s: the results of %(jury)s are open to %(n)s "
            "student, who is told by e-mail.",
            "Published on %(date)s: the results of %(jury)s are open to %(n)s "
            "students, each told by e-mail.",
            3,
        )
        % {
            "date": moment(jury.published_at),
            "jury": _("the jury of semester %(n)s (%(session)s)")
            % {"n": 1, "session": jury.get_session_display()},
            "n": 3,
        }
    ]


def test_a_step_the_jury_no_longer_allows_is_refused_without_a_confirmation(setting):
    client = logged_in(setting["coordinator"])
    response = client.get(jury_url(setting, "publish"), follow=True)  # still open
    assert 'data-testid="confirmation"' not in response.content.decode()
    assert messages_of(response) == [_("Only a closed jury can be published.")]


def test_the_annual_deliberation_asks_before_closing_too(setting):
    client = logged_in(setting["coordinator"])
    url = reverse("studies:year_jury_action", args=[setting["cohort"].slug, 1, "close"])
    html = client.get(url).content.decode()
    assert 'data-testid="confirmation"' in html
    assert escape(_("Close the deliberation")) in html
    assert (
        not Jury.objects.filter(cohort=setting["cohort"], year=1)
        .exclude(status=Jury.Status.OPEN)
        .exists()
    )


@pytest.mark.parametrize("persona", ["applicant", "student", "lecturer"])
def test_other_roles_cannot_reach_the_confirmations(setting, persona_client, persona):
    client = persona_client(persona)
    assert client.get(jury_url(setting, "close")).status_code == 403
    assert client.post(jury_url(setting, "close"), {"confirm": "yes"}).status_code == 403
    assert not SemesterResult.objects.exists()
