"""Finance's PDFs: invoices, credit notes, receipts and sponsor statements, in French and
Arabic on the same page (French on the left, Arabic on the right, as the certificates).

Rendering is a plain function (document row → context → HTML → PDF/A-3b bytes), testable
without Celery; ``finance.services.documents`` stores the result. Every figure is read from
``finance.selectors`` (what is left to pay, a sponsor's balances), never computed here. The
wording of the documents is fixed French and Arabic, whatever the reader's language (as the
certificates' templates print it): a legal document reads the same for everyone. The
fonts are the certificates' (DejaVu Sans, Amiri for the Arabic script); Arabic values and
numbers inside Arabic lines are isolated by ``core/templatetags/bidi.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from num2words import num2words
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration

from accounts.models import User
from core.templatetags.bidi import ltr, rtl
from curriculum.templatetags.lmd import decision
from enrollment.models import ApplicantProfile, Application, Student
from finance import selectors
from finance.models import (
    Allocation,
    CreditNote,
    FinanceDocument,
    Invoice,
    InvoiceLine,
    Payment,
)
from partners.models import Organisation
from studies import selectors as studies

STYLESHEET = Path(settings.BASE_DIR) / "templates" / "finance" / "pdf" / "finance.css"
CENT = Decimal("0.01")
NBSP = "\u00a0"

#: The title of each kind, in French and Arabic.
TITLES: dict[str, dict[str, str]] = {
    FinanceDocument.Kind.INVOICE: {"fr": "Facture", "ar": "فاتورة"},
    FinanceDocument.Kind.CREDIT_NOTE: {"fr": "Facture d'avoir", "ar": "فاتورة تخفيض (إشعار دائن)"},
    FinanceDocument.Kind.RECEIPT: {"fr": "Reçu de paiement", "ar": "وصل استلام دفع"},
    FinanceDocument.Kind.STATEMENT: {"fr": "Relevé de compte du sponsor", "ar": "كشف حساب الممول"},
}

#: How a payment was made, in French and Arabic.
METHODS: dict[str, tuple[str, str]] = {
    Payment.Method.TRANSFER: ("Virement bancaire", "تحويل بنكي"),
    Payment.Method.CCP: ("Virement CCP", "تحويل بريدي (CCP)"),
    Payment.Method.CHEQUE: ("Chèque", "صك"),
    Payment.Method.CASH: ("Espèces", "نقدا"),
    Payment.Method.CARD: ("Carte bancaire", "بطاقة بنكية"),
}

#: What a line charges when it is not an instalment (whose labels are the schedule's).
LINE_KINDS: dict[str, tuple[str, str]] = {
    InvoiceLine.Kind.DEPOSIT: ("Acompte de confirmation d'inscription", "عربون تأكيد التسجيل"),
    InvoiceLine.Kind.APPLICATION_FEE: ("Frais de dossier de candidature", "رسوم ملف الترشح"),
}


@lru_cache(maxsize=1)
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@lru_cache(maxsize=1)
def _stylesheet() -> CSS:
    return CSS(filename=str(STYLESHEET), font_config=_fonts())


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher: a finance document loads nothing, whatever its data holds."""
    raise ValueError(f"A finance document fetches nothing ({url[:60]})")


# --- Amounts in figures and in words ---------------------------------------------------------
def figures(value: Decimal) -> str:
    """An amount as French and Algerian Arabic documents print it: groups of three digits
    apart (no-break space), the decimal comma, two decimals: "1 234 567,00"."""
    text = f"{Decimal(value).quantize(CENT):,.2f}"
    return text.replace(",", NBSP).replace(".", ",")


def dzd_fr(value: Decimal) -> str:
    """ "1 234 567,00 DZD"."""
    return f"{figures(value)}{NBSP}DZD"


def dzd_ar(value: Decimal) -> str:
    """ "1 234 567,00 دج": Western digits and the decimal comma, as the certificates print
    numbers in Arabic (``number_ar``), isolated left to right inside the Arabic line."""
    return f"{ltr(figures(value))}{NBSP}دج"


def _split(value: Decimal) -> tuple[int, int]:
    amount = Decimal(value).quantize(CENT)
    dinars = int(amount)
    return dinars, int((amount - dinars) * 100)


