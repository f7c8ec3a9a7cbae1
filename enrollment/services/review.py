"""The coordinators' side before the decision: documents, eligibility, reviews, interviews
and their slots. Each state change follows ``enrollment.lifecycles``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from accounts.access import Role, has_role
from accounts.models import User
from enrollment import history, locks
from enrollment.lifecycles import APPLICATION, DOCUMENT, INTERVIEW, BulkResult, interview_state
from enrollment.models import (
    Application,
    ApplicationDocument,
    Intake,
    Interview,
    InterviewSlot,
    Review,
)
from enrollment.services.common import notify, record, set_status

S = Application.Status
TWO_PLACES = Decimal("0.01")
ZERO = Decimal(0)


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
    APPLICATION.next(locked.application.status, "document")
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why the document is rejected.")})
    before = locked.status
    locked.status = DOCUMENT.next(before, "accept" if accept else "reject")
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
    locked = locks.lock_application(application.pk, "intake", "applicant")
    status = APPLICATION.next(locked.status, "eligible" if eligible else "ineligible")
    set_status(locked, status, actor=actor, note=note)
    if not eligible:
        notify(locked, "ineligible", {"note": note})
    return locked


def _each(
    applications: Iterable[Application], change: Callable[[Application], object]
) -> BulkResult:
    """Apply ``change`` to each application in its own transaction: those whose state does
    not allow it are reported with why, the others are done."""
    result = BulkResult()
    for application in sorted(applications, key=lambda a: a.pk):
        try:
            with transaction.atomic():
                change(application)
        except ValidationError as exc:
            result.skipped.append((application.number, " ".join(exc.messages)))
        else:
            result.done.append(application)
    return result


def eligibility_set_many(
    *, applications: Iterable[Application], actor: User, eligible: bool
) -> BulkResult:
    _coordinator(actor)
    return _each(
        applications,
        lambda a: eligibility_set(application=a, actor=actor, eligible=eligible),
    )


def shortlist_many(*, applications: Iterable[Application], actor: User) -> BulkResult:
    _coordinator(actor)
    return _each(applications, lambda a: shortlist(application=a, actor=actor))


@transaction.atomic
def reviewer_assign(*, application: Application, actor: User, reviewer: User) -> Review:
    _coordinator(actor)
    if not has_role(reviewer, Role.LECTURER, Role.COORDINATOR):
        raise ValidationError({"reviewer": _("A reviewer is a lecturer or a coordinator.")})
    locked = locks.lock_application(application.pk)
    APPLICATION.next(locked.status, "assign")
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
    APPLICATION.next(locked.application.status, "review")
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
    set_status(locked, APPLICATION.next(locked.status, "shortlist"), actor=actor)
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
            status = APPLICATION.next(application.status, "shortlist")
            set_status(application, status, actor=actor, code="best_files")
    return best


# --- Interviews -------------------------------------------------------------------------------
def _future(scheduled_at: datetime, field: str = "scheduled_at") -> None:
    if scheduled_at <= timezone.now():
        raise ValidationError({field: _("An interview cannot be scheduled in the past.")})


def _where(place: str, link: str) -> None:
    if not place and not link:
        raise ValidationError(_("Give a place or a video link."))


def _set_interview(
    application: Application,
    *,
    actor: User,
    action: str,
    scheduled_at: datetime,
    duration_minutes: int,
    place: str,
    link: str,
    panel: Iterable[User],
) -> Interview:
    """Create or move the interview of a locked application, record it and invite (again):
    a move raises the iCalendar SEQUENCE, so the applicant's calendar updates the event."""
    interview = Interview.objects.filter(application=application).first()
    state = interview_state(interview)
    if interview is not None and action == "schedule":
        action = "move"
    INTERVIEW.next(state, action)
    moved = interview is not None
    if interview is None:
        interview = Interview(application=application)
    else:
        interview.sequence += 1
    interview.scheduled_at = scheduled_at
    interview.duration_minutes = duration_minutes
    interview.place = place
    interview.link = link
    interview.invited_at = timezone.now()
    interview.full_clean()
    interview.save()
    interview.panel.set(list(panel))
    record(
        application,
        actor=actor,
        kind="interview",
        code="interview_moved" if moved else "interview_scheduled",
        params={"scheduled_at": history.moment(interview.scheduled_at), "where": place or link},
    )
    invite(application=application, interview=interview, moved=moved)
    return interview


