"""The layout of every kind of document, in both editions, with the longest realistic
content: two-line names in both scripts, 120-character module titles, twelve modules in a
semester, five co-teaching partners, three signatories, a jury record of forty students and
six members. Each PDF is read back (pdfplumber for the boxes, pdftotext for the text) and
checked: no two words overlap, no word overlaps an image (the QR code, the logos), every box
lies inside the page's margins (the seal alone in the bottom margin), no page holds only the
seal, and the code, the names and the titles come out exactly as given — whatever digits
the code holds and wherever they are."""

from __future__ import annotations

import copy
import io
import re
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from certificates import pdf
from certificates.templatetags.certificate_text import (
    arabic,
    long_date_ar,
    long_date_en,
    long_date_fr,
    ltr,
    number_ar,
    number_en,
    number_fr,
    rows_of,
)
from tests.certificates.pdfcheck import (
    content_checks,
    layout_problems,
    pdf_lines,
    pdf_text,
    rtl_phrase,
    rtl_text,
)

LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"

#: Codes whose digits sit at every position (a leading digit was printed "8 : الرقمGXX…").
CODES = ["8GXX-3AKA-EZMN-SV", "GX8X-3AKA-EZMN-SV", "GXXX-3AKA-EZMN-SV", "GXXX-XXXX-XXXX-S9"]

SURNAME = "Benabderrahmane-Ould Sidi Mohammed"  # with the given names, 61 characters
GIVEN = "Fatima-Zohra Nour El Houda"
SURNAME_AR = "بن عبد الرحمن ولد سيدي محمد الهاشمي"
GIVEN_AR = "فاطمة الزهراء نور الهدى مريم"

TITLE_FR = (
    "Management stratégique des clusters et des réseaux territoriaux d'entreprises : "
    "gouvernance, animation et évaluation"
)  # 120 characters
TITLE_AR = (
    "التسيير الاستراتيجي للعناقيد الصناعية والشبكات الإقليمية للمؤسسات: الحوكمة والتنشيط "
    "والتقييم ومتابعة مشاريع التعاون المشتركة"
)
TITLE_EN = (
    "Strategic management of clusters and territorial business networks: governance, "
    "facilitation and evaluation of joint projects"
)

PARTNERS = [
    ("World Trade Center Algiers – Centre d'affaires", "المركز العالمي للتجارة – الجزائر"),
    ("Université d'Alger 3 – Faculté des sciences économiques",
     "جامعة الجزائر 3 – كلية العلوم الاقتصادية"),
    ("Cluster Énergie Solaire Algérie (GIC)", "عنقود الطاقة الشمسية الجزائر"),
    ("Chambre algérienne de commerce et d'industrie", "الغرفة الجزائرية للتجارة والصناعة"),
    ("Hochschule Kehl – University of Applied Sciences", "جامعة كيل للعلوم التطبيقية"),
]  # fmt: skip


def png(width: int = 240, height: int = 160) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (11, 79, 108)).save(buffer, format="PNG")
    return buffer.getvalue()


def issuer(logo: str = "") -> dict[str, Any]:
    return {
        "name_fr": "TEMA – Institut de technologie et de management d'Alger",
        "name_ar": "تيما – معهد التكنولوجيا والتسيير بالجزائر",
        "name_en": "TEMA – Algiers Institute of Technology and Management",
        "legal_basis_fr": (
            "Diplôme d'établissement délivré par TEMA – Institut de technologie et de "
            "management d'Alger, en partenariat avec le World Trade Center Algiers. Ce n'est "
            "pas le diplôme national de master."
        ),
        "legal_basis_ar": (
            "شهادة مؤسسة يمنحها معهد التكنولوجيا والتسيير بالجزائر (TEMA) بالشراكة مع المركز "
            "العالمي للتجارة – الجزائر. وهي ليست شهادة الماستر الوطنية."
        ),
        "address_fr": "Tour A, Pins Maritimes, Mohammadia, 16212 Alger",
        "address_ar": "البرج أ، الصنوبر البحري، المحمدية، 16212 الجزائر",
        "logo": logo,
    }


