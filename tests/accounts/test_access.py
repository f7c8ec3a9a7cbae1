"""Each role's pages refuse every other role: one table, later issues add rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

# MFA: sent to set it up; CODE: MFA enabled but this session did not pass it, sent to enter
# the code; DONE: a POST served (a redirect to the page that shows the result).
OK, FORBIDDEN, LOGIN, MFA, CODE, ADMIN_LOGIN = 200, 403, "login", "mfa", "code", "admin-login"
DONE = "done"
PERSONAS = (
    "anonymous",
    "applicant",
    "student",
    "lecturer",
    "lecturer-no-mfa",
    "coordinator",
    "coordinator-no-mfa",
    "coordinator-password-only",
    "finance",
    "finance-no-mfa",
    "sponsor",
    "admin",
    "admin-no-mfa",
)


def _row(url: str, **expected: object) -> list[tuple[str, str, object]]:
    missing = set(PERSONAS) - {k.replace("_", "-") for k in expected}
    assert not missing, f"{url}: no expectation for {missing}"
    return [(url, persona.replace("_", "-"), outcome) for persona, outcome in expected.items()]


def person_url() -> str:
    return reverse("accounts:person", args=[UserFactory.create().pk])


def _programme():
    from curriculum.models import Programme

    return Programme.objects.get_or_create(code="T", slug="t", defaults={"title_fr": "T"})[0]


def structure_url() -> str:
    return reverse("curriculum:structure", args=[_programme().slug])


def export_url() -> str:
    return reverse("curriculum:export", args=[_programme().slug, "xlsx"])


def organisation_staff_url() -> str:
    from tests.factories.partners import OrganisationFactory

    return reverse("partners:organisation", args=[OrganisationFactory.create().slug])


def agreement_pdf_url() -> str:
    from tests.factories.partners import AgreementFactory

    return reverse("partners:agreement_pdf", args=[AgreementFactory.create().pk])


def _cohort():
    from tests.factories.enrollment import CohortFactory

    return CohortFactory.create()


def cohort_url() -> str:
    return reverse("studies:cohort", args=[_cohort().slug])


def jury_url() -> str:
    return reverse("studies:jury", args=[_cohort().slug, 1, "N"])


def results_url() -> str:
    return reverse("studies:cohort_results", args=[_cohort().slug])


def year_jury_url() -> str:
    return reverse("studies:year_jury", args=[_cohort().slug, 1])


def jury_close_confirmation_url() -> str:
    return reverse("studies:jury_action", args=[_cohort().slug, 1, "N", "close"])


def year_jury_close_confirmation_url() -> str:
    return reverse("studies:year_jury_action", args=[_cohort().slug, 1, "close"])


def staff_receipt_url() -> str:
    # An unknown application: the view answers 404 only past every access check.
    return reverse("enrollment:staff_receipt", args=["APP-0000-0000"])


def internships_url() -> str:
    return reverse("studies:internships", args=[_cohort().slug])


def room_url() -> str:
    from studies.models import Room

    room = Room.objects.create(name="S1", site="tema", capacity=9)
    return reverse("studies:room", args=[room.pk])


def timetable_url() -> str:
    return reverse("studies:timetable", args=[_cohort().slug])


def session_book_url() -> str:
    return reverse("studies:session_book", args=[_cohort().slug])


def session_move_url() -> str:
    # An unknown session: the view answers 404 only past every access check.
    return reverse("studies:session_move", args=[999999])


def session_cancel_url() -> str:
    return reverse("studies:session_cancel", args=[999999])


def stale_url() -> str:
    return reverse("certificates:stale", args=[_cohort().slug])


def signatories_url() -> str:
    return reverse("certificates:signatories", args=["enrollment"])


def student_identity_url() -> str:
    from enrollment.services.decisions import student_create
    from tests.factories.accounts import UserFactory

    cohort = _cohort()
    student = student_create(user=UserFactory.create(), cohort=cohort)
    return reverse("studies:student_identity", args=[cohort.slug, student.pk])


def intake_slots_url() -> str:
    from tests.factories.enrollment import IntakeFactory

    return reverse("enrollment:intake_slots", args=[IntakeFactory.create().pk])


def sponsor_contacts_url() -> str:
    from tests.factories.partners import OrganisationFactory

    return reverse("finance:contacts", args=[OrganisationFactory.create().pk])


def batch_new_url() -> str:
    return reverse("certificates:batch_new", args=[_cohort().slug])


def statement_review_url() -> str:
    from tests.factories.finance import statement_import

    return reverse("finance:statement_review", args=[statement_import().pk])


def _invoiced():
    """An invoice of one student of a cohort with a fee schedule (issued by finance)."""
    from finance.services.invoices import invoice_issue
    from tests.factories.finance import finance_user, schedule_with_instalments, students

    cashier = finance_user()
    schedule, instalments = schedule_with_instalments(actor=cashier)
    (student,) = students(schedule.cohort, 1)
    (invoice,) = invoice_issue(actor=cashier, students=[student], instalments=instalments[:1])
    return invoice


def _payment():
    import datetime as dt
    from decimal import Decimal

    from finance.services.payments import payment_record
    from tests.factories.finance import finance_user, students

    (student,) = students(_cohort(), 1)
    return payment_record(
        actor=finance_user(), student=student, method="cash", paid_on=dt.date(2026, 1, 15),
        amount=Decimal("1000"),
    ).payment  # fmt: skip


def fee_schedule_url() -> str:
    return reverse("finance:schedule", args=[_cohort().slug])


def invoice_issue_url() -> str:
    return reverse("finance:invoice_issue", args=[_cohort().slug])


def invoice_issued_url() -> str:
    # Nothing issued in this session: finance is led back to the issue page.
    return reverse("finance:invoice_issued", args=[_cohort().slug])


def adjustment_new_url() -> str:
    return reverse("finance:adjustment_new", args=[_cohort().slug])


def invoice_detail_url() -> str:
    return reverse("finance:invoice_detail", args=[_invoiced().number])


def credit_note_new_url() -> str:
    return reverse("finance:credit_note_new", args=[_invoiced().number])


def payment_detail_url() -> str:
    return reverse("finance:payment_detail", args=[_payment().pk])


def payment_proof_url() -> str:
    # A payment without a proof: the view answers 404 only past every access check.
    return reverse("finance:payment_proof", args=[_payment().pk])


def finance_document_url() -> str:
    # The PDF of a student's invoice: none of the personas is its payer (still pending here).
    from finance.models import FinanceDocument

    return reverse("finance:document", args=[FinanceDocument.objects.get(invoice=_invoiced()).pk])


def sponsorships_url() -> str:
    return reverse("finance:sponsorships", args=[_cohort().slug])


def deposits_url() -> str:
    return reverse("finance:deposits", args=[_cohort().slug])


def application_fees_url() -> str:
    from tests.factories.enrollment import IntakeFactory

    return reverse("finance:application_fees", args=[IntakeFactory.create().slug])


def justification_new_url() -> str:
    return reverse("studies:justification_new", args=[999999])


def justification_url() -> str:
    return reverse("studies:justification", args=[999999])


def justification_file_url() -> str:
    return reverse("studies:justification_file", args=[999999])


def announcement_attachment_url() -> str:
    # An announcement to a cohort none of the personas is in, by someone else: 404 for all
    # (the gate answers before any file is opened, so none is written here).
    from studies.models import Announcement

    announcement = Announcement.objects.create(
        author=UserFactory.create(is_coordinator=True),
        cohort=_cohort(),
        subject="Sortie",
        body="Rendez-vous à 8 h.",
        attachment="announcements/plan.pdf",
        attachment_name="plan.pdf",
    )
    return reverse("studies:announcement_attachment", args=[announcement.pk])


def _questionnaire():
    import datetime as dt

    from django.utils import timezone

    from studies.models import Questionnaire

    now = timezone.now()
    return Questionnaire.objects.create(
        cohort=_cohort(),
        semester=1,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=1),
        created_by=UserFactory.create(is_coordinator=True),
    )


def evaluations_url() -> str:
    return reverse("studies:evaluations", args=[_cohort().slug])


def questionnaire_url() -> str:
    return reverse("studies:questionnaire", args=[_questionnaire().pk])


def question_delete_url() -> str:
    from studies.models import Question

    question = Question.objects.create(questionnaire=_questionnaire(), kind="text", text_fr="Q")
    return reverse("studies:question_delete", args=[question.pk])


def evaluation_results_url() -> str:
    # An offering the questionnaire does not evaluate: 404 only past every access check.
    return reverse("studies:evaluation_results", args=[_questionnaire().pk, 999999])


def evaluation_export_url() -> str:
    return reverse("studies:evaluation_results_export", args=[_questionnaire().pk, 999999, "csv"])


def evaluation_answer_url() -> str:
    # A cohort none of the personas is a student of: 404 for the student.
    return reverse("studies:evaluation_answer", args=[_questionnaire().pk, 999999])


def _material_offering():
    # An offering of a cohort none of the personas is in, taught by none of them.
    from curriculum.models import Module, Semester, TeachingUnit
    from studies.models import Offering

    cohort = _cohort()
    programme = cohort.programme
    semester = Semester.objects.create(programme=programme, number=1)
    unit = TeachingUnit.objects.create(
        programme=programme, semester=semester, code="UE-M", kind="UEF", credits=2, coefficient=1
    )
    module = Module.objects.create(
        programme=programme, unit=unit, code="M-MAT", title_fr="Module", credits=2, coefficient=1
    )
    return Offering.objects.create(
        cohort=cohort, module=module, semester=1, academic_year="2026-2027"
    )


def materials_manage_url() -> str:
    return reverse("studies:materials_manage", args=[_material_offering().pk])


def my_materials_url() -> str:
    return reverse("studies:my_materials", args=[_material_offering().pk])


def material_download_url() -> str:
    # No file is written here: the gate answers first (404 for whoever is not of the
    # module), and a coordinator who passed it is then told the file is missing (404).
    from studies.models import Material, MaterialSection, MaterialVersion

    author = UserFactory.create(is_coordinator=True)
    section = MaterialSection.objects.create(offering=_material_offering(), title_fr="Cours")
    material = Material.objects.create(
        section=section, kind="file", title="Chapitre", added_by=author
    )
    version = MaterialVersion.objects.create(
        material=material,
        number=1,
        file="materials/absent.pdf",
        filename="chapitre.pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=author,
    )
    return reverse("studies:material_download", args=[version.pk])


PUBLIC = dict.fromkeys([p.replace("-", "_") for p in PERSONAS], OK)


def coordinator_only(ok: object = OK) -> dict[str, object]:
    return {
        "anonymous": LOGIN,
        "applicant": FORBIDDEN,
        "sponsor": FORBIDDEN,
        "student": FORBIDDEN,
        "lecturer": FORBIDDEN,
        "lecturer_no_mfa": FORBIDDEN,
        "coordinator": ok,
        "coordinator_no_mfa": MFA,
        "coordinator_password_only": CODE,
        "finance": FORBIDDEN,
        "finance_no_mfa": FORBIDDEN,
        "admin": ok,
        "admin_no_mfa": MFA,
    }


def teaching_staff(ok: object = OK) -> dict[str, object]:
    """The coordinators and the lecturers (MFA passed)."""
    return {
        **coordinator_only(ok),
        "lecturer": ok,
        "lecturer_no_mfa": MFA,
    }


def finance_only(ok: object = OK) -> dict[str, object]:
    return {
        "anonymous": LOGIN,
        "applicant": FORBIDDEN,
        "sponsor": FORBIDDEN,
        "student": FORBIDDEN,
        "lecturer": FORBIDDEN,
        "lecturer_no_mfa": FORBIDDEN,
        "coordinator": FORBIDDEN,
        "coordinator_no_mfa": FORBIDDEN,
        "coordinator_password_only": FORBIDDEN,
        "finance": ok,
        "finance_no_mfa": MFA,
        "admin": ok,
        "admin_no_mfa": MFA,
    }


def finance_or_coordination(ok: object = OK) -> dict[str, object]:
    return {
        **finance_only(ok),
        "coordinator": ok,
        "coordinator_no_mfa": MFA,
        "coordinator_password_only": CODE,
    }


def finance_document(ok: object = OK) -> dict[str, object]:
    """A finance PDF: finance and the coordination (MFA passed); 404 for anyone else who is
    signed in (its payer, a student or a sponsor's contact, is tested in tests/finance)."""
    return {
        **finance_or_coordination(ok),
        "applicant": 404,
        "sponsor": 404,
        "student": 404,
        "lecturer": 404,
        "lecturer_no_mfa": 404,
    }


# (url or a callable building it, persona, expected)
ACCESS_TABLE = [
    *_row("finance:dashboard", **finance_only()),
    *_row("finance:invoices", **finance_only()),
    *_row("finance:payment_new", **finance_only()),
    *_row("finance:payments", **finance_only()),
    *_row(finance_document_url, **finance_document()),  # type: ignore[arg-type]
    *_row("finance:cohorts", **finance_only()),
    *_row(fee_schedule_url, **finance_only()),  # type: ignore[arg-type]
    *_row(invoice_issue_url, **finance_only()),  # type: ignore[arg-type]
    *_row(invoice_issued_url, **finance_only(302)),  # type: ignore[arg-type]
    *_row(adjustment_new_url, **finance_only()),  # type: ignore[arg-type]
    *_row(invoice_detail_url, **finance_only()),  # type: ignore[arg-type]
    *_row(credit_note_new_url, **finance_only()),  # type: ignore[arg-type]
    *_row(payment_detail_url, **finance_only()),  # type: ignore[arg-type]
    *_row(payment_proof_url, **finance_only(404)),  # type: ignore[arg-type]
    *_row(sponsorships_url, **finance_only()),  # type: ignore[arg-type]
    *_row(deposits_url, **finance_only()),  # type: ignore[arg-type]
    *_row(application_fees_url, **finance_only()),  # type: ignore[arg-type]
    *_row("finance:statements", **finance_only()),
    # The overdue list and the sponsors' balances: finance and the coordination (who follows
    # up the participants) read them; the accounting export is finance's only.
    *_row("finance:overdue", **finance_or_coordination()),
    *_row("finance:sponsors", **finance_or_coordination()),
    *_row("finance:journal", **finance_only()),
    *_row(statement_review_url, **finance_only()),  # type: ignore[arg-type]
    *_row(sponsor_contacts_url, **finance_only()),  # type: ignore[arg-type]
    # Someone with neither a student record nor an application fee has nothing to show.
    *_row("finance:my_fees", **{**dict.fromkeys(PUBLIC, 404), "anonymous": LOGIN}),
    # The ``sponsor`` persona has no SponsorContact: refused with a page that says so.
    *_row("finance:sponsor_home", **{**dict.fromkeys(PUBLIC, FORBIDDEN), "anonymous": LOGIN}),
    *_row(
        "me",
        anonymous=LOGIN,
        applicant=OK,
        sponsor=OK,
        student=OK,
        lecturer=OK,
        lecturer_no_mfa=OK,
        coordinator=OK,
        coordinator_no_mfa=OK,
        coordinator_password_only=OK,
        admin=OK,
        admin_no_mfa=OK,
        finance=OK,
        finance_no_mfa=OK,
    ),
    *_row(
        "staff_home",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        sponsor=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=OK,
        lecturer_no_mfa=MFA,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        coordinator_password_only=CODE,
        admin=OK,
        admin_no_mfa=MFA,
        finance=OK,
        finance_no_mfa=MFA,
    ),
    *_row(
        "accounts:people",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        sponsor=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=FORBIDDEN,
        lecturer_no_mfa=FORBIDDEN,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        coordinator_password_only=CODE,
        admin=OK,
        admin_no_mfa=MFA,
        finance=FORBIDDEN,
        finance_no_mfa=FORBIDDEN,
    ),
    *_row(
        "accounts:emails",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        sponsor=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=FORBIDDEN,
        lecturer_no_mfa=FORBIDDEN,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        coordinator_password_only=CODE,
        admin=OK,
        admin_no_mfa=MFA,
        finance=FORBIDDEN,
        finance_no_mfa=FORBIDDEN,
    ),
    *_row(
        person_url,  # type: ignore[arg-type]
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        sponsor=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=FORBIDDEN,
        lecturer_no_mfa=FORBIDDEN,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        coordinator_password_only=CODE,
        admin=OK,
        admin_no_mfa=MFA,
        finance=FORBIDDEN,
        finance_no_mfa=FORBIDDEN,
    ),
    *_row("home", **PUBLIC),
    *_row("curriculum:partners", **PUBLIC),
    *_row("curriculum:programme_default", **dict.fromkeys(PUBLIC, 404)),
    *_row(
        "curriculum:my_modules",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        sponsor=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=OK,
        lecturer_no_mfa=MFA,
        coordinator=FORBIDDEN,
        coordinator_no_mfa=FORBIDDEN,
        coordinator_password_only=FORBIDDEN,
        admin=OK,
        admin_no_mfa=MFA,
        finance=FORBIDDEN,
        finance_no_mfa=FORBIDDEN,
    ),
    *_row(structure_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(export_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row("partners:organisations", **coordinator_only()),
    *_row("partners:organisation_add", **coordinator_only()),
    *_row(organisation_staff_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row("partners:agreements", **coordinator_only()),
    *_row("partners:agreement_add", **coordinator_only()),
    *_row(agreement_pdf_url, **coordinator_only(404)),  # type: ignore[arg-type]
    *_row("enrollment:intakes", **PUBLIC),
    *_row(
        "enrollment:my_data",
        anonymous=LOGIN,
        **{k: OK for k in PUBLIC if k != "anonymous"},
    ),
    *_row("enrollment:staff_applications", **coordinator_only()),
    *_row("enrollment:staff_dashboard", **coordinator_only()),
    *_row("enrollment:intakes_admin", **coordinator_only()),
    *_row("enrollment:intake_add", **coordinator_only()),
    *_row(intake_slots_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(
        "enrollment:my_reviews",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        sponsor=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=OK,
        lecturer_no_mfa=MFA,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        coordinator_password_only=CODE,
        admin=OK,
        admin_no_mfa=MFA,
        finance=FORBIDDEN,
        finance_no_mfa=FORBIDDEN,
    ),
    *_row("studies:cohorts", **coordinator_only()),
    *_row("certificates:lookup", **PUBLIC),
    *_row(
        "certificates:mine",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        sponsor=FORBIDDEN,
        student=404,  # a student role without a student record: nothing to show
        lecturer=FORBIDDEN,
        lecturer_no_mfa=FORBIDDEN,
        coordinator=FORBIDDEN,
        coordinator_no_mfa=FORBIDDEN,
        coordinator_password_only=FORBIDDEN,
        admin=FORBIDDEN,
        admin_no_mfa=FORBIDDEN,
        finance=FORBIDDEN,
        finance_no_mfa=FORBIDDEN,
    ),
    *_row(batch_new_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(stale_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row("certificates:issuer", **coordinator_only()),
    *_row(signatories_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(student_identity_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(cohort_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(jury_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(results_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(year_jury_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(jury_close_confirmation_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(year_jury_close_confirmation_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(
        staff_receipt_url,  # type: ignore[arg-type]
        # A reviewer is answered as if there were nothing: no hint that a receipt exists.
        **{**coordinator_only(404), "lecturer": 404, "lecturer_no_mfa": MFA},
    ),
    *_row(internships_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row("studies:rooms", **coordinator_only()),
    *_row("studies:room_add", **coordinator_only()),
    *_row(room_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(timetable_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(session_book_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(session_move_url, **coordinator_only(404)),  # type: ignore[arg-type]
    *_row(session_cancel_url, **coordinator_only(404)),  # type: ignore[arg-type]
    *_row("studies:hours", **coordinator_only()),
    *_row(
        "studies:my_sheets",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        sponsor=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=OK,
        lecturer_no_mfa=MFA,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        coordinator_password_only=CODE,
        admin=OK,
        admin_no_mfa=MFA,
        finance=FORBIDDEN,
        finance_no_mfa=FORBIDDEN,
    ),
    *_row(
        "studies:appeal_list",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        sponsor=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=OK,
        lecturer_no_mfa=MFA,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        coordinator_password_only=CODE,
        admin=OK,
        admin_no_mfa=MFA,
        finance=FORBIDDEN,
        finance_no_mfa=FORBIDDEN,
    ),
    *_row(
        "studies:consultation_marks",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        sponsor=FORBIDDEN,
        student=404,  # a student role without a student record: nothing to show
        lecturer=FORBIDDEN,
        lecturer_no_mfa=FORBIDDEN,
        coordinator=FORBIDDEN,
        coordinator_no_mfa=FORBIDDEN,
        coordinator_password_only=FORBIDDEN,
        admin=FORBIDDEN,
        admin_no_mfa=FORBIDDEN,
        finance=FORBIDDEN,
        finance_no_mfa=FORBIDDEN,
    ),
    *_row(
        "studies:my_programme",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        sponsor=FORBIDDEN,
        student=404,  # a student role without a student record: nothing to show
        lecturer=FORBIDDEN,
        lecturer_no_mfa=FORBIDDEN,
        coordinator=FORBIDDEN,
        coordinator_no_mfa=FORBIDDEN,
        coordinator_password_only=FORBIDDEN,
        admin=FORBIDDEN,
        admin_no_mfa=FORBIDDEN,
        finance=FORBIDDEN,
        finance_no_mfa=FORBIDDEN,
    ),
    # Notifications: every signed-in person, their own (tests/accounts/test_notifications.py).
    *_row("accounts:notifications", **{**dict.fromkeys(PUBLIC, OK), "anonymous": LOGIN}),
    *_row("accounts:notification_preferences", **{**dict.fromkeys(PUBLIC, OK), "anonymous": LOGIN}),
    # Announcements: written and listed by the coordinators and the lecturers; received by
    # the students; the attachment for its audience and author only.
    *_row("studies:announcements", **teaching_staff()),
    *_row("studies:announcement_new", **teaching_staff()),
    *_row(
        "studies:my_announcements",
        **{**dict.fromkeys(PUBLIC, FORBIDDEN), "anonymous": LOGIN, "student": OK},
    ),
    *_row(
        announcement_attachment_url,  # type: ignore[arg-type]
        **{**dict.fromkeys(PUBLIC, 404), "anonymous": LOGIN},
    ),
    # Materials: managed by the coordinators and the module's lecturers (404 for another
    # module's), read by the active students of its cohort; downloads for both, 404 otherwise.
    *_row(materials_manage_url, **{**teaching_staff(), "lecturer": 404}),  # type: ignore[arg-type]
    *_row(
        my_materials_url,  # type: ignore[arg-type]
        **{**dict.fromkeys(PUBLIC, FORBIDDEN), "anonymous": LOGIN, "student": 404},
    ),
    *_row(
        material_download_url,  # type: ignore[arg-type]
        **{
            **dict.fromkeys(PUBLIC, 404),
            "anonymous": LOGIN,
            "coordinator_no_mfa": MFA,
            "coordinator_password_only": CODE,
            "admin_no_mfa": MFA,
        },
    ),
    # Absence justifications: the student's own absences (an unknown one: 404); decided by
    # the coordinators; the document for the student who sent it and the coordinators.
    *_row(
        "studies:my_absences",
        **{**dict.fromkeys(PUBLIC, FORBIDDEN), "anonymous": LOGIN, "student": OK},
    ),
    *_row(
        justification_new_url,  # type: ignore[arg-type]
        **{**dict.fromkeys(PUBLIC, FORBIDDEN), "anonymous": LOGIN, "student": 404},
    ),
    *_row("studies:justifications", **coordinator_only()),
    *_row(
        justification_url,  # type: ignore[arg-type]
        **coordinator_only(404),
    ),
    *_row(
        justification_file_url,  # type: ignore[arg-type]
        **{**coordinator_only(404), "student": 404},
    ),
    # Module evaluations: questionnaires written by the coordinators; results for them and the
    # module's lecturers (another module's: 404); answered by the cohort's active students.
    *_row(evaluations_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(questionnaire_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(question_delete_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row("studies:staff_evaluations", **teaching_staff()),
    *_row(evaluation_results_url, **teaching_staff(404)),  # type: ignore[arg-type]
    *_row(evaluation_export_url, **teaching_staff(404)),  # type: ignore[arg-type]
    *_row(
        "studies:my_evaluations",
        **{**dict.fromkeys(PUBLIC, FORBIDDEN), "anonymous": LOGIN, "student": OK},
    ),
    *_row(
        evaluation_answer_url,  # type: ignore[arg-type]
        **{**dict.fromkeys(PUBLIC, FORBIDDEN), "anonymous": LOGIN, "student": 404},
    ),
    *_row(
        "admin:index",
        anonymous=ADMIN_LOGIN,
        applicant=ADMIN_LOGIN,
        sponsor=ADMIN_LOGIN,
        student=ADMIN_LOGIN,
        lecturer=ADMIN_LOGIN,
        lecturer_no_mfa=ADMIN_LOGIN,
        coordinator=ADMIN_LOGIN,
        coordinator_no_mfa=ADMIN_LOGIN,
        coordinator_password_only=ADMIN_LOGIN,
        admin=OK,
        admin_no_mfa=ADMIN_LOGIN,  # the Django admin too needs a session that passed MFA
        finance=ADMIN_LOGIN,
        finance_no_mfa=ADMIN_LOGIN,
    ),
]


def _id(row: tuple) -> str:
    url, persona, expected = row
    name = url if isinstance(url, str) else url.__name__
    return f"{name}-{persona}-{expected}"


def _check(response, expected: object) -> None:
    location = response.get("Location", "")
    if expected == LOGIN:
        assert response.status_code == 302
        assert location.startswith(reverse("account_login") + "?next=")
    elif expected == MFA:
        assert response.status_code == 302
        assert location == reverse("mfa_activate_totp")
    elif expected == CODE:
        assert response.status_code == 302
        assert location.startswith(reverse("mfa_reauthenticate") + "?next=")
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302
        assert location.startswith(reverse("admin:login"))
    elif expected == DONE:
        assert response.status_code == 302, response
        for step in ("account_login", "account_reauthenticate", "mfa_reauthenticate"):
            assert not location.startswith(reverse(step)), location
        assert location != reverse("mfa_activate_totp")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("url", "persona", "expected"), ACCESS_TABLE, ids=map(_id, ACCESS_TABLE))
def test_each_page_admits_only_its_roles(persona_client, url, persona, expected):
    path = url() if callable(url) else reverse(url)
    _check(persona_client(persona).get(path), expected)


# --- POST: the dangerous actions and other state changes --------------------------------------
# (a callable building (url, data, check) — check(): did the change happen —, persona, expected)
def person_role_post():
    from accounts.models import User

    person = UserFactory.create()
    data = {"role": "lecturer", "granted": "1", "reason": "Cours de logistique"}

    def changed() -> bool:
        return User.objects.get(pk=person.pk).is_lecturer

    return reverse("accounts:person_role", args=[person.pk]), data, changed


def _closed_jury():
    from studies.models import Jury
    from studies.services import juries

    jury = juries.jury_get_or_create(cohort=_cohort(), semester=1, session="N")
    Jury.objects.filter(pk=jury.pk).update(status=Jury.Status.CLOSED)
    return jury


def jury_reopen_post():
    from studies.models import Jury

    jury = _closed_jury()
    url = reverse("studies:jury_action", args=[jury.cohort.slug, 1, "N", "reopen"])

    def changed() -> bool:
        return Jury.objects.get(pk=jury.pk).status == Jury.Status.REOPENED

    return url, {"reason": "Erreur de saisie en F1.1.1"}, changed


def certificate_revoke_post():
    # An unknown code: the view is reached (404) only past every access check.
    return reverse("certificates:revoke", args=["0000-0000-0000-00"]), {"reason": "x"}, None


def email_retry_post():
    from accounts.models import OutgoingEmail

    email = OutgoingEmail.objects.create(
        subject="Reçu", to=["a@example.dz"], status=OutgoingEmail.Status.FAILED
    )

    def changed() -> bool:
        return OutgoingEmail.objects.get(pk=email.pk).status != OutgoingEmail.Status.FAILED

    return reverse("accounts:email_retry", args=[email.pk]), {}, changed


def offerings_open_post():
    # No semester given: the page says so, nothing is opened.
    return reverse("studies:offerings_open", args=[_cohort().slug]), {}, None


def organisation_add_post():
    return reverse("partners:organisation_add"), {"name": ""}, None


def calendar_rotate_post():
    return reverse("studies:calendar_change"), {"action": "rotate"}, None


def coordinator_post(done: object = DONE) -> dict[str, object]:
    return {**coordinator_only(done), "anonymous": LOGIN}


def slot_delete_post():
    from datetime import timedelta

    from django.utils import timezone

    from enrollment.models import InterviewSlot
    from tests.factories.enrollment import IntakeFactory

    slot = InterviewSlot.objects.create(
        intake=IntakeFactory.create(interview_booking=True),
        starts_at=timezone.now() + timedelta(days=3),
        place="WTC Alger",
    )

    def changed() -> bool:
        return not InterviewSlot.objects.filter(pk=slot.pk).exists()

    return reverse("enrollment:slot_delete", args=[slot.intake_id, slot.pk]), {}, changed


def payment_post():
    from finance.models import Payment
    from tests.factories.enrollment import CohortFactory
    from tests.factories.finance import students

    (student,) = students(CohortFactory.create(), 1)
    data = {
        "student": student.registration_number,
        "method": "cash",
        "paid_on": "2026-01-15",
        "amount": "1000",
    }

    def changed() -> bool:
        return Payment.objects.filter(payer_student=student).exists()

    return reverse("finance:payment_new"), data, changed


def invoice_issue_post():
    from finance.models import Invoice
    from tests.factories.finance import finance_user, schedule_with_instalments, students

    schedule, (first, _) = schedule_with_instalments(actor=finance_user())
    (student,) = students(schedule.cohort, 1)
    data = {"confirm": "yes", "students": [student.pk], "instalments": [first.pk]}

    def changed() -> bool:
        return Invoice.objects.filter(payer_student=student).exists()

    return reverse("finance:invoice_issue", args=[schedule.cohort.slug]), data, changed


def credit_note_post():
    from finance.models import CreditNote

    invoice = _invoiced()
    data = {"confirm": "yes", "amount": "1000", "reason": "Erreur de libellé"}

    def changed() -> bool:
        return CreditNote.objects.filter(invoice=invoice).exists()

    return reverse("finance:credit_note_new", args=[invoice.number]), data, changed


def fee_schedule_post():
    from finance.models import FeeSchedule

    cohort = _cohort()
    data = {"action": "schedule", "schedule-tuition_per_year": "500000"}

    def changed() -> bool:
        return FeeSchedule.objects.filter(cohort=cohort).exists()

    return reverse("finance:schedule", args=[cohort.slug]), data, changed


def adjustment_post():
    from finance.models import Adjustment
    from tests.factories.finance import finance_user, schedule_with_instalments, students

    schedule, (first, _) = schedule_with_instalments(actor=finance_user())
    (student,) = students(schedule.cohort, 1)
    data = {
        "student": student.pk, "instalment": first.pk, "kind": "waiver", "amount": "1000",
        "reason": "Accord de la direction", "approver_name": "M. le Directeur",
    }  # fmt: skip

    def changed() -> bool:
        return Adjustment.objects.filter(student=student).exists()

    return reverse("finance:adjustment_new", args=[schedule.cohort.slug]), data, changed


def statement_request_access() -> dict[str, object]:
    return {
        **finance_document(DONE),
        "coordinator": 404,
        "coordinator_no_mfa": 404,
        "coordinator_password_only": 404,
    }


def statement_request_post():
    from decimal import Decimal

    from finance.models import FinanceDocument
    from finance.services.schedules import sponsorship_confirm
    from tests.factories.finance import finance_user, students
    from tests.factories.partners import OrganisationFactory

    cohort = _cohort()
    (student,) = students(cohort, 1)
    organisation = OrganisationFactory.create()
    sponsorship_confirm(
        actor=finance_user(), student=student, organisation=organisation, share=Decimal("50")
    )

    def changed() -> bool:
        return FinanceDocument.objects.filter(kind="statement", organisation=organisation).exists()

    data = {"organisation": organisation.pk, "cohort": cohort.pk}
    return reverse("finance:statement_request"), data, changed


def statement_confirm_post():
    from finance.models import Payment
    from finance.services.invoices import invoice_issue
    from tests.factories.finance import (
        finance_user,
        schedule_with_instalments,
        statement_import,
        students,
    )

    cashier = finance_user()
    _, (first, _) = schedule_with_instalments(actor=cashier)
    (student,) = students(first.schedule.cohort, 1)
    (invoice,) = invoice_issue(actor=cashier, students=[student], instalments=[first])
    statement = statement_import(actor=cashier, lines=[f"15/11/2026;300000;{invoice.number};X"])

    def changed() -> bool:
        return Payment.objects.filter(payer_student=student).exists()

    url = reverse("finance:statement_review", args=[statement.pk])
    return url, {"method": "transfer", "confirm": "yes"}, changed


def notifications_read_post():
    return reverse("accounts:notifications_read_all"), {}, None


def announcement_post():
    # Nothing filled in: refused on the form (400), nothing sent.
    return reverse("studies:announcement_new"), {}, None


POST_TABLE = [
    # Finance for any organisation; a sponsor's contact for their own (tests/finance); the
    # sponsor persona has no organisation, and no one else may: 404.
    *_row(statement_request_post, **statement_request_access()),  # type: ignore[arg-type]
    *_row(payment_post, **finance_only(DONE)),  # type: ignore[arg-type]
    *_row(statement_confirm_post, **finance_only(DONE)),  # type: ignore[arg-type]
    *_row(invoice_issue_post, **finance_only(DONE)),  # type: ignore[arg-type]
    *_row(credit_note_post, **finance_only(DONE)),  # type: ignore[arg-type]
    *_row(fee_schedule_post, **finance_only(DONE)),  # type: ignore[arg-type]
    *_row(adjustment_post, **finance_only(DONE)),  # type: ignore[arg-type]
    *_row(person_role_post, **coordinator_post()),  # type: ignore[arg-type]
    *_row(jury_reopen_post, **coordinator_post()),  # type: ignore[arg-type]
    *_row(certificate_revoke_post, **coordinator_post(404)),  # type: ignore[arg-type]
    *_row(email_retry_post, **coordinator_post()),  # type: ignore[arg-type]
    *_row(offerings_open_post, **coordinator_post()),  # type: ignore[arg-type]
    *_row(
        calendar_rotate_post,  # type: ignore[arg-type]
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        sponsor=FORBIDDEN,
        student=DONE,
        lecturer=DONE,
        lecturer_no_mfa=MFA,
        coordinator=DONE,
        coordinator_no_mfa=MFA,
        coordinator_password_only=CODE,
        admin=DONE,
        admin_no_mfa=MFA,
        finance=FORBIDDEN,
        finance_no_mfa=FORBIDDEN,
    ),
    # An empty name: refused on the form (400), nothing stored.
    *_row(organisation_add_post, **coordinator_post(400)),  # type: ignore[arg-type]
    *_row(slot_delete_post, **coordinator_post()),  # type: ignore[arg-type]
    *_row(
        notifications_read_post,  # type: ignore[arg-type]
        **{**dict.fromkeys(PUBLIC, DONE), "anonymous": LOGIN},
    ),
    *_row(announcement_post, **{**teaching_staff(400), "anonymous": LOGIN}),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("build", "persona", "expected"), POST_TABLE, ids=map(_id, POST_TABLE))
def test_each_post_is_served_only_to_its_roles_and_changes_nothing_otherwise(
    persona_client, build, persona, expected
):
    client = persona_client(persona)
    url, data, changed = build()
    _check(client.post(url, data), expected)
    if changed is not None:
        assert changed() is (expected == DONE)
