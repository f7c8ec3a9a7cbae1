"""Documents issued from a version of the record that a jury has since decided again are
listed to the coordinator as needing a new issue; issuing them again supersedes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from certificates import selectors, services
from certificates.demo import seed_jury_members
from certificates.models import Certificate, Kind
from core.links import offered
from studies.models import Jury, Offering, Session
from studies.services.juries import jury_close, jury_get_or_create, jury_publish, jury_reopen
from studies.services.marks import MarkRow, grid_save
from tests.helpers import logged_in
from tests.studies.studies_helpers import make_setting, sheet
from tests.studies.test_results import run_semester

pytestmark = pytest.mark.django_db

MARKS = ["12.5", "16", "11"]


@pytest.fixture
def setting(make_user):
    return make_setting(make_user)


def s1_jury(setting) -> Jury:
    return jury_get_or_create(cohort=setting["cohort"], semester=1, session=Session.NORMAL)


def issue(setting, capture, **kwargs):
    if kwargs.get("jury") is not None:
        seed_jury_members(kwargs["jury"])  # a record (PV) names its president and members
    with capture(execute=True):
        return services.batch_start(
            cohort=setting["cohort"], actor=setting["coordinator"], **kwargs
        )


def decided_and_issued(setting, capture) -> dict[Kind, list[Certificate]]:
    """S1 closed and published; a transcript for each student, a module certificate and the
    jury's record, all ready."""
    run_semester(setting, 1, MARKS)
    jury_publish(jury=s1_jury(setting), actor=setting["coordinator"])
    module = Offering.objects.filter(cohort=setting["cohort"], semester=1).order_by("pk")[0].module
    issue(setting, capture, kind=Kind.TRANSCRIPT, semester=1)
    issue(setting, capture, kind=Kind.MODULE, module=module)
    issue(setting, capture, kind=Kind.JURY_RECORD, jury=s1_jury(setting))
    issued = {
        kind: list(Certificate.objects.filter(kind=kind).order_by("holder__registration_number"))
        for kind in (Kind.TRANSCRIPT, Kind.MODULE, Kind.JURY_RECORD)
    }
    assert all(c.status == Certificate.Status.READY for cs in issued.values() for c in cs)
    assert len(issued[Kind.TRANSCRIPT]) == 3
    return issued


def decide_again(setting, *, publish: bool = True) -> Jury:
    """Reopened with a reason, one mark corrected by the coordination, closed (published)."""
    coordinator = setting["coordinator"]
    jury_reopen(jury=s1_jury(setting), actor=coordinator, reason="A mark was mistyped.")
    weak = setting["students"][2]
    grid_save(
        sheet=sheet("F1.1.1"),
        actor=coordinator,
        rows=[MarkRow(weak.pk, Decimal("15"), Decimal("15"))],
        reason="Mistyped mark.",
    )
    jury = jury_close(jury=s1_jury(setting), actor=coordinator)
    if publish:
        jury = jury_publish(jury=jury, actor=coordinator)
    return jury


def stale_page(setting) -> str:
    return reverse("certificates:stale", args=[setting["cohort"].slug])


def test_nothing_is_stale_while_the_decisions_stand(setting, django_capture_on_commit_callbacks):
    decided_and_issued(setting, django_capture_on_commit_callbacks)
    assert selectors.stale_certificates(cohort=setting["cohort"]) == []
    assert selectors.stale_count(cohort=setting["cohort"]) == 0
    labels = [str(link.label) for link, _href in offered("cohort", setting["cohort"])]
    assert "Documents to issue again" not in labels


def test_a_reopened_jury_leaves_the_documents_until_it_decides_and_publishes_again(
    setting, django_capture_on_commit_callbacks
):
    issued = decided_and_issued(setting, django_capture_on_commit_callbacks)
    cohort = setting["cohort"]
    jury_reopen(jury=s1_jury(setting), actor=setting["coordinator"], reason="Check a mark.")
    assert selectors.stale_count(cohort=cohort) == 0  # nothing decided again yet
    weak = setting["students"][2]
    grid_save(
        sheet=sheet("F1.1.1"),
        actor=setting["coordinator"],
        rows=[MarkRow(weak.pk, Decimal("15"), Decimal("15"))],
        reason="Mistyped mark.",
    )
    jury_close(jury=s1_jury(setting), actor=setting["coordinator"])
    # Closed again: its record (PV) is of an old version; the students see nothing new yet.
    with translation.override("en"):
        stale = selectors.stale_certificates(cohort=cohort)
    assert [row.certificate for row in stale] == issued[Kind.JURY_RECORD]
    assert stale[0].reasons == ("semester 1 decided again (version 2)",)


