from __future__ import annotations

from collections import Counter as Tally
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.access import Role, has_role
from accounts.models import User
from enrollment.filters import ApplicationFilter, StudentFilter
from enrollment.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Cohort,
    Intake,
    Offer,
    Review,
    Student,
)

S = Application.Status
FUNNEL = (
    (
        "submitted",
        {
            S.SUBMITTED,
            S.ELIGIBLE,
            S.INELIGIBLE,
            S.SHORTLISTED,
            S.INTERVIEWED,
            S.ADMITTED,
            S.WAITLISTED,
            S.REJECTED,
            S.ACCEPTED,
            S.DECLINED,
            S.EXPIRED,
        },
    ),
    (
        "eligible",
        {
            S.ELIGIBLE,
            S.SHORTLISTED,
            S.INTERVIEWED,
            S.ADMITTED,
            S.WAITLISTED,
            S.ACCEPTED,
            S.DECLINED,
            S.EXPIRED,
        },
    ),
    (
        "shortlisted",
        {S.SHORTLISTED, S.INTERVIEWED, S.ADMITTED, S.WAITLISTED, S.ACCEPTED, S.DECLINED, S.EXPIRED},
    ),
    ("interviewed", {S.INTERVIEWED, S.ADMITTED, S.WAITLISTED, S.ACCEPTED, S.DECLINED, S.EXPIRED}),
    ("admitted", {S.ADMITTED, S.ACCEPTED, S.DECLINED, S.EXPIRED}),
    ("accepted", {S.ACCEPTED}),
)


INTAKE_TITLE = ("title_fr", "title_ar", "title_en")


def intakes_open(*, now: object = None) -> QuerySet[Intake]:
    now = now or timezone.now()
    return (
        Intake.objects.filter(closes_at__gt=now)
        .select_related("cohort__programme")
        .order_by("opens_at")
    )


def intake_get(*, slug: str) -> Intake:
    intake = (
        Intake.objects.select_related("cohort__programme")
        .prefetch_related("requirements")
        .filter(slug=slug)
        .first()
    )
    if intake is None:
        raise Http404
    return intake


def intake_links_open() -> QuerySet[Intake]:
    """The open intakes as links (slug and title), as everyone's own space lists them."""
    return intakes_open().select_related(None).only("slug", *INTAKE_TITLE)


def applications_of(*, user: User) -> QuerySet[Application]:
    """A person's applications with what their own space lists: number, intake, status,
    and the deadline of a draft."""
    return (
        Application.objects.filter(applicant=user)
        .select_related("intake")
        .only(
            "number",
            "status",
            *(f"intake__{field}" for field in INTAKE_TITLE),
            "intake__closes_at",
        )
        .order_by("-created_at")
    )


def student_records_of(*, user: User) -> QuerySet[Student]:
    """A person's student records with their cohort, as their own space lists them."""
    return (
        Student.objects.filter(user=user)
        .select_related("cohort")
        .only(
            "registration_number", "status", "cohort__name_fr", "cohort__name_ar", "cohort__name_en"
        )
    )


def application_get_for_applicant(*, user: User, number: str) -> Application:
    """The applicant's own application; anyone else's is a 404, never a 403 (no guessing)."""
    application = (
        Application.objects.select_related("intake__cohort__programme", "applicant")
        .prefetch_related("documents__requirement", "intake__requirements")
        .filter(applicant=user, number=number)
        .first()
    )
    if application is None:
        raise Http404
    return application


def application_get_for_staff(*, user: User, number: str) -> Application:
    """Coordinators see every application; a reviewer only those assigned to them."""
    queryset = Application.objects.select_related(
        "intake__cohort__programme", "applicant"
    ).prefetch_related(
        Prefetch(
            "documents",
            queryset=ApplicationDocument.objects.select_related("requirement", "reviewed_by"),
        ),
        Prefetch("reviews", queryset=Review.objects.select_related("reviewer")),
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
        "intake__requirements",
    )
    if not has_role(user, Role.COORDINATOR):
        queryset = queryset.filter(reviews__reviewer=user)
    application = queryset.filter(number=number).first()
    if application is None:
        raise Http404
    return application


def in_conflict(*, user: User, application: Application) -> bool:
    """A reviewer (not a coordinator) who declared a conflict of interest on this file: the
    documents and the other reviews' scores are no longer theirs to see."""
    if has_role(user, Role.COORDINATOR):
        return False
    return any(
        r.reviewer_id == user.pk and r.conflict_of_interest for r in application.reviews.all()
    )


