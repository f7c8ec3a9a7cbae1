"""Module certificates (mark and credits, or participation at 80 % attendance) and the jury
record (PV de délibération), which only coordinators download."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import documents, services
from certificates.demo import seed_jury_members
from certificates.models import Batch, Certificate, Kind
from partners.models import Organisation
from studies.models import ClassSession, Jury, Offering
from studies.services.juries import (
    jury_close,
    jury_get_or_create,
    jury_publish,
    year_jury_get_or_create,
)
from studies.services.timetable import attendance_save, session_add
from tests.certificates.pdfcheck import machine_checks, words
from tests.helpers import logged_in
from tests.studies.studies_helpers import make_setting
from tests.studies.test_results import run_semester

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(make_user):
    return make_setting(make_user)


def logged(user) -> Client:
    return logged_in(user)  # staff with TOTP pass it in this session


def pdf_text(certificate: Certificate, tmp_path) -> str:
    path = tmp_path / f"{certificate.code}.pdf"
    path.write_bytes(certificate.pdf.read())
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())  # lines joined: a phrase may wrap


def attend(setting, offering: Offering, presence: dict[int, list[bool]]) -> None:
    """Four class sessions; presence[student_pk] says who came to each."""
    start = timezone.now() - timedelta(days=30)
    for n in range(4):
        session = session_add(
            offering=offering,
            actor=setting["coordinator"],
            starts_at=start + timedelta(days=7 * n),
            ends_at=start + timedelta(days=7 * n, hours=2),
            kind=ClassSession.Kind.LECTURE,
        )
        attendance_save(
            session=session,
            actor=setting["coordinator"],
            statuses={pk: "present" if came[n] else "absent" for pk, came in presence.items()},
        )


def issue(setting, capture, **kwargs) -> Batch:
    if kwargs.get("jury") is not None:
        seed_jury_members(kwargs["jury"])  # a record (PV) names its president and members
    with capture(execute=True):
        return services.batch_start(
            cohort=setting["cohort"], actor=setting["coordinator"], **kwargs
        )


def test_a_module_certificate_attests_participation_then_the_mark_once_published(
    setting, django_capture_on_commit_callbacks, tmp_path
):
    good, best, weak = setting["students"]
    offering = Offering.objects.filter(cohort=setting["cohort"], semester=1).order_by("pk")[0]
    module = offering.module
    partner = Organisation.objects.order_by("pk")[0]
    offering.partners.set([partner])
    attend(setting, offering, {good.pk: [True] * 4, weak.pk: [True, False, True, False]})

    rows = {
        r.student: r
        for r in services.eligible_list(cohort=setting["cohort"], kind=Kind.MODULE, module=module)
    }
    assert rows[good].ok  # 100 % attendance, no mark yet: participation
    assert not rows[weak].ok
    assert "50 %" in rows[weak].reason
    assert "80 %" in rows[weak].reason
    assert not rows[best].ok
    assert rows[best].reason == str(_("no published mark for this module and no attendance taken"))
    assert documents.attendance_rate(good, offering) == 100

    issue(setting, django_capture_on_commit_callbacks, kind=Kind.MODULE, module=module)
    participation = Certificate.objects.get(kind=Kind.MODULE, holder=good)
    assert participation.module == module
    assert participation.status == Certificate.Status.READY
    assert participation.snapshot["result"] == {"assessed": False, "attendance": 100}
    text = pdf_text(participation, tmp_path)
    assert "Attestation de participation" in text
    assert module.code in text
    assert partner.name_fr.split()[0] in text  # the co-teaching partner, among the signatories

    run_semester(setting, 1, ["12.5", "16", "8"])
    jury_publish(
        jury=jury_get_or_create(cohort=setting["cohort"], semester=1, session="N"),
        actor=setting["coordinator"],
    )
    issue(setting, django_capture_on_commit_callbacks, kind=Kind.MODULE, module=module)
    assessed = Certificate.objects.get(kind=Kind.MODULE, holder=good, status="ready")
    participation.refresh_from_db()
    assert (participation.status, participation.superseded_by) == ("superseded", assessed)
    assert assessed.snapshot["result"]["assessed"] is True
    assert "12,50/20" in pdf_text(assessed, tmp_path)
    failed = Certificate.objects.get(kind=Kind.MODULE, holder=weak, status="ready")
    assert {k: v for k, v in failed.snapshot["result"].items() if k != "record"} == {
        "assessed": True,
        "mark": "8.00",
        "validated": False,
        "acquired_by": "",
        "session": "N",
        "credits": 0,
    }
    assert "non validé" in pdf_text(failed, tmp_path)

    # The English copy, for a foreign employer: the same result, beside the French one.
    issue(
        setting, django_capture_on_commit_callbacks, kind=Kind.MODULE, module=module, edition="en"
    )
    english = Certificate.objects.get(kind=Kind.MODULE, holder=good, edition="en")
    assert english.status == Certificate.Status.READY
    assessed.refresh_from_db()
    assert assessed.status == Certificate.Status.READY  # an English copy supersedes no French one
    text = pdf_text(english, tmp_path)
    assert "certifies that the person named above has followed this module" in text
    assert "12.50/20" in text  # English
    assert "12,50/20" in text  # French, beside it
    public = (
        Client()
        .get(reverse("certificates:verify", args=[failed.code]), HTTP_ACCEPT="application/json")
        .json()
    )
    assert public["module"] == f"{module.code} — {module.title_fr}"
    assert "8.00" not in str(public)  # the mark stays in the file


def test_a_module_batch_needs_a_module_of_the_cohort(setting):
    with pytest.raises(ValidationError) as error:
        services.batch_start(
            cohort=setting["cohort"], kind=Kind.MODULE, actor=setting["coordinator"]
        )
    assert error.value.code == "module"
    assert not Batch.objects.exists()


def test_the_jury_record_lists_every_decision_and_only_coordinators_download_it(
    setting, django_capture_on_commit_callbacks, tmp_path, make_user
):
    run_semester(setting, 1, ["12.5", "16", "8"])
    jury = Jury.objects.get(cohort=setting["cohort"], semester=1, session="N")
    batch = issue(setting, django_capture_on_commit_callbacks, kind=Kind.JURY_RECORD, jury=jury)
    record = batch.certificates.get()
    assert (record.kind, record.holder, record.jury, record.status) == (
        Kind.JURY_RECORD,
        None,
        jury,
        Certificate.Status.READY,
    )
    text = pdf_text(record, tmp_path)
    assert "Procès-verbal de délibération" in text
    for student in setting["students"]:
        assert student.registration_number in text
    assert "16,00" in text
    assert "8,00" in text
    assert [row["average"] for row in record.snapshot["rows"]] == ["12.50", "16.00", "8.00"]

    url = reverse("certificates:download", args=[record.code])
    assert logged(setting["coordinator"]).get(url).status_code == 200
    for person in (setting["students"][0].user, setting["lecturer"], make_user()):
        assert logged(person).get(url).status_code == 404

    public = (
        Client()
        .get(reverse("certificates:verify", args=[record.code]), HTTP_ACCEPT="application/json")
        .json()
    )
    assert public["holder"] == ""
    assert public["semester"] == 1
    assert "12.50" not in str(public)  # marks stay in the file, not on the public page

    again = issue(setting, django_capture_on_commit_callbacks, kind=Kind.JURY_RECORD, jury=jury)
    record.refresh_from_db()
    assert (record.status, record.superseded_by) == ("superseded", again.certificates.get())


def test_an_open_jury_or_another_cohorts_jury_has_no_record(setting, make_user):
    from enrollment.demo import seed_students

    jury = jury_get_or_create(cohort=setting["cohort"], semester=1, session="N")
    with pytest.raises(ValidationError) as error:
        services.batch_start(
            cohort=setting["cohort"],
            kind=Kind.JURY_RECORD,
            jury=jury,
            actor=setting["coordinator"],
        )
    assert error.value.code == "open"
    other, _ = seed_students(
        count=1, cohort_slug="promo-autre", programme=setting["cohort"].programme
    )
    with pytest.raises(ValidationError) as error:
        services.batch_start(
            cohort=other, kind=Kind.JURY_RECORD, jury=jury, actor=setting["coordinator"]
        )
    assert error.value.code == "jury"
    assert not Certificate.objects.exists()


def test_the_command_issues_a_jury_record_and_refuses_unknown_modules_and_juries(
    setting, django_capture_on_commit_callbacks, tmp_path
):
    slug = setting["cohort"].slug
    with pytest.raises(CommandError, match="Unknown module"):
        call_command("issue_certificates", "--cohort", slug, "--kind", "module", "--module", "ZZ9")
    with pytest.raises(CommandError, match="No jury"):
        call_command(
            "issue_certificates", "--cohort", slug, "--kind", "jury-record", "--semester", "3"
        )
    run_semester(setting, 1, ["12.5", "16", "8"])
    seed_jury_members(Jury.objects.get(cohort=setting["cohort"], semester=1, session="N"))
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "issue_certificates",
            "--cohort",
            slug,
            "--kind",
            "jury-record",
            "--semester",
            "1",
            stdout=open(tmp_path / "log.txt", "w"),  # noqa: SIM115
        )
    record = Certificate.objects.get(kind=Kind.JURY_RECORD)
    assert record.jury is not None
    assert (record.semester, record.jury.session, record.status) == (1, "N", "ready")
    assert "1 certificates queued" in (tmp_path / "log.txt").read_text()


def test_the_issue_page_offers_modules_and_closed_juries(
    setting, django_capture_on_commit_callbacks
):
    coordinator = logged(setting["coordinator"])
    url = reverse("certificates:batch_new", args=[setting["cohort"].slug])
    offering = Offering.objects.filter(cohort=setting["cohort"]).order_by("pk")[0]
    page = coordinator.get(
        url, {"kind": "module", "module": str(offering.module_id)}
    ).content.decode()
    assert offering.module.code in page
    reasons = services.eligible_list(
        cohort=setting["cohort"], kind=Kind.MODULE, module=offering.module
    )
    assert not any(r.ok for r in reasons)
    assert reasons[0].reason in page  # no mark, no attendance: each one says why
    page = coordinator.get(url, {"kind": "jury-record"}).content.decode()
    assert 'name="jury"' in page
    run_semester(setting, 1, ["12.5", "16", "8"])
    jury = Jury.objects.get(cohort=setting["cohort"], semester=1)
    seed_jury_members(jury)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(url, {"kind": "jury-record", "jury": jury.pk})
    batch = Batch.objects.get(kind=Kind.JURY_RECORD)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{batch.pk}/")
    assert batch.certificates.get().status == Certificate.Status.READY
    jury_page = coordinator.get(
        reverse("studies:jury", args=[setting["cohort"].slug, 1, "N"])
    ).content.decode()
    assert 'data-testid="jury-record"' in jury_page


def test_every_kind_passes_the_machine_checks_and_reads_right(
    setting, django_capture_on_commit_callbacks, tmp_path
):
    """Transcript, cumulative transcript, success attestation, module certificate and jury
    record of a cohort that went through its four semesters: each PDF is PDF/A-3b, passes
    qpdf, embeds its data, and its QR code leads to its verification page."""
    cohort, coordinator = setting["cohort"], setting["coordinator"]
    for semester in (1, 2, 3, 4):
        run_semester(setting, semester, ["12.5", "16", "8"])
        jury_publish(
            jury=jury_get_or_create(cohort=cohort, semester=semester, session="N"),
            actor=coordinator,
        )
    for year in (1, 2):
        deliberation = year_jury_get_or_create(cohort=cohort, year=year)
        jury_close(jury=deliberation, actor=coordinator)
        jury_publish(jury=deliberation, actor=coordinator)
    best = setting["students"][1]
    module = Offering.objects.filter(cohort=cohort, semester=1).order_by("pk")[0].module
    jury = Jury.objects.get(cohort=cohort, semester=1, session="N")
    expected: dict[str, tuple[dict[str, Any], list[str]]] = {
        Kind.TRANSCRIPT: ({"semester": 1}, ["Relevé de notes semestriel", "16,00/20", "30/30"]),
        Kind.CUMULATIVE: ({}, ["Relevé de notes cumulatif", "S4", "120/120", "Très bien"]),
        Kind.SUCCESS: ({}, ["Attestation provisoire de succès", "16,00/20", "Très bien"]),
        Kind.MODULE: ({"module": module}, ["Certificat de module", "16,00/20", "validé"]),
        Kind.JURY_RECORD: ({"jury": jury}, ["Procès-verbal de délibération", "Admis"]),
    }
    for kind, (options, phrases) in expected.items():
        issue(setting, django_capture_on_commit_callbacks, kind=kind, **options)
        certificate = Certificate.objects.filter(kind=kind, status="ready").order_by("pk")
        document = certificate.get() if kind == Kind.JURY_RECORD else certificate.get(holder=best)
        data = machine_checks(document, tmp_path)
        assert data["kind"] == kind
        text = words(document, tmp_path)
        for phrase in phrases:
            assert phrase in text, (kind, phrase)
        assert best.registration_number in text
