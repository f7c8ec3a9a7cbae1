"""Exports: the coordinators' list as streamed CSV or XLSX; a person's own data as a ZIP."""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core import spreadsheets
from core.uploads import safe_filename
from enrollment import history
from enrollment.models import Application, ApplicationDocument, ApplicationEvent, Education, Student
from enrollment.selectors import events_by_pk, export_rows
from partners.models import Organisation

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
        _("Last change"),
        _("What changed last"),
    ]


def event_text(event: ApplicationEvent) -> str:
    """An event in one cell, in the reader's words: "Status: Submitted → Eligible — …"."""
    told = history.describe(event)
    change = " → ".join(part for part in (told.before, told.after) if part)
    head = f"{told.kind}: {change}" if change else told.kind
    return " — ".join(part for part in (head, told.message, told.note) if part)


def _rows(queryset: QuerySet[Application]) -> Iterator[Iterable[object]]:
    """The header, then the rows read in chunks from a server-side cursor: every code in
    the reader's words, the intake in their language, the dates on the clock of Algiers
    (core.spreadsheets writes them in the language's order)."""
    yield header()
    language = (translation.get_language() or "fr")[:2]
    title = {"fr": 3, "ar": 4, "en": 5}.get(language, 3)
    labels = [
        dict(Application.Status.choices),
        dict(Organisation.Sector.choices),
        dict(Education.Degree.choices),
    ]
    values = export_rows(queryset).iterator(chunk_size=CHUNK)
    while chunk := list(itertools.islice(values, CHUNK)):
        events = events_by_pk([row[-1] for row in chunk if row[-1]])
        for row in chunk:
            codes = row[6:9]
            event = events.get(row[-1])
            yield [
                *row[:3],
                row[title] or row[3],
                *(
                    str(names.get(code, code)) if code else ""
                    for names, code in zip(labels, codes, strict=True)
                ),
                *row[9:15],
                event.at if event else None,
                event_text(event) if event else "",
            ]


def csv_stream(queryset: QuerySet[Application], *, sep: str | None = None) -> Iterator[str]:
    """Rows are written as they come: memory stays flat whatever the number of applications;
    text that would run as a formula is neutralised, ";" or "," as ``sep`` or the reader's
    language asks (core.spreadsheets)."""
    return spreadsheets.csv_lines(_rows(queryset), sep=sep)


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
            "date_joined": _moment(user.date_joined),
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
                "status_label": a.get_status_display(),
                "motivation": a.motivation,
                "project": a.project,
                "submitted_at": _moment(a.submitted_at),
                "snapshot": a.snapshot,
                "documents": [
                    {
                        "document": d.requirement.display_label,
                        "file": d.original_name,
                        "status": d.status,
                        "status_label": d.get_status_display(),
                        "reason": d.rejection_reason,
                    }
                    for d in a.documents.all()
                ],
                "history": [_event(e) for e in a.events.all()],
            }
            for a in applications
        ],
        "student_records": [
            {**record, "created_at": _moment(record["created_at"])}
            for record in Student.objects.filter(user=user).values(
                "registration_number", "cohort__slug", "status", "created_at"
            )
        ],
    }


def _moment(value: datetime | None) -> datetime | None:
    """Times on the clock of Algiers ("…T10:30:00+01:00"), as the pages show them."""
    return timezone.localtime(value) if value is not None else None


def _event(event: ApplicationEvent) -> dict[str, Any]:
    """One history event: its codes, and the words of the language the data was asked in."""
    told = history.describe(event)
    return {
        "at": _moment(event.at),
        "kind": event.kind,
        "from": event.before,
        "to": event.after,
        "code": event.code,
        "params": event.params,
        "text": event_text(event),
        "note": told.note,
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
