"""Each role's pages refuse every other role: one table, later issues add rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, LOGIN, MFA, ADMIN_LOGIN = 200, 403, "login", "mfa", "admin-login"
PERSONAS = (
    "anonymous",
    "applicant",
    "student",
    "lecturer",
    "lecturer-no-mfa",
    "coordinator",
    "coordinator-no-mfa",
    "admin",
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
    return reverse("enrollment:cohort", args=[_cohort().slug])


def jury_url() -> str:
    return reverse("enrollment:jury", args=[_cohort().slug, 1, "N"])


def results_url() -> str:
    return reverse("enrollment:cohort_results", args=[_cohort().slug])


def internships_url() -> str:
    return reverse("enrollment:internships", args=[_cohort().slug])


def batch_new_url() -> str:
    return reverse("certificates:batch_new", args=[_cohort().slug])


PUBLIC = dict.fromkeys([p.replace("-", "_") for p in PERSONAS], OK)


def coordinator_only(ok: object = OK) -> dict[str, object]:
    return {
        "anonymous": LOGIN,
        "applicant": FORBIDDEN,
        "student": FORBIDDEN,
        "lecturer": FORBIDDEN,
        "lecturer_no_mfa": FORBIDDEN,
        "coordinator": ok,
        "coordinator_no_mfa": MFA,
        "admin": ok,
    }


# (url or a callable building it, persona, expected)
ACCESS_TABLE = [
    *_row(
        "me",
        anonymous=LOGIN,
        applicant=OK,
        student=OK,
        lecturer=OK,
        lecturer_no_mfa=OK,
        coordinator=OK,
        coordinator_no_mfa=OK,
        admin=OK,
    ),
    *_row(
        "accounts:staff_home",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=OK,
        lecturer_no_mfa=MFA,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        admin=OK,
    ),
    *_row(
        "accounts:people",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=FORBIDDEN,
        lecturer_no_mfa=FORBIDDEN,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        admin=OK,
    ),
    *_row(
        "accounts:emails",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=FORBIDDEN,
        lecturer_no_mfa=FORBIDDEN,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        admin=OK,
    ),
    *_row(
        person_url,  # type: ignore[arg-type]
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=FORBIDDEN,
        lecturer_no_mfa=FORBIDDEN,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        admin=OK,
    ),
    *_row("home", **PUBLIC),
    *_row("curriculum:partners", **PUBLIC),
    *_row("curriculum:programme_default", **dict.fromkeys(PUBLIC, 404)),
    *_row(
        "curriculum:my_modules",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=OK,
        lecturer_no_mfa=MFA,
        coordinator=FORBIDDEN,
        coordinator_no_mfa=FORBIDDEN,
        admin=OK,
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
    *_row(
        "enrollment:my_reviews",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=OK,
        lecturer_no_mfa=MFA,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        admin=OK,
    ),
    *_row("enrollment:cohorts", **coordinator_only()),
    *_row("certificates:lookup", **PUBLIC),
    *_row(
        "certificates:mine",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        student=404,  # a student role without a student record: nothing to show
        lecturer=FORBIDDEN,
        lecturer_no_mfa=FORBIDDEN,
        coordinator=FORBIDDEN,
        coordinator_no_mfa=FORBIDDEN,
        admin=FORBIDDEN,
    ),
    *_row(batch_new_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(cohort_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(jury_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(results_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(internships_url, **coordinator_only()),  # type: ignore[arg-type]
    *_row(
        "enrollment:my_sheets",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        student=FORBIDDEN,
        lecturer=OK,
        lecturer_no_mfa=MFA,
        coordinator=OK,
        coordinator_no_mfa=MFA,
        admin=OK,
    ),
    *_row(
        "enrollment:my_programme",
        anonymous=LOGIN,
        applicant=FORBIDDEN,
        student=404,  # a student role without a student record: nothing to show
        lecturer=FORBIDDEN,
        lecturer_no_mfa=FORBIDDEN,
        coordinator=FORBIDDEN,
        coordinator_no_mfa=FORBIDDEN,
        admin=FORBIDDEN,
    ),
    *_row(
        "admin:index",
        anonymous=ADMIN_LOGIN,
        applicant=ADMIN_LOGIN,
        student=ADMIN_LOGIN,
        lecturer=ADMIN_LOGIN,
        lecturer_no_mfa=ADMIN_LOGIN,
        coordinator=ADMIN_LOGIN,
        coordinator_no_mfa=ADMIN_LOGIN,
        admin=OK,
    ),
]


def _id(row: tuple) -> str:
    url, persona, expected = row
    name = url if isinstance(url, str) else url.__name__
    return f"{name}-{persona}-{expected}"


@pytest.mark.parametrize(("url", "persona", "expected"), ACCESS_TABLE, ids=map(_id, ACCESS_TABLE))
def test_each_page_admits_only_its_roles(persona_client, url, persona, expected):
    path = url() if callable(url) else reverse(url)
    response = persona_client(persona).get(path)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    elif expected == MFA:
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == expected