def words_fr(value: Decimal) -> str:
    """The amount in French words: "soixante et onze dinars algériens", "un million de
    dinars algériens", "cinquante centimes", "… dinars algériens et quatre-vingt-neuf
    centimes"."""
    dinars, centimes = _split(value)
    parts = []
    if dinars or not centimes:
        unit = "dinar algérien" if dinars < 2 else "dinars algériens"
        # "un million de dinars", but "un million deux cents dinars".
        of = "de " if dinars and dinars % 1_000_000 == 0 else ""
        parts.append(f"{num2words(dinars, lang='fr')} {of}{unit}")
    if centimes:
        unit = "centime" if centimes == 1 else "centimes"
        parts.append(f"{num2words(centimes, lang='fr')} {unit}")
    return " et ".join(parts)


#: num2words writes the Arabic "and" as a word of its own ("واحد و سبعون"): it is a prefix.
_AND = re.compile(r"(?<!\S)و\s+")


def _arabic_number(number: int) -> str:
    return _AND.sub("و", str(num2words(number, lang="ar")))


def words_ar(value: Decimal) -> str:
    """The amount in Arabic words: "واحد وسبعون دينار جزائري", "… وتسعة وثمانون سنتيم"."""
    dinars, centimes = _split(value)
    parts = []
    if dinars or not centimes:
        parts.append(f"{_arabic_number(dinars)} دينار جزائري")
    if centimes:
        parts.append(f"{_arabic_number(centimes)} سنتيم")
    return " و".join(parts)


# --- Dates -----------------------------------------------------------------------------------
def _day(value: dt.date | dt.datetime) -> dt.date:
    return timezone.localtime(value).date() if isinstance(value, dt.datetime) else value


def long_date_fr(value: dt.date | dt.datetime) -> str:
    """ "1er décembre 2026", "15 janvier 2027" (as the certificates write dates)."""
    day = _day(value)
    text = str(format_date(day, "d MMMM y", locale="fr"))
    return "1er" + text[1:] if day.day == 1 else text


def long_date_ar(value: dt.date | dt.datetime) -> str:
    """The Algerian month names (ar_DZ), isolated right to left."""
    return str(rtl(format_date(_day(value), "d MMMM y", locale="ar_DZ")))


def short_date(value: dt.date | dt.datetime) -> str:
    return _day(value).strftime("%d/%m/%Y")


# --- Who pays --------------------------------------------------------------------------------
def _profile(user: User) -> ApplicantProfile | None:
    """The person's profile (fetched with ``select_related`` where many are printed)."""
    return getattr(user, "applicant_profile", None)


def person(student: Student | None = None, application: Application | None = None) -> dict:
    """A student's (or an applicant's) names in both scripts and their number."""
    user = student.user if student is not None else application.applicant  # type: ignore[union-attr]
    profile = _profile(user)
    surname = (profile.surname_latin if profile else "") or user.last_name
    given = (profile.given_names_latin if profile else "") or user.first_name
    return {
        "name_fr": f"{surname.upper()} {given}".strip() or user.email,
        "name_ar": f"{profile.surname_ar} {profile.given_names_ar}".strip() if profile else "",
        "number": student.registration_number if student else application.number,  # type: ignore[union-attr]
        "is_student": student is not None,
    }


def organisation_party(organisation: Organisation) -> dict:
    place = ", ".join(p for p in (organisation.city, organisation.wilaya) if p)
    return {
        "organisation": True,
        "name_fr": organisation.name_fr,
        "name_ar": organisation.name_ar,
        "acronym": organisation.acronym,
        "address": place,
    }


def payer_of(record: Invoice | Payment) -> dict:
    if record.payer_organisation_id is not None:
        return organisation_party(record.payer_organisation)  # type: ignore[arg-type]
    if record.payer_student_id is not None:
        return person(student=record.payer_student)
    return person(application=record.payer_application)


def issuer() -> dict[str, str]:
    return {key: str(value or "") for key, value in settings.FINANCE_ISSUER.items()}


