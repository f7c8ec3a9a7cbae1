"""Reviews, interviews, decisions, offers and seats."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from enrollment.models import Application, Interview, Offer, Student
from enrollment.services.applications import application_submit
from enrollment.services.decisions import (
    Decision,
    decide,
    offer_accept,
    offer_decline,
    offers_expire,
)
from enrollment.services.retention import documents_purge
from enrollment.services.review import (
    eligibility_set,
    interview_mark,
    interview_schedule,
    review_save,
    reviewer_assign,
)
from tests.factories.enrollment import (
    NOT_GUARDED,
    CohortFactory,
    IntakeFactory,
    make_decidable,
    ready_application,
)

pytestmark = pytest.mark.django_db
S = Application.Status


def submitted(make_user, intake, n=1):
    applications = []
    for _ in range(n):
        user = make_user()
        application = ready_application(user, intake)
        application_submit(application=application, actor=user)
        application.refresh_from_db()
        applications.append(application)
    return applications


def decidable(make_user, intake, coordinator, n=1):
    """Submitted applications brought, through the services, to where the intake lets a
    coordinator decide (reviews, interview, documents)."""
    return [
        make_decidable(application, coordinator=coordinator)
        for application in submitted(make_user, intake, n)
    ]


def test_the_file_score_is_the_mean_of_complete_reviews_and_a_conflict_is_kept_out(make_user):
    coordinator = make_user("coordinator")
    [application] = submitted(make_user, IntakeFactory.create())
    first, second, conflicted = make_user("lecturer"), make_user("lecturer"), make_user("lecturer")
    reviews = [
        reviewer_assign(application=application, actor=coordinator, reviewer=r)
        for r in (first, second, conflicted)
    ]
    review_save(
        review=reviews[0],
        actor=first,
        academic=Decimal(14),
        experience=Decimal(10),
        motivation=Decimal(16),
    )
    review_save(
        review=reviews[1],
        actor=second,
        academic=Decimal(12),
        experience=Decimal(12),
        motivation=Decimal(12),
    )
    review_save(
        review=reviews[2],
        actor=conflicted,
        academic=None,
        experience=None,
        motivation=None,
        conflict_of_interest=True,
    )
    application.refresh_from_db()
    # (0.5×14 + 0.3×10 + 0.2×16 = 13.20, 12.00) → 12.60
    assert application.dossier_score == Decimal("12.60")
    with pytest.raises(PermissionDenied):
        review_save(
            review=reviews[0],
            actor=second,
            academic=Decimal(1),
            experience=Decimal(1),
            motivation=Decimal(1),
        )


def test_a_reviewer_must_be_staff_and_a_mark_must_be_within_20(make_user):
    coordinator = make_user("coordinator")
    [application] = submitted(make_user, IntakeFactory.create())
    with pytest.raises(ValidationError):
        reviewer_assign(application=application, actor=coordinator, reviewer=make_user("student"))
    lecturer = make_user("lecturer")
    review = reviewer_assign(application=application, actor=coordinator, reviewer=lecturer)
    with pytest.raises(ValidationError):
        review_save(
            review=review,
            actor=lecturer,
            academic=Decimal("20.5"),
            experience=Decimal(1),
            motivation=Decimal(1),
        )
    with pytest.raises(PermissionDenied):
        reviewer_assign(application=application, actor=lecturer, reviewer=lecturer)


def test_an_interview_invites_by_email_and_its_mark_gives_the_final_score(
    make_user, django_capture_on_commit_callbacks
):
    coordinator = make_user("coordinator")
    [application] = submitted(make_user, IntakeFactory.create())
    eligibility_set(application=application, actor=coordinator, eligible=True)
    lecturer = make_user("lecturer")
    review = reviewer_assign(application=application, actor=coordinator, reviewer=lecturer)
    review_save(
        review=review,
        actor=lecturer,
        academic=Decimal(14),
        experience=Decimal(14),
        motivation=Decimal(14),
    )
    when = timezone.now() + dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        interview_schedule(
            application=application,
            actor=coordinator,
            scheduled_at=when,
            place="WTC Alger, salle 2",
            link="",
            panel=[lecturer],
        )
    assert "WTC Alger, salle 2" in mail.outbox[-1].body
    Interview.objects.filter(application=application).update(  # the day comes
        scheduled_at=timezone.now() - dt.timedelta(minutes=5)
    )
    interview_mark(application=application, actor=lecturer, mark=Decimal("16.50"))
    application.refresh_from_db()
    assert application.status == S.INTERVIEWED
    assert application.final_score == Decimal("15.25")
    with pytest.raises(PermissionDenied):
        interview_mark(application=application, actor=make_user("lecturer"), mark=Decimal(10))


def test_admitting_more_than_the_free_seats_changes_nothing(make_user):
    coordinator = make_user("coordinator")
    intake = IntakeFactory.create(cohort=CohortFactory.create(seats=2))
    applications = decidable(make_user, intake, coordinator, n=3)
    with pytest.raises(ValidationError, match="Only 2 seat") as exc, translation.override("en"):
        decide(applications=applications, actor=coordinator, decision=Decision.ADMIT)
    assert exc.value.code == "seats"
    assert not Offer.objects.exists()
    assert set(Application.objects.values_list("status", flat=True)) == {S.INTERVIEWED}


def test_admission_makes_an_offer_and_accepting_it_makes_a_student_with_a_number(
    make_user, django_capture_on_commit_callbacks
):
    coordinator = make_user("coordinator")
    intake = IntakeFactory.create()
    [application] = decidable(make_user, intake, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        decide(applications=[application], actor=coordinator, decision=Decision.ADMIT)
    offer = Offer.objects.get()
    assert offer.deadline > timezone.now() + dt.timedelta(days=intake.offer_reply_days - 1)
    with django_capture_on_commit_callbacks(execute=True):
        student = offer_accept(offer=offer, actor=application.applicant)
    assert student.registration_number == f"MCRT-{intake.cohort.year}-0001"
    application.applicant.refresh_from_db()
    assert application.applicant.is_student
    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    assert student.registration_number in mail.outbox[-1].subject
    with pytest.raises(ValidationError) as exc:
        offer_accept(offer=offer, actor=application.applicant)
    assert exc.value.code == "already_accepted"
    assert Student.objects.count() == 1


def test_someone_elses_offer_cannot_be_accepted_and_an_expired_one_neither(make_user):
    coordinator = make_user("coordinator")
    [application] = decidable(make_user, IntakeFactory.create(), coordinator)
    decide(applications=[application], actor=coordinator, decision=Decision.ADMIT)
    offer = Offer.objects.get()
    with pytest.raises(PermissionDenied):
        offer_accept(offer=offer, actor=make_user())
    Offer.objects.update(deadline=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError) as exc:
        offer_accept(offer=offer, actor=application.applicant)
    assert exc.value.code == "expired"
    assert not Student.objects.exists()


def test_a_decline_offers_the_seat_to_the_first_on_the_waiting_list(
    make_user, django_capture_on_commit_callbacks
):
    coordinator = make_user("coordinator")
    intake = IntakeFactory.create(cohort=CohortFactory.create(seats=1))
    first, second, third = decidable(make_user, intake, coordinator, n=3)
    decide(applications=[first], actor=coordinator, decision=Decision.ADMIT)
    decide(applications=[second], actor=coordinator, decision=Decision.WAITLIST)
    decide(applications=[third], actor=coordinator, decision=Decision.WAITLIST)
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.waitlist_rank, third.waitlist_rank) == (1, 2)
    with django_capture_on_commit_callbacks(execute=True):
        offer_decline(offer=first.offer, actor=first.applicant)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == S.ADMITTED
    assert third.status == S.WAITLISTED
    assert any(m.to == [second.applicant.email] for m in mail.outbox)


def test_expired_offers_pass_the_seat_on(make_user):
    coordinator = make_user("coordinator")
    intake = IntakeFactory.create(cohort=CohortFactory.create(seats=1))
    first, second = decidable(make_user, intake, coordinator, n=2)
    decide(applications=[first], actor=coordinator, decision=Decision.ADMIT)
    decide(applications=[second], actor=coordinator, decision=Decision.WAITLIST)
    Offer.objects.update(deadline=timezone.now() - dt.timedelta(minutes=1))
    assert offers_expire() == 1
    assert offers_expire() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == S.EXPIRED
    assert second.status == S.ADMITTED


def test_a_rejection_is_emailed_in_the_applicants_language_and_kept_in_the_history(
    make_user, django_capture_on_commit_callbacks
):
    coordinator = make_user("coordinator")
    [application] = decidable(make_user, IntakeFactory.create(), coordinator)
    Application.objects.filter(pk=application.pk).update(language="ar")
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            applications=[application],
            actor=coordinator,
            decision=Decision.REJECT,
            note="Profil hors champ",
        )
    assert mail.outbox[-1].to == [application.applicant.email]
    event = application.events.get(kind="decision")
    assert (event.actor, event.after, event.note) == (coordinator, "reject", "Profil hors champ")


def test_an_ineligible_application_cannot_be_admitted(make_user):
    coordinator = make_user("coordinator")
    [application] = submitted(make_user, IntakeFactory.create())
    eligibility_set(
        application=application, actor=coordinator, eligible=False, note="Licence manquante"
    )
    with pytest.raises(ValidationError, match=application.number):
        decide(applications=[application], actor=coordinator, decision=Decision.ADMIT)


def test_documents_of_applicants_not_admitted_are_deleted_after_the_retention_period(
    make_user, tmp_path, django_capture_on_commit_callbacks
):
    coordinator = make_user("coordinator")
    intake = IntakeFactory.create(**NOT_GUARDED)
    kept, rejected = decidable(make_user, intake, coordinator, n=2)
    decide(applications=[kept], actor=coordinator, decision=Decision.ADMIT)
    offer_accept(offer=kept.offer, actor=kept.applicant)
    decide(applications=[rejected], actor=coordinator, decision=Decision.REJECT)
    intake.closes_at = timezone.now() - dt.timedelta(days=400)
    intake.opens_at = intake.closes_at - dt.timedelta(days=30)
    intake.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert documents_purge() == 2
    assert not rejected.documents.exists()
    assert kept.documents.count() == 2
    assert Application.objects.filter(pk=rejected.pk).exists()
    files = [p for p in (tmp_path / "private").rglob("*") if p.is_file()]
    assert len(files) == 2


@pytest.mark.django_db(transaction=True)
def test_many_simultaneous_acceptances_never_give_more_students_than_seats(make_user):
    """Eight admitted people accept at the same moment for five seats: five students."""
    coordinator = make_user("coordinator")
    intake = IntakeFactory.create(cohort=CohortFactory.create(seats=5), **NOT_GUARDED)
    applications = decidable(make_user, intake, coordinator, n=8)
    decide(applications=applications[:5], actor=coordinator, decision=Decision.ADMIT)
    # Three more offers, as if made by mistake beyond the seats: the lock must still hold.
    for application in applications[5:]:
        Offer.objects.create(
            application=application, deadline=timezone.now() + dt.timedelta(days=5)
        )
        Application.objects.filter(pk=application.pk).update(status=S.ADMITTED)
    barrier = threading.Barrier(len(applications))
    outcomes: list[str] = []

    def accept(application: Application) -> None:
        try:
            offer = Offer.objects.get(application=application)
            barrier.wait()
            offer_accept(offer=offer, actor=application.applicant)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(str(exc.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["full"] * 3 + ["ok"] * 5
    assert Student.objects.filter(cohort=intake.cohort).count() == 5
    numbers = sorted(Student.objects.values_list("registration_number", flat=True))
    assert numbers == [f"MCRT-{intake.cohort.year}-{i:04d}" for i in range(1, 6)]


def test_the_best_files_are_shortlisted_up_to_factor_times_seats(make_user):
    from enrollment.services.review import shortlist_best

    coordinator = make_user("coordinator")
    intake = IntakeFactory.create(
        cohort=CohortFactory.create(seats=2), shortlist_factor=Decimal("1.5")
    )
    applications = submitted(make_user, intake, n=5)
    for score, application in zip(["12", "17", "9", "15", "14"], applications, strict=True):
        eligibility_set(application=application, actor=coordinator, eligible=True)
        Application.objects.filter(pk=application.pk).update(dossier_score=Decimal(score))
    chosen = shortlist_best(intake=intake, actor=coordinator)
    assert [a.dossier_score for a in chosen] == [Decimal(17), Decimal(15), Decimal(14)]
    assert shortlist_best(intake=intake, actor=coordinator) == []
