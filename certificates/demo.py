"""Demo issuer of the documents: TEMA (named as in partners/demo.py), who signs each kind
of document, and the members of a demo jury. The people are invented (academic-rules.md
§7); the legal basis is a placeholder marked as such (academic-rules.md §0 names no text).

Created once and never changed after: the active authority is kept as it is, a kind of
document that has a signatory already gets no other, and a jury with members gets no more;
a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from certificates.models import IssuingAuthority, Kind, Signatory
from studies.models import Jury, JuryMember

AUTHORITY = {
    "name_fr": "TEMA – Institut de technologie et de management d'Alger",
    "name_ar": "تيما – معهد التكنولوجيا والتسيير بالجزائر",
    "name_en": "TEMA – Algiers Institute of Technology and Management",
    "legal_basis_fr": "Établissement privé de formation agréé (mention de démonstration)",
    "legal_basis_ar": "مؤسسة خاصة للتكوين معتمدة (بيان تجريبي)",
    "address_fr": "Alger (adresse de démonstration)",
    "address_ar": "الجزائر (عنوان تجريبي)",
}


@dataclass(frozen=True)
class DemoSignatory:
    name_fr: str
    name_ar: str
    title_fr: str
    title_ar: str
    title_en: str


# Invented people (docs/academic-rules.md §7).
DIRECTOR = DemoSignatory(
    "Samir Ouali", "سمير والي", "Directeur de TEMA", "مدير تيما", "Director of TEMA"
)
STUDIES = DemoSignatory(
    "Leïla Hamidi", "ليلى حميدي", "Directrice des études", "مديرة الدراسات", "Director of Studies"
)
PROGRAMME = DemoSignatory(
    "Karim Bensalem", "كريم بن سالم", "Directeur du master", "مدير الماستر", "Programme Director"
)
PRESIDENT = DemoSignatory(
    "Nadia Ferroukhi",
    "نادية فروخي",
    "Présidente du jury",
    "رئيسة لجنة المداولات",
    "President of the Jury",
)
PARTNER = DemoSignatory(
    "Hakim Djebbar",
    "حكيم جبار",
    "Représentant du partenaire",
    "ممثل الشريك",
    "Partner's Representative",
)

#: Who signs each kind of document, in order.
SIGNATORIES = {
    Kind.ENROLLMENT: (STUDIES,),
    Kind.TRANSCRIPT: (PROGRAMME, PRESIDENT),
    Kind.CUMULATIVE: (PROGRAMME, PRESIDENT),
    Kind.SUCCESS: (DIRECTOR,),
    Kind.JURY_RECORD: (PRESIDENT,),
    Kind.MODULE: (PROGRAMME, PARTNER),
}

SIGNS_FROM = dt.date(2024, 9, 1)

#: The members of a demo jury (invented people), the president first.
JURY = (
    (PRESIDENT.name_fr, JuryMember.Role.PRESIDENT),
    ("Rachid Amokrane", JuryMember.Role.MEMBER),
    ("Farida Slimani", JuryMember.Role.MEMBER),
    ("Souad Belkacem", JuryMember.Role.SECRETARY),
)


@transaction.atomic
def seed_issuer() -> IssuingAuthority:
    """The active issuing authority (created as TEMA when there is none) and the demo
    signatories of every kind of document that has none yet."""
    authority = IssuingAuthority.objects.filter(active=True).first()
    if authority is None:
        authority = IssuingAuthority.objects.create(**AUTHORITY, active=True)
    for kind, people in SIGNATORIES.items():
        if Signatory.objects.filter(authority=authority, kind=kind).exists():
            continue
        Signatory.objects.bulk_create(
            Signatory(
                authority=authority,
                kind=kind,
                name_fr=person.name_fr,
                name_ar=person.name_ar,
                title_fr=person.title_fr,
                title_ar=person.title_ar,
                title_en=person.title_en,
                order=order,
                active_from=SIGNS_FROM,
            )
            for order, person in enumerate(people, start=1)
        )
    return authority


@transaction.atomic
def seed_jury_members(jury: Jury) -> None:
    """The demo members of a jury that has none, so that its record (PV) can be drawn up."""
    if jury.members.exists():
        return
    JuryMember.objects.bulk_create(
        JuryMember(jury=jury, name=name, role=role, order=order)
        for order, (name, role) in enumerate(JURY, start=1)
    )
