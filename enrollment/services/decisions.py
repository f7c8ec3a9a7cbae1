"""Decisions, offers and seats: never more students than seats, whatever arrives at once.

Locks are taken in one order everywhere — the cohort row, then the application, then the
offer — so concurrent acceptances queue on the cohort instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import User
from accounts.services import user_set_role
from enrollment import history, locks
from enrollment.models import Application, Cohort, Offer, Student
from enrollment.services.common import next_number, notify, record, set_status

S = Application.Status
DECIDABLE = (S.SUBMITTED, S.ELIGIBLE, S.SHORTLISTED, S.INTERVIEWED, S.WAITLISTED)


class Decision:
    ADMIT = "admit"
    WAITLIST = "waitlist"
    REJECT = "reject"
    CHOICES = (ADMIT, WAITLIST, REJECT)


def _lock_cohort(cohort_id: int) -> Cohort:
    return locks.lock_cohort(cohort_id)


def seats_taken(cohort: Cohort) -> int:
    """Students holding a seat plus offers still waiting for an answer."""
    students = (
        Student.objects.filter(cohort=cohort).exclude(status=Student.Status.WITHDRAWN).count()
    )
    pending = Offer.objects.filter(
        application__intake__cohort=cohort, status=Offer.Status.PENDING
    ).count()
    return students + pending


def decide(
    *, applications: Iterable[Application], actor: User, decision: str, note: str = ""
) -> list[Application]:
    """Admit (an offer with a deadline), waitlist (ranked) or reject, one or many at once.

    All or nothing: when admitting more people than there are free seats, nothing changes
    and the message says how many seats are left.
    """
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    if decision not in Decision.CHOICES:
        raise ValidationError(_("Unknown decision."))
    ids = sorted({a.pk for a in applications})
    if not ids:
        raise ValidationError(_("Select at least one application."))
    with transaction.atomic():
        cohort_ids = set(
            Application.objects.filter(pk__in=ids).values_list("intake__cohort_id", flat=True)
        )
        cohorts = {c: _lock_cohort(c) for c in sorted(cohort_ids)}
        locked = list(
            locks.applications_for_update("intake", "applicant")
            .filter(pk__in=ids)
            .order_by("-final_score", "pk")
        )
        wrong = [a.number for a in locked if a.status not in DECIDABLE]
        if wrong:
            raise ValidationError(
                _("These applications cannot be decided in their current state: %(numbers)s.")
                % {"numbers": ", ".join(wrong)}
            )
        if decision == Decision.ADMIT:
            for cohort_id, cohort in cohorts.items():
                wanted = sum(1 for a in locked if a.intake.cohort_id == cohort_id)
                free = cohort.seats - seats_taken(cohort)
                if wanted > free:
                    raise ValidationError(
                        _(
                            "Only %(free)s seat(s) left in %(cohort)s for %(wanted)s "
                            "admission(s); put the others on the waiting list."
                        )
                        % {"free": max(free, 0), "cohort": cohort, "wanted": wanted}
                    )
        for application in locked:
            _apply_decision(application, actor=actor, decision=decision, note=note)
    return locked


def _apply_decision(
    application: Application, *, actor: User | None, decision: str, note: str
) -> None:
    record(application, actor=actor, kind="decision", after=decision, note=note)
    if decision == Decision.ADMIT:
        _make_offer(application, actor=actor)
    elif decision == Decision.WAITLIST:
        last = Application.objects.filter(intake__cohort=application.intake.cohort_id).aggregate(
            m=Max("waitlist_rank")
        )["m"]
        application.waitlist_rank = (last or 0) + 1
        application.save(update_fields=["waitlist_rank", "updated_at"])
        set_status(application, S.WAITLISTED, actor=actor, note=note)
        notify(application, "waitlisted")
    else:
        set_status(application, S.REJECTED, actor=actor, note=note)
        notify(application, "rejected")


def _make_offer(application: Application, *, actor: User | None, promoted: bool = False) -> Offer:
    deadline = timezone.now() + timedelta(days=application.intake.offer_reply_days)
    offer, _created = Offer.objects.update_or_create(
        application=application,
        defaults={
            "deadline": deadline,
            "status": Offer.Status.PENDING,
            "made_at": timezone.now(),
            "answered_at": None,
        },
    )
    application.waitlist_rank = None
    application.save(update_fields=["waitlist_rank", "updated_at"])
    set_status(
        application,
        S.ADMITTED,
        actor=actor,
        code="offer_until",
        params={"deadline": history.moment(deadline)},
    )
    notify(application, "offer", {"offer": offer, "promoted": promoted})
    return offer


def offer_accept(*, offer: Offer, actor: User) -> Student:
    """Take a seat: the cohort row is locked, the seat counted, the student created."""
    with transaction.atomic():
        cohort_id = (
            Offer.objects.filter(pk=offer.pk)
            .values_list("application__intake__cohort_id", flat=True)
            .get()
        )
        cohort = _lock_cohort(cohort_id)
        application = locks.lock_application(offer.application_id, "intake", "applicant")
        locked = locks.lock_offer(offer.pk)
        if application.applicant_id != actor.pk:
            raise PermissionDenied
        if locked.status == Offer.Status.ACCEPTED:
            raise ValidationError(
                _("You have already accepted this offer."), code="already_accepted"
            )
        if locked.status != Offer.Status.PENDING or locked.deadline <= timezone.now():
            raise ValidationError(
                _("This offer has expired or was declined; it can no longer be accepted."),
                code="expired",
            )
        students = (
            Student.objects.filter(cohort=cohort).exclude(status=Student.Status.WITHDRAWN).count()
        )
        if students >= cohort.seats:
            raise ValidationError(_("Every seat of the cohort is taken."), code="full")
        locked.status = Offer.Status.ACCEPTED
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answered_at"])
        student = student_create(user=application.applicant, cohort=cohort, application=application)
        set_status(application, S.ACCEPTED, actor=actor)
        record(
            application,
            actor=actor,
            kind="offer",
            before=Offer.Status.PENDING,
            after=Offer.Status.ACCEPTED,
            code="offer_accepted",
            params={"number": student.registration_number},
        )
        notify(application, "accepted", {"student": student})
        return student


def student_create(
    *, user: User, cohort: Cohort, application: Application | None = None
) -> Student:
    """A student record with a registration number (MCRT-2026-0001) never reused."""
    code = cohort.programme.code
    number = next_number(key=f"REG-{code}-{cohort.year}", prefix=f"{code}-{cohort.year}")
    student = Student.objects.create(
        user=user, cohort=cohort, registration_number=number, application=application
    )
    user_set_role(actor=None, user=user, role=Role.STUDENT, granted=True, reason=number)
    return student


def offer_decline(*, offer: Offer, actor: User) -> Offer:
    with transaction.atomic():
        cohort_id = (
            Offer.objects.filter(pk=offer.pk)
            .values_list("application__intake__cohort_id", flat=True)
            .get()
        )
        _lock_cohort(cohort_id)
        application = locks.lock_application(offer.application_id)
        locked = locks.lock_offer(offer.pk)
        if application.applicant_id != actor.pk:
            raise PermissionDenied
        if locked.status != Offer.Status.PENDING:
            raise ValidationError(_("This offer has already been answered or has expired."))
        locked.status = Offer.Status.DECLINED
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answered_at"])
        set_status(application, S.DECLINED, actor=actor)
        waitlist_promote(cohort_id=cohort_id)
        return locked


def offers_expire(*, now: object = None) -> int:
    """Periodic: close the offers past their deadline and offer the seats to the next ones."""
    now = now or timezone.now()
    expired = 0
    for pk, cohort_id in Offer.objects.filter(
        status=Offer.Status.PENDING, deadline__lte=now
    ).values_list("pk", "application__intake__cohort_id"):
        with transaction.atomic():
            _lock_cohort(cohort_id)
            claimed = Offer.objects.filter(
                pk=pk, status=Offer.Status.PENDING, deadline__lte=now
            ).update(status=Offer.Status.EXPIRED)
            if not claimed:
                continue
            application = locks.applications_for_update("intake", "applicant").get(offer__pk=pk)
            set_status(application, S.EXPIRED, actor=None, code="offer_expired")
            notify(application, "expired")
            expired += 1
            waitlist_promote(cohort_id=cohort_id)
    return expired


def waitlist_promote(*, cohort_id: int) -> list[Application]:
    """Offer free seats to the waiting list, best rank first. Call with the cohort locked."""
    cohort = _lock_cohort(cohort_id)
    promoted: list[Application] = []
    free = cohort.seats - seats_taken(cohort)
    if free <= 0:
        return promoted
    waiting = (
        locks.applications_for_update("intake", "applicant")
        .filter(intake__cohort=cohort, status=S.WAITLISTED)
        .order_by("waitlist_rank", "pk")[:free]
    )
    for application in waiting:
        record(
            application,
            actor=None,
            kind="decision",
            after=Decision.ADMIT,
            code="waitlist_promoted",
        )
        _make_offer(application, actor=None, promoted=True)
        promoted.append(application)
    return promoted
