"""Demo data of admissions and enrolment: an open intake with applications in every state,
a running cohort, and cohorts of N students for load tests. Invented people only."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from accounts.models import User
from curriculum.models import Programme
from enrollment import history
from enrollment.models import (
    ApplicantProfile,
    Application,
    Cohort,
    Counter,
    DocumentRequirement,
    Education,
    Intake,
    Interview,
    Offer,
    Student,
)
from enrollment.services import applications as app_services
from enrollment.services import decisions, review
from enrollment.services.profiles import profile_save
from partners.models import Organisation

SURNAMES = [
    ("Benali", "بن علي"),
    ("Haddad", "حداد"),
    ("Mansouri", "منصوري"),
    ("Boudiaf", "بوضياف"),
    ("Cherif", "شريف"),
    ("Khelifi", "خليفي"),
    ("Saadi", "سعدي"),
    ("Belaid", "بلعيد"),
    ("Hamdi", "حمدي"),
    ("Toumi", "تومي"),
    ("Meziane", "مزيان"),
    ("Rahmani", "رحماني"),
    ("Bouzid", "بوزيد"),
    ("Amrani", "عمراني"),
    ("Ferhat", "فرحات"),
    ("Lounis", "لونيس"),
    ("Guerroudj", "قروج"),
    ("Zitouni", "زيتوني"),
    ("Messaoudi", "مسعودي"),
    ("Benyahia", "بن يحيى"),
]
GIVEN = [
    ("Amina", "أمينة"),
    ("Sofiane", "سفيان"),
    ("Nadia", "نادية"),
    ("Yacine", "ياسين"),
    ("Lamia", "لمياء"),
    ("Karim", "كريم"),
    ("Samira", "سميرة"),
    ("Mehdi", "مهدي"),
    ("Imane", "إيمان"),
    ("Riad", "رياض"),
    ("Houda", "هدى"),
    ("Walid", "وليد"),
    ("Sarah", "سارة"),
    ("Nassim", "نسيم"),
    ("Meriem", "مريم"),
    ("Anis", "أنيس"),
]
WILAYAS = [
    ("Alger", "الجزائر"),
    ("Oran", "وهران"),
    ("Sétif", "سطيف"),
    ("Constantine", "قسنطينة"),
    ("Biskra", "بسكرة"),
    ("Béjaïa", "بجاية"),
    ("Tlemcen", "تلمسان"),
    ("Annaba", "عنابة"),
]
SECTORS = ["agro_food", "precision_mechanics", "digital", "other"]
# Waiting-list people come after the declined and expired offers, which would promote them.
DEMO_STATES = [
    "draft",
    "submitted",
    "eligible",
    "ineligible",
    "shortlisted",
    "interviewed",
    "admitted",
    "rejected",
    "accepted",
    "declined",
    "expired",
    "waitlisted",
    "withdrawn",
]


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _identity(profile: ApplicantProfile, index: int, rng: random.Random) -> None:
    surname, given = (
        SURNAMES[index % len(SURNAMES)],
        GIVEN[(index // len(SURNAMES) + index) % len(GIVEN)],
    )
    wilaya = WILAYAS[index % len(WILAYAS)]
    profile.surname_latin, profile.surname_ar = surname
    profile.given_names_latin, profile.given_names_ar = given
    presumed = index % 11 == 5
    year = 1980 + index % 20
    profile.birth_date = None if presumed else dt.date(year, 1 + index % 12, 1 + index % 28)
    profile.birth_year = year
    profile.birth_date_presumed = presumed
    profile.birth_place_latin, profile.birth_place_ar = wilaya
    profile.nationality = ApplicantProfile.Nationality.ALGERIAN
    profile.nin = f"1{year % 100:02d}{index:015d}"[:18]
    pairs = " ".join(str(rng.randint(10, 99)) for _ in range(3))
    profile.phone = f"+213 5{rng.randint(50, 79)} {pairs}"
    profile.address = f"{1 + index % 90} rue des Frères Bouadou, {wilaya[0]}"
    profile.wilaya = wilaya[0]
    profile.sector = SECTORS[index % len(SECTORS)]


def academic_year_of(day: dt.date) -> int:
    """The first calendar year of the academic year that holds ``day``: an Algerian academic
    year runs from September to August (1 December 2026 is in 2026/2027)."""
    return day.year if day.month >= 9 else day.year - 1


def cohort_start_in(year: int) -> dt.date:
    """When a demo cohort of ``year`` starts: the first Sunday of October (the Algerian week
    starts on Sunday)."""
    first = dt.date(year, 10, 1)
    return first + dt.timedelta(days=(6 - first.weekday()) % 7)


def running_cohort_slug(today: dt.date | None = None) -> str:
    """The demo cohort in its first year now: it started in the current academic year, so
    that what it is certified today (an enrollment attestation) is this year."""
    year = academic_year_of(today or timezone.localdate())
    return f"promotion-{year}-{year + 2}"


def open_intake_slug(today: dt.date | None = None) -> str:
    """The demo call for applications open now: for the cohort of the next academic year."""
    year = academic_year_of(today or timezone.localdate()) + 1
    return f"appel-{year}-{year + 2}"


#: The latest a call for applications closes before its cohort starts: time to interview,
#: decide and answer the offers.
CLOSES_BEFORE_START = dt.timedelta(days=14)


def cohort_get_or_create(
    *, slug: str, programme: Programme, start: dt.date, seats: int = 25
) -> Cohort:
    cohort, _ = Cohort.objects.get_or_create(
        slug=slug,
        defaults={
            "programme": programme,
            "start_date": start,
            "seats": seats,
            "name_fr": f"Promotion {start.year}–{start.year + 2}",
            "name_ar": f"دفعة {start.year}–{start.year + 2}",
            "name_en": f"Class of {start.year}–{start.year + 2}",
        },
    )
    return cohort


def _requirements(intake: Intake) -> None:
    specs = [
        ("cv", True, "pdf"),
        ("diplomas", True, "pdf"),
        ("transcripts", True, "pdf"),
        ("motivation", False, "pdf"),
        ("identity", True, "any"),
        ("photo", False, "image"),
        ("employer_certificate", False, "pdf"),
    ]
    for position, (kind, required, accepts) in enumerate(specs, start=1):
        DocumentRequirement.objects.get_or_create(
            intake=intake,
            kind=kind,
            defaults={"required": required, "accepts": accepts, "position": position},
        )


@transaction.atomic
def seed_admissions(
    *,
    programme: Programme,
    coordinator: User | None,
    reviewer: User | None,
    applicant: User | None,
    now: dt.datetime | None = None,
) -> Intake:
    """The running cohort (in its first academic year now), the next one with its open
    intake, which closes before that cohort starts, and applications in every state.
    ``now`` is the moment the dates are drawn from (the current time unless told)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    year = academic_year_of(today)
    cohort_get_or_create(
        slug=running_cohort_slug(today),
        programme=programme,
        start=cohort_start_in(year),
    )
    start = cohort_start_in(year + 1)
    cohort = cohort_get_or_create(
        slug=f"promotion-{year + 1}-{year + 3}", programme=programme, start=start
    )
    # Open now; at the latest two weeks before the cohort starts (late in August, the
    # usual 60 days would run past the start).
    latest = timezone.make_aware(dt.datetime.combine(start - CLOSES_BEFORE_START, dt.time.min))
    intake, created = Intake.objects.get_or_create(
        slug=open_intake_slug(today),
        defaults={
            "cohort": cohort,
            "title_fr": f"Appel à candidatures — promotion {year + 1}–{year + 3}",
            "title_ar": f"إعلان الترشح — دفعة {year + 1}–{year + 3}",
            "title_en": f"Call for applications — class of {year + 1}–{year + 3}",
            "opens_at": now - dt.timedelta(days=30),
            "closes_at": min(now + dt.timedelta(days=60), latest),
            "seats": cohort.seats,
            "eligibility_fr": (
                "Licence (bac+3) en économie, gestion, droit, sciences politiques, ingénierie, "
                "informatique ou agronomie ; ingénieur d'État ou master ; professionnels des "
                "clusters, des chambres et des administrations économiques titulaires d'une "
                "licence et de trois ans d'expérience."
            ),
            "eligibility_ar": (
                "ليسانس في الاقتصاد أو التسيير أو الحقوق أو العلوم السياسية أو الهندسة أو الإعلام "
                "الآلي أو الفلاحة؛ مهندس دولة أو ماستر؛ مهنيو العناقيد والغرف والإدارات الاقتصادية "
                "الحاصلون على ليسانس وخبرة ثلاث سنوات."
            ),
        },
    )
    _requirements(intake)
    if created and coordinator is not None and reviewer is not None:
        _applications_in_every_state(intake, coordinator, reviewer)
    if (
        applicant is not None
        and not Application.objects.filter(applicant=applicant, intake=intake).exists()
    ):
        profile, _ = ApplicantProfile.objects.get_or_create(user=applicant)
        _identity(profile, 7, random.Random(7))  # noqa: S311
        profile.surname_latin, profile.given_names_latin = "Merabet", "Rachid"
        profile.surname_ar, profile.given_names_ar = "مرابط", "رشيد"
        profile_save(profile=profile, consent=True)
        app_services.application_start(applicant=applicant, intake=intake)
    return intake


