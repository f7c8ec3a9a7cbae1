"""Documents of applicants who were not admitted are deleted some months after the intake
closes (law 18-07: keep no longer than needed); the application record itself stays."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import transaction
from django.utils import timezone

from enrollment import history
from enrollment.models import Application, ApplicationDocument, Intake
from enrollment.services.common import record

S = Application.Status
NOT_ADMITTED = (S.DRAFT, S.SUBMITTED, S.ELIGIBLE, S.INELIGIBLE, S.SHORTLISTED, S.INTERVIEWED,
                S.WAITLISTED, S.REJECTED, S.DECLINED, S.EXPIRED, S.WITHDRAWN)  # fmt: skip


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def documents_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the due documents; returns how many files went. Safe to run twice."""
    now = now or timezone.now()
    deleted = 0
    for intake in Intake.objects.filter(closes_at__lt=now):
        if _add_months(intake.closes_at, intake.retention_months) > now:
            continue
        documents = ApplicationDocument.objects.filter(
            application__intake=intake, application__status__in=NOT_ADMITTED
        ).select_related("application", "requirement")
        for document in documents.iterator():
            with transaction.atomic():
                name, storage = document.file.name, document.file.storage
                record(
                    document.application,
                    actor=None,
                    kind="document",
                    before=document.status,
                    after="purged",
                    code="document_purged",
                    params={
                        "document": history.in_languages(
                            lambda d=document: d.requirement.display_label  # type: ignore[misc]
                        )
                    },
                    note=document.original_name,
                )
                document.delete()
                transaction.on_commit(lambda n=name, st=storage: st.delete(n))  # type: ignore[misc]
                deleted += 1
        Intake.objects.filter(pk=intake.pk).update(documents_purged_at=now)
    return deleted