# --- What each kind prints ------------------------------------------------------------------
def _line_row(line: InvoiceLine) -> dict[str, Any]:
    if line.instalment is not None:
        label_ar = line.instalment.label_ar
    else:
        label_ar = LINE_KINDS.get(line.kind, ("", ""))[1]
    who = (
        person(student=line.student)
        if line.student_id
        else person(application=line.application)
        if line.application_id
        else None
    )
    return {
        "label_fr": line.label,
        "label_ar": label_ar,
        "who": who,
        "due_on": short_date(line.due_on),
        "amount": line.amount,
    }


def invoice_context(invoice: Invoice) -> dict[str, Any]:
    figures_row = selectors.invoices_with_totals().get(pk=invoice.pk)
    lines = invoice.lines.select_related(
        "student__user__applicant_profile",
        "application__applicant__applicant_profile",
        "instalment",
    )
    return {
        "number": invoice.number,
        "issued_at": invoice.issued_at,
        "cohort": invoice.cohort,
        "programme": invoice.cohort.programme,
        "payer": payer_of(invoice),
        "lines": [_line_row(line) for line in lines.order_by("due_on", "pk")],
        "total": figures_row.total,  # type: ignore[attr-defined]
        "left": figures_row.left,  # type: ignore[attr-defined]
        "credit_notes": list(invoice.credit_notes.order_by("issued_at", "pk")),
    }


def credit_note_context(note: CreditNote) -> dict[str, Any]:
    invoice = note.invoice
    return {
        "number": note.number,
        "issued_at": note.issued_at,
        "invoice": invoice,
        "cohort": invoice.cohort,
        "programme": invoice.cohort.programme,
        "payer": payer_of(invoice),
        "reason": note.reason,
        "total": note.amount,
        "left": selectors.invoice_left(invoice),
    }


def receipt_number(payment: Payment) -> str:
    return f"REC-{payment.paid_on.year}-{payment.pk:06d}"


def receipt_context(payment: Payment) -> dict[str, Any]:
    allocations = (
        Allocation.objects.filter(payment=payment)
        .select_related(
            "line__invoice", "line__student__user__applicant_profile", "line__instalment"
        )
        .order_by("line__due_on", "line__invoice__number", "line_id")
    )
    settled = selectors.allocated_by_payment([payment.pk]).get(payment.pk, Decimal("0.00"))
    method_fr, method_ar = METHODS.get(payment.method, (payment.method, payment.method))
    cohort = payment.payer_student.cohort if payment.payer_student_id else None  # type: ignore[union-attr]
    return {
        "number": receipt_number(payment),
        "issued_at": payment.recorded_at,
        "paid_on": payment.paid_on,
        "payer": payer_of(payment),
        "programme": cohort.programme if cohort else None,
        "cohort": cohort,
        "method_fr": method_fr,
        "method_ar": method_ar,
        "reference": payment.reference,
        "total": payment.amount,
        "allocations": [
            {"invoice": a.line.invoice.number, "line": _line_row(a.line), "amount": a.amount}
            for a in allocations
        ],
        "settled": settled,
        "credit": payment.amount - settled,
    }


def statement_context(document: FinanceDocument) -> dict[str, Any]:
    organisation, cohort = document.organisation, document.cohort
    assert organisation is not None
    assert cohort is not None
    statement = selectors.sponsor_statement(organisation=organisation, cohort=cohort)
    sharing = [
        p.sponsorship.student for p in statement.participants if p.sponsorship.shares_progress
    ]
    rates = studies.attendance_rates(students=sharing)
    semesters = studies.published_semesters(students=sharing, detail=False)
    participants = []
    for participant in statement.participants:
        student = participant.sponsorship.student
        progress = None
        if participant.sponsorship.shares_progress:
            results = semesters.get(student.pk, {})
            progress = {
                "attendance": rates.get(student.pk),
                "semesters": [
                    {
                        "number": n,
                        "average": results[n].average,
                        "credits": results[n].credits,
                        "total_credits": results[n].total_credits,
                        "decision_fr": _in("fr", results[n].decision),
                        "decision_ar": _in("ar", results[n].decision),
                    }
                    for n in sorted(results)
                ],
            }
        participants.append(
            {
                "who": person(student=student),
                "share": participant.sponsorship.share,
                "totals": participant.totals,
                "progress": progress,
            }
        )
    return {
        "number": f"REL-{document.pk:06d}",
        "issued_at": document.created_at,
        "payer": organisation_party(organisation),
        "cohort": cohort,
        "programme": cohort.programme,
        "totals": statement.totals,
        "participants": participants,
        "invoices": statement.invoices,
        "payments": [
            {
                "paid_on": short_date(p.paid_on),
                "method_fr": METHODS.get(p.method, (p.method, ""))[0],
                "method_ar": METHODS.get(p.method, ("", p.method))[1],
                "reference": p.reference,
                "amount": p.amount,
                "settled": p.settled,  # type: ignore[attr-defined]
            }
            for p in statement.payments
        ],
    }