SIGNATORIES = [
    {
        "name_fr": "Pr Abdelkader Benmansour-Bouzid",
        "name_ar": "أ.د عبد القادر بن منصور بوزيد",
        "title_fr": "Le directeur général de l'Institut",
        "title_ar": "المدير العام للمعهد",
        "title_en": "Director general of the Institute",
    },
    {
        "name_fr": "Dr Nassima Khelifi-Ait Ouali",
        "name_ar": "د. نسيمة خليفي آيت وعلي",
        "title_fr": "La responsable de la formation",
        "title_ar": "مسؤولة التكوين",
        "title_en": "Head of the programme",
    },
    {
        "name_fr": "M. Karim Ould Hamouda",
        "name_ar": "السيد كريم ولد حمودة",
        "title_fr": "Le chef du service de la scolarité",
        "title_ar": "رئيس مصلحة التمدرس",
        "title_en": "Head of student records",
    },
]


def holder(n: int = 0) -> dict[str, Any]:
    return {
        "registration_number": f"MCRT-2025-{n + 1:04d}",
        "surname_latin": SURNAME,
        "given_names_latin": GIVEN,
        "surname_ar": SURNAME_AR,
        "given_names_ar": GIVEN_AR,
        "born": {"date": "2001-12-01"},
        "birth_place_latin": "Sidi Bel Abbès",
        "birth_place_ar": "سيدي بلعباس",
        "nationality": "Algérienne",
    }


PROGRAMME = {
    "code": "MCRT",
    "title_fr": "Master professionnel en management de cluster et réseaux territoriaux",
    "title_ar": "ماستر مهني في تسيير العناقيد والشبكات الإقليمية",
    "speciality_fr": "Management de cluster et réseaux territoriaux",
    "speciality_ar": "تسيير العناقيد والشبكات الإقليمية",
    "cohort_fr": "Promotion 2025-2027 « Ibn Khaldoun »",
    "cohort_ar": "دفعة 2025-2027 «ابن خلدون»",
    "issuer_fr": "TEMA",
    "issuer_ar": "تيما",
    "signatories": ["Directeur de TEMA", "Président du jury"],
}


def modules(unit: int, count: int) -> list[dict[str, Any]]:
    return [
        {
            "code": f"F{unit}.{n + 1}.1",
            "title_fr": TITLE_FR,
            "title_ar": TITLE_AR,
            "coefficient": 2,
            "total_credits": 4 if n % 3 else 6,
            "mark": None if n == 2 else f"{8 + n % 9}.{25 * (n % 4):02d}",
            "credits": 0 if n == 2 else (4 if n % 3 else 6),
            "session": "R" if n == 3 else "N",
            "acquired_by": ["direct", "unit", "", "resit", "semester"][n % 5],
        }
        for n in range(count)
    ]


def semester(number: int) -> dict[str, Any]:
    return {
        "number": number,
        "average": "11.06",
        "credits": 30,
        "total_credits": 30,
        "decision": "ADMIS_COMP",
        "acquired_by": "annual",
        "session": "N",
        "deliberated_on": "2026-07-01",
    }


