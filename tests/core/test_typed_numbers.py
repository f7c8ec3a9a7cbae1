"""Numbers typed into query strings and bare form fields: other scripts' digits, superscripts and
numbers too long for a column get the ordinary answer, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.numbers import positive_int
from curriculum.demo import seed_curriculum
from enrollment.demo import seed_students
from partners.demo import seed_partners
from tests.helpers import logged_in

ODD = ["²", "٣", "9" * 30, "-1", "0", " 2", "1e3"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", 1), ("42", 42), ("2147483647", 2147483647), ("2147483648", None)]
    + [(t, None) for t in ["", None, *ODD]],
)
def test_positive_int_takes_only_plain_digits_that_fit_a_column(text, value):
    assert positive_int(text) == value


@pytest.mark.django_db
@pytest.mark.parametrize("odd", ODD)
def test_odd_numbers_typed_by_staff_and_students_get_no_500(odd, make_user):
    programme = seed_curriculum(organisations=seed_partners())
    cohort, _ = seed_students(count=1, cohort_slug="promo-numbers", programme=programme)
    coordinator = logged_in(make_user("coordinator"))
    student = Client()
    student.force_login(cohort.students.get().user)

    answers = {
        "applications per page": coordinator.get(
            reverse("enrollment:staff_applications"), {"per_page": odd}
        ),
        "dashboard intake": coordinator.get(reverse("enrollment:staff_dashboard"), {"intake": odd}),
        "module unit": coordinator.get(
            reverse("curriculum:module_add", args=[programme.slug]), {"unit": odd}
        ),
        "batch semester": coordinator.get(
            reverse("certificates:batch_new", args=[cohort.slug]),
            {"kind": "transcript", "semester": odd},
        ),
        "batch students": coordinator.post(
            reverse("certificates:batch_new", args=[cohort.slug]),
            {"kind": "enrollment", "student": [odd]},
        ),
        "offerings semester": coordinator.post(
            reverse("studies:offerings_open", args=[cohort.slug]),
            {"semester": odd, "academic_year": "2026-2027"},
        ),
        "requested semester": student.post(
            reverse("certificates:mine"), {"kind": "transcript", "semester": odd}
        ),
    }
    assert {name: r.status_code for name, r in answers.items()} == {
        "applications per page": 200,
        "dashboard intake": 200,
        "module unit": 200,
        "batch semester": 200,
        "batch students": 200,  # nobody chosen: the form again, with the reason
        "offerings semester": 302,  # back to the cohort with "choose a semester"
        "requested semester": 302,  # back to the student's list with the reason
    }
