"""What an application's history says, in the reader's language (#12, "words, not codes").

An event stores codes: its kind, the state before and after (a status of the application, of
a document, of an offer; a decision; a mark), and — for what the system itself says — a
message ``code`` with JSON ``params``. Nothing is stored as a sentence except what a person
typed (``note``). Pages, e-mails and exports call :func:`describe`, which renders the labels
and the message in the active language, with local dates and the locale's numbers.

Parameter conventions (so that the message renders the value for the reader):

- a key ending in ``_at`` or named ``deadline``: an ISO date-time, shown in local time
  (Africa/Algiers) in the locale's format;
- a key ending in ``_on``: an ISO date, shown in the locale's format;
- ``academic``, ``experience``, ``motivation``, ``mark``, ``score``: a decimal written as a
  string ("12.50"), shown with the locale's decimal separator;
- a value that is a dict of languages (``{"fr": …, "ar": …, "en": …}``): the reader's
  language, else French (a document's label, an intake's title);
- anything else is shown as it is (a name, a registration number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from enrollment.models import Application, ApplicationDocument, ApplicationEvent, Offer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

K = ApplicationEvent.Kind

#: The decisions a coordinator takes (stored as ``after`` of a ``decision`` event).
DECISION_LABELS: dict[str, StrOrPromise] = {
    "admit": _("Admit"),
    "waitlist": _("Waiting list"),
    "reject": _("Do not admit"),
}

#: The states a review goes through (``before``/``after`` of a ``review`` event).
REVIEW_LABELS: dict[str, StrOrPromise] = {
    "": _("Not scored"),
    "conflict": _("Conflict of interest"),
    "scored": _("Scored"),
}

#: Other values an event may hold.
OTHER_LABELS: dict[str, StrOrPromise] = {
    "deleted": _("Deleted"),
    "purged": _("Deleted after the retention period"),
}

#: What the system says, by code. Add a code here (never a sentence in the database).
MESSAGES: dict[str, StrOrPromise] = {
    # Applications
    "draft_started": _("Application started"),
    "draft_reopened": _("Application started again after a withdrawal"),
    "submitted": _("Application submitted"),
    # Documents
    "document_accepted": _("%(document)s: accepted"),
    "document_rejected": _("%(document)s: rejected — %(reason)s"),
    "document_replaced": _("%(document)s: a replacement was uploaded"),
    "document_purged": _("%(document)s: deleted at the end of the retention period"),
    # Reviews
    "reviewer_assigned": _("Reviewer assigned: %(name)s"),
    "file_scored": _(
        "File scored: academic %(academic)s, experience %(experience)s, motivation %(motivation)s"
    ),
    "conflict_declared": _("Conflict of interest declared"),
    "best_files": _("Shortlisted among the best files"),
    # Interviews
    "interview_scheduled": _("Interview on %(scheduled_at)s — %(where)s"),
    "interview_moved": _("Interview moved to %(scheduled_at)s — %(where)s"),
    "interview_marked": _("Interview mark: %(mark)s"),
    # Decisions and offers
    "offer_until": _("Offer made, to be answered before %(deadline)s"),
    "offer_expired": _("No answer before the deadline"),
    "waitlist_promoted": _("Promoted from the waiting list"),
    "offer_accepted": _("Offer accepted: registration number %(number)s"),
    "offer_declined": _("Offer declined"),
    "seat_released_deposit": _(
        "Seat released: the deposit was not paid by %(due_on)s; it goes to the next person waiting"
    ),
    # lifecycles: a decision taken although mandatory documents were not accepted (the
    # coordinator's reason is the event's note)
    "decision_override": _(
        "Decided although these mandatory documents were not accepted: %(documents)s"
    ),
}

_DECIMAL_KEYS = frozenset({"academic", "experience", "motivation", "mark", "score"})


@dataclass(frozen=True)
class Described:
    """One event as the reader sees it."""

    kind: str
    before: str
    after: str
    message: str
    note: str


def value_label(kind: str, value: str) -> str:
    """The reader's word for a ``before``/``after`` value of an event of ``kind``."""
    if value in OTHER_LABELS:
        return str(OTHER_LABELS[value])
    choices: Any
    if kind == K.STATUS:
        choices = Application.Status
    elif kind == K.DOCUMENT:
        choices = ApplicationDocument.Status
    elif kind == K.OFFER:
        choices = Offer.Status
    elif kind == K.DECISION:
        return str(DECISION_LABELS.get(value, value))
    elif kind == K.REVIEW:
        if value in REVIEW_LABELS:
            return str(REVIEW_LABELS[value])
        # Legacy rows kept the three marks ("12.00/14.00/15.00").
        return " / ".join(_number(part) for part in value.split("/"))
    else:  # interview: a mark, or nothing
        return _number(value) if value else ""
    if value in choices.values:
        return str(choices(value).label)
    return value


def _number(text: str) -> str:
    try:
        number = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        return text
    return formats.number_format(number, decimal_pos=2, use_l10n=True)


def _datetime(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT", use_l10n=True)


def _date(text: str) -> str:
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        return text
    return formats.date_format(day, "SHORT_DATE_FORMAT", use_l10n=True)


def _param(key: str, value: object) -> object:
    if isinstance(value, dict):
        language = (translation.get_language() or "fr")[:2]
        return value.get(language) or value.get("fr") or next(iter(value.values()), "")
    if isinstance(value, str) and (key.endswith("_at") or key == "deadline"):
        return _datetime(value)
    if isinstance(value, str) and key.endswith("_on"):
        return _date(value)
    if key in _DECIMAL_KEYS and value is not None:
        return _number(str(value))
    return value


def message(code: str, params: dict[str, Any] | None) -> str:
    """The system's message for ``code``, rendered now in the active language."""
    if not code:
        return ""
    template = MESSAGES.get(code)
    if template is None:
        return ""
    rendered = {key: _param(key, value) for key, value in (params or {}).items()}
    try:
        return str(template) % rendered
    except (KeyError, TypeError, ValueError):
        return str(template)


def describe(event: ApplicationEvent) -> Described:
    """The event in the active language: its kind, before and after, message and note."""
    return Described(
        kind=str(event.get_kind_display()),
        before=value_label(event.kind, event.before),
        after=value_label(event.kind, event.after),
        message=message(event.code, event.params),
        note=event.note,
    )


def moment(value: datetime) -> str:
    """A date-time as a parameter (``…_at``, ``deadline``): ISO, aware."""
    return value.isoformat()


def decimal(value: Decimal | None) -> str | None:
    """A mark as a parameter: the decimal as a string, never a float."""
    return None if value is None else str(value)


def in_languages(render: Callable[[], object]) -> dict[str, str]:
    """A label as a parameter, rendered in each language (``render`` takes no argument and
    reads the active language, e.g. a requirement's ``display_label``)."""
    found = {}
    for lang in ("fr", "ar", "en"):
        with translation.override(lang):
            found[lang] = str(render())
    return found


def languages(obj: object, field: str) -> dict[str, str]:
    """A translated field as a parameter: its French, Arabic and English values."""
    return {
        lang: str(getattr(obj, f"{field}_{lang}", "") or "")
        for lang in ("fr", "ar", "en")
        if getattr(obj, f"{field}_{lang}", "")
    }