def snapshot(kind: str, edition: str = "fr", logo: str = "") -> dict[str, Any]:
    """The longest realistic snapshot of that kind (as documents.py writes them)."""
    data: dict[str, Any] = {
        "kind": kind,
        "edition": edition,
        "holder": holder(),
        "programme": copy.deepcopy(PROGRAMME),
        "issuer": issuer(logo),
        "signatories": copy.deepcopy(SIGNATORIES),
        "level": "M1",
        "academic_year": "2025-2026",
        "issued_on": "2026-12-01",
        "place_fr": "Alger",
        "place_ar": "الجزائر",
    }
    if kind == "transcript":
        units = [
            ("UEF1.1", "UEF", 4),
            ("UEF1.2", "UEF", 3),
            ("UEM1.1", "UEM", 3),
            ("UED1.1", "UED", 1),
            ("UET1.1", "UET", 1),
        ]  # 12 modules
        data["semester"] = semester(1) | {
            "units": [
                {
                    "code": code,
                    "title_fr": "Unité fondamentale : fondements du management de cluster",
                    "title_ar": "وحدة أساسية: أسس تسيير العناقيد",
                    "kind": unit_kind,
                    "average": "10.20",
                    "credits": 10,
                    "total_credits": 10,
                    "acquired_by": "unit" if i % 2 else "direct",
                    "modules": modules(i + 1, count),
                }
                for i, (code, unit_kind, count) in enumerate(units)
            ]
        }
    elif kind in ("cumulative-transcript", "success"):
        data["semesters"] = [
            semester(n) | {"session": "R" if n == 2 else "N", "decision": "ADMIS_RATT"}
            for n in (1, 2, 3, 4)
        ]
        data["years"] = [
            {
                "number": y,
                "average": "12.93",
                "credits": 60,
                "total_credits": 60,
                "decision": "ADMIS_COMP",
                "progression": "ADMIS_DETTES" if y == 1 else "",
            }
            for y in (1, 2)
        ]
        data["final"] = {
            "average": "16.19",
            "ranking_average": "15.54",
            "mention": "TRES_BIEN",
            "rank": 3,
            "credits": 120,
            "total_credits": 120,
            "deliberated_on": "2027-07-15",
        }
    elif kind == "module":
        data["academic_year"] = "2025-2026"
        data["module"] = {
            "code": "F1.1.1",
            "title_fr": TITLE_FR,
            "title_ar": TITLE_AR,
            "title_en": TITLE_EN,
            "semester": 1,
            "hours": {"lecture": "42", "tutorial": "28", "practical": "14"},
            "from": "2025-10-01",
            "to": "2026-01-15",
            "credits": 6,
        }
        data["partners"] = [{"name_fr": fr, "name_ar": ar, "logo": logo} for fr, ar in PARTNERS]
        data["result"] = {
            "assessed": True,
            "mark": "16.00",
            "validated": True,
            "acquired_by": "direct",
            "session": "N",
            "credits": 6,
        }
    elif kind == "jury-record":
        for key in ("holder", "level"):
            del data[key]
        data["jury"] = {
            "semester": 1,
            "year": None,
            "session": "N",
            "version": 2,
            "closed_on": "2026-07-01",
            "published_on": "2026-07-03",
            "members": [
                {"name": "Pr Abdelkader Benmansour-Bouzid", "role": "president",
                 "role_fr": "Président du jury", "role_ar": "رئيس اللجنة"},
                *[
                    {"name": f"Dr Membre Numéro {n} Ould Ait Hamouda-Khelifi", "role": "member",
                     "role_fr": "Membre", "role_ar": "عضو"}
                    for n in range(1, 6)
                ],
            ],
        }  # fmt: skip
        data["rows"] = [
            {
                "registration_number": f"MCRT-2025-{n:04d}",
                "surname_latin": SURNAME,
                "given_names_latin": GIVEN,
                "surname_ar": SURNAME_AR,
                "given_names_ar": GIVEN_AR,
                "average": f"{8 + n % 10}.{n % 100:02d}",
                "credits": 30 if n % 4 else 18,
                "total_credits": 30,
                "decision": "ADMIS" if n % 4 else "AJOURNE",
            }
            for n in range(1, 41)
        ]
        data["decisions"] = {"ADMIS": 30, "AJOURNE": 10}
    return data


EDITIONS = {
    "enrollment": ("fr", "en"),
    "transcript": ("fr", "en"),
    "cumulative-transcript": ("fr", "en"),
    "success": ("fr", "en"),
    "module": ("fr", "en"),
    "jury-record": ("fr",),
}
CASES = [(kind, edition) for kind, editions in EDITIONS.items() for edition in editions]


@pytest.fixture
def logo(settings, tmp_path) -> str:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return default_storage.save("logos/tema.png", ContentFile(png()))


