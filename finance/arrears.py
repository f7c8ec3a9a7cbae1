"""Consequences of arrears (a programme setting, off by default): a document is withheld
from a student whose own instalment has been overdue for more than the programme's number
of days. Certificates asks it (``certificates.documents``: ``certificates → finance``, as
the architecture has it; finance never imports certificates)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import ngettext

from enrollment.models import Student
from finance import selectors

#: The programme setting that withholds each kind of document (a certificate kind's value).
SETTINGS = {
    "enrollment": "arrears_withhold_attestation_days",
    "transcript": "arrears_withhold_transcript_days",
    "cumulative-transcript": "arrears_withhold_transcript_days",
}


def arrears_blocker(kind: str, students: list[Student]) -> dict[int, str]:
    """``{student id: reason}`` for the students in arrears for longer than their
    programme allows for this kind of document: two queries at most, whatever their number."""
    setting = SETTINGS.get(kind)
    if setting is None or not students:
        return {}
    limits = {
        pk: days
        for pk, days in Student.objects.filter(pk__in=[s.pk for s in students]).values_list(
            "pk", f"cohort__programme__{setting}"
        )
        if days is not None
    }
    if not limits:
        return {}
    today = timezone.localdate()
    since = selectors.instalments_overdue_since(
        student_ids=list(limits), before=today - dt.timedelta(days=min(limits.values()))
    )
    return {
        pk: ngettext(
            "fees overdue for more than %(days)s day",
            "fees overdue for more than %(days)s days",
            limits[pk],
        )
        % {"days": limits[pk]}
        for pk, due_on in since.items()
        if (today - due_on).days > limits[pk]
    }