def _applications_in_every_state(intake: Intake, coordinator: User, reviewer: User) -> None:
    rng = random.Random(2026)  # noqa: S311
    pdf = _pdf()
    for index, state in enumerate(DEMO_STATES):
        # The same demo applicants apply again to a later year's intake: a database seeded
        # in an earlier academic year (make run keeps var/) gets this year's call too.
        user, _created = User.objects.get_or_create(
            email=f"candidat.{index + 1:02d}@example.dz",
            defaults={
                "password": make_password(None),
                "first_name": GIVEN[index % len(GIVEN)][0],
                "last_name": SURNAMES[index % len(SURNAMES)][0],
            },
        )
        profile, _created = ApplicantProfile.objects.get_or_create(user=user)
        _identity(profile, index, rng)
        profile_save(profile=profile, consent=True)
        degree = rng.choice(["licence", "engineer", "master"])
        if not profile.education.exists():
            Education.objects.create(
                profile=profile,
                degree=degree,
                field="Sciences économiques",
                institution="Université d'Alger 3",
                year=2012 + index % 10,
                average=Decimal(f"{11 + index % 6}.{index % 10}0"),
            )
        application = app_services.application_start(applicant=user, intake=intake)
        application.motivation = (
            "Contribuer à structurer le cluster de ma filière et à animer son réseau."
        )
        application.project = "Prendre en charge l'animation d'un cluster régional."
        _declare_financing(application, index)
        application.save()
        for requirement in intake.requirements.filter(required=True):
            upload = SimpleUploadedFile(
                f"{requirement.kind}.pdf", pdf, content_type="application/pdf"
            )
            app_services.document_upload(
                application=application, actor=user, requirement=requirement, upload=upload
            )
        if state == "draft":
            continue
        app_services.application_submit(application=application, actor=user)
        _advance(application, state, coordinator, reviewer, rng)