@pytest.mark.parametrize(("kind", "edition"), CASES)
def test_the_longest_content_lays_out_without_a_collision(kind, edition, logo, tmp_path):
    code = CODES[CASES.index((kind, edition)) % len(CODES)]
    data = snapshot(kind, edition, logo)
    content = pdf.render_pdf(data, code)
    assert layout_problems(content) == []
    content_checks(content, code, data, tmp_path)  # qpdf, every page's QR, PDF/A, JSON
    text = pdf_text(content)
    assert code in text
    for name in (SURNAME.upper(), GIVEN, SURNAME_AR, GIVEN_AR):
        assert name in text, name
    if kind in ("transcript", "module"):
        assert TITLE_FR in text
    if kind in ("transcript", "module") and edition == "fr":
        # pdftotext has every word of the Arabic title (though it splits some at a
        # non-joining letter, "مشار يع", and moves them around the colon); the title
        # itself is read in order from the glyphs' positions (rtl_text).
        squeezed = text.replace(" ", "")
        for word in re.findall(r"\w+", TITLE_AR):
            assert word in squeezed, word
        assert TITLE_AR in rtl_text(content)
    if kind == "module" and edition == "en":
        assert TITLE_EN in text


#: How many pages the longest content takes: the seal never gets a page of its own, and a
#: kind never takes more pages than its content needs.
PAGES = {
    ("enrollment", "fr"): 1,
    ("enrollment", "en"): 1,
    ("success", "fr"): 1,
    ("success", "en"): 1,
    ("cumulative-transcript", "fr"): 1,
    ("cumulative-transcript", "en"): 1,
    ("transcript", "fr"): 2,
    ("transcript", "en"): 2,
    ("module", "fr"): 2,  # five partners, each with a signature box
    ("module", "en"): 2,
    ("jury-record", "fr"): 3,  # forty students, six members
}


@pytest.mark.parametrize(("kind", "edition"), CASES)
def test_the_longest_content_takes_no_more_pages_than_it_needs(kind, edition):
    import pypdf

    content = pdf.render_pdf(snapshot(kind, edition), CODES[0])
    assert len(pypdf.PdfReader(io.BytesIO(content)).pages) == PAGES[kind, edition]


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("kind", ["enrollment", "transcript"])
def test_the_code_comes_out_exactly_on_the_french_and_the_arabic_line(code, kind):
    content = pdf.render_pdf(snapshot(kind), code)
    lines = pdf_lines(content)
    french = [line for line in lines if line.startswith("N° :")]
    arabic_lines = [line for line in lines if "الرقم" in line and "Vérification" not in line]
    pages = 2 if kind == "transcript" else 1
    assert len(french) == len(arabic_lines) == pages  # the seal, on every page
    for line in french + arabic_lines:
        assert code in line, line
        assert f"/verify/{code}/" in line, line
    assert f"N° : {code} · Vérification" in french[0]
    assert not any(f"{code[0]} : الرقم" in line for line in lines)  # the old scrambling


@pytest.mark.parametrize("code", CODES)
def test_the_english_edition_prints_the_code_on_the_english_and_the_french_line(code):
    lines = pdf_lines(pdf.render_pdf(snapshot("enrollment", "en"), code))
    assert f"No.: {code} · Verification: " in " ".join(lines)
    assert f"N° : {code} · Vérification : " in " ".join(lines)


def test_dates_and_years_in_arabic_lines_keep_their_order():
    """The deliberation, the issue and the birth dates, the academic year and the cohort's
    years read in the right order in the Arabic lines (from the glyphs' positions)."""
    data = snapshot("transcript")
    data["programme"]["cohort_ar"] = "دفعة 2025-2027"
    text = rtl_text(pdf.render_pdf(data, CODES[0]))
    for phrase in (
        "تاريخ الميلاد: 1 ديسمبر 2001",  # Algerian month names
        "حرر بالجزائر في 1 ديسمبر 2026",
        "تاريخ المداولة: 1 جويلية 2026",
        "دفعة 2025-2027",  # from the data: its years isolated left to right
        "السنة الجامعية 2025-2026",
        "معدل السداسي: 11,06/20",
        "رقم التسجيل: MCRT-2025-0001",
    ):
        assert rtl_phrase(phrase) in text, phrase
    for scrambled in ("2027-2025", "2026-2025", "20/11,06"):
        assert rtl_phrase(scrambled) not in text


