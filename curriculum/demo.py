"""Demo curriculum: the master of academic-rules.md §4 (four semesters, every UE and module with its
credits, coefficient, weekly hours, weighting and co-teaching partners).

Created once and never changed after: the diploma authority is found by issuer, the
programme by code, semesters by number, units and modules by code; a second run changes
nothing. The structure is checked at the end (docs/academic-rules.md §4 "Seed-data checks").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from curriculum.models import (
    DiplomaAuthority,
    Module,
    ModuleLecturer,
    ModulePartner,
    Programme,
    Semester,
    TeachingUnit,
)
from partners.models import Organisation

LEAD, CO, HOST = ModulePartner.Role.LEAD, ModulePartner.Role.CO, ModulePartner.Role.HOST

# (w_cc, w_exam)
W_40_60 = (Decimal("0.40"), Decimal("0.60"))
W_CC = (Decimal("1.00"), Decimal("0.00"))

CLUSTERS = ("c-mec", "adc", "c-agro")

# Modules whose lead lecturer is the demo lecturer, when one is given.
LECTURER_MODULES = ("F1.1.1", "F2.1.1", "M2.1.1")


def _teaching(*slugs: str) -> tuple[tuple[str, str], ...]:
    """The first partner leads, the others co-teach."""
    return tuple((slug, LEAD if i == 0 else CO) for i, slug in enumerate(slugs))


def _hosts(*slugs: str) -> tuple[tuple[str, str], ...]:
    return tuple((slug, HOST) for slug in slugs)


@dataclass(frozen=True)
class ModuleSpec:
    code: str
    title_fr: str
    title_ar: str
    title_en: str
    credits: int
    coefficient: int
    hours: tuple[str, str, str]  # lecture / tutorial / practical per week
    weights: tuple[Decimal, Decimal]
    partners: tuple[tuple[str, str], ...]
    description_fr: str
    description_en: str
    outcomes_fr: str
    outcomes_en: str
    student_work_hours: int | None = None
    is_thesis: bool = False


@dataclass(frozen=True)
class UnitSpec:
    code: str
    kind: str
    title_fr: str
    title_ar: str
    title_en: str
    credits: int
    coefficient: int
    modules: tuple[ModuleSpec, ...]


@dataclass(frozen=True)
class SemesterSpec:
    number: int
    title_fr: str
    title_ar: str
    title_en: str
    units: tuple[UnitSpec, ...]


UEF, UEM, UED, UET = (
    TeachingUnit.Kind.UEF,
    TeachingUnit.Kind.UEM,
    TeachingUnit.Kind.UED,
    TeachingUnit.Kind.UET,
)

S1 = SemesterSpec(
    1,
    "Fondements",
    "الأسس",
    "Foundations",
    (
        UnitSpec(
            "UEF1.1",
            UEF,
            "Clusters, territoires et politiques industrielles",
            "العناقيد والأقاليم والسياسات الصناعية",
            "Clusters, territories and industrial policy",
            10,
            5,
            (
                ModuleSpec(
                    "F1.1.1",
                    "Économie géographique, clusters et systèmes productifs locaux",
                    "الاقتصاد الجغرافي والعناقيد والأنظمة الإنتاجية المحلية",
                    "Economic geography, clusters & local production systems",
                    6,
                    3,
                    ("3", "1.5", "0"),
                    W_40_60,
                    _teaching("tema"),
                    "Les théories de l'agglomération et des clusters, et les systèmes productifs "
                    "locaux en Algérie et ailleurs.",
                    "Theories of agglomeration and clusters, and local production systems in "
                    "Algeria and elsewhere.",
                    "Expliquer pourquoi les entreprises se regroupent ; distinguer cluster, "
                    "district et système productif local ; situer un cluster dans son territoire.",
                    "Explain why firms cluster; tell a cluster, a district and a local "
                    "production system apart; place a cluster in its territory.",
                ),
                ModuleSpec(
                    "F1.1.2",
                    "Politique industrielle et politique des clusters (Algérie, UE)",
                    "السياسة الصناعية وسياسة العناقيد (الجزائر، الاتحاد الأوروبي)",
                    "Industrial & cluster policy",
                    4,
                    2,
                    ("1.5", "1.5", "0"),
                    W_40_60,
                    _teaching("tema", "wtc-alger"),
                    "Les politiques industrielles et de clusters en Algérie et dans l'Union "
                    "européenne : acteurs, instruments et dispositifs d'appui.",
                    "Industrial and cluster policies in Algeria and the European Union: actors, "
                    "instruments and support schemes.",
                    "Décrire les instruments d'une politique de clusters ; comparer les "
                    "approches algérienne et européenne ; repérer les dispositifs d'appui.",
                    "Describe the instruments of a cluster policy; compare the Algerian and "
                    "European approaches; identify support schemes.",
                ),
            ),
        ),
        UnitSpec(
            "UEF1.2",
            UEF,
            "Réseaux et stratégie",
            "الشبكات والاستراتيجية",
            "Networks and strategy",
            8,
            4,
            (
                ModuleSpec(
                    "F1.2.1",
                    "Management des réseaux inter-organisationnels",
                    "إدارة الشبكات بين المنظمات",
                    "Inter-organisational network management",
                    4,
                    2,
                    ("1.5", "1.5", "0"),
                    W_40_60,
                    _teaching("tema"),
                    "La coopération entre organisations : confiance, coordination, "
                    "intelligence collective et dynamique des réseaux.",
                    "Cooperation between organisations: trust, coordination, collective "
                    "intelligence and network dynamics.",
                    "Analyser la structure d'un réseau d'acteurs ; choisir des mécanismes de "
                    "coordination ; animer une démarche collective.",
                    "Analyse the structure of a network of actors; choose coordination "
                    "mechanisms; lead a collective approach.",
                ),
                ModuleSpec(
                    "F1.2.2",
                    "Stratégie et chaînes de valeur",
                    "الاستراتيجية وسلاسل القيمة",
                    "Strategy & value chains",
                    4,
                    2,
                    ("1.5", "1.5", "0"),
                    W_40_60,
                    _teaching("tema", "c-agro"),
                    "L'analyse stratégique appliquée aux filières et aux chaînes de valeur, "
                    "illustrée par la filière agroalimentaire.",
                    "Strategic analysis applied to industries and value chains, illustrated by "
                    "the agro-food sector.",
                    "Cartographier une chaîne de valeur ; identifier les avantages "
                    "concurrentiels d'une filière ; proposer des axes stratégiques.",
                    "Map a value chain; identify the competitive advantages of an industry; "
                    "propose strategic priorities.",
                ),
            ),
        ),
        UnitSpec(
            "UEM1.1",
            UEM,
            "Méthodes d'analyse et de projet",
            "مناهج التحليل والمشروع",
            "Analysis and project methods",
            9,
            5,
            (
                ModuleSpec(
                    "M1.1.1",
                    "Analyse territoriale et cartographie des clusters (SIG)",
                    "التحليل الإقليمي ورسم خرائط العناقيد (نظم المعلومات الجغرافية)",
                    "Territorial analysis & cluster mapping (GIS)",
                    4,
                    2,
                    ("1.5", "0", "1.5"),
                    W_40_60,
                    _teaching("esi"),
                    "Les méthodes d'analyse territoriale et la cartographie des clusters avec un "
                    "système d'information géographique.",
                    "Territorial analysis methods and cluster mapping with a geographic "
                    "information system.",
                    "Construire une carte d'acteurs d'un territoire ; calculer des indicateurs "
                    "de concentration ; présenter des résultats cartographiques.",
                    "Build a map of a territory's actors; compute concentration indicators; "
                    "present results as maps.",
                ),
                ModuleSpec(
                    "M1.1.2",
                    "Statistique et analyse de données économiques",
                    "الإحصاء وتحليل البيانات الاقتصادية",
                    "Statistics & economic data analysis",
                    3,
                    2,
                    ("1.5", "1.5", "0"),
                    W_40_60,
                    _teaching("esi"),
                    "Les outils statistiques pour décrire et analyser des données économiques "
                    "d'entreprises et de territoires.",
                    "Statistical tools to describe and analyse economic data on firms and "
                    "territories.",
                    "Collecter et nettoyer des données ; produire des statistiques descriptives ; "
                    "interpréter une régression simple.",
                    "Collect and clean data; produce descriptive statistics; interpret a simple "
                    "regression.",
                ),
                ModuleSpec(
                    "M1.1.3",
                    "Méthodologie de projet",
                    "منهجية المشروع",
                    "Project methodology",
                    2,
                    1,
                    ("0", "1.5", "0"),
                    W_CC,
                    _teaching("tema"),
                    "Les bases de la conduite de projet : cadrage, planification, suivi et "
                    "restitution.",
                    "Project basics: scoping, planning, monitoring and reporting.",
                    "Rédiger une note de cadrage ; établir un planning ; suivre l'avancement "
                    "d'un projet.",
                    "Write a project brief; draw up a schedule; monitor a project's progress.",
                ),
            ),
        ),
        UnitSpec(
            "UED1.1",
            UED,
            "Découverte des filières",
            "اكتشاف الشعب الصناعية",
            "Discovering industrial sectors",
            2,
            1,
            (
                ModuleSpec(
                    "D1.1.1",
                    "Découverte des filières industrielles algériennes (visites)",
                    "اكتشاف الشعب الصناعية الجزائرية (زيارات ميدانية)",
                    "Algerian industrial sectors (site visits)",
                    2,
                    1,
                    ("0", "1.5", "0"),
                    W_CC,
                    _hosts(*CLUSTERS),
                    "Des visites d'entreprises membres des clusters partenaires : mécanique de "
                    "précision, numérique et agroalimentaire.",
                    "Visits to member companies of the partner clusters: precision mechanics, "
                    "digital and agro-food.",
                    "Décrire l'organisation d'une filière ; rendre compte d'une visite ; "
                    "identifier les besoins de coopération des entreprises.",
                    "Describe how an industry is organised; report on a visit; identify the "
                    "cooperation needs of companies.",
                ),
            ),
        ),
        UnitSpec(
            "UET1.1",
            UET,
            "Langue",
            "اللغة",
            "Language",
            1,
            1,
            (
                ModuleSpec(
                    "T1.1.1",
                    "Anglais professionnel",
                    "الإنجليزية المهنية",
                    "Business English",
                    1,
                    1,
                    ("0", "1.5", "0"),
                    W_CC,
                    _teaching("tema"),
                    "L'anglais des situations professionnelles : réunions, courriels et "
                    "présentations.",
                    "English for work situations: meetings, e-mails and presentations.",
                    "Participer à une réunion en anglais ; rédiger un courriel professionnel ; "
                    "présenter un projet.",
                    "Take part in a meeting in English; write a business e-mail; present a "
                    "project.",
                ),
            ),
        ),
    ),
)

S2 = SemesterSpec(
    2,
    "Management de cluster",
    "إدارة العناقيد",
    "Cluster management",
    (
        UnitSpec(
            "UEF2.1",
            UEF,
            "Management de cluster",
            "إدارة العنقود",
            "Cluster management",
            10,
            5,
            (
                ModuleSpec(
                    "F2.1.1",
                    "Management de cluster : gouvernance, animation, offre de services",
                    "إدارة العنقود: الحوكمة والتنشيط وعرض الخدمات",
                    "Cluster management: governance, facilitation, service portfolio",
                    6,
                    3,
                    ("3", "1.5", "0"),
                    W_40_60,
                    _teaching("tema", "c-mec"),
                    "Le métier de manager de cluster : gouvernance, animation des membres et "
                    "offre de services, avec l'exemple de la mise en place d'un jeune cluster.",
                    "The cluster manager's job: governance, member facilitation and service "
                    "portfolio, with the example of setting up a young cluster.",
                    "Concevoir la gouvernance d'un cluster ; bâtir une offre de services pour "
                    "ses membres ; planifier l'animation d'une année.",
                    "Design a cluster's governance; build a service portfolio for its members; "
                    "plan a year of facilitation.",
                ),
                ModuleSpec(
                    "F2.1.2",
                    "Financement et modèle économique des clusters",
                    "تمويل العناقيد ونموذجها الاقتصادي",
                    "Cluster financing & business models",
                    4,
                    2,
                    ("1.5", "1.5", "0"),
                    W_40_60,
                    _teaching("tema", "wtc-alger"),
                    "Les sources de financement d'un cluster et les modèles économiques qui "
                    "assurent sa pérennité.",
                    "A cluster's funding sources and the business models that make it sustainable.",
                    "Établir le budget d'un cluster ; combiner cotisations, services et "
                    "financements publics ; évaluer la pérennité d'un modèle.",
                    "Draw up a cluster budget; combine fees, services and public funding; "
                    "assess whether a model is sustainable.",
                ),
            ),
        ),
        UnitSpec(
            "UEF2.2",
            UEF,
            "Innovation et intelligence économique",
            "الابتكار والذكاء الاقتصادي",
            "Innovation and economic intelligence",
            8,
            4,
            (
                ModuleSpec(
                    "F2.2.1",
                    "Management de l'innovation et transfert de technologie",
                    "إدارة الابتكار ونقل التكنولوجيا",
                    "Innovation management & technology transfer",
                    4,
                    2,
                    ("1.5", "1.5", "0"),
                    W_40_60,
                    _teaching("enp", "c-mec"),
                    "L'innovation collaborative et le transfert de technologie entre "
                    "laboratoires et entreprises d'un cluster.",
                    "Collaborative innovation and technology transfer between laboratories and "
                    "a cluster's companies.",
                    "Monter un projet d'innovation collaboratif ; organiser un transfert de "
                    "technologie ; repérer des partenaires de recherche.",
                    "Set up a collaborative innovation project; organise a technology transfer; "
                    "find research partners.",
                ),
                ModuleSpec(
                    "F2.2.2",
                    "Intelligence économique et veille territoriale",
                    "الذكاء الاقتصادي واليقظة الإقليمية",
                    "Economic & territorial intelligence, technology watch",
                    4,
                    2,
                    ("1.5", "1.5", "0"),
                    W_40_60,
                    _teaching("esi", "adc"),
                    "La collecte, l'analyse et la diffusion d'informations stratégiques au "
                    "service des membres d'un cluster.",
                    "Collecting, analysing and sharing strategic information for a cluster's "
                    "members.",
                    "Mettre en place un dispositif de veille ; produire une note de synthèse ; "
                    "diffuser l'information aux membres.",
                    "Set up a watch system; write a briefing note; share information with members.",
                ),
            ),
        ),
        UnitSpec(
            "UEM2.1",
            UEM,
            "Outils et méthodes de l'animation de réseaux",
            "أدوات ومناهج تنشيط الشبكات",
            "Network facilitation tools and methods",
            9,
            5,
            (
                ModuleSpec(
                    "M2.1.1",
                    "Gestion de projets collaboratifs",
                    "إدارة المشاريع التعاونية",
                    "Collaborative project management",
                    4,
                    2,
                    ("1.5", "0", "1.5"),
                    W_40_60,
                    _teaching("tema"),
                    "La conduite de projets réunissant plusieurs entreprises et institutions, "
                    "du montage au bilan.",
                    "Running projects that bring several companies and institutions together, "
                    "from set-up to review.",
                    "Monter un consortium ; répartir rôles et ressources ; piloter les risques "
                    "d'un projet collaboratif.",
                    "Build a consortium; share roles and resources; manage the risks of a "
                    "collaborative project.",
                ),
                ModuleSpec(
                    "M2.1.2",
                    "Outils numériques d'animation de réseaux (CRM, plateformes)",
                    "الأدوات الرقمية لتنشيط الشبكات (إدارة علاقات الأعضاء، المنصات)",
                    "Digital tools for network facilitation",
                    3,
                    2,
                    ("0", "0", "3"),
                    W_CC,
                    _teaching("esi", "adc"),
                    "La pratique des outils numériques d'un cluster : gestion de la relation "
                    "membres (CRM) et plateformes collaboratives.",
                    "Hands-on use of a cluster's digital tools: member relationship management "
                    "(CRM) and collaborative platforms.",
                    "Paramétrer un CRM pour un réseau ; animer une communauté en ligne ; "
                    "mesurer l'engagement des membres.",
                    "Configure a CRM for a network; run an online community; measure member "
                    "engagement.",
                ),
                ModuleSpec(
                    "M2.1.3",
                    "Méthodes d'enquête et d'entretien",
                    "مناهج الاستقصاء والمقابلة",
                    "Survey & interview methods",
                    2,
                    1,
                    ("0", "1.5", "0"),
                    W_CC,
                    _teaching("tema"),
                    "Les méthodes d'enquête par questionnaire et par entretien auprès des "
                    "entreprises et des acteurs publics.",
                    "Questionnaire and interview methods with companies and public actors.",
                    "Construire un questionnaire ; conduire un entretien semi-directif ; "
                    "analyser les réponses.",
                    "Design a questionnaire; conduct a semi-structured interview; analyse the "
                    "answers.",
                ),
            ),
        ),
        UnitSpec(
            "UED2.1",
            UED,
            "Filière agroalimentaire",
            "شعبة الصناعات الغذائية",
            "Agri-food sector",
            2,
            1,
            (
                ModuleSpec(
                    "D2.1.1",
                    "Filière agroalimentaire : chaînes de valeur, qualité, normes",
                    "شعبة الصناعات الغذائية: سلاسل القيمة والجودة والمعايير",
                    "Agri-food value chains, quality & standards",
                    2,
                    1,
                    ("1.5", "0", "0"),
                    W_40_60,
                    _teaching("c-agro"),
                    "La filière agroalimentaire : organisation des chaînes de valeur, démarches "
                    "qualité et normes.",
                    "The agri-food sector: value-chain organisation, quality approaches and "
                    "standards.",
                    "Décrire la chaîne de valeur d'une filière agroalimentaire ; citer les "
                    "principales normes de qualité ; repérer les enjeux collectifs d'une filière.",
                    "Describe an agri-food value chain; name the main quality standards; "
                    "identify an industry's collective issues.",
                ),
            ),
        ),
        UnitSpec(
            "UET2.1",
            UET,
            "Communication",
            "الاتصال",
            "Communication",
            1,
            1,
            (
                ModuleSpec(
                    "T2.1.1",
                    "Communication et négociation",
                    "الاتصال والتفاوض",
                    "Communication & negotiation",
                    1,
                    1,
                    ("0", "1.5", "0"),
                    W_CC,
                    _teaching("tema"),
                    "La communication d'un réseau et la négociation entre partenaires aux "
                    "intérêts divers.",
                    "Network communication and negotiation between partners with different "
                    "interests.",
                    "Préparer une prise de parole ; conduire une négociation ; rédiger un "
                    "message pour les membres d'un réseau.",
                    "Prepare a talk; conduct a negotiation; write a message to a network's "
                    "members.",
                ),
            ),
        ),
    ),
)

S3 = SemesterSpec(
    3,
    "Territoires, innovation, international",
    "الأقاليم والابتكار والبعد الدولي",
    "Territories, innovation, international",
    (
        UnitSpec(
            "UEF3.1",
            UEF,
            "Territoires et international",
            "الأقاليم والبعد الدولي",
            "Territories and internationalisation",
            10,
            5,
            (
                ModuleSpec(
                    "F3.1.1",
                    "Développement territorial et gouvernance locale",
                    "التنمية الإقليمية والحوكمة المحلية",
                    "Territorial development & local governance",
                    6,
                    3,
                    ("3", "1.5", "0"),
                    W_40_60,
                    _teaching("tema"),
                    "Le développement économique des territoires et le rôle des collectivités, "
                    "des services de l'État et des clusters dans la gouvernance locale.",
                    "Regional economic development and the role of local authorities, state "
                    "services and clusters in local governance.",
                    "Établir un diagnostic territorial ; identifier les acteurs de la "
                    "gouvernance locale ; proposer une stratégie de développement.",
                    "Carry out a territorial diagnosis; identify the actors of local "
                    "governance; propose a development strategy.",
                ),
                ModuleSpec(
                    "F3.1.2",
                    "Internationalisation des clusters et commerce international",
                    "تدويل العناقيد والتجارة الدولية",
                    "Cluster internationalisation & international trade",
                    4,
                    2,
                    ("1.5", "1.5", "0"),
                    W_40_60,
                    _teaching("wtc-alger"),
                    "Les stratégies d'internationalisation des clusters et les bases du "
                    "commerce international pour leurs membres.",
                    "Cluster internationalisation strategies and the basics of international "
                    "trade for their members.",
                    "Élaborer une stratégie d'internationalisation ; préparer une mission à "
                    "l'étranger ; maîtriser les règles de base de l'export.",
                    "Draw up an internationalisation strategy; prepare a trade mission; master "
                    "the basic rules of exporting.",
                ),
            ),
        ),
        UnitSpec(
            "UEF3.2",
            UEF,
            "Performance et transformation numérique",
            "الأداء والتحول الرقمي",
            "Performance and digital transformation",
            8,
            4,
            (
                ModuleSpec(
                    "F3.2.1",
                    "Évaluation, benchmarking et labellisation (ECEI/ESCA)",
                    "التقييم والمقارنة المرجعية ووسم العناقيد (ECEI/ESCA)",
                    "Cluster evaluation, benchmarking & labelling",
                    4,
                    2,
                    ("1.5", "1.5", "0"),
                    W_40_60,
                    _teaching("tema"),
                    "L'évaluation des clusters, le benchmarking et les labels d'excellence du "
                    "management de cluster (bronze, argent, or).",
                    "Cluster evaluation, benchmarking and the cluster management excellence "
                    "labels (bronze, silver, gold).",
                    "Conduire une auto-évaluation de cluster ; comparer des indicateurs avec "
                    "d'autres clusters ; préparer une démarche de labellisation.",
                    "Carry out a cluster self-assessment; compare indicators with other "
                    "clusters; prepare a labelling application.",
                ),
                ModuleSpec(
                    "F3.2.2",
                    "Industrie 4.0 et transformation numérique des PME",
                    "الصناعة 4.0 والتحول الرقمي للمؤسسات الصغيرة والمتوسطة",
                    "Industry 4.0 & SME digital transformation",
                    4,
                    2,
                    ("1.5", "0", "1.5"),
                    W_40_60,
                    _teaching("enp", "esi", "adc", "c-mec"),
                    "Les technologies de l'industrie 4.0 et l'accompagnement des PME dans leur "
                    "transformation numérique.",
                    "Industry 4.0 technologies and supporting SMEs through their digital "
                    "transformation.",
                    "Évaluer la maturité numérique d'une PME ; proposer une feuille de route ; "
                    "identifier des solutions adaptées à une filière.",
                    "Assess an SME's digital maturity; propose a roadmap; identify solutions "
                    "suited to an industry.",
                ),
            ),
        ),
        UnitSpec(
            "UEM3.1",
            UEM,
            "Projet et méthodologie",
            "المشروع والمنهجية",
            "Project and methodology",
            9,
            5,
            (
                ModuleSpec(
                    "M3.1.1",
                    "Projet tutoré en cluster",
                    "مشروع مؤطر داخل عنقود",
                    "Tutored cluster project",
                    5,
                    3,
                    ("0", "0", "3"),
                    W_CC,
                    _hosts(*CLUSTERS),
                    "Un projet réalisé en équipe pour un cluster partenaire, sur une question "
                    "posée par ses membres.",
                    "A team project carried out for a partner cluster, on a question raised by "
                    "its members.",
                    "Répondre à la commande d'un cluster ; travailler en équipe avec des "
                    "professionnels ; présenter des recommandations.",
                    "Answer a cluster's brief; work in a team with practitioners; present "
                    "recommendations.",
                ),
                ModuleSpec(
                    "M3.1.2",
                    "Méthodologie du mémoire et recherche appliquée",
                    "منهجية المذكرة والبحث التطبيقي",
                    "Thesis & applied-research methodology",
                    2,
                    1,
                    ("0", "1.5", "0"),
                    W_CC,
                    _teaching("tema"),
                    "La préparation du mémoire professionnel : problématique, revue de "
                    "littérature, méthode et plan.",
                    "Preparing the professional thesis: research question, literature review, "
                    "method and outline.",
                    "Formuler une problématique ; mener une revue de littérature ; rédiger un "
                    "projet de mémoire.",
                    "Frame a research question; carry out a literature review; write a thesis "
                    "proposal.",
                ),
                ModuleSpec(
                    "M3.1.3",
                    "Pilotage et tableaux de bord de cluster (KPI)",
                    "قيادة العنقود ولوحات القيادة (مؤشرات الأداء)",
                    "Cluster performance dashboards",
                    2,
                    1,
                    ("0", "1.5", "0"),
                    W_CC,
                    _teaching("tema"),
                    "Les indicateurs de performance (KPI) et les tableaux de bord pour piloter "
                    "l'activité d'un cluster.",
                    "Key performance indicators (KPI) and dashboards to steer a cluster's "
                    "activity.",
                    "Choisir des indicateurs pertinents ; construire un tableau de bord ; "
                    "rendre compte aux membres et aux financeurs.",
                    "Choose relevant indicators; build a dashboard; report to members and funders.",
                ),
            ),
        ),
        UnitSpec(
            "UED3.1",
            UED,
            "Cadre juridique",
            "الإطار القانوني",
            "Legal framework",
            2,
            1,
            (
                ModuleSpec(
                    "D3.1.1",
                    "Cadre juridique des groupements (GIC) et propriété intellectuelle",
                    "الإطار القانوني للتجمعات (تجمعات المصلحة المشتركة) والملكية الفكرية",
                    "Legal framework of business groupings & IP",
                    2,
                    1,
                    ("1.5", "0", "0"),
                    W_40_60,
                    _teaching("tema", "wtc-alger"),
                    "Le groupement d'intérêt commun (GIC), forme juridique des clusters "
                    "algériens, et la protection de la propriété intellectuelle.",
                    "The common-interest grouping (GIC), the legal form of Algerian clusters, "
                    "and intellectual property protection.",
                    "Expliquer le fonctionnement d'un GIC ; rédiger les clauses essentielles "
                    "d'un accord de consortium ; protéger un résultat d'innovation.",
                    "Explain how a GIC works; draft the key clauses of a consortium agreement; "
                    "protect an innovation result.",
                ),
            ),
        ),
        UnitSpec(
            "UET3.1",
            UET,
            "Langue",
            "اللغة",
            "Language",
            1,
            1,
            (
                ModuleSpec(
                    "T3.1.1",
                    "Anglais des affaires internationales",
                    "إنجليزية الأعمال الدولية",
                    "International business English",
                    1,
                    1,
                    ("0", "1.5", "0"),
                    W_CC,
                    _teaching("tema"),
                    "L'anglais des échanges internationaux : négociation, contrats et missions "
                    "à l'étranger.",
                    "English for international business: negotiation, contracts and trade "
                    "missions.",
                    "Négocier en anglais ; comprendre un contrat international ; présenter un "
                    "cluster à des partenaires étrangers.",
                    "Negotiate in English; understand an international contract; present a "
                    "cluster to foreign partners.",
                ),
            ),
        ),
    ),
)

S4 = SemesterSpec(
    4,
    "Stage et mémoire",
    "التربص والمذكرة",
    "Internship and thesis",
    (
        UnitSpec(
            "UEF4.1",
            UEF,
            "Stage et mémoire professionnel",
            "التربص والمذكرة المهنية",
            "Internship and professional thesis",
            30,
            1,
            (
                ModuleSpec(
                    "F4.1.1",
                    "Mémoire professionnel",
                    "المذكرة المهنية",
                    "Professional thesis",
                    30,
                    1,
                    ("0", "0", "0"),
                    W_CC,
                    _hosts(*CLUSTERS),
                    "Un stage de 16 à 24 semaines dans une entreprise membre d'un cluster ou "
                    "une organisation de cluster, suivi de la rédaction et de la soutenance "
                    "d'un mémoire professionnel.",
                    "A 16 to 24-week internship in a cluster member company or a cluster "
                    "organisation, followed by writing and defending a professional thesis.",
                    "Mener une mission professionnelle dans un cluster ; analyser une situation "
                    "réelle avec rigueur ; rédiger et soutenir un mémoire.",
                    "Carry out a professional assignment in a cluster; analyse a real situation "
                    "rigorously; write and defend a thesis.",
                    student_work_hours=750,
                    is_thesis=True,
                ),
            ),
        ),
    ),
)

SEMESTERS = (S1, S2, S3, S4)

DIPLOMA_AUTHORITY = {
    "issuer_fr": "TEMA – Institut de technologie et de management d'Alger",
    "issuer_ar": "تيما – معهد التكنولوجيا والتسيير بالجزائر",
    "issuer_en": "TEMA – Algiers Institute of Technology and Management",
    "diploma_title_fr": "Diplôme de master professionnel (diplôme d'établissement)",
    "diploma_title_ar": "شهادة ماستر مهني (شهادة مؤسسة)",
    "diploma_title_en": "Professional master's diploma (establishment diploma)",
    "legal_basis_fr": (
        "Diplôme d'établissement délivré par TEMA – Institut de technologie et de management "
        "d'Alger, en partenariat avec le World Trade Center Algiers. Ce n'est pas le diplôme "
        "national de master."
    ),
    "legal_basis_ar": (
        "شهادة مؤسسة يمنحها معهد التكنولوجيا والتسيير بالجزائر (TEMA) بالشراكة مع المركز "
        "العالمي للتجارة – الجزائر. وهي ليست شهادة الماستر الوطنية."
    ),
    "signatories": "Directeur de TEMA\nPrésident du jury",
}

PROGRAMME = {
    "code": "MCRT",
    "slug": "mcrt",
    "title_fr": "Master en management de cluster et réseaux territoriaux",
    "title_ar": "ماستر في إدارة العناقيد الصناعية والشبكات الإقليمية",
    "title_en": "Master in cluster and territorial network management",
    "domain_fr": "Sciences économiques, de gestion et commerciales",
    "domain_ar": "العلوم الاقتصادية والتسيير والعلوم التجارية",
    "domain_en": "Economics, management and business studies",
    "speciality_fr": "Management de cluster et réseaux territoriaux",
    "speciality_ar": "إدارة العناقيد والشبكات الإقليمية",
    "speciality_en": "Cluster and territorial network management",
    "description_fr": (
        "Un master professionnel en quatre semestres (120 crédits) qui forme les managers de "
        "clusters et les animateurs de réseaux d'entreprises et de territoires. Il est organisé "
        "par TEMA et le WTC Algiers, avec des écoles d'ingénieurs et des clusters partenaires "
        "qui co-enseignent, accueillent les visites et les stagiaires. Le dernier semestre est "
        "consacré au stage et au mémoire professionnel."
    ),
    "description_ar": (
        "ماستر مهني من أربعة سداسيات (120 رصيدا) يكوّن مسيري العناقيد ومنشطي شبكات المؤسسات "
        "والأقاليم. ينظمه معهد TEMA والمركز العالمي للتجارة – الجزائر، بمشاركة مدارس مهندسين "
        "وعناقيد شريكة في التدريس واستقبال الزيارات والمتربصين. ويُخصَّص السداسي الأخير للتربص "
        "والمذكرة المهنية."
    ),
    "description_en": (
        "A four-semester professional master (120 credits) that trains cluster managers and "
        "facilitators of business and territorial networks. It is run by TEMA and WTC Algiers, "
        "with partner engineering schools and clusters who co-teach and host site visits and "
        "interns. The final semester is devoted to the internship and the professional thesis."
    ),
}


def _structure_errors(programme: Programme) -> list[str]:
    """What breaks the rules of academic-rules.md §4 "Seed-data checks" in the stored programme."""
    errors: list[str] = []
    semesters = list(programme.semesters.order_by("number"))
    if [s.number for s in semesters] != list(range(1, programme.semester_count + 1)):
        errors.append(
            f"semesters {[s.number for s in semesters]}, expected 1–{programme.semester_count}"
        )
    for semester in semesters:
        units = list(semester.units.prefetch_related("modules"))
        total = sum(unit.credits for unit in units)
        if total != programme.semester_credits:
            errors.append(
                f"S{semester.number}: Σ UE credits = {total}, expected {programme.semester_credits}"
            )
        for unit in units:
            modules = list(unit.modules.all())
            if not modules:
                errors.append(f"{unit.code}: no module")
                continue
            credits = sum(module.credits for module in modules)
            coefficient = sum(module.coefficient for module in modules)
            if unit.credits != credits:
                errors.append(f"{unit.code}: {unit.credits} credits but Σ modules = {credits}")
            if unit.coefficient != coefficient:
                errors.append(
                    f"{unit.code}: coefficient {unit.coefficient} but Σ modules = {coefficient}"
                )
            for module in modules:
                if module.w_cc + module.w_exam != Decimal(1):
                    errors.append(f"{module.code}: weights {module.w_cc} + {module.w_exam} ≠ 1")
    return errors


@transaction.atomic
def seed_curriculum(
    *, organisations: dict[str, Organisation], lecturers: Sequence[User] = ()
) -> Programme:
    """Create the missing parts of the demo programme (docs/academic-rules.md §4) and return it.

    ``organisations`` are the demo partners keyed by slug (``partners.demo.seed_partners``);
    the first of ``lecturers``, if any, leads F1.1.1, F2.1.1 and M2.1.1. Existing rows are
    never changed. Raises ``RuntimeError`` if the stored structure breaks the credit,
    coefficient or weighting rules.
    """
    authority = DiplomaAuthority.objects.filter(issuer_fr=DIPLOMA_AUTHORITY["issuer_fr"]).first()
    if authority is None:
        authority = DiplomaAuthority.objects.create(**DIPLOMA_AUTHORITY)

    programme = Programme.objects.filter(code=PROGRAMME["code"]).first()
    if programme is None:
        programme = Programme.objects.create(**PROGRAMME, diploma_authority=authority)

    modules: dict[str, Module] = {}
    for semester_spec in SEMESTERS:
        semester = Semester.objects.filter(programme=programme, number=semester_spec.number).first()
        if semester is None:
            semester = Semester.objects.create(
                programme=programme,
                number=semester_spec.number,
                title_fr=semester_spec.title_fr,
                title_ar=semester_spec.title_ar,
                title_en=semester_spec.title_en,
            )
        for unit_position, unit_spec in enumerate(semester_spec.units, start=1):
            unit = TeachingUnit.objects.filter(programme=programme, code=unit_spec.code).first()
            if unit is None:
                unit = TeachingUnit.objects.create(
                    semester=semester,
                    code=unit_spec.code,
                    kind=unit_spec.kind,
                    title_fr=unit_spec.title_fr,
                    title_ar=unit_spec.title_ar,
                    title_en=unit_spec.title_en,
                    credits=unit_spec.credits,
                    coefficient=unit_spec.coefficient,
                    position=unit_position,
                )
            for position, spec in enumerate(unit_spec.modules, start=1):
                module = Module.objects.filter(programme=programme, code=spec.code).first()
                if module is None:
                    lecture, tutorial, practical = (Decimal(h) for h in spec.hours)
                    module = Module.objects.create(
                        unit=unit,
                        code=spec.code,
                        title_fr=spec.title_fr,
                        title_ar=spec.title_ar,
                        title_en=spec.title_en,
                        credits=spec.credits,
                        coefficient=spec.coefficient,
                        hours_lecture=lecture,
                        hours_tutorial=tutorial,
                        hours_practical=practical,
                        student_work_hours=spec.student_work_hours,
                        w_cc=spec.weights[0],
                        w_exam=spec.weights[1],
                        description_fr=spec.description_fr,
                        description_en=spec.description_en,
                        outcomes_fr=spec.outcomes_fr,
                        outcomes_en=spec.outcomes_en,
                        position=position,
                        is_thesis=spec.is_thesis,
                    )
                modules[spec.code] = module
                for slug, role in spec.partners:
                    ModulePartner.objects.get_or_create(
                        module=module, organisation=organisations[slug], defaults={"role": role}
                    )

    if lecturers:
        for code in LECTURER_MODULES:
            ModuleLecturer.objects.get_or_create(
                module=modules[code],
                lecturer=lecturers[0],
                defaults={"role": ModuleLecturer.Role.LEAD},
            )

    errors = _structure_errors(programme)
    if errors:
        raise RuntimeError(
            f"The demo programme {programme.code} breaks the structure rules: " + "; ".join(errors)
        )
    return programme