def _advance(
    application: Application, state: str, coordinator: User, reviewer: User, rng: random.Random
) -> None:
    if state == "withdrawn":
        app_services.application_withdraw(
            application=application, actor=application.applicant, reason="Mutation"
        )
        return
    if state == "ineligible":
        review.eligibility_set(
            application=application, actor=coordinator, eligible=False, note="Diplôme hors champ"
        )
        return
    if state == "submitted":
        return
    review.eligibility_set(application=application, actor=coordinator, eligible=True)
    for document in application.documents.all():
        review.document_review(document=document, actor=coordinator, accept=True)
    assignment = review.reviewer_assign(
        application=application, actor=coordinator, reviewer=reviewer
    )
    marks = [Decimal(rng.randint(20, 34)) / 2 for _ in range(3)]
    review.review_save(
        review=assignment,
        actor=reviewer,
        academic=marks[0],
        experience=marks[1],
        motivation=marks[2],
    )
    if state == "eligible":
        return
    review.interview_schedule(
        application=application,
        actor=coordinator,
        scheduled_at=timezone.now() + dt.timedelta(days=5),
        place="World Trade Center Alger, salle Casbah",
        link="",
        panel=[coordinator, reviewer],
    )
    if state == "shortlisted":
        return
    # The demo tells a past: its interviews took place two days ago (a mark is entered only
    # once an interview has started, and none is scheduled in the past).
    held = timezone.now() - dt.timedelta(days=2)
    Interview.objects.filter(application=application).update(scheduled_at=held)
    # …and so does its history: the invitation and the interview carry the same date.
    for event in application.events.filter(code="interview_scheduled"):
        event.params = {**event.params, "scheduled_at": history.moment(held)}
        event.save(update_fields=["params"])
    review.interview_mark(
        application=application, actor=reviewer, mark=Decimal(rng.randint(22, 36)) / 2
    )
    if state == "interviewed":
        return
    decision = {
        "waitlisted": decisions.Decision.WAITLIST,
        "rejected": decisions.Decision.REJECT,
    }.get(state, decisions.Decision.ADMIT)
    decisions.decide(applications=[application], actor=coordinator, decision=decision)
    offer = Offer.objects.filter(application=application).first()
    if state == "accepted" and offer:
        decisions.offer_accept(offer=offer, actor=application.applicant)
    elif state == "declined" and offer:
        decisions.offer_decline(offer=offer, actor=application.applicant)
    elif state == "expired" and offer:
        Offer.objects.filter(pk=offer.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
        decisions.offers_expire()


@transaction.atomic
def seed_students(*, count: int, cohort_slug: str, programme: Programme) -> tuple[Cohort, int]:
    """Create (or top up to) ``count`` active students in cohort ``cohort_slug``, each with a
    complete bilingual identity. Fast enough for thousands: rows are inserted in bulk."""
    today = timezone.localdate()
    cohort = cohort_get_or_create(
        slug=cohort_slug,
        programme=programme,
        start=dt.date(academic_year_of(today), 10, 1),
        seats=max(count, 25),
    )
    if cohort.seats < count:
        Cohort.objects.filter(pk=cohort.pk).update(seats=count)
    existing = Student.objects.filter(cohort=cohort).count()
    missing = count - existing
    if missing <= 0:
        return cohort, 0
    rng = random.Random(f"{cohort_slug}-{existing}")  # noqa: S311
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                email=f"{cohort_slug}.{existing + i + 1:05d}@students.example.dz",
                password=password,
                is_student=True,
                first_name=GIVEN[(existing + i) % len(GIVEN)][0],
                last_name=SURNAMES[(existing + i) % len(SURNAMES)][0],
            )
            for i in range(missing)
        ]
    )
    profiles = []
    for i, user in enumerate(users):
        profile = ApplicantProfile(user=user, consent_at=timezone.now())
        _identity(profile, existing + i, rng)
        profiles.append(profile)
    ApplicantProfile.objects.bulk_create(profiles)
    key = f"REG-{programme.code}-{cohort.year}"
    Counter.objects.get_or_create(key=key)
    counter = Counter.objects.select_for_update().get(key=key)
    first = counter.last + 1
    counter.last += missing
    counter.save(update_fields=["last"])
    Student.objects.bulk_create(
        [
            Student(
                user=user,
                cohort=cohort,
                registration_number=f"{programme.code}-{cohort.year}-{first + i:04d}",
            )
            for i, user in enumerate(users)
        ]
    )
    return cohort, missing


