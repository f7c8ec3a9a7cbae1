"""The receipt of a submitted application: a printable PDF of what was submitted.

Rendering is a plain function (application → HTML → PDF bytes), testable without Celery;
``receipt_store`` is what the task calls after the submission commits. The receipt reads
what was frozen at submission (``Application.snapshot``), never the profile as it is now,
and is written in the language of the application (right to left in Arabic). The names in
Arabic script print in Amiri, as the certificates do; nothing in it is fetched from outside
(the applicant's text is escaped and every URL is refused).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from core.uploads import private_storage, random_name
from enrollment.models import ApplicantProfile, Application, Education

logger = logging.getLogger(__name__)

STYLESHEET = Path(settings.BASE_DIR) / "templates" / "enrollment" / "receipt" / "receipt.css"
#: How much of the motivation the receipt prints (the whole text is in the application).
MOTIVATION_EXCERPT = 700


@lru_cache(maxsize=1)
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@lru_cache(maxsize=1)
def _stylesheet() -> CSS:
    return CSS(filename=str(STYLESHEET), font_config=_fonts())


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher: a receipt loads nothing, whatever its text holds."""
    raise ValueError(f"A receipt fetches nothing ({url[:60]})")


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _degree(value: str) -> str:
    return str(Education.Degree(value).label) if value in Education.Degree.values else value


def _nationality(data: dict[str, Any]) -> str:
    if data.get("nationality") == ApplicantProfile.Nationality.OTHER:
        return str(data.get("nationality_other") or ApplicantProfile.Nationality.OTHER.label)
    return str(ApplicantProfile.Nationality.ALGERIAN.label)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MOTIVATION_EXCERPT:
        return text
    return text[:MOTIVATION_EXCERPT].rsplit(" ", 1)[0] + " …"


def text_direction(text: str) -> str:
    """ "rtl" when the text's first letter is Arabic, else "ltr" (the paragraph's own
    direction: WeasyPrint ignores ``dir="auto"``, and a French motivation on an Arabic
    receipt would end with its full stop on the left)."""
    for char in text:
        if char.isalpha():
            return "rtl" if "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f" else "ltr"
    return "ltr"


def receipt_context(application: Application) -> dict[str, Any]:
    """What the receipt prints, in the active language (call it inside the override)."""
    data: dict[str, Any] = application.snapshot or {}
    identity = {
        "surname_latin": str(data.get("surname_latin") or "").upper(),
        "given_names_latin": data.get("given_names_latin") or "",
        "surname_ar": data.get("surname_ar") or "",
        "given_names_ar": data.get("given_names_ar") or "",
        "birth_date": _date(data.get("birth_date")),
        "birth_year": data.get("birth_year") if data.get("birth_date_presumed") else None,
        "birth_place_latin": data.get("birth_place_latin") or "",
        "birth_place_ar": data.get("birth_place_ar") or "",
        "nationality": _nationality(data),
        "nin": data.get("nin") or "",
        "phone": data.get("phone") or "",
        "address": data.get("address") or "",
        "wilaya": data.get("wilaya") or "",
        "email": application.applicant.email,
    }
    education = [
        {**item, "degree": _degree(str(item.get("degree") or ""))}
        for item in data.get("education", [])
    ]
    experience = [
        {**item, "start": _date(item.get("start")), "end": _date(item.get("end"))}
        for item in data.get("experience", [])
    ]
    documents = [
        {"label": d.requirement.display_label, "name": d.original_name, "size": d.size}
        for d in application.documents.select_related("requirement").order_by(
            "requirement__position", "pk"
        )
    ]
    return {
        "application": application,
        "intake_title": str(application.intake),
        "programme": application.intake.cohort.programme.tr("title"),
        "submitted_at": application.submitted_at,
        "identity": identity,
        "education": education,
        "experience": experience,
        "motivation": _excerpt(application.motivation),
        "motivation_dir": text_direction(application.motivation),
        "motivation_cut": len(" ".join(application.motivation.split())) > MOTIVATION_EXCERPT,
        "documents": documents,
        "printed_at": timezone.now(),
    }


def render_html(application: Application) -> str:
    with translation.override(application.language or "fr"):
        context = receipt_context(application)
        context["bidi"] = translation.get_language_bidi()
        context["language"] = translation.get_language()
        return render_to_string("enrollment/receipt/receipt.html", context)


def render_pdf(application: Application) -> bytes:
    """The receipt's PDF bytes."""
    html = HTML(
        string=render_html(application),
        base_url=str(settings.BASE_DIR),
        url_fetcher=_refuse,
    )
    document = html.render(font_config=_fonts(), stylesheets=[_stylesheet()])
    document.metadata.title = f"{application.number} — {application.intake}"
    document.metadata.lang = application.language or "fr"
    return bytes(document.write_pdf())


def receipt_store(*, application_id: int) -> bool:
    """Render and keep the receipt of a submitted application; False when there is nothing
    to do (no such application, not submitted, or its receipt already kept). Safe to run
    twice: the row is written only while it has no receipt, and the file of a run that
    lost is deleted."""
    application = (
        Application.objects.select_related("intake__cohort__programme", "applicant")
        .filter(pk=application_id)
        .first()
    )
    if application is None or application.submitted_at is None or application.receipt:
        return False
    content = render_pdf(application)
    stored = private_storage.save(random_name("receipts", "pdf"), ContentFile(content))
    saved = False
    try:
        with transaction.atomic():
            saved = bool(
                Application.objects.filter(pk=application_id, receipt="").update(receipt=stored)
            )
    finally:
        if not saved:
            private_storage.delete(stored)
    if not saved:
        logger.info("Receipt of application %s was already kept", application_id)
    return saved


#: A receipt still missing this long after the submission is queued again.
REQUEUE_AFTER = dt.timedelta(minutes=5)


def receipts_missing(*, limit: int = 200) -> list[int]:
    """The submitted applications still without a receipt a while after their submission."""
    return list(
        Application.objects.filter(submitted_at__lte=timezone.now() - REQUEUE_AFTER, receipt="")
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:limit]
    )
