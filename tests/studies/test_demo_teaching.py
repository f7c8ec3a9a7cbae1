"""The demo's materials and announcements of the running cohort (#14): added through the
services, counted exactly, and added once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils.translation import gettext

from accounts.models import Notification, User
from accounts.notifications import unread_count
from core.uploads import private_storage
from enrollment.demo import running_cohort_slug
from enrollment.models import Cohort, Student
from partners.models import Agreement
from studies import hours
from studies.demo import DEMO_CO_TEACHING_HOURS, TeachingContent, seed_teaching_content
from studies.models import Announcement, Material, MaterialSection, MaterialVersion
from studies.services.materials import file_check
from tests.studies.teaching_helpers import make_teaching, offering

pytestmark = pytest.mark.django_db

LINKS = {
    "https://clustercollaboration.eu/",
    "https://www.industrie.gov.dz/",
    "https://www.tci-network.org/",
    "https://www.oecd.org/fr/",
}


@pytest.fixture
def teaching(make_user):
    return make_teaching(make_user)


def counts(cohort: Cohort) -> dict[str, int]:
    return {
        "sections": MaterialSection.objects.filter(offering__cohort=cohort).count(),
        "materials": Material.objects.filter(section__offering__cohort=cohort).count(),
        "versions": MaterialVersion.objects.filter(
            material__section__offering__cohort=cohort
        ).count(),
        "announcements": Announcement.objects.filter(cohort=cohort).count(),
        "notifications": Notification.objects.filter(
            user__student_records__cohort=cohort, kind=Notification.Kind.ANNOUNCEMENTS
        ).count(),
    }


def test_each_timetable_module_gets_two_sections_a_pdf_and_two_links(teaching):
    content = seed_teaching_content(teaching["cohort"], coordinator=teaching["coordinator"])
    assert content == TeachingContent(sections=6, materials=9, versions=4, announcements=3)
    for code in ("D1.1.1", "F1.1.1", "F1.1.2"):  # the three modules the demo timetable books
        sections = MaterialSection.objects.filter(offering=offering(teaching["cohort"], code))
        assert list(sections.order_by("position").values_list("title_fr", "title_en")) == [
            ("Supports de cours", "Course materials"),
            ("Lectures et liens", "Readings and links"),
        ]
        course, readings = sections.order_by("position")
        assert list(course.materials.values_list("kind", flat=True)) == [Material.Kind.FILE]
        assert list(readings.materials.values_list("kind", flat=True)) == [Material.Kind.LINK] * 2
    assert MaterialSection.objects.filter(offering__module__code="F1.2.1").exists() is False
    links = Material.objects.filter(kind=Material.Kind.LINK)
    assert set(links.values_list("url", flat=True)) == LINKS
    assert Material.objects.filter(title="Cartographie des acteurs d'un cluster").exists()


def test_the_files_are_real_pdfs_and_one_has_a_second_version_keeping_the_first(teaching):
    seed_teaching_content(teaching["cohort"], coordinator=teaching["coordinator"])
    revised = Material.objects.get(title="Cartographie des acteurs d'un cluster")
    assert revised.section.offering == offering(teaching["cohort"], "F1.1.1")
    assert list(revised.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert list(
        MaterialVersion.objects.exclude(material=revised).values_list("number", flat=True)
    ) == [1, 1]
    for version in MaterialVersion.objects.all():
        with private_storage.open(version.file.name) as stored:
            data = stored.read()
        assert version.size == len(data)
        assert file_check(SimpleUploadedFile(version.filename, data)) == "pdf"
    first, second = revised.versions.order_by("number")
    assert first.sha256 != second.sha256


def test_the_module_lecturer_adds_their_module_and_the_coordinator_the_others(teaching):
    seed_teaching_content(teaching["cohort"], coordinator=teaching["coordinator"])
    by_module = dict(
        Material.objects.filter(kind=Material.Kind.FILE).values_list(
            "section__offering__module__code", "added_by"
        )
    )
    assert by_module == {
        "D1.1.1": teaching["coordinator"].pk,
        "F1.1.1": teaching["lecturer"].pk,  # the lecturer of F1.1.1 in the demo curriculum
        "F1.1.2": teaching["coordinator"].pk,
    }


def test_three_announcements_reach_every_students_notification_list(teaching):
    cohort, coordinator = teaching["cohort"], teaching["coordinator"]
    assert [unread_count(s.user) for s in teaching["students"]] == [0, 0, 0, 0]
    seed_teaching_content(cohort, coordinator=coordinator)
    sent = Announcement.objects.filter(cohort=cohort)
    assert sent.filter(author=coordinator, offering__isnull=True, group="").count() == 2
    with_file = sent.exclude(attachment="")
    assert list(with_file.values_list("author", "attachment_name")) == [
        (coordinator.pk, "calendrier-S1.pdf")
    ]
    with private_storage.open(with_file.get().attachment.name) as stored:
        assert stored.read(5) == b"%PDF-"
    from_lecturer = sent.get(author=teaching["lecturer"])
    assert from_lecturer.offering == offering(cohort, "F1.1.1")
    for student in teaching["students"]:
        user = User.objects.get(pk=student.user_id)  # unread_count keeps its count on the user
        assert unread_count(user) == 3
        assert set(Notification.objects.filter(user=user).values_list("kind", "subject")) == {
            (Notification.Kind.ANNOUNCEMENTS, a.subject) for a in sent
        }


def test_a_second_run_adds_nothing(teaching):
    seed_teaching_content(teaching["cohort"], coordinator=teaching["coordinator"])
    before = counts(teaching["cohort"])
    assert before == {
        "sections": 6,
        "materials": 9,
        "versions": 4,
        "announcements": 3,
        "notifications": 12,
    }
    again = seed_teaching_content(teaching["cohort"], coordinator=teaching["coordinator"])
    assert again == TeachingContent()
    assert not again
    assert counts(teaching["cohort"]) == before


def test_a_partly_seeded_cohort_gets_only_what_it_lacks(teaching):
    seed_teaching_content(teaching["cohort"], coordinator=teaching["coordinator"])
    Material.objects.get(title="Cartographie des acteurs d'un cluster").versions.filter(
        number=2
    ).delete()
    Announcement.objects.filter(author=teaching["lecturer"]).delete()
    again = seed_teaching_content(teaching["cohort"], coordinator=teaching["coordinator"])
    assert again == TeachingContent(versions=1, announcements=1)


def test_without_a_lecturer_on_the_first_module_only_the_coordinator_writes(teaching):
    offering(teaching["cohort"], "F1.1.1").lecturers.clear()
    content = seed_teaching_content(teaching["cohort"], coordinator=teaching["coordinator"])
    assert content == TeachingContent(sections=6, materials=9, versions=4, announcements=2)
    assert set(Announcement.objects.values_list("author", flat=True)) == {
        teaching["coordinator"].pk
    }
    assert set(Material.objects.values_list("added_by", flat=True)) == {teaching["coordinator"].pk}


def test_seed_demo_fills_the_running_cohorts_materials_and_announcements_once(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    cohort = Cohort.objects.get(slug=running_cohort_slug())
    line = gettext(
        "Teaching of %(slug)s: %(sections)d sections of materials, "
        "%(materials)d materials (%(versions)d file versions), "
        "%(announcements)d announcements sent."
    ) % {"slug": cohort.slug, "sections": 6, "materials": 9, "versions": 4, "announcements": 3}
    assert line in first.splitlines()
    before = counts(cohort)
    active = Student.objects.filter(cohort=cohort, status=Student.Status.ACTIVE).count()
    assert before == {
        "sections": 6,
        "materials": 9,
        "versions": 4,
        "announcements": 3,
        "notifications": 3 * active,
    }
    lecturer = Announcement.objects.get(cohort=cohort, offering__isnull=False).author
    assert lecturer.email == "lecturer@demo.tema-wtc.dz"
    call_command("seed_demo")
    said = line.split(":")[0]  # "Teaching of <slug>", in the active language
    assert not [text for text in capsys.readouterr().out.splitlines() if text.startswith(said)]
    assert counts(cohort) == before
    # The demo agreements promise co-teaching hours, which the hours report compares.
    promised = dict(
        Agreement.objects.filter(co_teaching_hours__isnull=False).values_list(
            "title", "co_teaching_hours"
        )
    )
    assert promised == DEMO_CO_TEACHING_HOURS
    period = hours.period_from(month=None, semester=None, cohort=None)
    lines = {line.agreement.title: line for line in hours.hours_report(period=period).agreements}
    assert {title: int(line.promised) for title, line in lines.items()} == DEMO_CO_TEACHING_HOURS
