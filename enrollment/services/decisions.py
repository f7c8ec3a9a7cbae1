"""Decisions, offers and seats: never more students than seats, whatever arrives at once.

Locks are taken in one order everywhere — the cohort row, then the application, then the
offer — so concurrent acceptances queue on the cohort instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import Role, has_role
from accounts.models import User
from accounts.services import user_set_role
from enrollment import history, lifecycles, locks
from enrollment.models import (
    Application,
    ApplicationDocument,
    Cohort,
    DocumentRequirement,
    Interview,
    Offer,
    Student,
    StudentStatusChange,
)
from enrollment.services.common import next_number, notify, record, set_status

S = Application.Status


class Decision:
    ADMIT = "admit"
    WAITLIST = "waitlist"
    REJECT = "reject"
    CHOICES = (ADMIT, WAITLIST, REJECT)
    #: The decisions that may lead to a seat (the waiting list is promoted without anyone
    #: deciding again): they wait for the interview and the documents too.
    TOWARDS_A_SEAT = (ADMIT, WAITLIST)


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


# --- What a decision waits for ----------------------------------------------------------------
@dataclass(frozen=True)
class Missing:
    """A condition of the intake that a decision still waits for."""

    condition: str  # "reviews", "interview" or "documents"
    message: str
    #: a coordinator may decide anyway, giving a written reason (the documents only)
    overridable: bool = False


def interview_of(application: Application) -> Interview | None:
    try:
        return application.interview
    except Interview.DoesNotExist:
        return None


def documents_not_accepted(application: Application) -> list[DocumentRequirement]:
    """The mandatory documents of the intake that are not (yet) accepted on this file."""
    accepted = {
        d.requirement_id
        for d in application.documents.all()
        if d.status == ApplicationDocument.Status.ACCEPTED
    }
    return [r for r in application.intake.requirements.all() if r.required and r.pk not in accepted]


def decision_waits_for(application: Application, decision: str) -> list[Missing]:
    """What the intake still asks for before ``decision`` (empty: it may be taken now).

    Every decision waits for ``reviews_required`` complete reviews. Admitting and
    waitlisting — the decisions that lead to a seat — wait as well for the interview's mark
    (``interview_required``) and for every mandatory document accepted
    (``documents_accepted_required``, the one condition a coordinator may override). A
    rejection does not wait for them: a candidate who never comes, or whose document is
    false, must be answered too. Reads the prefetched reviews, documents and requirements.
    """
    intake = application.intake
    missing: list[Missing] = []
    complete = sum(1 for r in application.reviews.all() if r.is_complete)
    if complete < intake.reviews_required:
        missing.append(
            Missing(
                "reviews",
                ngettext(
                    "%(count)s complete review of the %(required)s required.",
                    "%(count)s complete reviews of the %(required)s required.",
                    complete,
                )
                % {"count": complete, "required": intake.reviews_required},
            )
        )
    if decision not in Decision.TOWARDS_A_SEAT:
        return missing
    if intake.interview_required:
        interview = interview_of(application)
        if interview is None or interview.mark is None:
            missing.append(Missing("interview", _("The interview has not been marked.")))
    if intake.documents_accepted_required:
        pending = documents_not_accepted(application)
        if pending:
            missing.append(
                Missing(
                    "documents",
                    _("Mandatory documents not accepted: %(documents)s.")
                    % {"documents": ", ".join(r.display_label for r in pending)},
                    overridable=True,
                )
            )
    return missing


def decisions_possible(application: Application) -> dict[str, list[Missing]]:
    """The decisions the state allows, each with what it still waits for."""
    return {
        decision: decision_waits_for(application, decision)
        for decision in Decision.CHOICES
        if lifecycles.APPLICATION.allows(application.status, decision)
    }


# --- Deciding ---------------------------------------------------------------------------------
def decide(
    *,
    applications: Iterable[Application],
    actor: User,
    decision: str,
    note: str = "",
    override_reason: str = "",
) -> list[Application]:
    """Admit (an offer with a deadline), waitlist (ranked) or reject, one or many at once.

    All or nothing: an application that is not ready (its state, or what its intake waits
    for) changes nothing and the message says which and why; when admitting more people
    than there are free seats, nothing changes and the message says how many seats are left.
    ``override_reason`` decides although mandatory documents are not accepted; it is kept in
    the history (``decision_override``).
    """
    return _decide(
        applications=applications,
        actor=actor,
        decision=decision,
        note=note,
        override_reason=override_reason,
        skip_unready=False,
    ).done


def decide_ready(
    *, applications: Iterable[Application], actor: User, decision: str, note: str = ""
) -> lifecycles.BulkResult:
    """Decide for the applications that are ready and report the others with why (the bulk
    actions of the list). The seats are still counted all or nothing over those decided."""
    return _decide(
        applications=applications,
        actor=actor,
        decision=decision,
        note=note,
        override_reason="",
        skip_unready=True,
    )


def _why_not(application: Application, decision: str, *, override: bool) -> list[str]:
    if not lifecycles.APPLICATION.allows(application.status, decision):
        return list(lifecycles.APPLICATION.refusal(application.status, decision).messages)
    return [
        m.message
        for m in decision_waits_for(application, decision)
        if not (override and m.overridable)
    ]


def _decide(
    *,
    applications: Iterable[Application],
    actor: User,
    decision: str,
    note: str,
    override_reason: str,
    skip_unready: bool,
) -> lifecycles.BulkResult:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied
    if decision not in Decision.CHOICES:
        raise ValidationError(_("Unknown decision."))
    ids = sorted({a.pk for a in applications})
    if not ids:
        raise ValidationError(_("Select at least one application."))
    override_reason = override_reason.strip()
    result = lifecycles.BulkResult()
    with transaction.atomic():
        cohort_ids = set(
            Application.objects.filter(pk__in=ids).values_list("intake__cohort_id", flat=True)
        )
        cohorts = {c: _lock_cohort(c) for c in sorted(cohort_ids)}
        locked = list(
            locks.applications_for_update("intake", "applicant")
            .prefetch_related("reviews", "documents", "intake__requirements", "interview")
            .filter(pk__in=ids)
            .order_by("-final_score", "pk")
        )
        for application in locked:
            reasons = _why_not(application, decision, override=bool(override_reason))
            if reasons:
                result.skipped.append((application.number, " ".join(reasons)))
            else:
                result.done.append(application)
        if result.skipped and not skip_unready:
            raise ValidationError(
                [
                    _("%(number)s cannot be decided yet: %(reasons)s")
                    % {"number": number, "reasons": reasons}
                    for number, reasons in result.skipped
                ],
                code="not_ready",
            )
        if decision == Decision.ADMIT:
            for cohort_id, cohort in cohorts.items():
                wanted = sum(1 for a in result.done if a.intake.cohort_id == cohort_id)
                free = cohort.seats - seats_taken(cohort)
                if wanted > free:
                    raise ValidationError(
                        _(
                            "Only %(free)s seat(s) left in %(cohort)s for %(wanted)s "
                            "admission(s); put the others on the waiting list."
                        )
                        % {"free": max(free, 0), "cohort": cohort, "wanted": wanted},
                        code="seats",
                    )
        for application in result.done:
            overridden = (
                documents_not_accepted(application)
                if override_reason
                and decision in Decision.TOWARDS_A_SEAT
                and application.intake.documents_accepted_required
                else []
            )
            if overridden:
                record(
                    application,
                    actor=actor,
                    kind="decision",
                    after=decision,
                    code="decision_override",
                    params={"documents": _labels_in_languages(overridden)},
                    note=override_reason,
                )
            _apply_decision(application, actor=actor, decision=decision, note=note)
    return result


def _labels_in_languages(requirements: list[DocumentRequirement]) -> dict[str, str]:
    def labels() -> str:
        return ", ".join(r.display_label for r in requirements)

    return history.in_languages(labels)


def _apply_decision(
    application: Application, *, actor: User | None, decision: str, note: str
) -> None:
    status = lifecycles.APPLICATION.next(application.status, decision)
    record(application, actor=actor, kind="decision", after=decision, note=note)
    if decision == Decision.ADMIT:
        _make_offer(application, actor=actor)
    elif decision == Decision.WAITLIST:
        last = Application.objects.filter(intake__cohort=application.intake.cohort_id).aggregate(
            m=Max("waitlist_rank")
        )["m"]
        application.waitlist_rank = (last or 0) + 1
        application.save(update_fields=["waitlist_rank", "updated_at"])
        set_status(application, status, actor=actor, note=note)
        notify(application, "waitlisted")
    else:
        set_status(application, status, actor=actor, note=note)
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
        offer_status = lifecycles.OFFER.next(locked.status, "accept")
        if locked.deadline <= timezone.now():
            raise ValidationError(
                str(lifecycles.OFFER.refusals["accept"]), code=lifecycles.OFFER.codes["accept"]
            )
        status = lifecycles.APPLICATION.next(application.status, "accept")
        students = (
            Student.objects.filter(cohort=cohort).exclude(status=Student.Status.WITHDRAWN).count()
        )
        if students >= cohort.seats:
            raise ValidationError(_("Every seat of the cohort is taken."), code="full")
        locked.status = offer_status
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answered_at"])
        student = student_create(user=application.applicant, cohort=cohort, application=application)
        set_status(application, status, actor=actor)
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
        offer_status = lifecycles.OFFER.next(locked.status, "decline")
        status = lifecycles.APPLICATION.next(application.status, "decline")
        locked.status = offer_status
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answered_at"])
        set_status(application, status, actor=actor)
        waitlist_promote(cohort_id=cohort_id)
        return locked


def offers_expire(*, now: object = None) -> int:
    """Periodic: close the offers past their deadline and offer the seats to the next ones."""
    now = now or timezone.now()
    expired = 0
    answerable = [s for s in lifecycles.OFFER.states if lifecycles.OFFER.allows(s, "expire")]
    for pk, cohort_id in Offer.objects.filter(status__in=answerable, deadline__lte=now).values_list(
        "pk", "application__intake__cohort_id"
    ):
        with transaction.atomic():
            _lock_cohort(cohort_id)
            claimed = Offer.objects.filter(pk=pk, status__in=answerable, deadline__lte=now).update(
                status=Offer.Status.EXPIRED
            )
            if not claimed:
                continue
            application = locks.applications_for_update("intake", "applicant").get(offer__pk=pk)
            status = lifecycles.APPLICATION.next(application.status, "expire")
            set_status(application, status, actor=None, code="offer_expired")
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
        lifecycles.APPLICATION.next(application.status, Decision.ADMIT)
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


#: Why a seat is released (``seat_release``'s code): the history message of the
#: application and the reason kept with the student's change of status.
SEAT_RELEASES: dict[str, str] = {"deposit_unpaid": "seat_released_deposit"}


def seat_release(
    *, student_id: int, code: str = "deposit_unpaid", params: dict[str, Any] | None = None
) -> bool:
    """Give back the seat of a student who did not confirm it (``code``: why, e.g. the
    deposit unpaid by its deadline): the student withdrawn (their change of status kept),
    the application moved from accepted to withdrawn with the history message of ``code``
    (``params``: its values, e.g. ``due_on``), the student e-mailed, and the seat offered
    to the next on the waiting list — under the cohort's lock, like every seat. False (and
    nothing changed) when the student is already withdrawn. The caller may hold the cohort,
    the application and the student already (in this order)."""
    if code not in SEAT_RELEASES:
        raise ValueError(code)
    with transaction.atomic():
        cohort_id, application_id = (
            Student.objects.filter(pk=student_id).values_list("cohort_id", "application_id").get()
        )
        _lock_cohort(cohort_id)
        application = (
            locks.lock_application(application_id, "intake", "applicant")
            if application_id is not None
            else None
        )
        student = locks.lock_student(student_id)
        if student.status == Student.Status.WITHDRAWN:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            reason = str(history.message(SEAT_RELEASES[code], params))
        StudentStatusChange.objects.create(
            student=student,
            changed_by=None,
            before=student.status,
            after=Student.Status.WITHDRAWN,
            reason=reason,
        )
        student.status = Student.Status.WITHDRAWN
        student.save(update_fields=["status"])
        if application is not None:
            status = lifecycles.APPLICATION.next(application.status, "release")
            set_status(
                application, status, actor=None, code=SEAT_RELEASES[code], params=params or {}
            )
            due_on = (params or {}).get("due_on")
            notify(
                application,
                "seat_released",
                {"student": student, "due_on": date.fromisoformat(due_on) if due_on else None},
            )
        waitlist_promote(cohort_id=cohort_id)
    return True
