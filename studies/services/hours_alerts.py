"""The weekly alert to the coordinators about agreements whose co-teaching hours drift.

The rule (a decision of #14): in the current academic year (from 1 September), a partner is
*behind* when the hours done for the agreement's parties are below 75 % of the pro-rata
share of the year's promise (promise × days elapsed since 1 September ÷ days of the
academic year) — checked from 1 November on, before which teaching has barely started —
and *beyond* when the hours done exceed the promise. Each agreement is reported once per
academic year and state: a ``HoursAlert`` row (unique per agreement, year and state) is
written with the e-mails, so a second run sends nothing; the e-mails also carry the key in
the header ``X-Tema-Alert``, to trace one back to its alert.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.emails import absolute_url, email_compose
from accounts.models import User
from accounts.services import email_queue
from studies import hours
from studies.models import HoursAlert

BEHIND_SHARE = Decimal("0.75")
ALERT_HEADER = "X-Tema-Alert"
#: Before this day of the academic year (1 November), nobody is reported behind.
CHECK_BEHIND_FROM = (11, 1)


def expected_by(promised: Decimal, today: dt.date) -> Decimal:
    """The pro-rata share of a year's promise on ``today``."""
    start = dt.date(hours.academic_year_start(today), 9, 1)
    length = (start.replace(year=start.year + 1) - start).days
    elapsed = (today - start).days + 1
    return promised * elapsed / length


def _state(line: hours.AgreementLine, today: dt.date) -> str | None:
    if line.done > line.promised:
        return "beyond"
    start_year = hours.academic_year_start(today)
    if today >= dt.date(start_year, *CHECK_BEHIND_FROM) and line.done < (
        BEHIND_SHARE * expected_by(line.promised, today)
    ):
        return "behind"
    return None


def hours_alerts_send(*, today: dt.date | None = None) -> int:
    """E-mail the coordinators about each agreement behind or beyond its promise, once per
    agreement, academic year and state. Returns how many agreements were reported."""
    today = today or timezone.localdate()
    start_year = hours.academic_year_start(today)
    # Until today: the hours done so far (a session later this year is not done yet).
    period = hours.Period(
        label=hours.academic_year_label(start_year),
        first=dt.date(start_year, 9, 1),
        last=today,
        academic_year=hours.academic_year_label(start_year),
    )
    report = hours.hours_report(period=period)
    coordinators = list(User.objects.filter(is_coordinator=True, is_active=True))
    reported = 0
    for line in report.agreements:
        if line.agreement.valid_until is not None and line.agreement.valid_until < today:
            continue  # over: nothing more will be taught under it
        state = _state(line, today)
        if state is None or not coordinators:
            continue
        key = f"hours:{line.agreement.pk}:{period.academic_year}:{state}"
        try:
            with transaction.atomic():
                # The row and the e-mails in one transaction: a second run (or a second
                # worker at the same moment) meets the unique constraint and sends nothing.
                HoursAlert.objects.create(
                    agreement=line.agreement,
                    academic_year=period.academic_year,
                    state=state,
                    done=line.done,
                    promised=line.promised,
                )
                for person in coordinators:
                    _send(person, line, state, key, today)
        except IntegrityError:
            continue
        reported += 1
    return reported


def _send(person: User, line: hours.AgreementLine, state: str, key: str, today: dt.date) -> None:
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        figures = {
            "title": line.agreement.title,
            "partner": line.partner,
            "promised": formats.number_format(line.promised, 0),
            "done": formats.number_format(line.done, 2),
            "expected": formats.number_format(expected_by(line.promised, today), 2),
        }
        if state == "behind":
            subject = _("Co-teaching behind: %(title)s") % figures
            content = (
                _(
                    "The partners of the agreement %(title)s (%(partner)s) taught %(done)s hours "
                    "this academic year; by now, pro rata, %(expected)s of the %(promised)s hours "
                    "promised for the year would be expected."
                )
                % figures
            )
        else:
            subject = _("Co-teaching beyond the promise: %(title)s") % figures
            content = (
                _(
                    "The partners of the agreement %(title)s (%(partner)s) taught %(done)s hours "
                    "this academic year, more than the %(promised)s hours it promises."
                )
                % figures
            )
        message = email_compose(
            to=[person.email],
            subject=subject,
            content=content,
            name=person.get_full_name(),
            link_url=absolute_url(reverse("studies:hours")),
            link_label=_("See the hours taught"),
        )
    message.extra_headers[ALERT_HEADER] = key
    email_queue(message)
