from __future__ import annotations

from datetime import date, datetime

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from certificates import services
from certificates.models import Certificate, Kind
from tests.factories.accounts import PASSWORD
from tests.helpers import logged_in, mfa_login, pass_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(cohort, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
    return list(
        Certificate.objects.select_related("holder__user").order_by("holder__registration_number")
    )


def logged(user) -> Client:
    return logged_in(user)  # staff with TOTP pass it in this session


def test_anyone_verifies_a_valid_document_without_personal_details(issued):
    certificate = issued[0]
    html = Client().get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    assert "Document valide" in html
    assert certificate.snapshot["holder"]["surname_ar"] in html
    issued_on = date.fromisoformat(certificate.snapshot["issued_on"])
    assert f"<dd>{issued_on:%d/%m/%Y}</dd>" in html  # day first, not the ISO kept in JSON
    assert certificate.snapshot["holder"]["registration_number"] not in html
    born = certificate.snapshot["holder"].get("born", {})
    assert str(born.get("date") or born.get("presumed_year")) not in html
    data = (
        Client()
        .get(
            reverse("certificates:verify", args=[certificate.code]),
            headers={"accept": "application/json"},
        )
        .json()
    )
    assert data["status"] == "valid"
    assert set(data) == {
        "code",
        "status",
        "document",
        "holder",
        "holder_ar",
        "programme",
        "issuer",
        "issued_on",
        "revocation_reason",
        "current",
        "signed_by",
        "signed_at",
        "sha256",
    }
    assert data["signed_by"] == certificate.signed_by != ""
    assert datetime.fromisoformat(data["signed_at"]) == certificate.signed_at
    assert data["sha256"] == certificate.sha256


def test_an_unknown_or_malformed_code_is_a_plain_404(issued):
    assert Client().get("/verify/0000-0000-0000-00/").status_code == 404
    assert Client().get("/verify/not-a-code/").status_code == 404


def test_a_code_typed_in_lowercase_is_redirected_to_its_canonical_form(issued):
    code = issued[0].code
    response = Client().get(f"/verify/{code.lower()}/")
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{code}/"


def test_revoked_and_superseded_documents_say_so(
    issued, coordinator, django_capture_on_commit_callbacks
):
    first, second = issued[0], issued[1]
    services.certificate_revoke(certificate=first, actor=coordinator, reason="Erreur de nom")
    html = Client().get(reverse("certificates:verify", args=[first.code])).content.decode()
    assert "révoqué" in html
    assert "Erreur de nom" in html
    with django_capture_on_commit_callbacks(execute=True):
        newer = services.certificate_request(
            student=second.holder, kind=Kind.ENROLLMENT, actor=second.holder.user
        )
    html = Client().get(reverse("certificates:verify", args=[second.code])).content.decode()
    assert "remplacé" in html
    assert newer.code in html


def test_a_visitor_checks_that_a_file_is_the_one_issued(issued):
    certificate = issued[0]
    url = reverse("certificates:verify", args=[certificate.code])
    exact = SimpleUploadedFile("c.pdf", certificate.pdf.read(), content_type="application/pdf")
    assert "exactement celui" in Client().post(url, {"file": exact}).content.decode()
    other = SimpleUploadedFile("c.pdf", issued[1].pdf.read(), content_type="application/pdf")
    html = Client().post(url, {"file": other}).content.decode()
    assert 'data-testid="match"' in html
    assert "exactement celui" not in html
    response = Client().post(url, {"file": SimpleUploadedFile("c.pdf", b"")})
    assert response.status_code == 400


def test_only_the_holder_and_coordinators_download_and_nobody_a_revoked_one(
    issued, coordinator, make_user
):
    mine, theirs = issued[0], issued[1]
    holder = logged(mine.holder.user)
    response = holder.get(reverse("certificates:download", args=[mine.code]))
    assert response.status_code == 200
    assert mine.code in response["Content-Disposition"]
    assert holder.get(reverse("certificates:download", args=[theirs.code])).status_code == 404
    assert (
        logged(coordinator).get(reverse("certificates:download", args=[theirs.code])).status_code
        == 200
    )
    assert (
        logged(make_user("lecturer"))
        .get(reverse("certificates:download", args=[theirs.code]))
        .status_code
        == 404
    )
    services.certificate_revoke(certificate=mine, actor=coordinator, reason="x")
    assert holder.get(reverse("certificates:download", args=[mine.code])).status_code == 404


def test_a_student_requests_an_attestation_and_a_refused_transcript_says_why(
    cohort, django_capture_on_commit_callbacks
):
    student = cohort.students.order_by("pk").first()
    client = logged(student.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("certificates:mine"), {"kind": "enrollment"})
    assert "Télécharger" in client.get(reverse("certificates:mine")).content.decode()
    response = client.post(
        reverse("certificates:mine"), {"kind": "transcript", "semester": "1"}, follow=True
    )
    assert "aucun jury publié pour le semestre 1" in response.content.decode()
    response = client.post(reverse("certificates:mine"), {"kind": "success"}, follow=True)
    assert "coordination" in response.content.decode()


def test_the_coordinator_sees_who_is_eligible_and_starts_a_batch(
    cohort, coordinator, django_capture_on_commit_callbacks
):
    client = logged(coordinator)
    url = reverse("certificates:batch_new", args=[cohort.slug])
    html = client.get(url, {"kind": "transcript", "semester": "1"}).content.decode()
    assert "0 éligibles sur 3" in html
    html = client.get(url).content.decode()
    assert "3 éligibles sur 3" in html
    first = cohort.students.order_by("pk").first()
    chosen = [s.pk for s in cohort.students.exclude(pk=first.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "enrollment", "student": chosen})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "2 prêts, 0 en échec, 0 restants, sur 2." in page
    assert Certificate.objects.filter(holder=first).count() == 0
    progress = client.get(response["Location"], headers={"accept": "application/json"}).json()
    assert progress["done"] == 2
    archive = client.get(response["Location"] + "certificates.zip")
    assert archive["Content-Type"] == "application/zip"


@pytest.mark.parametrize("persona", ["applicant", "student", "lecturer"])
def test_other_roles_cannot_issue_or_watch_batches(cohort, persona_client, persona):
    client = persona_client(persona)
    assert client.get(reverse("certificates:batch_new", args=[cohort.slug])).status_code == 403
    assert (
        client.post(
            reverse("certificates:batch_new", args=[cohort.slug]), {"kind": "enrollment"}
        ).status_code
        == 403
    )


def test_a_batch_started_while_the_broker_is_down_is_kept_and_goes_out_when_it_is_back(
    cohort, coordinator, settings, monkeypatch, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from certificates.tasks import render_certificates
    from tests.helpers import free_port

    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(render_certificates, "delay", broker_down)
    client = logged(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("certificates:batch_new", args=[cohort.slug]),
            {"kind": "enrollment", "student": list(cohort.students.values_list("pk", flat=True))},
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "ne peut pas être jointe" in page
    assert set(Certificate.objects.values_list("status", flat=True)) == {"pending"}
    monkeypatch.undo()
    Certificate.objects.update(issued_at=timezone.now() - dt.timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stuck() == 3
    assert set(Certificate.objects.values_list("status", flat=True)) == {"ready"}


def test_an_email_queued_while_the_broker_is_down_is_sent_later(
    monkeypatch, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.core import mail
    from django.core.mail import EmailMessage
    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from accounts.models import OutgoingEmail
    from accounts.services import email_queue, emails_requeue
    from accounts.tasks import send_outgoing_email

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(send_outgoing_email, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(EmailMessage("Sujet", "Corps", to=["a@example.dz"]))
    assert OutgoingEmail.objects.get().status == "pending"
    monkeypatch.undo()
    OutgoingEmail.objects.update(created_at=timezone.now() - dt.timedelta(minutes=10))
    assert emails_requeue() == 1
    assert len(mail.outbox) == 1


def test_a_document_that_failed_to_store_is_listed_and_tried_again(
    cohort, coordinator, settings, tmp_path, django_capture_on_commit_callbacks
):
    working = settings.STORAGES["private"]
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**working, "OPTIONS": {"location": str(blocked / "private")}},
    }
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
    batch.refresh_from_db()
    assert batch.status == batch.Status.DONE  # finished, with failures: not left running
    failed = list(batch.certificates.order_by("pk"))
    assert {c.status for c in failed} == {Certificate.Status.FAILED}
    assert all(c.error and c.attempts == 1 and not c.pdf for c in failed)

    coordinator_client = logged(coordinator)
    page = coordinator_client.get(reverse("certificates:batch", args=[batch.pk])).content.decode()
    assert "Réessayer" in page or "Try again" in page
    assert reverse("certificates:retry", args=[failed[0].code]) in page

    student_client = logged(cohort.students.get(pk=failed[0].holder_id).user)
    response = student_client.post(reverse("certificates:retry", args=[failed[0].code]))
    assert response.status_code == 403
    assert Certificate.objects.get(pk=failed[0].pk).status == Certificate.Status.FAILED

    settings.STORAGES = {**settings.STORAGES, "private": working}
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("certificates:retry", args=[failed[0].code]))
    assert response.status_code == 302
    retried = Certificate.objects.get(pk=failed[0].pk)
    assert retried.status == Certificate.Status.READY
    assert retried.attempts == 2
    assert not retried.error
    assert retried.pdf.read().startswith(b"%PDF-")

    again = coordinator_client.post(reverse("certificates:retry", args=[retried.code]), follow=True)
    assert Certificate.objects.get(pk=retried.pk).status == Certificate.Status.READY
    assert any(m.level_tag == "error" for m in again.context["messages"])


def test_a_coordinator_revokes_from_the_verification_page_with_a_reason(issued, coordinator):
    certificate = issued[0]
    url = reverse("certificates:verify", args=[certificate.code])
    revoke = reverse("certificates:revoke", args=[certificate.code])
    holder = logged(certificate.holder.user)
    assert 'data-testid="revoke"' not in Client().get(url).content.decode()
    assert 'data-testid="revoke"' not in holder.get(url).content.decode()
    assert holder.post(revoke, {"reason": "Je préfère"}).status_code == 403

    staff = logged(coordinator)
    assert 'data-testid="revoke"' in staff.get(url).content.decode()
    for reason, message in (("  ", "Indiquez pourquoi"), ("x" * 2001, "Limitez le motif à 2000")):
        page = staff.post(revoke, {"reason": reason}, follow=True).content.decode()
        assert message in page
        assert Certificate.objects.get(pk=certificate.pk).status == Certificate.Status.READY

    page = staff.post(revoke, {"reason": "Erreur de nom"}, follow=True).content.decode()
    revoked = Certificate.objects.get(pk=certificate.pk)
    assert (revoked.status, revoked.revoked_by, revoked.revocation_reason) == (
        Certificate.Status.REVOKED,
        coordinator,
        "Erreur de nom",
    )
    assert "Erreur de nom" in page
    assert 'data-testid="revoke"' not in page


def test_verification_varies_on_accept_so_caches_keep_html_and_json_apart(issued):
    url = reverse("certificates:verify", args=[issued[0].code])
    for accept in ("text/html", "application/json"):
        assert "Accept" in Client().get(url, headers={"accept": accept})["Vary"]


def test_a_students_requests_are_one_at_a_time_and_a_few_an_hour(
    cohort, settings, django_capture_on_commit_callbacks
):
    settings.CERTIFICATE_REQUESTS_PER_HOUR = 3
    student = cohort.students.order_by("pk").first()
    client = logged(student.user)
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not run yet
        client.post(reverse("certificates:mine"), {"kind": "enrollment"})
        again = client.post(reverse("certificates:mine"), {"kind": "enrollment"}, follow=True)
    assert "en cours de préparation" in again.content.decode()
    assert Certificate.objects.filter(holder=student).count() == 1
    Certificate.objects.filter(holder=student).update(status=Certificate.Status.READY)
    for _ in range(2):
        client.post(reverse("certificates:mine"), {"kind": "enrollment"})
        Certificate.objects.filter(holder=student, status="pending").update(status="ready")
    refused = client.post(reverse("certificates:mine"), {"kind": "enrollment"}, follow=True)
    assert "3 documents au cours de la dernière heure" in refused.content.decode()
    assert Certificate.objects.filter(holder=student).count() == 3


def test_a_coordinators_download_needs_a_session_that_passed_mfa(issued, coordinator, make_user):
    mine, theirs = issued[0], issued[1]
    download = reverse("certificates:download", args=[theirs.code])
    # MFA enabled, but this session was opened with the password alone: asked for the code.
    password_only = Client()
    password_only.force_login(coordinator)
    response = password_only.get(download)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate") + "?next=")
    # MFA never enabled: led to set it up, never served.
    without_mfa = Client()
    without_mfa.force_login(make_user("coordinator", mfa=False))
    assert without_mfa.get(download)["Location"] == reverse("mfa_activate_totp")
    # The holder's own document needs no second factor.
    holder = Client()
    holder.force_login(mine.holder.user)
    assert holder.get(reverse("certificates:download", args=[mine.code])).status_code == 200
    pass_mfa(password_only, coordinator)
    assert password_only.get(download).status_code == 200


def test_a_revocation_long_after_the_log_in_asks_to_authenticate_again(issued, coordinator):
    certificate = issued[0]
    revoke = reverse("certificates:revoke", args=[certificate.code])
    staff = Client()
    mfa_login(staff, coordinator)
    session = staff.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= 600  # the code was entered ten minutes ago
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
    response = staff.post(revoke, {"reason": "Erreur de nom"})
    assert response["Location"].startswith(reverse("account_reauthenticate") + "?next=")
    assert Certificate.objects.get(pk=certificate.pk).status == Certificate.Status.READY
    response = staff.post(response["Location"], {"password": PASSWORD})
    assert response["Location"] == reverse("certificates:verify", args=[certificate.code])
    revoked = Certificate.objects.get(pk=certificate.pk)
    assert (revoked.status, revoked.revocation_reason) == (
        Certificate.Status.REVOKED,
        "Erreur de nom",
    )
