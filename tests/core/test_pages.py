from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_home_page_presents_the_master_its_partners_and_the_next_intake(client):
    from partners.demo import seed_partners

    seed_partners()
    html = client.get(reverse("home")).content.decode()
    assert "120 crédits" in html
    assert "World Trade Center" in html
    assert "Algerian Digital Cluster" in html
    assert "Prochaine rentrée" in html


def test_an_unknown_page_is_a_translated_404(client):
    response = client.get("/nowhere/", headers={"accept-language": "ar"})
    assert response.status_code == 404
    html = response.content.decode()
    assert 'dir="rtl"' in html
    assert "الصفحة غير موجودة" in html


def test_a_refused_page_is_a_translated_403(client, make_user):
    client.force_login(make_user("student"))
    response = client.get(reverse("staff_home"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def _counts() -> dict[str, int]:
    from django.apps import apps

    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in {"accounts", "partners", "curriculum", "enrollment"}
    }


def test_seed_demo_creates_every_role_once_and_a_second_run_changes_nothing(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = capsys.readouterr().out
    snapshot = list(User.objects.order_by("pk").values())
    counts = _counts()
    call_command("seed_demo")
    assert list(User.objects.order_by("pk").values()) == snapshot
    assert _counts() == counts
    demo = [u for u in snapshot if u["email"].endswith("@demo.tema-wtc.dz")]
    assert len(demo) == len(DEMO_ACCOUNTS)
    assert DEMO_PASSWORD in first
    roles = {a.role for a in DEMO_ACCOUNTS}
    assert roles == {
        "admin", "coordinator", "finance", "lecturer", "student", "applicant", "sponsor"
    }  # fmt: skip
    assert User.objects.get(email="finance@demo.tema-wtc.dz").is_finance
    student = User.objects.get(email="student@demo.tema-wtc.dz")
    assert student.is_student
    assert student.check_password(DEMO_PASSWORD)


def test_seed_demo_prints_no_password_when_debug_is_off(capsys, settings):
    settings.DEBUG = False
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD not in out
    assert not User.objects.get(email="student@demo.tema-wtc.dz").check_password(DEMO_PASSWORD)


def test_a_server_error_shows_a_translated_page_without_details(rf):
    from django.utils import translation

    from config.views import server_error

    with translation.override("ar"):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert 'dir="rtl"' in html
    assert "خطأ في الخادم" in html
    assert "Traceback" not in html


def test_seed_demo_has_an_open_intake_with_applications_in_every_state(settings):
    from enrollment.demo import DEMO_STATES, open_intake_slug
    from enrollment.models import Application, Intake

    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    intake = Intake.objects.get(slug=open_intake_slug())
    assert intake.is_open()
    assert set(Application.objects.values_list("status", flat=True)) == set(DEMO_STATES)


def test_seed_demo_students_creates_then_tops_up_a_cohort(capsys):
    from enrollment.models import ApplicantProfile, Student

    call_command("seed_demo", "--students", "30", "--cohort", "charge-2026")
    call_command("seed_demo", "--students", "45", "--cohort", "charge-2026")
    students = Student.objects.filter(cohort__slug="charge-2026")
    assert students.count() == 45
    assert len(set(students.values_list("registration_number", flat=True))) == 45
    profile = ApplicantProfile.objects.get(user=students.order_by("pk")[0].user)
    assert profile.surname_ar
    assert profile.birth_place_ar
    assert profile.nin
    assert "45 students" in capsys.readouterr().out


def test_seed_demo_issues_a_few_of_each_kind_of_document(
    settings, django_capture_on_commit_callbacks
):
    from certificates.models import Certificate, Kind

    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    kinds = set(Certificate.objects.filter(status="ready").values_list("kind", flat=True))
    assert kinds == set(Kind.values)
