from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from curriculum.models import Programme
from enrollment.models import (
    ApplicantProfile,
    Application,
    Cohort,
    DocumentRequirement,
    Education,
    Intake,
)
from enrollment.services.applications import application_start, document_upload
from enrollment.services.profiles import profile_save
from tests.factories.partners import pdf_upload


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = "MCRT"
    slug = "mcrt"
    title_fr = "Master en management de cluster et réseaux territoriaux"


class CohortFactory(factory.django.DjangoModelFactory[Cohort]):
    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    slug = factory.Sequence(lambda n: f"promotion-{2026 + n}")
    name_fr = factory.Sequence(lambda n: f"Promotion {2026 + n}–{2028 + n}")
    name_ar = factory.Sequence(lambda n: f"دفعة {2026 + n}")
    start_date = dt.date(2026, 10, 4)
    seats = 25


class IntakeFactory(factory.django.DjangoModelFactory[Intake]):
    """An intake open now, asking for a CV (PDF) and an identity document (PDF or image)."""

    class Meta:
        model = Intake
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    slug = factory.Sequence(lambda n: f"appel-{n}")
    title_fr = factory.Sequence(lambda n: f"Appel à candidatures {n}")
    title_ar = "إعلان الترشح"
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=20))
    seats = factory.SelfAttribute("cohort.seats")

    @factory.post_generation
    def requirements(obj: Intake, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False:
            DocumentRequirement.objects.create(intake=obj, kind="cv", position=1)
            DocumentRequirement.objects.create(
                intake=obj,
                kind="identity",
                accepts=DocumentRequirement.Accepts.PDF_OR_IMAGE,
                position=2,
            )
            DocumentRequirement.objects.create(
                intake=obj, kind="photo", required=False, accepts="image", position=3
            )


def complete_profile(user: User, **overrides: object) -> ApplicantProfile:
    profile, _ = ApplicantProfile.objects.get_or_create(user=user)
    values: dict[str, object] = {
        "surname_latin": "Benali",
        "given_names_latin": "Amina",
        "surname_ar": "بن علي",
        "given_names_ar": "أمينة",
        "birth_date": dt.date(1994, 5, 12),
        "birth_place_latin": "Sétif",
        "birth_place_ar": "سطيف",
        "nationality": "DZ",
        "nin": "109940512345678901",
        "phone": "+213 550 12 34 56",
        "address": "12 rue Didouche Mourad, Alger",
        "wilaya": "Alger",
        "sector": "digital",
    }
    values.update(overrides)
    for name, value in values.items():
        setattr(profile, name, value)
    profile_save(profile=profile, consent=True)
    if not profile.education.exists():
        Education.objects.create(
            profile=profile,
            degree="licence",
            field="Sciences économiques",
            institution="Université d'Alger 3",
            year=2016,
            average=Decimal("13.40"),
        )
    return profile


def ready_application(user: User, intake: Intake) -> Application:
    """A complete draft: profile, motivation, financing (self) and every required document."""
    complete_profile(user)
    application = application_start(applicant=user, intake=intake)
    application.motivation = "Animer le cluster numérique de ma wilaya."
    application.financing = Application.Financing.SELF
    application.save()
    for requirement in intake.requirements.filter(required=True):
        document_upload(
            application=application, actor=user, requirement=requirement, upload=pdf_upload()
        )
    return application


#: An intake whose decisions wait for nothing but eligibility (for tests not about the
#: guarded workflow): ``IntakeFactory.create(**NOT_GUARDED)``.
NOT_GUARDED: dict[str, object] = {
    "reviews_required": 0,
    "interview_required": False,
    "documents_accepted_required": False,
}


def make_decidable(
    application: Application, *, coordinator: User, mark: Decimal = Decimal("15")
) -> Application:
    """Bring a submitted application, through the services, to where its intake lets a
    coordinator decide: eligible, its mandatory documents accepted (when the intake asks),
    the required reviews scored (``mark`` on each criterion) and, when the intake asks, its
    interview held and marked ``mark``."""
    from enrollment.models import Interview
    from enrollment.services import review
    from tests.factories.accounts import UserFactory

    intake = application.intake
    review.eligibility_set(application=application, actor=coordinator, eligible=True)
    if intake.documents_accepted_required:
        for document in application.documents.filter(requirement__required=True):
            review.document_review(document=document, actor=coordinator, accept=True)
    for _ in range(intake.reviews_required):
        reviewer = UserFactory.create(is_lecturer=True)
        assignment = review.reviewer_assign(
            application=application, actor=coordinator, reviewer=reviewer
        )
        review.review_save(
            review=assignment, actor=reviewer, academic=mark, experience=mark, motivation=mark
        )
    if intake.interview_required:
        review.interview_schedule(
            application=application,
            actor=coordinator,
            scheduled_at=timezone.now() + dt.timedelta(hours=1),
            place="WTC Alger, salle 2",
            link="",
            panel=[coordinator],
        )
        # The hour comes: the interview takes place (a mark waits for its start).
        Interview.objects.filter(application=application).update(
            scheduled_at=timezone.now() - dt.timedelta(minutes=1)
        )
        review.interview_mark(application=application, actor=coordinator, mark=mark)
    application.refresh_from_db()
    return application


def decidable_application(
    user: User, intake: Intake, *, coordinator: User, mark: Decimal = Decimal("15")
) -> Application:
    """A complete application submitted by ``user`` and brought to a decision."""
    from enrollment.services.applications import application_submit

    application = ready_application(user, intake)
    application_submit(application=application, actor=user)
    application.refresh_from_db()
    return make_decidable(application, coordinator=coordinator, mark=mark)
