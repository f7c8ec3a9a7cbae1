"""Exports: the coordinators' list as streamed CSV or XLSX; a person's own data as a ZIP."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from core import spreadsheets
from core.uploads import safe_filename
from enrollment.models import Application, ApplicationDocument, Student
from enrollment.selectors import export_rows

CHUNK = 2000


def header() -> list[str]:
    return [
        _("Number"),
        _("Name"),
        _("E-mail"),
        _("Intake"),
        _("Status"),
        _("Sector"),
        _("Highest degree"),
        _("Wilaya"),
        _("Submitted at"),
        _("File score"),
        _("Interview mark"),
        _("Final score"),
        _("Rank on the waiting list"),
    ]


def _rows(queryset: QuerySet[Application]) -> Iterator[Iterable[object]]:
    """The header, then the rows read in chunks from a server-side cursor."""
    yield header()
    yield from export_rows(queryset).iterator(chunk_size=CHUNK)


def csv_stream(queryset: QuerySet[Application]) -> Iterator[str]:
    """Rows are written as they come: memory stays flat whatever the number of applications;
    text that would run as a formula is neutralised (core.spreadsheets)."""
    return spreadsheets.csv_lines(_rows(queryset))


def xlsx_file(queryset: QuerySet[Application]) -> bytes:
    return spreadsheets.xlsx_bytes(_rows(queryset), title=_("Applications"))


def personal_data(user: User) -> dict[str, Any]:
    from enrollment.models import ApplicantProfile

    profile = (
        ApplicantProfile.objects.filter(user=user)
        .prefetch_related("education", "experience")
        .first()
    )
    applications = (
        Application.objects.filter(applicant=user)
        .prefetch_related("events", "documents__requirement")
        .select_related("intake")
    )
    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined,
            "preferred_language": user.preferred_language,
        },
        "profile": None
        if profile is None
        else {
            **{
                f.name: getattr(profile, f.name)
                for f in ApplicantProfile._meta.fields
                if f.name not in {"id", "user"}
            },
            "education": list(
                profile.education.values("degree", "field", "institution", "year", "average")
            ),
            "experience": list(
                profile.experience.values("employer", "position", "start", "end", "description")
            ),
        },
        "applications": [
            {
                "number": a.number,
                "intake": str(a.intake),
                "status": a.status,
                "motivation": a.motivation,
                "project": a.project,
                "submitted_at": a.submitted_at,
                "snapshot": a.snapshot,
                "documents": [
                    {
                        "document": d.requirement.display_label,
                        "file": d.original_name,
                        "status": d.status,
                        "reason": d.rejection_reason,
                    }
                    for d in a.documents.all()
                ],
                "history": [
                    {"at": e.at, "from": e.before, "to": e.after, "note": e.note}
                    for e in a.events.all()
                ],
            }
            for a in applications
        ],
        "student_records": list(
            Student.objects.filter(user=user).values(
                "registration_number", "cohort__slug", "status", "created_at"
            )
        ),
    }


def personal_data_zip(*, user: User) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps(personal_data(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        for document in ApplicationDocument.objects.filter(
            application__applicant=user
        ).select_related("application"):
            try:
                with document.file.open("rb") as handle:
                    base = safe_filename(document.original_name)
                    name = f"{document.application.number}/{document.pk}-{base}"
                    archive.writestr(name, handle.read())
            except FileNotFoundError:
                continue
    return buffer.getvalue()
