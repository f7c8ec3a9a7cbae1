"""Issuing and rendering: eligibility, the PDF as a reader and a machine would check it,
supersession, revocation and concurrent batches."""

from __future__ import annotations

import hashlib
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from certificates import services
from certificates.models import Batch, Certificate, Kind
from certificates.templatetags.certificate_text import long_date_ar, long_date_fr
from enrollment.models import ApplicantProfile, Student
from tests.certificates.pdfcheck import machine_checks, rtl_phrase, rtl_text

pytestmark = pytest.mark.django_db


def issue(
    cohort, coordinator, django_capture_on_commit_callbacks, kind=Kind.ENROLLMENT, semester=None
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_start(cohort=cohort, kind=kind, actor=coordinator, semester=semester)
    return batch


def test_a_batch_renders_every_eligible_students_attestation(
    cohort, coordinator, django_capture_on_commit_callbacks
):
    batch = issue(cohort, coordinator, django_capture_on_commit_callbacks)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    certificates = list(batch.certificates.all())
    assert len(certificates) == 3
    assert {c.status for c in certificates} == {Certificate.Status.READY}
    assert services.batch_progress(batch) == {
        "total": 3,
        "done": 3,
        "failed": 0,
        "remaining": 0,
        "percent": 100,
    }


def test_each_holder_is_told_once_when_the_document_is_ready(
    cohort, coordinator, django_capture_on_commit_callbacks
):
    from django.core import mail

    from accounts.models import OutgoingEmail, User

    students = Student.objects.filter(cohort=cohort).values("user")
    User.objects.filter(pk__in=students).update(preferred_language="ar")
    batch = issue(cohort, coordinator, django_capture_on_commit_callbacks)
    holders = sorted(c.holder.user.email for c in batch.certificates.all())
    assert sorted(m.to[0] for m in mail.outbox) == holders
    assert all(m.subject.startswith("وثيقتك جاهزة") for m in mail.outbox)
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_the_pdf_reads_right_for_a_person_and_a_machine(
    cohort, coordinator, django_capture_on_commit_callbacks, tmp_path
):
    batch = issue(cohort, coordinator, django_capture_on_commit_callbacks)
    certificate = batch.certificates.select_related("holder").first()
    assert certificate is not None
    content = certificate.pdf.read()
    assert hashlib.sha256(content).hexdigest() == certificate.sha256
    path = tmp_path / "c.pdf"
    path.write_bytes(content)
    profile = ApplicantProfile.objects.get(user=certificate.holder.user)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert profile.surname_latin.upper() in text
    assert profile.given_names_ar.replace(" ", "") in text.replace(" ", "")
    assert certificate.code in text
    # Dates inside Arabic sentences keep their order (2026-2027, not 2027-2026), and the
    # date of issue is written in words in both languages.
    assert text.count(certificate.snapshot["academic_year"]) == 2
    issued_on = certificate.snapshot["issued_on"]
    assert f"Fait à Alger, le {long_date_fr(issued_on)}" in text
    in_arabic = long_date_ar(issued_on).strip("\u2067\u2069")
    assert rtl_phrase(f"حرر بالجزائر في {in_arabic}") in rtl_text(content)
    data = machine_checks(certificate, tmp_path)
    assert data["holder"]["registration_number"] == certificate.holder.registration_number


def test_a_presumed_year_of_birth_is_printed_so(
    cohort, coordinator, django_capture_on_commit_callbacks, tmp_path
):
    student = cohort.students.order_by("pk").first()
    ApplicantProfile.objects.filter(user=student.user).update(
        birth_date=None, birth_date_presumed=True, birth_year=1985
    )
    issue(cohort, coordinator, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(holder=student)
    path = tmp_path / "c.pdf"
    path.write_bytes(certificate.pdf.read())
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "présumé(e) en 1985" in text


def test_ineligible_students_are_listed_with_the_reason_and_skipped(
    cohort, coordinator, django_capture_on_commit_callbacks
):
    gone = cohort.students.order_by("pk").first()
    Student.objects.filter(pk=gone.pk).update(status=Student.Status.WITHDRAWN)
    rows = services.eligible_list(cohort=cohort, kind=Kind.ENROLLMENT)
    reasons = {r.student.pk: r.reason for r in rows if not r.ok}
    assert list(reasons) == [gone.pk]
    batch = issue(cohort, coordinator, django_capture_on_commit_callbacks)
    assert batch.certificates.count() == 2
    transcripts = services.eligible_list(cohort=cohort, kind=Kind.TRANSCRIPT, semester=1)
    assert all(not r.ok and "semestre 1" in r.reason for r in transcripts)
    with pytest.raises(ValidationError) as exc:
        services.batch_start(cohort=cohort, kind=Kind.SUCCESS, actor=coordinator)
    assert exc.value.code == "empty"


def test_a_second_batch_while_one_runs_is_refused(
    cohort, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
    with pytest.raises(ValidationError) as exc:
        services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
    assert exc.value.code == "running"
    assert Batch.objects.count() == 1


def test_reissuing_supersedes_and_revoking_keeps_who_when_why(
    cohort, coordinator, django_capture_on_commit_callbacks
):
    issue(cohort, coordinator, django_capture_on_commit_callbacks)
    student = cohort.students.order_by("pk").first()
    first = Certificate.objects.get(holder=student)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.certificate_request(
            student=student, kind=Kind.ENROLLMENT, actor=student.user
        )
    first.refresh_from_db()
    assert first.status == Certificate.Status.SUPERSEDED
    assert first.superseded_by == second
    assert services.current_version(first) == second
    services.certificate_revoke(certificate=second, actor=coordinator, reason="Erreur d'état civil")
    second.refresh_from_db()
    assert (second.status, second.revoked_by, second.revocation_reason) == (
        "revoked",
        coordinator,
        "Erreur d'état civil",
    )
    assert Certificate.objects.count() == 4  # nothing is ever deleted


def test_rendering_twice_renders_once(cohort, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
    certificate = batch.certificates.first()
    assert certificate is not None
    assert services.render_one(certificate.pk) is True
    assert services.render_one(certificate.pk) is False
    certificate.refresh_from_db()
    assert certificate.attempts == 1


def test_the_command_refuses_an_unknown_cohort_or_kind(cohort):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Unknown cohort"):
        call_command("issue_certificates", "--cohort", "nope", "--kind", "enrollment")
    with pytest.raises(CommandError, match="Unknown kind"):
        call_command("issue_certificates", "--cohort", cohort.slug, "--kind", "diploma")


@pytest.mark.django_db(transaction=True)
def test_the_command_issues_and_copies_the_pdfs(cohort, coordinator, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "out"
    call_command(
        "issue_certificates",
        "--cohort",
        cohort.slug,
        "--kind",
        "enrollment",
        "--wait",
        "--out",
        str(out),
        "--timeout",
        "60",
    )
    files = sorted(out.glob("*.pdf"))
    assert len(files) == 3
    codes = set(Certificate.objects.values_list("code", flat=True))
    assert {f.stem for f in files} == codes
    assert all(f.read_bytes().startswith(b"%PDF-") for f in files)


def test_a_success_attestation_needs_every_jury_published_and_120_credits(
    make_user, django_capture_on_commit_callbacks, tmp_path
):
    import subprocess

    from studies.services.juries import (
        jury_close,
        jury_get_or_create,
        jury_publish,
        year_jury_get_or_create,
    )
    from tests.studies.studies_helpers import make_setting
    from tests.studies.test_results import run_semester

    setting = make_setting(make_user)
    cohort, coordinator = setting["cohort"], setting["coordinator"]
    for semester in (1, 2, 3, 4):
        run_semester(setting, semester, ["12.5", "16", "8"])
    rows = {r.student: r for r in services.eligible_list(cohort=cohort, kind=Kind.SUCCESS)}
    assert not any(r.ok for r in rows.values())  # closed, not published
    for semester in (1, 2, 3, 4):
        jury_publish(
            jury=jury_get_or_create(cohort=cohort, semester=semester, session="N"),
            actor=coordinator,
        )
    rows = {r.student: r for r in services.eligible_list(cohort=cohort, kind=Kind.SUCCESS)}
    good, best, failed = setting["students"]
    not_final = _("%(credits)s credits of %(total)s, no published final result")
    assert rows[good].reason == not_final % {"credits": 120, "total": 120}
    for year in (1, 2):
        deliberation = year_jury_get_or_create(cohort=cohort, year=year)
        jury_close(jury=deliberation, actor=coordinator)
        jury_publish(jury=deliberation, actor=coordinator)
    rows = {r.student: r for r in services.eligible_list(cohort=cohort, kind=Kind.SUCCESS)}
    assert rows[good].ok
    assert rows[best].ok
    assert not rows[failed].ok
    assert rows[failed].reason == not_final % {"credits": 0, "total": 120}
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_start(cohort=cohort, kind=Kind.SUCCESS, actor=coordinator)
    certificate = Certificate.objects.get(holder=best, kind=Kind.SUCCESS)
    assert certificate.status == Certificate.Status.READY
    path = tmp_path / "s.pdf"
    path.write_bytes(certificate.pdf.read())
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())  # lines joined: a phrase may wrap
    assert "Très bien" in text
    assert "16,00/20" in text  # the decimal comma of French documents


def test_an_attestation_asked_with_a_semester_or_module_still_supersedes_the_last_one(
    cohort, coordinator, django_capture_on_commit_callbacks
):
    from curriculum.models import Module

    first = issue(cohort, coordinator, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.batch_start(
            cohort=cohort,
            kind=Kind.ENROLLMENT,
            actor=coordinator,
            semester=2,
            module=Module.objects.order_by("pk").first(),
        )
    assert (second.semester, second.module) == (None, None)
    assert {c.status for c in first.certificates.all()} == {Certificate.Status.SUPERSEDED}
    assert all(c.semester is None and c.module is None for c in second.certificates.all())
    student = cohort.students.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        mine = services.certificate_request(
            student=student, kind=Kind.ENROLLMENT, actor=student.user, semester=3
        )
    assert mine.semester is None
    assert second.certificates.get(holder=student).status == Certificate.Status.SUPERSEDED


def test_an_attestation_certifies_the_academic_year_of_the_students_level(
    cohort, coordinator, django_capture_on_commit_callbacks
):
    """M1 is the cohort's first academic year, M2 its second (academic-rules §3)."""
    first, second = list(cohort.students.order_by("pk")[:2])
    Student.objects.filter(pk=second.pk).update(level=Student.Level.M2)
    issue(cohort, coordinator, django_capture_on_commit_callbacks)
    start = cohort.start_date.year
    years = {
        c.holder_id: c.snapshot["academic_year"]
        for c in Certificate.objects.filter(holder__in=[first, second])
    }
    assert years == {first.pk: f"{start}-{start + 1}", second.pk: f"{start + 1}-{start + 2}"}
