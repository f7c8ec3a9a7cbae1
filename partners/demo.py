"""Demo partners: the real organisations of the founding article
(academic-rules.md §0, §7), described
only by what the sources say of them, three agreements and one invented contact per cluster.

Created once and never changed after: organisations are found by slug, agreements by title,
contacts by organisation and e-mail; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from partners.models import Agreement, Contact, Organisation

Kind = Organisation.Kind
Sector = Organisation.Sector


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    kind: str
    sector: str
    acronym: str
    name_fr: str
    name_ar: str
    name_en: str
    wilaya: str
    description_fr: str
    description_ar: str
    description_en: str


DEMO_ORGANISATIONS = (
    DemoOrganisation(
        slug="tema",
        kind=Kind.TRAINING,
        sector=Sector.OTHER,
        acronym="TEMA",
        name_fr="TEMA – Institut de technologie et de management d'Alger",
        name_ar="تيما – معهد التكنولوجيا والتسيير بالجزائر",
        name_en="TEMA – Algiers Institute of Technology and Management",
        wilaya="Alger",
        description_fr=(
            "Institut qui s'adresse aux cadres et aux managers (et non aux nouveaux bacheliers), "
            "avec des formations courtes et diplômantes ; partenaire de Strasbourg Business "
            "School."
        ),
        description_ar=(
            "معهد يتوجه إلى الإطارات والمسيرين (وليس إلى حاملي البكالوريا الجدد)، ويقدم تكوينات "
            "قصيرة وأخرى مؤهلة لشهادة؛ شريك لكلية ستراسبورغ للأعمال."
        ),
        description_en=(
            "Institute for executives and managers (not new school-leavers), offering short and "
            "diploma courses; partner of Strasbourg Business School."
        ),
    ),
    DemoOrganisation(
        slug="wtc-alger",
        kind=Kind.BUSINESS_CENTRE,
        sector=Sector.OTHER,
        acronym="WTC",
        name_fr="World Trade Center Algiers",
        name_ar="المركز العالمي للتجارة – الجزائر",
        name_en="World Trade Center Algiers",
        wilaya="Alger",
        description_fr=(
            "Organisateur du 1er Forum Clusters « Innovation et avantages compétitifs des "
            "nations » (El Aurassi, Alger, 20 février 2017), où le master franco-allemand "
            "« Management de clusters et de réseaux territoriaux » a été présenté comme la "
            "formation adéquate."
        ),
        description_ar=(
            "منظم الطبعة الأولى من منتدى العناقيد «الابتكار والمزايا التنافسية للأمم» (فندق "
            "الأوراسي، الجزائر، 20 فيفري 2017)، حيث قُدِّم الماستر الفرنسي الألماني «إدارة العناقيد "
            "والشبكات الإقليمية» بوصفه التكوين الملائم."
        ),
        description_en=(
            "Organiser of the 1st Clusters Forum, “Innovation and the competitive advantage of "
            "nations” (El Aurassi, Algiers, 20 February 2017), where the Franco-German master "
            "in cluster and territorial network management was presented as the right training."
        ),
    ),
    DemoOrganisation(
        slug="enp",
        kind=Kind.SCHOOL,
        sector=Sector.OTHER,
        acronym="ENP",
        name_fr="École nationale polytechnique",
        name_ar="المدرسة الوطنية المتعددة التقنيات",
        name_en="National Polytechnic School",
        wilaya="Alger",
        description_fr=(
            "École d'ingénieurs partenaire du master pour l'ingénierie, l'innovation et "
            "l'industrie 4.0."
        ),
        description_ar="مدرسة مهندسين شريكة في الماستر في مجالات الهندسة والابتكار والصناعة 4.0.",
        description_en=(
            "Engineering school, partner of the master for engineering, innovation and "
            "industry 4.0."
        ),
    ),
    DemoOrganisation(
        slug="esi",
        kind=Kind.SCHOOL,
        sector=Sector.DIGITAL,
        acronym="ESI",
        name_fr="École nationale supérieure d'informatique",
        name_ar="المدرسة الوطنية العليا للإعلام الآلي",
        name_en="Higher National School of Computer Science",
        wilaya="Alger",
        description_fr=(
            "École d'informatique partenaire du master pour les données, le numérique et les "
            "systèmes d'information."
        ),
        description_ar=(
            "مدرسة للإعلام الآلي شريكة في الماستر في مجالات البيانات والرقمنة ونظم المعلومات."
        ),
        description_en=(
            "Computer science school, partner of the master for data, digital technology and "
            "information systems."
        ),
    ),
    DemoOrganisation(
        slug="adc",
        kind=Kind.CLUSTER,
        sector=Sector.DIGITAL,
        acronym="ADC",
        name_fr="Algerian Digital Cluster",
        name_ar="العنقود الرقمي الجزائري",
        name_en="Algerian Digital Cluster",
        wilaya="",
        description_fr=(
            "Cluster du numérique et de l'électronique, filière citée parmi les six clusters "
            "existants par le ministère de l'Industrie et des Mines en 2017."
        ),
        description_ar=(
            "عنقود الرقمنة والإلكترونيك، وهي من الشعب التي ذكرتها وزارة الصناعة والمناجم ضمن "
            "العناقيد الستة القائمة سنة 2017."
        ),
        description_en=(
            "Digital and electronics cluster, a sector named by the Ministry of Industry and "
            "Mines among the six existing clusters in 2017."
        ),
    ),
    DemoOrganisation(
        slug="c-mec",
        kind=Kind.CLUSTER,
        sector=Sector.PRECISION_MECHANICS,
        acronym="C-MEC",
        name_fr="Cluster mécanique de précision",
        name_ar="عنقود الميكانيك الدقيقة",
        name_en="Precision Mechanics Cluster",
        wilaya="",
        description_fr=(
            "Jeune cluster de la mécanique de précision, filière citée parmi les six clusters "
            "existants par le ministère de l'Industrie et des Mines en 2017."
        ),
        description_ar=(
            "عنقود فتي للميكانيك الدقيقة، وهي من الشعب التي ذكرتها وزارة الصناعة والمناجم ضمن "
            "العناقيد الستة القائمة سنة 2017."
        ),
        description_en=(
            "Young precision mechanics cluster, a sector named by the Ministry of Industry and "
            "Mines among the six existing clusters in 2017."
        ),
    ),
    DemoOrganisation(
        slug="c-agro",
        kind=Kind.CLUSTER,
        sector=Sector.AGRO_FOOD,
        acronym="C-AGRO",
        name_fr="Cluster agroalimentaire",
        name_ar="عنقود الصناعات الغذائية",
        name_en="Agro-food Cluster",
        wilaya="Sétif",
        description_fr=(
            "Cluster agroalimentaire (filière lait, Sétif), cité parmi les six clusters "
            "existants par le ministère de l'Industrie et des Mines en 2017."
        ),
        description_ar=(
            "عنقود الصناعات الغذائية (شعبة الحليب، سطيف)، ذكرته وزارة الصناعة والمناجم ضمن "
            "العناقيد الستة القائمة سنة 2017."
        ),
        description_en=(
            "Agro-food cluster (dairy sector, Sétif), named by the Ministry of Industry and "
            "Mines among the six existing clusters in 2017."
        ),
    ),
    DemoOrganisation(
        slug="mim",
        kind=Kind.INSTITUTION,
        sector=Sector.OTHER,
        acronym="MIM",
        name_fr="Ministère de l'Industrie et des Mines",
        name_ar="وزارة الصناعة والمناجم",
        name_en="Ministry of Industry and Mines",
        wilaya="Alger",
        description_fr=(
            "Ministère qui a porté la « clusterisation » : six clusters existants en 2017 "
            "(boissons, mécanique de précision, numérique et électronique, agroalimentaire, "
            "dattes), la cosmétique en gestation, objectif de dix."
        ),
        description_ar=(
            "الوزارة التي دفعت بسياسة العناقيد: ستة عناقيد قائمة سنة 2017 (المشروبات، الميكانيك "
            "الدقيقة، الرقمنة والإلكترونيك، الصناعات الغذائية، التمور)، وعنقود مستحضرات التجميل "
            "قيد الإنشاء، والهدف عشرة عناقيد."
        ),
        description_en=(
            "Ministry that pushed “clusterisation”: six clusters existed in 2017 (beverages, "
            "precision mechanics, digital and electronics, agro-food, dates), with cosmetics in "
            "gestation and a target of ten."
        ),
    ),
)


@dataclass(frozen=True)
class DemoAgreement:
    title: str
    parties: tuple[str, ...]
    scopes: tuple[str, ...]
    signed_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    summary: str


DEMO_AGREEMENTS = (
    DemoAgreement(
        title="Convention ENP – Cluster mécanique de précision",
        parties=("enp", "c-mec"),
        scopes=("scope_teaching", "scope_internships", "scope_research"),
        signed_on=dt.date(2025, 3, 10),
        valid_from=dt.date(2025, 3, 10),
        valid_until=dt.date(2028, 3, 9),
        summary=(
            "L'ENP et le cluster mécanique de précision coopèrent pour les enseignements "
            "d'innovation, l'accueil de stagiaires et des projets de recherche appliquée."
        ),
    ),
    DemoAgreement(
        title="Convention ADC – ESI",
        parties=("adc", "esi"),
        scopes=("scope_teaching", "scope_internships", "scope_site_visits"),
        signed_on=dt.date(2025, 5, 20),
        valid_from=dt.date(2025, 6, 1),
        valid_until=dt.date(2027, 5, 31),
        summary=(
            "L'Algerian Digital Cluster et l'ESI coopèrent pour les enseignements du numérique, "
            "l'accueil de stagiaires et les visites d'entreprises membres du cluster."
        ),
    ),
    DemoAgreement(
        title=(
            "Convention TEMA – WTC Algiers pour le Master en management de cluster et "
            "réseaux territoriaux"
        ),
        parties=("tema", "wtc-alger"),
        scopes=("scope_teaching", "scope_recruitment"),
        signed_on=dt.date(2025, 9, 15),
        valid_from=dt.date(2025, 9, 15),
        valid_until=dt.date(2029, 9, 14),
        summary=(
            "TEMA et le WTC Algiers organisent ensemble le master en management de cluster et "
            "réseaux territoriaux : enseignements et recrutement des candidats."
        ),
    ),
)


@dataclass(frozen=True)
class DemoContact:
    organisation: str
    full_name: str
    role: str
    email: str


# Invented people (docs/academic-rules.md §7).
DEMO_CONTACTS = (
    DemoContact("adc", "Nesrine Kaci", "Animatrice du cluster", "contact.adc@example.dz"),
    DemoContact("c-mec", "Farid Mansouri", "Animateur du cluster", "contact.c-mec@example.dz"),
    DemoContact("c-agro", "Meriem Zerrouki", "Animatrice du cluster", "contact.c-agro@example.dz"),
)


@transaction.atomic
def seed_partners() -> dict[str, Organisation]:
    """Create the demo organisations, agreements and contacts that are missing.

    Returns every demo organisation keyed by slug. Existing rows are never changed.
    """
    organisations: dict[str, Organisation] = {}
    for spec in DEMO_ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=spec.slug).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                slug=spec.slug,
                kind=spec.kind,
                sector=spec.sector,
                acronym=spec.acronym,
                name_fr=spec.name_fr,
                name_ar=spec.name_ar,
                name_en=spec.name_en,
                wilaya=spec.wilaya,
                description_fr=spec.description_fr,
                description_ar=spec.description_ar,
                description_en=spec.description_en,
            )
        organisations[spec.slug] = organisation

    for agreement_spec in DEMO_AGREEMENTS:
        if Agreement.objects.filter(title=agreement_spec.title).exists():
            continue
        agreement = Agreement.objects.create(
            title=agreement_spec.title,
            signed_on=agreement_spec.signed_on,
            valid_from=agreement_spec.valid_from,
            valid_until=agreement_spec.valid_until,
            summary=agreement_spec.summary,
            **dict.fromkeys(agreement_spec.scopes, True),
        )
        agreement.parties.set([organisations[slug] for slug in agreement_spec.parties])

    for contact_spec in DEMO_CONTACTS:
        organisation = organisations[contact_spec.organisation]
        if not Contact.objects.filter(organisation=organisation, email=contact_spec.email).exists():
            Contact.objects.create(
                organisation=organisation,
                full_name=contact_spec.full_name,
                role=contact_spec.role,
                email=contact_spec.email,
            )
    return organisations
