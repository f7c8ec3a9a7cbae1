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
    response = client.get(reverse("accounts:staff_home"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_seed_demo_creates_every_role_once_and_a_second_run_changes_nothing(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = capsys.readouterr().out
    snapshot = list(User.objects.order_by("pk").values())
    call_command("seed_demo")
    assert list(User.objects.order_by("pk").values()) == snapshot
    assert len(snapshot) == len(DEMO_ACCOUNTS)
    assert DEMO_PASSWORD in first
    roles = {a.role for a in DEMO_ACCOUNTS}
    assert roles == {"admin", "coordinator", "lecturer", "student", "applicant"}
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
