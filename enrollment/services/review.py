"""The coordinators' side before the decision: documents, eligibility, reviews, interviews."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Role, has_role
from accounts.models import User
from enrollment import history, locks
from enrollment.models import Application, ApplicationDocument, Intake, Interview, Review
from enrollment.services.common import notify, record, set_status

S = Application.Status
TWO_PLACES = Decimal("0.01")
ZERO = Decimal(0)
REVIEWABLE = (S.SUBMITTED, S.ELIGIBLE, S.SHORTLISTED, S.INTERVIEWED, S.WAITLISTED)


def _coordinator(actor: User) -> None:
    if not has_role(actor, Role.COORDINATOR):
        raise PermissionDenied


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@transaction.atomic
def document_review(
    *, document: ApplicationDocument, actor: User, accept: bool, reason: str = ""
) -> ApplicationDocument:
    """Accept a document, or reject it with a reason: the applicant may then upload a
    replacement before a deadline, and is e-mailed."""
    _coordinator(actor)
    locked = locks.lock_document(document.pk)
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why the document is rejected.")})
    before = locked.status
    locked.status = (
        ApplicationDocument.Status.ACCEPTED if accept else ApplicationDocument.Status.REJECTED
    )
    locked.rejection_reason = "" if accept else reason.strip()
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.replace_until = (
        None
        if accept
        else timezone.now() + timedelta(days=locked.application.intake.replacement_days)
    )
    locked.save()
    record(
        locked.application,
        actor=actor,
        kind="document",
        before=before,
        after=locked.status,
        code="document_accepted" if accept else "document_rejected",
        params={
            "document": history.in_languages(lambda: locked.requirement.display_label),
            "reason": locked.rejection_reason,
        },
    )
    if not accept:
        notify(locked.application, "document_rejected", {"document": locked})
    return locked


@transaction.atomic
def eligibility_set(
    *, application: Application, actor: User, eligible: bool, note: str = ""
) -> Application:
    _coordinator(actor)
    locked = locks.lock_application(application.pk)
    if locked.status not in (S.SUBMITTED, S.ELIGIBLE, S.INELIGIBLE):
        raise ValidationError(_("Eligibility is decided right after submission."))
    set_status(locked, S.ELIGIBLE if eligible else S.INELIGIBLE, actor=actor, note=note)
    if not eligible:
        notify(locked, "ineligible", {"note": note})
    return locked


@transaction.atomic
def reviewer_assign(*, application: Application, actor: User, reviewer: User) -> Review:
    _coordinator(actor)
    if not has_role(reviewer, Role.LECTURER, Role.COORDINATOR):
        raise ValidationError({"reviewer": _("A reviewer is a lecturer or a coordinator.")})
    review = Review(application=application, reviewer=reviewer)
    review.full_clean()
    review.save()
    record(
        application,
        actor=actor,
        kind="review",
        code="reviewer_assigned",
        params={"name": str(reviewer)},
    )
    return review


def reviews_for(*, reviewer: User) -> QuerySet[Review]:
    return Review.objects.filter(reviewer=reviewer).select_related("application__intake")


@transaction.atomic
def review_save(
    *,
    review: Review,
    actor: User,
    academic: Decimal | None,
    experience: Decimal | None,
    motivation: Decimal | None,
    comment: str = "",
    conflict_of_interest: bool = False,
) -> Review:
    """A reviewer scores the rubric, or declares a conflict of interest and is kept out."""
    locked = locks.lock_review(review.pk)
    if locked.reviewer_id != actor.pk:
        raise PermissionDenied
    if locked.application.status not in REVIEWABLE:
        raise ValidationError(_("This application is no longer being reviewed."))
    if locked.conflict_of_interest:
        # Declared once, it stands: the reviewer no longer sees the file's documents and
        # scores, so cannot score it afterwards either. A coordinator assigns someone else.
        raise ValidationError(
            _("You declared a conflict of interest on this application: it stands.")
        )
    before = after_of(locked)
    locked.conflict_of_interest = conflict_of_interest
    locked.comment = comment
    if conflict_of_interest:
        locked.academic = locked.experience = locked.motivation = None
    else:
        if None in (academic, experience, motivation):
            raise ValidationError(
                _("Give the three marks of the rubric, or declare a conflict of interest.")
            )
        locked.academic, locked.experience, locked.motivation = academic, experience, motivation
    locked.scored_at = timezone.now()
    locked.full_clean()
    locked.save()
    record(
        locked.application,
        actor=actor,
        kind="review",
        before=before,
        after=after_of(locked),
        code="conflict_declared" if conflict_of_interest else "file_scored",
        params={}
        if conflict_of_interest
        else {
            "academic": history.decimal(academic),
            "experience": history.decimal(experience),
            "motivation": history.decimal(motivation),
        },
    )
    dossier_score_update(application=locked.application)
    return locked


def after_of(review: Review) -> str:
    """The review's state as an event stores it (its marks are the message's parameters)."""
    if review.conflict_of_interest:
        return "conflict"
    if review.is_complete:
        return "scored"
    return ""


def dossier_score_update(*, application: Application) -> Decimal | None:
    """The file score: the mean, over complete reviews, of the rubric-weighted marks."""
    intake = application.intake
    scores = [
        intake.weight_academic * (r.academic or ZERO)
        + intake.weight_experience * (r.experience or ZERO)
        + intake.weight_motivation * (r.motivation or ZERO)
        for r in application.reviews.all()
        if r.is_complete
    ]
    score = _round(sum(scores, Decimal(0)) / len(scores)) if scores else None
    Application.objects.filter(pk=application.pk).update(dossier_score=score)
    application.dossier_score = score
    final_score_update(application=application)
    return score


def final_score_update(*, application: Application) -> Decimal | None:
    intake = application.intake
    if application.dossier_score is None or application.interview_score is None:
        final = None
    else:
        final = _round(
            intake.weight_dossier * application.dossier_score
            + intake.weight_interview * application.interview_score
        )
    Application.objects.filter(pk=application.pk).update(final_score=final)
    application.final_score = final
    return final


@transaction.atomic
def shortlist(*, application: Application, actor: User) -> Application:
    _coordinator(actor)
    locked = locks.lock_application(application.pk)
    if locked.status not in (S.SUBMITTED, S.ELIGIBLE):
        raise ValidationError(_("Only an eligible application can be shortlisted."))
    set_status(locked, S.SHORTLISTED, actor=actor)
    return locked


def shortlist_best(*, intake: Intake, actor: User) -> list[Application]:
    """Shortlist the best files of an intake: about shortlist factor × seats, best file score
    first, among the eligible applications that have one."""
    _coordinator(actor)
    with transaction.atomic():
        already = Application.objects.filter(
            intake=intake, status__in=(S.SHORTLISTED, S.INTERVIEWED)
        ).count()
        wanted = max(intake.shortlist_size - already, 0)
        best = list(
            locks.applications_for_update()
            .filter(intake=intake, status=S.ELIGIBLE, dossier_score__isnull=False)
            .order_by("-dossier_score", "submitted_at")[:wanted]
        )
        for application in best:
            set_status(application, S.SHORTLISTED, actor=actor, code="best_files")
    return best


@transaction.atomic
def interview_schedule(
    *,
    application: Application,
    actor: User,
    scheduled_at: datetime,
    place: str,
    link: str,
    panel: list[User],
) -> Interview:
    _coordinator(actor)
    locked = locks.lock_application(application.pk, "intake")
    if locked.status not in (S.SHORTLISTED, S.ELIGIBLE, S.SUBMITTED):
        raise ValidationError(_("Interviews are for shortlisted applications."))
    if not place and not link:
        raise ValidationError(_("Give a place or a video link."))
    interview, _created = Interview.objects.update_or_create(
        application=locked,
        defaults={
            "scheduled_at": scheduled_at,
            "place": place,
            "link": link,
            "invited_at": timezone.now(),
        },
    )
    interview.full_clean()
    interview.panel.set(panel)
    if locked.status != S.SHORTLISTED:
        set_status(locked, S.SHORTLISTED, actor=actor)
    record(
        locked,
        actor=actor,
        kind="interview",
        code="interview_scheduled",
        params={"scheduled_at": history.moment(interview.scheduled_at), "where": place or link},
    )
    notify(locked, "interview", {"interview": interview})
    return interview


@transaction.atomic
def interview_mark(*, application: Application, actor: User, mark: Decimal) -> Application:
    locked = locks.lock_application(application.pk, "intake")
    interview = Interview.objects.filter(application=locked).first()
    if interview is None:
        raise ValidationError(_("Schedule the interview first."))
    if not (has_role(actor, Role.COORDINATOR) or interview.panel.filter(pk=actor.pk).exists()):
        raise PermissionDenied
    if locked.status not in (S.SHORTLISTED, S.INTERVIEWED):
        raise ValidationError(_("This application is not waiting for an interview mark."))
    before = interview.mark
    interview.mark = mark
    interview.full_clean()
    interview.save(update_fields=["mark"])
    locked.interview_score = mark
    locked.save(update_fields=["interview_score", "updated_at"])
    record(
        locked,
        actor=actor,
        kind="interview",
        before=str(before or ""),
        after=str(mark),
        code="interview_marked",
        params={"mark": history.decimal(mark)},
    )
    set_status(locked, S.INTERVIEWED, actor=actor)
    final_score_update(application=locked)
    return locked