def test_documents_of_the_old_version_are_listed_then_issued_again(
    setting, django_capture_on_commit_callbacks, make_user
):
    issued = decided_and_issued(setting, django_capture_on_commit_callbacks)
    cohort = setting["cohort"]
    jury = decide_again(setting)
    assert (jury.version, jury.status) == (2, Jury.Status.PUBLISHED)

    with translation.override("en"):
        stale = selectors.stale_certificates(cohort=cohort)
    old = {row.certificate.pk: row for row in stale}
    expected = [c.pk for cs in issued.values() for c in cs]
    assert sorted(old) == sorted(expected)
    for row in stale:
        assert row.reasons == ("semester 1 decided again (version 2)",), row.certificate.kind
    assert selectors.stale_count(cohort=cohort) == len(expected)

    # The cohort page offers the list, which tells why each one is to be issued again.
    [(_link, href)] = [
        (link, href) for link, href in offered("cohort", cohort) if link.testid == "stale-documents"
    ]
    assert href == stale_page(setting)
    coordinator = logged_in(setting["coordinator"])
    cohort_page = coordinator.get(reverse("studies:cohort", args=[cohort.slug]))
    assert (
        f'href="{stale_page(setting)}" data-testid="stale-documents"'
        in cohort_page.content.decode()
    )
    page = coordinator.get(stale_page(setting), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    for certificate in issued[Kind.TRANSCRIPT]:
        assert f'data-testid="stale-{certificate.code}"' in text
    assert "semester 1 decided again (version 2)" in text
    assert "Semester transcript" in text  # the label, not the code
    assert ">transcript<" not in text

    # Not confirmed: nothing happens, the message is next to the box.
    form = {"certificate": [str(pk) for pk in old]}
    refused = coordinator.post(stale_page(setting), form, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert 'id="confirm-error"' in refused.content.decode()
    assert Certificate.objects.filter(status=Certificate.Status.SUPERSEDED).count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        done = coordinator.post(stale_page(setting), {**form, "confirm": "yes"})
    assert done.status_code == 302
    for certificate in (c for cs in issued.values() for c in cs):
        certificate.refresh_from_db()
        assert certificate.status == Certificate.Status.SUPERSEDED
        new = certificate.superseded_by
        assert new is not None
        assert new.status == Certificate.Status.READY
        assert (new.kind, new.holder_id, new.semester, new.module_id, new.jury_id) == (
            certificate.kind,
            certificate.holder_id,
            certificate.semester,
            certificate.module_id,
            certificate.jury_id,
        )
    transcript = issued[Kind.TRANSCRIPT][0]
    assert transcript.superseded_by is not None
    assert transcript.superseded_by.snapshot["semester"]["record"][2] == 2
    record = issued[Kind.JURY_RECORD][0]
    assert record.superseded_by is not None
    assert record.superseded_by.snapshot["jury"]["version"] == 2
    assert selectors.stale_certificates(cohort=cohort) == []
    assert not [link for link, _href in offered("cohort", cohort) if link.testid]
    # Only the documents listed were issued again: nobody else got a new one.
    assert Certificate.objects.filter(status=Certificate.Status.READY).count() == len(expected)

    # Whoever checks an old code is told it was replaced, and by which one.
    verify = Client().get(
        reverse("certificates:verify", args=[transcript.code]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This document has been replaced by a newer one." in verify.content.decode()
    assert transcript.superseded_by.code in verify.content.decode()

    # A second confirmation finds nothing left to issue.
    again = coordinator.post(stale_page(setting), {**form, "confirm": "yes"})
    assert again.status_code == 302
    assert Certificate.objects.filter(status=Certificate.Status.READY).count() == len(expected)


def test_the_list_and_the_link_take_a_constant_number_of_queries(
    setting, django_capture_on_commit_callbacks
):
    decided_and_issued(setting, django_capture_on_commit_callbacks)
    decide_again(setting)
    cohort = (
        type(setting["cohort"]).objects.select_related("programme").get(pk=setting["cohort"].pk)
    )
    with CaptureQueriesContext(connection) as few:
        assert len(selectors.stale_certificates(cohort=cohort)) == 7
    with CaptureQueriesContext(connection) as link:
        offered("cohort", cohort)
    assert len(link.captured_queries) == 1

    # Twice as many documents of the old version (copies): the same number of queries.
    for n, certificate in enumerate(Certificate.objects.filter(status="ready")):
        certificate.pk = None
        certificate.code = f"COPY-{n:04d}"
        certificate.save()
    with CaptureQueriesContext(connection) as many:
        assert len(selectors.stale_certificates(cohort=cohort)) == 14
    assert len(many.captured_queries) == len(few.captured_queries) <= 3


@pytest.mark.parametrize("persona", ["applicant", "student", "lecturer"])
def test_only_coordinators_see_the_list(persona_client, persona, setting):
    client = persona_client(persona)
    assert client.get(stale_page(setting)).status_code == 403
    assert client.post(stale_page(setting), {"confirm": "yes"}).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(setting):
    response = Client().get(stale_page(setting))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_student_of_the_cohort_cannot_issue_again(setting, django_capture_on_commit_callbacks):
    decided_and_issued(setting, django_capture_on_commit_callbacks)
    decide_again(setting)
    student = setting["students"][0].user
    student.is_student = True
    student.save(update_fields=["is_student"])
    response = logged_in(student).post(stale_page(setting), {"confirm": "yes"})
    assert response.status_code == 403
    assert not Certificate.objects.filter(status=Certificate.Status.SUPERSEDED).exists()