def invite(*, application: Application, interview: Interview, moved: bool = False) -> None:
    """E-mail the invitation with its calendar event (after commit)."""
    notify(
        application,
        "interview",
        {"interview": interview, "moved": moved},
        attachments=[
            (
                "interview.ics",
                interview_ics(interview, application=application),
                "text/calendar; method=REQUEST",
            )
        ],
    )


def interview_ics(interview: Interview, *, application: Application | None = None) -> bytes:
    """The interview as an iCalendar invitation (METHOD:REQUEST): one UID per interview and
    its SEQUENCE, so a moved interview replaces the event in the applicant's calendar."""
    application = application or interview.application
    host = settings.SITE_URL.split("//")[-1].split("/")[0]
    language = application.language or application.applicant.preferred_language or "fr"
    with translation.override(language):
        summary = _("Interview — application %(number)s") % {"number": application.number}
    calendar = Calendar()
    calendar.add("prodid", "-//TEMA-WTC//Master MCRT admissions//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"interview-{interview.pk}@{host}")
    event.add("sequence", interview.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", interview.scheduled_at)
    event.add("dtend", interview.scheduled_at + timedelta(minutes=interview.duration_minutes))
    event.add("summary", summary)
    if interview.place:
        event.add("location", interview.place)
    if interview.link:
        event.add("url", interview.link)
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = name or address
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{application.applicant.email}")
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["rsvp"] = "FALSE"
    event.add("attendee", attendee)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


@transaction.atomic
def interview_schedule(
    *,
    application: Application,
    actor: User,
    scheduled_at: datetime,
    place: str,
    link: str,
    panel: list[User],
    duration_minutes: int = 30,
) -> Interview:
    """Schedule the interview, or move it (then the applicant is invited again). Never in
    the past. A slot the applicant had booked is released: the coordination decided."""
    _coordinator(actor)
    locked = locks.lock_application(application.pk, "intake", "applicant")
    status = APPLICATION.next(locked.status, "interview")
    _future(scheduled_at)
    _where(place, link)
    InterviewSlot.objects.filter(application=locked).update(application=None, booked_at=None)
    interview = _set_interview(
        locked,
        actor=actor,
        action="schedule",
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        place=place,
        link=link,
        panel=panel,
    )
    set_status(locked, status, actor=actor)
    return interview


@transaction.atomic
def interview_mark(*, application: Application, actor: User, mark: Decimal) -> Application:
    """The panel's mark, once the interview has started (never before)."""
    locked = locks.lock_application(application.pk, "intake")
    interview = Interview.objects.filter(application=locked).first()
    INTERVIEW.next(interview_state(interview), "mark")
    assert interview is not None  # the table has no "mark" without an interview
    if not (has_role(actor, Role.COORDINATOR) or interview.panel.filter(pk=actor.pk).exists()):
        raise PermissionDenied
    status = APPLICATION.next(locked.status, "mark")
    if interview.scheduled_at > timezone.now():
        raise ValidationError(
            {
                "mark": _(
                    "The interview has not started yet: its mark can be entered from %(start)s."
                )
                % {
                    "start": formats.date_format(
                        timezone.localtime(interview.scheduled_at), "SHORT_DATETIME_FORMAT"
                    )
                }
            }
        )
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
    set_status(locked, status, actor=actor)
    final_score_update(application=locked)
    return locked


# --- Interview slots (Intake.interview_booking) ---------------------------------------------
def slots_free(*, intake: Intake) -> QuerySet[InterviewSlot]:
    """The slots still to be booked, from now on."""
    return InterviewSlot.objects.filter(
        intake=intake, application__isnull=True, starts_at__gt=timezone.now()
    ).order_by("starts_at", "pk")


def slots_of(*, intake: Intake) -> QuerySet[InterviewSlot]:
    """Every slot of an intake, with who booked it, for the coordination."""
    return (
        InterviewSlot.objects.filter(intake=intake)
        .select_related("application")
        .prefetch_related("panel")
        .order_by("starts_at", "pk")
    )


@transaction.atomic
def slot_add(
    *,
    intake: Intake,
    actor: User,
    starts_at: datetime,
    duration_minutes: int,
    place: str,
    link: str,
    panel: Iterable[User] = (),
) -> InterviewSlot:
    _coordinator(actor)
    _future(starts_at, "starts_at")
    _where(place, link)
    slot = InterviewSlot(
        intake=intake,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place,
        link=link,
    )
    slot.full_clean()
    slot.save()
    slot.panel.set(list(panel))
    return slot


@transaction.atomic
def slot_delete(*, slot: InterviewSlot, actor: User) -> None:
    _coordinator(actor)
    [locked] = locks.lock_slots([slot.pk])
    if locked.application_id is not None:
        raise ValidationError(_("This slot is booked; it can no longer be deleted."))
    locked.delete()


@transaction.atomic
def slot_book(*, slot: InterviewSlot, application: Application, actor: User) -> Interview:
    """A shortlisted applicant books a slot: the interview is created (or moved) from it and
    the invitation sent. The slot rows are locked, so a slot booked twice at once goes to
    one applicant; the other is told to choose another."""
    locked = locks.lock_application(application.pk, "intake", "applicant")
    if locked.applicant_id != actor.pk:
        raise PermissionDenied
    if not locked.intake.interview_booking:
        raise ValidationError(_("Interviews of this intake are scheduled by the coordination."))
    APPLICATION.next(locked.status, "book")
    held = InterviewSlot.objects.filter(application=locked).values_list("pk", flat=True).first()
    rows = {s.pk: s for s in locks.lock_slots([slot.pk, *([held] if held else [])])}
    wanted = rows.get(slot.pk)
    if wanted is None or wanted.intake_id != locked.intake_id:
        raise ValidationError(_("This slot does not belong to this intake."))
    if wanted.application_id == locked.pk:
        raise ValidationError(_("You have already booked this slot."), code="already_booked")
    if wanted.application_id is not None:
        raise ValidationError(
            _("This slot has just been booked by someone else; choose another."), code="taken"
        )
    if wanted.starts_at <= timezone.now():
        raise ValidationError(_("This slot has passed; choose another."), code="passed")
    if held and held in rows:
        previous = rows[held]
        previous.application = None
        previous.booked_at = None
        previous.save(update_fields=["application", "booked_at"])
    wanted.application = locked
    wanted.booked_at = timezone.now()
    wanted.save(update_fields=["application", "booked_at"])
    return _set_interview(
        locked,
        actor=actor,
        action="book",
        scheduled_at=wanted.starts_at,
        duration_minutes=wanted.duration_minutes,
        place=wanted.place,
        link=wanted.link,
        panel=wanted.panel.all(),
    )


# --- Blind review ---------------------------------------------------------------------------
def scores_visible(*, user: User, application: Application) -> bool:
    """Whether ``user`` may see the other reviewers' scores (and the file score they make).

    A coordinator always does; a reviewer who declared a conflict never does; under blind
    review (``Intake.blind_review``) a reviewer does only once their own review is scored.
    Reads the prefetched reviews."""
    if has_role(user, Role.COORDINATOR):
        return True
    own = next((r for r in application.reviews.all() if r.reviewer_id == user.pk), None)
    if own is not None and own.conflict_of_interest:
        return False
    if not application.intake.blind_review:
        return True
    return own is not None and own.is_complete
