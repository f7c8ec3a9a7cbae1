"""Demo data of studies: the running cohort's first year (marks, timetable, materials and
announcements) and a graduated cohort."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from curriculum.models import Programme
from enrollment.demo import academic_year_of, cohort_get_or_create, seed_students
from enrollment.models import Cohort, Student

if TYPE_CHECKING:
    from studies.models import Offering


def seed_marks(*, cohort: Cohort, coordinator: User) -> None:
    """The running cohort's first year: S1 marked, its jury closed and published; S2
    delivered with grids half filled. Runs once (nothing happens if S1 is delivered)."""
    from studies.models import Mark, MarkSheet, Session
    from studies.services import juries, marks

    # "Delivered" is marked: `seed_demo --students N --cohort SLUG` opens every semester of a
    # cohort beforehand (its offerings exist, no mark yet), and its S1 is still to be marked.
    if Mark.objects.filter(sheet__offering__cohort=cohort).exists():
        return
    year = f"{cohort.start_date.year}-{cohort.start_date.year + 1}"
    marks.offerings_open(cohort=cohort, semester=1, academic_year=year, actor=coordinator)
    marks.offerings_open(cohort=cohort, semester=2, academic_year=year, actor=coordinator)
    rng = random.Random(cohort.slug)  # noqa: S311
    students = list(cohort.students.filter(status=Student.Status.ACTIVE))
    for sheet in MarkSheet.objects.filter(
        offering__cohort=cohort, session=Session.NORMAL
    ).select_related("offering"):
        if sheet.offering.semester > 2 or (
            sheet.offering.semester == 2 and sheet.offering.module.code > "F2.2"
        ):
            continue
        rows = [
            marks.MarkRow(s.pk, Decimal(rng.randint(16, 38)) / 2, Decimal(rng.randint(12, 38)) / 2)
            for s in students
        ]
        marks.grid_save(sheet=sheet, actor=coordinator, rows=rows)
        if sheet.offering.semester == 1:
            marks.grid_submit(sheet=sheet, actor=coordinator)
    jury = juries.jury_get_or_create(cohort=cohort, semester=1, session=Session.NORMAL)
    juries.jury_close(jury=jury, actor=coordinator)
    juries.jury_publish(jury=jury, actor=coordinator)


def seed_graduates(*, programme: Programme, coordinator: User, count: int = 4) -> Cohort:
    """A cohort that finished two years ago: four semesters marked (all passed), every jury
    closed and published, so that its cumulative transcripts and success attestations can be
    issued. Runs once (nothing happens if the cohort has offerings)."""
    from studies.models import MarkSheet, Offering, Session
    from studies.services import juries, marks

    # Started two academic years before this one: its four semesters are over.
    start = dt.date(academic_year_of(timezone.localdate()) - 2, 10, 1)
    cohort = cohort_get_or_create(
        slug=f"promotion-{start.year}-{start.year + 2}", programme=programme, start=start
    )
    cohort, _ = seed_students(count=count, cohort_slug=cohort.slug, programme=programme)
    if Offering.objects.filter(cohort=cohort).exists():
        return cohort
    rng = random.Random(cohort.slug)  # noqa: S311
    students = list(cohort.students.filter(status=Student.Status.ACTIVE))
    for semester in range(1, programme.semester_count + 1):
        year = start.year + (semester - 1) // 2
        marks.offerings_open(
            cohort=cohort, semester=semester, academic_year=f"{year}-{year + 1}", actor=coordinator
        )
        for sheet in MarkSheet.objects.filter(
            offering__cohort=cohort, offering__semester=semester, session=Session.NORMAL
        ):
            rows = [
                marks.MarkRow(
                    s.pk, Decimal(rng.randint(24, 36)) / 2, Decimal(rng.randint(24, 36)) / 2
                )
                for s in students
            ]
            marks.grid_save(sheet=sheet, actor=coordinator, rows=rows)
            marks.grid_submit(sheet=sheet, actor=coordinator)
        jury = juries.jury_get_or_create(cohort=cohort, semester=semester, session=Session.NORMAL)
        juries.jury_close(jury=jury, actor=coordinator)
        juries.jury_publish(jury=jury, actor=coordinator)
        if semester % 2 == 0:  # the year's deliberation; the last one decides the final result
            deliberation = juries.year_jury_get_or_create(cohort=cohort, year=semester // 2)
            juries.jury_close(jury=deliberation, actor=coordinator)
            juries.jury_publish(jury=deliberation, actor=coordinator)
    return cohort


# Invented people (docs/academic-rules.md §7): a lecturer of ENP and a practitioner of the
# precision-mechanics cluster, each a contact of their organisation, so their hours count
# for it.
DEMO_PARTNER_LECTURERS = (
    ("enp", "yacine.hamidi@enp.example.dz", "Yacine", "Hamidi", "Maître de conférences"),
    ("c-mec", "farid.mansouri@c-mec.example.dz", "Farid", "Mansouri", "Animateur du cluster"),
)


def timetable_offerings(cohort: Cohort) -> list[Offering]:
    """The three S1 offerings the demo timetable books (the first by module code)."""
    from studies.models import Offering

    return list(
        Offering.objects.filter(cohort=cohort, semester=1)
        .select_related("module", "cohort")
        .order_by("module__code")[:3]
    )


#: The co-teaching hours a year the demo agreements promise (#14), set where none is.
DEMO_CO_TEACHING_HOURS = {
    "Convention ENP – Cluster mécanique de précision": 120,
    "Convention ADC – ESI": 60,
}


def seed_co_teaching_promises() -> int:
    """The demo agreements' promised co-teaching hours, so that the hours page compares
    them with the timetable (and the weekly alert has something to say). Returns how many
    agreements were given one."""
    from partners.models import Agreement

    given = 0
    for title, promised in DEMO_CO_TEACHING_HOURS.items():
        given += Agreement.objects.filter(title=title, co_teaching_hours__isnull=True).update(
            co_teaching_hours=promised
        )
    return given


def seed_timetable(cohort: Cohort, *, coordinator: User | None = None) -> int:
    """The running cohort's S1 timetable: rooms at TEMA, at the WTC and at the mechanics
    cluster, two partner lecturers, twelve weeks of lectures, tutorials and site visits
    booked through the service (so every rule holds); attendance taken for the sessions
    already over. Returns the number of sessions booked (0 when the timetable has rooms)."""
    from partners.models import Contact, Organisation
    from studies.models import Attendance, ClassSession, Room
    from studies.services import sessions, timetable

    if ClassSession.objects.filter(offering__cohort=cohort, room__isnull=False).exists():
        return 0
    coordinator = coordinator or (
        User.objects.filter(is_coordinator=True, is_active=True).order_by("pk").first()
    )
    offerings = timetable_offerings(cohort)
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=["enp", "c-mec"])}
    if coordinator is None or len(offerings) < 3 or len(organisations) < 2:
        return 0
    rooms = [
        Room.objects.get_or_create(
            site=Room.Site.TEMA, name="TEMA — Amphi 1",
            defaults={"capacity": 80, "address": "Bab Ezzouar, Alger"},
        )[0],
        Room.objects.get_or_create(
            site=Room.Site.WTC, name="WTC — Salle Atlas",
            defaults={"capacity": 30, "address": "Pins maritimes, Mohammadia, Alger"},
        )[0],
        Room.objects.get_or_create(
            site=Room.Site.PARTNER, organisation=organisations["c-mec"], name="Atelier d'usinage",
            defaults={"capacity": 25, "address": "Zone industrielle de Rouiba"},
        )[0],
    ]  # fmt: skip
    partner_lecturers = []
    for slug, email, first, last, role in DEMO_PARTNER_LECTURERS:
        user, _ = User.objects.get_or_create(
            email=email, defaults={"first_name": first, "last_name": last, "is_lecturer": True}
        )
        Contact.objects.get_or_create(
            organisation=organisations[slug], user=user,
            defaults={"full_name": f"{first} {last}", "role": role, "email": email},
        )  # fmt: skip
        partner_lecturers.append(user)
    own = list(offerings[0].lecturers.all()[:1])
    zone = timezone.get_current_timezone()
    first_sunday = cohort.start_date + dt.timedelta(days=(6 - cohort.start_date.weekday()) % 7)
    window = sessions.semester_dates(offerings[0])
    now = timezone.now()
    students = list(cohort.students.filter(status=Student.Status.ACTIVE).order_by("pk"))
    # (weekday offset from Sunday, start hour, hours, kind, offering, room, lecturers)
    week = [
        (0, 9, 2, ClassSession.Kind.LECTURE, offerings[0], rooms[0], own or partner_lecturers[:1]),
        (1, 9, 3, ClassSession.Kind.TUTORIAL, offerings[1], rooms[1], partner_lecturers[:1]),
        (3, 13, 2, ClassSession.Kind.PRACTICAL, offerings[2], rooms[1], partner_lecturers[1:]),
    ]
    booked = 0
    for n in range(12):
        plan = list(week)
        if n % 4 == 2:  # once a month, a visit of the cluster's workshops
            plan.append(
                (2, 9, 4, ClassSession.Kind.SITE_VISIT, offerings[2], rooms[2], partner_lecturers)
            )
        for offset, hour, length, kind, offering, room, lecturers in plan:
            day = first_sunday + dt.timedelta(days=7 * n + offset)
            if window is None or not window[0] <= day <= window[1]:
                continue
            starts_at = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
            session = sessions.session_book(
                offering=offering, actor=coordinator, kind=kind, room=room,
                starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=length),
                lecturers=list(lecturers),
            )  # fmt: skip
            booked += 1
            if session.ends_at < now and students:
                absent = students[(7 * n + offset) % len(students)].pk
                timetable.attendance_save(
                    session=session, actor=coordinator,
                    statuses={
                        s.pk: Attendance.Status.ABSENT if s.pk == absent
                        else Attendance.Status.PRESENT
                        for s in students
                    },
                )  # fmt: skip
    return booked


# --- Materials and announcements (#14) -----------------------------------------------------------
@dataclass(frozen=True)
class DemoMaterial:
    title: str
    url: str = ""
    #: A file material: the paragraphs of its PDF (the title heads it).
    pages: tuple[str, ...] = ()
    #: The paragraphs of its second version, uploaded by the same hand ("version 2").
    revised: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoSection:
    title_fr: str
    title_ar: str
    title_en: str
    materials: tuple[DemoMaterial, ...]


def _sections(
    course: tuple[DemoMaterial, ...], readings: tuple[DemoMaterial, ...]
) -> tuple[DemoSection, ...]:
    return (
        DemoSection("Supports de cours", "دعائم الدرس", "Course materials", course),
        DemoSection("Lectures et liens", "قراءات وروابط", "Readings and links", readings),
    )


ECCP = DemoMaterial(
    "Plateforme européenne de collaboration des clusters (ECCP)",
    url="https://clustercollaboration.eu/",
)
MINISTRY = DemoMaterial(
    "Ministère de l'Industrie : programmes d'appui aux PME et aux filières",
    url="https://www.industrie.gov.dz/",
)
TCI = DemoMaterial(
    "TCI Network : la communauté internationale des praticiens des clusters",
    url="https://www.tci-network.org/",
)
OECD = DemoMaterial(
    "OCDE : politiques de développement régional et de clusters",
    url="https://www.oecd.org/fr/",
)

#: What each of the three S1 offerings of the demo timetable holds, in their order (in the
#: demo programme: D1.1.1 the site visits, F1.1.1 clusters, F1.1.2 cluster policy).
DEMO_MATERIALS: tuple[tuple[DemoSection, ...], ...] = (
    _sections(
        (
            DemoMaterial(
                "Guide des visites : grille d'observation d'une entreprise du cluster",
                pages=(
                    "Avant la visite : l'entreprise, ses produits, sa place dans la filière et "
                    "ses liens avec les autres membres du cluster.",
                    "Pendant la visite : l'organisation de la production, les compétences "
                    "recherchées, les coopérations en cours (achats, formation, export).",
                    "Après la visite : une note de deux pages sur ce que l'entreprise attend "
                    "du cluster et ce qu'elle lui apporte.",
                ),
            ),
        ),
        (MINISTRY, ECCP),
    ),
    _sections(
        (
            DemoMaterial(
                "Cartographie des acteurs d'un cluster",
                pages=(
                    "Entreprises, centres de formation et de recherche, institutions d'appui, "
                    "financeurs : qui fait quoi dans un cluster, et avec qui ?",
                    "Méthode en quatre temps : recenser les acteurs, qualifier leurs liens, "
                    "repérer les acteurs-pivots, situer le cluster dans son territoire.",
                    "Exercice : la cartographie du cluster de la mécanique de précision de "
                    "Rouiba, à rendre avant la visite de l'atelier d'usinage.",
                ),
                revised=(
                    "Entreprises, centres de formation et de recherche, institutions d'appui, "
                    "financeurs : qui fait quoi dans un cluster, et avec qui ?",
                    "Méthode en quatre temps : recenser les acteurs, qualifier leurs liens, "
                    "repérer les acteurs-pivots, situer le cluster dans son territoire.",
                    "Version révisée : une grille de qualification des liens (fréquence, "
                    "formalisation, réciprocité) est ajoutée en annexe.",
                    "Exercice : la cartographie du cluster de la mécanique de précision de "
                    "Rouiba, à rendre avant la visite de l'atelier d'usinage.",
                ),
            ),
        ),
        (ECCP, TCI),
    ),
    _sections(
        (
            DemoMaterial(
                "Les instruments d'une politique de clusters : Algérie et Union européenne",
                pages=(
                    "Labellisation, financement de l'animation, appels à projets collaboratifs, "
                    "zones d'activité : la boîte à outils des pouvoirs publics.",
                    "Étude comparée : le dispositif algérien d'appui aux filières et la "
                    "stratégie européenne des clusters.",
                ),
            ),
        ),
        (MINISTRY, OECD),
    ),
)


@dataclass(frozen=True)
class DemoAnnouncement:
    subject: str
    body: str
    #: From the lecturer of a module of the timetable to its students (else from the
    #: coordinator to the cohort).
    from_lecturer: bool = False
    attachment: tuple[str, ...] = ()


DEMO_ANNOUNCEMENTS = (
    DemoAnnouncement(
        "Rentrée du semestre 1 : calendrier et lieux des cours",
        "Bonjour à toutes et à tous,\n\nLes cours du premier semestre ont lieu à TEMA (Amphi 1) "
        "et au WTC (salle Atlas) ; le calendrier des séances est joint. Votre emploi du temps "
        "est aussi disponible dans votre espace, et en agenda à ajouter à votre téléphone.\n\n"
        "La coordination du master",
        attachment=(
            "Semaines 1 à 12 : cours et travaux dirigés à TEMA et au WTC.",
            "Une fois par mois : visite de l'atelier d'usinage du cluster de la mécanique de "
            "précision, zone industrielle de Rouiba.",
            "Fin du semestre : examens, puis évaluation anonyme de chaque module.",
        ),
    ),
    DemoAnnouncement(
        "Visite du cluster de la mécanique de précision",
        "Bonjour,\n\nLa prochaine visite de l'atelier d'usinage du cluster de la mécanique de "
        "précision a lieu à Rouiba. Prévoyez des chaussures fermées ; le départ en bus se fait "
        "depuis TEMA à 8 h 15.\n\nLa coordination du master",
    ),
    DemoAnnouncement(
        "Pour la prochaine séance : la cartographie des acteurs",
        "Bonjour,\n\nAvant la prochaine séance, lisez le support « Cartographie des acteurs "
        "d'un cluster » (version révisée) dans les supports du module, et parcourez la "
        "plateforme européenne de collaboration des clusters.\n\nBonne lecture.",
        from_lecturer=True,
    ),
)


@dataclass(frozen=True)
class TeachingContent:
    """What ``seed_teaching_content`` added."""

    sections: int = 0
    materials: int = 0
    versions: int = 0
    announcements: int = 0

    def __bool__(self) -> bool:
        return any((self.sections, self.materials, self.versions, self.announcements))


def _demo_pdf(title: str, paragraphs: tuple[str, ...]) -> bytes:
    """A one-page PDF rendered by WeasyPrint (no script, no link: it passes the content check
    that every upload passes)."""
    from weasyprint import HTML

    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    html = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>@page { size: A4; margin: 2cm } body { font-family: sans-serif }</style>"
        f"</head><body><h1>{escape(title)}</h1>{body}"
        "<p><small>Master en management de cluster et réseaux territoriaux — TEMA, WTC "
        "Alger</small></p></body></html>"
    )
    return bytes(HTML(string=html).write_pdf())


def _upload(title: str, paragraphs: tuple[str, ...], *, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _demo_pdf(title, paragraphs), content_type="application/pdf")


def seed_teaching_content(cohort: Cohort, *, coordinator: User) -> TeachingContent:
    """Materials and announcements of the running cohort's S1, through the services (so every
    rule holds, and the announcements reach the students' notifications and mailboxes):

    - each offering of the demo timetable gets two sections ("Supports de cours", "Lectures
      et liens"), added by the module's lecturer (else the coordinator): a PDF and two links
      to public pages; the clusters module's PDF has a second version (the first is kept);
    - the coordinator writes twice to the cohort (once with a PDF), and the lecturer of the
      first of those modules that has one writes once to its students.

    Each item is looked for before it is added, so a second run adds nothing."""
    from studies.models import Announcement, Material, MaterialSection
    from studies.services import announcements, materials

    sections = added = versions = sent = 0
    offerings = timetable_offerings(cohort)
    for offering, plan in zip(offerings, DEMO_MATERIALS, strict=False):
        author = offering.lecturers.filter(is_active=True).order_by("pk").first() or coordinator
        for spec in plan:
            section = MaterialSection.objects.filter(
                offering=offering, title_fr=spec.title_fr
            ).first()
            if section is None:
                section = materials.section_save(
                    actor=author, offering=offering, title_fr=spec.title_fr,
                    title_ar=spec.title_ar, title_en=spec.title_en,
                )  # fmt: skip
                sections += 1
            for item in spec.materials:
                material = Material.objects.filter(section=section, title=item.title).first()
                if material is None:
                    material = materials.material_add(
                        actor=author, section=section, title=item.title, url=item.url,
                        upload=(
                            _upload(item.title, item.pages, name=f"{offering.module.code}.pdf")
                            if item.pages else None
                        ),
                    )  # fmt: skip
                    added += 1
                    versions += bool(item.pages)
                if item.revised and material.versions.count() < 2:
                    materials.material_version_add(
                        actor=author, material=material,
                        upload=_upload(
                            item.title, item.revised, name=f"{offering.module.code}-v2.pdf"
                        ),
                    )  # fmt: skip
                    versions += 1
    # The lecturer who writes: the first one leading a module of the timetable.
    first = lecturer = None
    for candidate in offerings:
        lecturer = candidate.lecturers.filter(is_active=True).order_by("pk").first()
        if lecturer is not None:
            first = candidate
            break
    for note in DEMO_ANNOUNCEMENTS:
        sender = lecturer if note.from_lecturer else coordinator
        if sender is None or not announcements.audience(cohort=cohort).exists():
            continue
        if Announcement.objects.filter(cohort=cohort, author=sender, subject=note.subject).exists():
            continue
        announcements.announcement_send(
            actor=sender, subject=note.subject, body=note.body, cohort=cohort,
            offering=first if note.from_lecturer else None,
            attachment=(
                _upload(note.subject, note.attachment, name="calendrier-S1.pdf")
                if note.attachment else None
            ),
        )  # fmt: skip
        sent += 1
    return TeachingContent(
        sections=sections, materials=added, versions=versions, announcements=sent
    )