def _in(language: str, code: str) -> str:
    with translation.override(language):
        return decision(code)


def context_for(document: FinanceDocument) -> dict[str, Any]:
    kind = document.kind
    if kind == FinanceDocument.Kind.INVOICE:
        data = invoice_context(document.invoice)  # type: ignore[arg-type]
    elif kind == FinanceDocument.Kind.CREDIT_NOTE:
        data = credit_note_context(document.credit_note)  # type: ignore[arg-type]
    elif kind == FinanceDocument.Kind.RECEIPT:
        data = receipt_context(document.payment)  # type: ignore[arg-type]
    else:
        data = statement_context(document)
    return {**data, "kind": kind, "title": TITLES[kind], "issuer": issuer()}


def render_html(document: FinanceDocument, context: dict[str, Any] | None = None) -> str:
    context = context if context is not None else context_for(document)
    return render_to_string(f"finance/pdf/{document.kind}.html", context)


def render_pdf(document: FinanceDocument) -> bytes:
    """The document's PDF/A-3b bytes, its title, author and language set, and what it says
    in figures attached as JSON (number, payer, total)."""
    context = context_for(document)
    html = HTML(
        string=render_html(document, context),
        base_url=str(settings.BASE_DIR),
        url_fetcher=_refuse,
    )
    rendered = html.render(font_config=_fonts(), stylesheets=[_stylesheet()])
    title = context["title"]
    rendered.metadata.title = f"{title['fr']} {context['number']} — {title['ar']}"
    rendered.metadata.authors = [context["issuer"]["name_fr"]]
    rendered.metadata.description = f"{title['fr']} {context['number']}"
    rendered.metadata.lang = "fr"
    payload = json.dumps(
        {
            "kind": document.kind,
            "number": context["number"],
            "payer": context["payer"]["name_fr"],
            "total": str(context["total"]) if "total" in context else None,
            "currency": "DZD",
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    attachment = Attachment(
        string=payload,
        name="document.json",
        description="Figures printed on this document",
        relationship="Data",
    )
    return bytes(rendered.write_pdf(pdf_variant="pdf/a-3b", attachments=[attachment]))


def storage_name(document: FinanceDocument) -> str:
    """Where the file is kept: a name that is the document's identity, so a retry writes the
    same name again."""
    if document.kind == FinanceDocument.Kind.INVOICE:
        return f"finance/invoices/{document.invoice.number}.pdf"  # type: ignore[union-attr]
    if document.kind == FinanceDocument.Kind.CREDIT_NOTE:
        return f"finance/credit-notes/{document.credit_note.number}.pdf"  # type: ignore[union-attr]
    if document.kind == FinanceDocument.Kind.RECEIPT:
        return f"finance/receipts/{receipt_number(document.payment)}.pdf"  # type: ignore[arg-type]
    return f"finance/statements/REL-{document.pk:06d}.pdf"


def download_name(document: FinanceDocument) -> str:
    """The file name a reader's download gets: the number, or the statement's sponsor,
    cohort and date."""
    if document.kind == FinanceDocument.Kind.STATEMENT:
        organisation, cohort = document.organisation, document.cohort
        day = timezone.localtime(document.created_at).date().isoformat()
        return f"releve-{organisation.slug}-{cohort.slug}-{day}.pdf"  # type: ignore[union-attr]
    return storage_name(document).rsplit("/", 1)[1]
