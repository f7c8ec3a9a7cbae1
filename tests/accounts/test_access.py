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


def batch_new_url() -> str:
    return reverse("certificates:batch_new", args=[_cohort().slug])


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


# (url or a callable building it, persona, expected)
ACCESS_TABLE = [
    *_row("finance:dashboard", **finance_only()),
    *_row("finance:invoices", **finance_only()),
    *_row("finance:payment_new", **finance_only()),
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


POST_TABLE = [
    *_row(payment_post, **finance_only(DONE)),  # type: ignore[arg-type]
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
