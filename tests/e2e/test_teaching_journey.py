"""Teaching operations in a real browser (#14): a coordinator books a session for a partner's
lecturer in the partner's room, and a second one in that room at the same time is refused
with the first named; an announcement reaches the students' notifications; a student
justifies an absence, which the coordinator accepts, and evaluates a module anonymously."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from curriculum.demo import seed_curriculum
from enrollment.demo import academic_year_of, cohort_get_or_create, seed_students
from enrollment.models import Student
from partners.demo import seed_partners
from studies.evaluation_forms import LIKERT_CHOICES
from studies.models import (
    AbsenceJustification,
    Attendance,
    ClassSession,
    EvaluationAnswer,
    EvaluationParticipation,
    EvaluationResponse,
    Offering,
    Question,
    Room,
)
from studies.services import sessions
from studies.services.announcements import announcement_send
from studies.services.evaluations import question_add, questionnaire_create
from studies.services.marks import offerings_open
from studies.services.rooms import room_save
from studies.services.timetable import attendance_save
from tests.factories.accounts import PASSWORD
from tests.factories.partners import ContactFactory, OrganisationFactory, pdf_bytes
from tests.helpers import enable_totp, output_dir_for, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fr(message: str) -> str:
    """A msgid as the French pages show it (the msgid itself until it is translated)."""
    with translation.override("fr"):
        return gettext(message)


def field(message: str, **params: object) -> re.Pattern[str]:
    """A field's label as the French form prints it: the msgid, then Django's " :"."""
    text = fr(message) % params if params else fr(message)
    return re.compile(rf"^{re.escape(text)}\s*:?$")


def _log_in(
    browser: Browser, live_server: Any, email: str, secret: str | None = None
) -> tuple[BrowserContext, Page]:
    """A French browser signed in through the real login page (and its code for the staff)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    if secret is not None:
        page.get_by_label("Code").fill(totp_code(secret))
        page.get_by_role("button", name=re.compile("Connexion|Se connecter")).click()
    expect(page.get_by_test_id("notifications-link")).to_be_visible()
    return context, page


def _running_cohort(make_user: Any) -> dict[str, Any]:
    """A cohort in the semester taught today (its offerings of this academic year), four
    students in groups A and B, a partner whose contact lecturer teaches in its room."""
    today = timezone.localdate()
    first_year = academic_year_of(today)
    semester = 1 if today.month >= 9 or today.month == 1 else 2  # odd: September–January
    coordinator = make_user("coordinator", mfa=False, email="coordination.e2e@example.dz")
    lecturer = make_user("lecturer", mfa=False, first_name="Karim", last_name="Belkacemi")
    programme = seed_curriculum(organisations=seed_partners(), lecturers=[lecturer])
    cohort = cohort_get_or_create(
        slug="promo-teaching-e2e", programme=programme, start=dt.date(first_year, 9, 1)
    )
    seed_students(count=4, cohort_slug=cohort.slug, programme=programme)
    students = list(
        Student.objects.filter(cohort=cohort).select_related("user").order_by("registration_number")
    )
    for student, group in zip(students, ["A", "A", "B", "B"], strict=True):
        Student.objects.filter(pk=student.pk).update(group=group)
    offerings_open(
        cohort=cohort,
        semester=semester,
        academic_year=f"{first_year}-{first_year + 1}",
        actor=coordinator,
    )
    partner = OrganisationFactory.create(
        acronym="CMP", name_fr="Cluster mécanique de précision", name_en="Precision Cluster"
    )
    partner_lecturer = make_user("lecturer", mfa=False, first_name="Nadia", last_name="Haddad")
    ContactFactory.create(
        organisation=partner,
        user=partner_lecturer,
        full_name="Nadia Haddad",
        email=partner_lecturer.email,
    )
    room = room_save(
        room=Room(name="Atelier 2", site=Room.Site.PARTNER, organisation=partner, capacity=12),
        actor=coordinator,
    )
    offering = (
        Offering.objects.filter(cohort=cohort, semester=semester)
        .select_related("module")
        .order_by("module__code")
        .first()
    )
    assert offering is not None
    return {
        "today": today,
        "semester": semester,
        "coordinator": coordinator,
        "secret": enable_totp(coordinator),
        "lecturer": lecturer,
        "partner_lecturer": partner_lecturer,
        "cohort": cohort,
        "students": students,
        "partner": partner,
        "room": room,
        "offering": offering,
    }