def test_long_dates_per_language():
    assert long_date_fr("2026-12-01") == "1er décembre 2026"
    assert long_date_fr("2027-01-15") == "15 janvier 2027"
    assert long_date_en("2026-12-01") == "1 December 2026"
    # ar_DZ: the Maghreb month names (جانفي, فيفري, أفريل, جوان, جويلية, أوت), isolated.
    assert long_date_ar("2026-12-01") == f"{RLI}1 ديسمبر 2026{PDI}"
    assert long_date_ar("2027-01-15") == f"{RLI}15 جانفي 2027{PDI}"
    assert long_date_ar("2026-07-05") == f"{RLI}5 جويلية 2026{PDI}"
    assert long_date_ar("2026-08-31") == f"{RLI}31 أوت 2026{PDI}"
    assert long_date_fr("") == long_date_fr(None) == ""
    assert long_date_ar(None) == ""
    assert long_date_fr("not a date") == "not a date"


def test_numbers_take_the_decimal_comma_in_french_and_arabic():
    assert number_fr("12.50") == "12,50"
    assert number_fr("9.5") == "9,50"
    assert number_fr("12.505") == "12,505"  # never rounded again
    assert number_ar("12.50") == f"{LRI}12,50{PDI}"  # Western digits, decimal comma
    assert number_ar("12.50", "/20") == f"{LRI}12,50/20{PDI}"
    assert number_en("12.50") == "12.50"
    assert number_fr(None) == ""
    assert number_ar("") == ""


def test_ltr_is_robust():
    assert ltr("8GXX-3AKA-EZMN-SV") == f"{LRI}8GXX-3AKA-EZMN-SV{PDI}"
    assert ltr(None) == ltr("") == ""
    assert ltr(2026) == f"{LRI}2026{PDI}"
    # A value cannot close the isolate early nor reorder its neighbours.
    assert ltr(f"A{PDI}\u202eB") == f"{LRI}AB{PDI}"
    assert ltr("<b>&") == f"{LRI}&lt;b&gt;&amp;{PDI}"
    assert ltr(ltr("x")) == f"{LRI}x{PDI}"  # safe input: not escaped twice


def test_digit_runs_in_arabic_data_are_isolated():
    assert arabic("دفعة 2025-2027 «ابن خلدون»") == f"دفعة {LRI}2025-2027{PDI} «ابن خلدون»"
    assert arabic("المادة F1.1.1 & <b>") == f"المادة {LRI}F1.1.1{PDI} &amp; &lt;b&gt;"
    assert arabic("بدون أرقام") == "بدون أرقام"
    assert arabic(None) == ""


def test_signatures_come_in_even_rows():
    assert rows_of([1, 2, 3], 4) == [[1, 2, 3]]
    assert rows_of([1, 2, 3, 4, 5], 4) == [[1, 2, 3], [4, 5]]
    assert rows_of([1, 2, 3, 4, 5, 6, 7, 8], 4) == [[1, 2, 3, 4], [5, 6, 7, 8]]
    assert rows_of([], 4) == []


def test_the_header_comes_from_the_issuer_and_the_signatories_are_those_given():
    content = pdf.render_pdf(snapshot("enrollment"), CODES[0])
    text = pdf_text(content)
    assert "World Trade Center Alger" not in text.replace("World Trade Center Algiers", "")
    for line in ("TEMA – Institut de technologie", "Tour A, Pins Maritimes", "diplôme national"):
        assert line in text
    arabic_text = rtl_text(content)
    assert "تيما – معهد التكنولوجيا والتسيير بالجزائر" in arabic_text
    for person in SIGNATORIES:
        assert person["title_fr"] in text
        assert person["name_fr"] in text
        assert person["title_ar"] in arabic_text
        assert person["name_ar"] in arabic_text
    assert "Président du jury" not in text  # the enrollment attestation is not the jury's


def test_an_old_snapshot_prints_the_programme_issuer_and_signatory_lines():
    data = snapshot("enrollment")
    for key in ("issuer", "signatories", "edition"):
        del data[key]
    data["programme"]["signatories"] = ["Directeur de TEMA", "Pr A. Benali — Le directeur"]
    content = pdf.render_pdf(data, CODES[1])
    assert layout_problems(content) == []
    text = pdf_text(content)
    assert "Directeur de TEMA" in text
    assert "Pr A. Benali" in text
    assert "Le directeur" in text
    assert pdf.signatories(data)[1] == {
        "name_fr": "Pr A. Benali", "title_fr": "Le directeur",
        "name_ar": "", "title_ar": "", "title_en": "",
    }  # fmt: skip
    assert pdf.issuer(data)["name_fr"] == "TEMA"
    assert pdf.render_pdf(pdf.SAMPLE, CODES[0])  # the warm-up sample still renders