def complete_demo_identity(user: User) -> None:
    """The demo student's identity in both scripts, so that every document can be issued to
    her (documents refuse an incomplete identity). Only blank fields are filled."""
    profile, _ = ApplicantProfile.objects.get_or_create(user=user)
    wanted = {
        "surname_latin": user.last_name or "Ouali",
        "given_names_latin": user.first_name or "Yasmine",
        "surname_ar": "والي",
        "given_names_ar": "ياسمين",
        "birth_place_latin": "Alger",
        "birth_place_ar": "الجزائر",
    }
    for name, value in wanted.items():
        if not getattr(profile, name):
            setattr(profile, name, value)
    if profile.birth_date is None and not profile.birth_date_presumed:
        profile.birth_date = dt.date(1997, 3, 14)
        profile.birth_year = 1997
    if not profile.nationality:
        profile.nationality = ApplicantProfile.Nationality.ALGERIAN
    if profile.consent_at is None:
        profile.consent_at = timezone.now()
    profile.save()


#: Who pays the demo applicants' fees, in turn: a cluster 70 % (the participant consenting
#: to its seeing their progress), a company all of it, the applicant alone twice.
FINANCING = (
    (Application.Financing.SPLIT, "adc", Decimal(70), True),
    (Application.Financing.SPONSOR, "c-mec", Decimal(100), False),
    (Application.Financing.SELF, "", None, False),
    (Application.Financing.SELF, "", None, False),
)


def _declare_financing(application: Application, index: int) -> None:
    financing, slug, share, consent = FINANCING[index % len(FINANCING)]
    sponsor = Organisation.objects.filter(slug=slug).first() if slug else None
    if slug and sponsor is None:  # the partners were not seeded: the applicant pays
        financing, share, consent = Application.Financing.SELF, None, False
    application.financing = financing
    application.sponsor_organisation = sponsor
    application.sponsor_share = share
    application.sponsor_consent = consent