def _book(
    page: Page, setting: dict[str, Any], *, group: str, start: str, end: str, who: User
) -> None:
    """Fill the booking form of the cohort's timetable and send it."""
    day = setting["today"].isoformat()
    offering, room = setting["offering"], setting["room"]
    with translation.override("fr"):
        module = f"S{offering.semester} · {offering.module.code} — {offering.module.tr('title')}"
        room_label = f"{room.name} — {room.organisation.display_name} ({room.capacity})"
        lecturer_label = f"{who.get_full_name()} ({who.email})"
    page.get_by_label(field("Module")).select_option(label=module)
    page.get_by_label(field("Kind")).select_option(value=ClassSession.Kind.LECTURE)
    page.get_by_label(field("Starts at")).fill(f"{day}T{start}")
    page.get_by_label(field("Ends at")).fill(f"{day}T{end}")
    page.get_by_label(field("Group")).select_option(value=group)
    page.get_by_label(field("Room")).select_option(label=room_label)
    page.get_by_label(field("Lecturer %(n)s", n=1)).select_option(label=lecturer_label)
    page.get_by_role("button", name=fr("Save")).click()


def test_a_coordinator_books_a_partner_session_and_a_student_is_told_justifies_and_evaluates(
    browser: Browser, live_server, make_user, tmp_path, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "core.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    shots = output_dir_for("e2e/teaching")
    setting = _running_cohort(make_user)
    cohort, room, coordinator = setting["cohort"], setting["room"], setting["coordinator"]
    partner_lecturer = setting["partner_lecturer"]
    student = setting["students"][0]  # group A
    # A seeded student has no password nor verified address: give them the suite's.
    student.user.set_password(PASSWORD)
    student.user.save(update_fields=["password"])
    EmailAddress.objects.create(
        user=student.user, email=student.user.email, verified=True, primary=True
    )

    # --- The coordinator books a session of group A for the partner's lecturer in its room.
    staff_context, staff = _log_in(browser, live_server, coordinator.email, setting["secret"])
    staff.goto(f"{live_server.url}/staff/cohorts/{cohort.slug}/timetable/")
    staff.get_by_role("link", name=fr("Book a session")).click()
    _book(staff, setting, group="A", start="08:00", end="10:00", who=partner_lecturer)
    first = ClassSession.objects.select_related("offering__module", "room").get(room=room)
    assert first.group == "A"
    lecturer_row = first.session_lecturers.get()
    assert lecturer_row.lecturer == partner_lecturer
    assert lecturer_row.organisation == setting["partner"]  # counted for the partner's hours
    with translation.override("fr"):
        described = sessions.describe(first)
    expect(staff.get_by_role("status")).to_contain_text(
        fr("The session is booked: %(session)s.") % {"session": described}
    )
    row = staff.get_by_test_id(f"session-{first.pk}")
    expect(row).to_contain_text(f"Atelier 2 ({setting['partner']})")
    expect(row).to_contain_text(f"Nadia Haddad ({setting['partner']})")
    staff.screenshot(path=shots / "01-booked.png", full_page=True)

    # --- A second session in the same room at an overlapping time is refused, the first named.
    staff.get_by_role("link", name=fr("Book a session")).click()
    _book(staff, setting, group="B", start="09:00", end="11:00", who=setting["lecturer"])
    expect(staff.locator("#id_room_error")).to_have_text(
        fr("Room %(room)s is taken at that time: %(session)s.")
        % {"room": room.name, "session": described}
    )
    expect(staff.get_by_label(field("Room"))).to_have_attribute("aria-invalid", "true")
    assert ClassSession.objects.filter(room=room).count() == 1
    assert ClassSession.objects.filter(offering__cohort=cohort).count() == 1
    staff.screenshot(path=shots / "02-clash.png", full_page=True)

    # --- An announcement to the cohort, written and confirmed in the browser (a first one was
    # sent earlier by the services).
    announcement_send(
        actor=coordinator, cohort=cohort, subject="Bienvenue en S1", body="La rentrée est lundi."
    )
    subject = "Séance au Cluster mécanique"
    staff.goto(f"{live_server.url}/staff/announcements/new/")
    with translation.override("fr"):
        cohort_label = str(cohort)
    staff.get_by_label(field("Cohort")).select_option(label=cohort_label)
    staff.get_by_label(field("Subject")).fill(subject)
    staff.get_by_label(field("Message")).fill("Rendez-vous à l'atelier 2 à 8 h.")
    staff.get_by_role("button", name=fr("Continue")).click()
    expect(staff.get_by_test_id("confirmation")).to_contain_text(subject)
    staff.get_by_role("button", name=fr("Send the announcement")).click()
    with translation.override("fr"):
        sent = ngettext(
            "The announcement “%(subject)s” was sent to %(count)s student.",
            "The announcement “%(subject)s” was sent to %(count)s students.",
            4,
        ) % {"subject": subject, "count": 4}
    expect(staff.get_by_role("status")).to_contain_text(sent)

    # --- The student reads it in their notifications: the unread count goes from 2 to 1.
    page_context, page = _log_in(browser, live_server, student.user.email)
    expect(page.get_by_test_id("unread-count")).to_have_text("2")
    page.get_by_test_id("notifications-link").click()
    notices = page.get_by_test_id("notification")
    expect(notices).to_have_count(2)
    notice = notices.filter(has_text=subject)
    expect(notice).to_contain_text("Rendez-vous à l'atelier 2 à 8 h.")
    expect(notice).to_contain_text(fr("New"))
    page.screenshot(path=shots / "03-notifications.png", full_page=True)
    notice.get_by_role("button", name=fr("Open")).click()
    expect(page).to_have_url(re.compile(r"/me/announcements/#announcement-\d+$"))
    expect(page.get_by_text(subject)).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_text("1")

    # --- The student justifies an absence of two days ago with a PDF.
    held = timezone.now() - dt.timedelta(days=2)
    past = ClassSession.objects.create(
        offering=setting["offering"],
        cohort=cohort,
        starts_at=held,
        ends_at=held + dt.timedelta(hours=2),
    )
    attendance_save(
        session=past,
        actor=coordinator,
        statuses={
            s.pk: Attendance.Status.ABSENT if s == student else Attendance.Status.PRESENT
            for s in setting["students"]
        },
    )
    absence = Attendance.objects.get(session=past, student=student)
    certificate = tmp_path / "certificat-medical.pdf"
    certificate.write_bytes(pdf_bytes())
    page.goto(f"{live_server.url}/me/absences/")
    page.get_by_test_id(f"justify-{absence.pk}").click()
    page.get_by_label(field("Reason")).fill("Malade, certificat médical joint.")
    page.get_by_label(field("Supporting document")).set_input_files(str(certificate))
    page.get_by_role("button", name=fr("Send the justification")).click()
    expect(page.get_by_role("status")).to_contain_text(
        fr("Your justification was sent to the coordination; you will be e-mailed its decision.")
    )
    justification = AbsenceJustification.objects.get(attendance=absence)
    assert justification.status == AbsenceJustification.Status.PENDING
    assert str(justification.file.name).endswith(".pdf")

    # --- The coordinator accepts it: the absence becomes justified.
    staff.goto(f"{live_server.url}/staff/justifications/")
    staff.get_by_test_id(f"justification-{justification.pk}").get_by_role("link").click()
    staff.get_by_role("button", name=fr("Accept: the absence becomes justified")).click()
    with translation.override("fr"):
        accepted = str(AbsenceJustification.Status.ACCEPTED.label)
        justified = str(Attendance.Status.JUSTIFIED.label)
    expect(staff.get_by_test_id("justification-status")).to_contain_text(accepted)
    expect(staff.get_by_test_id("attendance-status")).to_have_text(justified)
    absence.refresh_from_db()
    assert absence.status == Attendance.Status.JUSTIFIED
    staff.screenshot(path=shots / "04-accepted.png", full_page=True)
    staff_context.close()

    # The student sees the decision on their absences, and told in their notifications.
    page.goto(f"{live_server.url}/me/absences/")
    expect(page.get_by_test_id(f"absence-{absence.pk}")).to_contain_text(accepted)
    expect(page.get_by_test_id(f"absence-{absence.pk}")).to_contain_text(justified)
    expect(page.get_by_test_id("unread-count")).to_have_text("2")
    page.screenshot(path=shots / "05-my-absences.png", full_page=True)

    # --- The student evaluates the module, once and anonymously.
    now = timezone.now()
    questionnaire = questionnaire_create(
        actor=coordinator,
        cohort=cohort,
        semester=setting["semester"],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=14),
    )
    likert = question_add(
        actor=coordinator,
        questionnaire=questionnaire,
        question=Question(kind=Question.Kind.LIKERT, text_fr="Le module était clair.", position=1),
    )
    free = question_add(
        actor=coordinator,
        questionnaire=questionnaire,
        question=Question(
            kind=Question.Kind.TEXT, text_fr="Que faudrait-il améliorer ?", position=2
        ),
    )
    offering = setting["offering"]
    page.goto(f"{live_server.url}/me/evaluations/")
    page.get_by_role("listitem").filter(has_text=offering.module.code).get_by_role(
        "link", name=fr("Evaluate this module")
    ).click()
    with translation.override("fr"):
        agree = str(dict(LIKERT_CHOICES)[4])
    page.get_by_label(agree, exact=True).check()
    page.get_by_label("Que faudrait-il améliorer ?").fill("Plus de visites de sites.")
    page.get_by_role("button", name=fr("Send my evaluation")).click()
    expect(page.get_by_test_id("confirmation")).to_contain_text(
        fr("Your answers are recorded without your name.")
    )
    page.get_by_role("button", name=fr("Send my evaluation")).click()
    with translation.override("fr"):
        thanks = gettext("Thank you: your evaluation of %(module)s was recorded anonymously.") % {
            "module": offering.module.tr("title")
        }
    expect(page.get_by_role("status")).to_contain_text(thanks)
    expect(page.get_by_test_id(f"answered-{offering.pk}")).to_have_text(fr("Evaluated, thank you."))
    page.screenshot(path=shots / "06-evaluated.png", full_page=True)

    # A second visit says it was answered, and offers no form.
    page.goto(f"{live_server.url}/me/evaluations/{questionnaire.pk}/{offering.pk}/")
    expect(page.get_by_test_id("already-answered")).to_have_text(
        fr("You have already evaluated this module: an evaluation is given once only.")
    )
    expect(page.get_by_role("button", name=fr("Send my evaluation"))).to_have_count(0)
    page_context.close()

    assert EvaluationParticipation.objects.get().student == student
    response = EvaluationResponse.objects.get()
    assert (response.questionnaire, response.offering) == (questionnaire, offering)
    assert {f.name for f in EvaluationResponse._meta.get_fields()}.isdisjoint({"student"})
    answers = {a.question_id: a for a in EvaluationAnswer.objects.filter(response=response)}
    assert answers[likert.pk].likert == 4
    assert answers[free.pk].text == "Plus de visites de sites."