def test_a_logo_prints_only_when_it_is_a_png_or_jpeg(logo):
    import pdfplumber

    default_storage.save("logos/fake.png", ContentFile(b"<svg></svg>"))
    default_storage.save("logos/tema.gif", ContentFile(b"GIF89a"))
    assert pdf.logo_data_uri(logo).startswith("data:image/png;base64,")
    for name in ("", "logos/missing.png", "logos/fake.png", "logos/tema.gif", "../x.png"):
        assert pdf.logo_data_uri(name) == "", name

    def images(data: dict[str, Any]) -> int:
        with pdfplumber.open(io.BytesIO(pdf.render_pdf(data, CODES[0]))) as document:
            return len(document.pages[0].images)

    assert images(snapshot("enrollment", logo=logo)) == 2  # the logo and the QR code
    assert images(snapshot("enrollment", logo="logos/fake.png")) == 1  # the QR code alone


def test_the_transcript_prints_units_modules_and_the_decision_in_both_languages():
    content = pdf.render_pdf(snapshot("transcript"), CODES[2])
    text = pdf_text(content)
    arabic_text = rtl_text(content)
    for words in ("Unité fondamentale", "Unité méthodologique", "Rattrapage", "Normale"):
        assert words in text
    assert "Moyenne du semestre : 11,06/20" in text
    assert "Décision du jury : Admis par compensation (par compensation annuelle)" in text
    assert "Délibération du 1er juillet 2026" in text
    assert "8,00" in text
    assert "11,75" in text
    assert "10,20" in text
    assert "قرار اللجنة: ناجح بالتعويض (بالتعويض السنوي)" in arabic_text
    assert "وحدة منهجية" in arabic_text


def test_the_cumulative_transcript_prints_years_final_mention_and_rank():
    content = pdf.render_pdf(snapshot("cumulative-transcript"), CODES[3])
    text = pdf_text(content)
    for words in ("S4", "Année 2", "120/120", "16,19/20", "Très bien", "Rang dans la promotion : 3",
                  "passage : Admis avec dettes", "Délibération du 15 juillet 2027"):  # fmt: skip
        assert words in text, words
    assert "التقدير: حسن جدًا" in rtl_text(content)


def test_the_jury_record_names_its_president_and_members_with_a_line_to_sign():
    data = snapshot("jury-record")
    content = pdf.render_pdf(data, CODES[0])
    text = pdf_text(content)
    assert "Pr Abdelkader Benmansour-Bouzid Président du jury" in text
    for member in data["jury"]["members"]:
        assert member["name"] in text
    assert "Effectif délibéré : 40 · Admis : 30 · Ajourné : 10" in text
    assert all(row["registration_number"] in text for row in data["rows"])
    assert "رئيس اللجنة" in rtl_text(content)
    old = copy.deepcopy(data)
    del old["jury"]["members"]
    assert "Président du jury" in pdf_text(pdf.render_pdf(old, CODES[0]))


def test_the_layout_check_finds_collisions():
    """The checker itself: overlapping words, a word in the margin, a page with the seal
    alone are all reported."""
    from weasyprint import HTML

    html = (
        '<div class="seal"><p>N° : X</p></div>'
        "<p>Premier paragraphe</p><p style='margin-top: -6mm'>Chevauchement ici</p>"
        "<p style='margin-left: -12mm'>Hors marge</p>"
        "<p style='break-before: page; margin: 0'></p>"
    )
    content = HTML(string=html).write_pdf(stylesheets=[pdf._stylesheet()])
    problems = "\n".join(layout_problems(content))
    assert "overlaps" in problems
    assert "'Hors' at" in problems
    assert "outside the margins" in problems
    assert "page 2 holds only the seal" in problems