def application_list(
    *, filters: dict[str, Any] | None = None
) -> tuple[ApplicationFilter, QuerySet[Application]]:
    """The coordinators' list: submitted applications only (drafts belong to applicants)."""
    base = Application.objects.exclude(status=S.DRAFT).select_related("intake", "applicant")
    filterset = ApplicationFilter(filters or {}, queryset=base)
    queryset = filterset.qs
    if not (filters or {}).get("sort"):
        queryset = queryset.order_by("-submitted_at", "-pk")
    return filterset, queryset


def funnel(*, intake: Intake | None = None) -> dict[str, Any]:
    """Counts per funnel step, overall and by sector, for one intake or all."""
    queryset = Application.objects.exclude(status=S.DRAFT)
    if intake is not None:
        queryset = queryset.filter(intake=intake)
    rows = queryset.values("status", "sector").annotate(n=Count("pk"))
    overall: Tally[str] = Tally()
    by_sector: dict[str, Tally[str]] = {}
    for row in rows:
        for step, statuses in FUNNEL:
            if row["status"] in statuses:
                overall[step] += row["n"]
                by_sector.setdefault(row["sector"] or "", Tally())[step] += row["n"]
    steps = [step for step, _ in FUNNEL]
    return {
        "steps": steps,
        "overall": [overall[s] for s in steps],
        "by_sector": {
            sector: [tally[s] for s in steps] for sector, tally in sorted(by_sector.items())
        },
        "max": max(overall.values(), default=0),
    }


def seats_by_cohort(*, intake: Intake | None = None) -> list[dict[str, Any]]:
    """The seats of the cohort of ``intake`` (or of every cohort that has an intake): the
    limit, the seats taken as the decisions count them — ``decisions.seats_taken``, students
    plus offers waiting for an answer, the one count there is — and the seats left."""
    from enrollment.services.decisions import seats_taken

    cohorts = (
        [intake.cohort]
        if intake is not None
        else Cohort.objects.filter(intakes__isnull=False).distinct().order_by("-start_date", "pk")
    )
    rows = []
    for cohort in cohorts:
        taken = seats_taken(cohort)
        rows.append(
            {
                "cohort": cohort,
                "seats": cohort.seats,
                "taken": taken,
                "free": max(cohort.seats - taken, 0),
            }
        )
    return rows


def offers_pending(*, intake: Intake | None = None) -> QuerySet[Offer]:
    """Offers waiting for an answer, the soonest deadline first, with their application."""
    queryset = (
        Offer.objects.filter(status=Offer.Status.PENDING)
        .select_related("application__intake")
        .order_by("deadline", "pk")
    )
    if intake is not None:
        queryset = queryset.filter(application__intake=intake)
    return queryset


def reviews_assigned(*, user: User) -> QuerySet[Review]:
    return (
        Review.objects.filter(reviewer=user)
        .select_related("application__intake")
        .order_by("scored_at", "application__submitted_at")
    )


def export_rows(queryset: QuerySet[Application]) -> QuerySet[Application, tuple[Any, ...]]:
    """What the CSV/XLSX export reads: plain values (codes, which the export turns into the
    reader's words), the intake's titles and the id of the last event, fetched in chunks."""
    last_event = (
        ApplicationEvent.objects.filter(application=OuterRef("pk"))
        .order_by("-at", "-pk")
        .values("pk")[:1]
    )
    return queryset.annotate(last_event=Subquery(last_event)).values_list(
        "number",
        "full_name",
        "applicant__email",
        *(f"intake__{field}" for field in INTAKE_TITLE),
        "status",
        "sector",
        "degree",
        "wilaya",
        "submitted_at",
        "dossier_score",
        "interview_score",
        "final_score",
        "waitlist_rank",
        "last_event",
    )


def events_by_pk(pks: list[int]) -> dict[int, ApplicationEvent]:
    """Events by id, for the export's "last change" columns (one query per chunk)."""
    return ApplicationEvent.objects.in_bulk(pks)


def reviewers_available() -> QuerySet[User]:
    return User.objects.filter(
        Q(is_lecturer=True) | Q(is_coordinator=True), is_active=True
    ).order_by("last_name", "email")


# --- Studies ----------------------------------------------------------------------------------
def cohorts_with_counts() -> QuerySet[Cohort]:
    return Cohort.objects.select_related("programme").annotate(
        active=Count("students", filter=Q(students__status=Student.Status.ACTIVE))
    )


def student_list(
    *, cohort: Cohort, filters: dict[str, Any] | None = None
) -> tuple[StudentFilter, QuerySet[Student]]:
    filterset = StudentFilter(
        filters or {}, queryset=Student.objects.filter(cohort=cohort).select_related("user")
    )
    return filterset, filterset.qs.order_by("registration_number")
