"""The lifecycles of admissions, one transition table each: applications, their documents,
interviews and offers. The services enforce them (``APPLICATION.next(state, action)``, or
``check(before, after)`` for a status change already decided) and the pages read them
(``actions(state)``), so a page offers only what the state allows.

A table says what a *state* allows. What a decision also waits for — the reviews, the
interview, the documents an intake asks to see accepted — are guards of the decision
(``enrollment.services.decisions.decision_waits_for``), not states.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enrollment.models import Application, ApplicationDocument, Interview, Offer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _label_of(choices: type) -> Callable[[str], str]:
    def label(state: str) -> str:
        values = choices.values  # type: ignore[attr-defined]
        return str(choices(state).label) if state in values else state

    return label


@dataclass(frozen=True)
class Lifecycle:
    #: what the table is about, for messages ("an application", "a document")
    name: StrOrPromise
    #: state → {action: next state}
    table: Mapping[str, Mapping[str, str]]
    #: why an action is refused, per action (the state's label is added)
    refusals: Mapping[str, StrOrPromise]
    #: the reader's word for a state
    label: Callable[[str], str] = str
    #: the ValidationError code of a refused action, when callers tell refusals apart
    codes: Mapping[str, str] = field(default_factory=dict)
    #: a refusal that depends on the state too: (state, action) → (message, code)
    special: Mapping[tuple[str, str], tuple[StrOrPromise, str]] = field(default_factory=dict)

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.table)

    def actions(self, state: str) -> tuple[str, ...]:
        return tuple(self.table.get(state, {}))

    def allows(self, state: str, action: str) -> bool:
        return action in self.table.get(state, {})

    def refusal(self, state: str, action: str) -> ValidationError:
        """The error that says why ``action`` is not possible in ``state``."""
        if (state, action) in self.special:
            message, code = self.special[(state, action)]
            return ValidationError(str(message), code=code)
        reason = self.refusals.get(action, _("This action is not possible now."))
        return ValidationError(
            gettext("%(reason)s (now: %(state)s)") % {"reason": reason, "state": self.label(state)},
            code=self.codes.get(action, "transition"),
        )

    def next(self, state: str, action: str) -> str:
        """The state after ``action``, or a ValidationError saying why it cannot be taken."""
        try:
            return self.table[state][action]
        except KeyError:
            raise self.refusal(state, action) from None

    def check(self, before: str, after: str) -> None:
        """Some action of the table leads from ``before`` to ``after``, or a ValidationError."""
        if after in self.table.get(before, {}).values():
            return
        raise ValidationError(
            gettext("%(name)s cannot go from “%(before)s” to “%(after)s”.")
            % {"name": self.name, "before": self.label(before), "after": self.label(after)},
            code="transition",
        )


# --- Applications -----------------------------------------------------------------------------
S = Application.Status
#: What a file under review allows besides its own moves: documents checked, reviewers
#: assigned, reviews written. The status does not change.
_UNDER_REVIEW = ("document", "assign", "review")


def _with(state: str, moves: dict[str, str]) -> dict[str, str]:
    """A state under review: its moves, plus the actions that keep it as it is."""
    return {**dict.fromkeys(_UNDER_REVIEW, state), **moves}


APPLICATION = Lifecycle(
    _("An application"),
    {
        S.DRAFT: {"submit": S.SUBMITTED, "withdraw": S.WITHDRAWN},
        S.SUBMITTED: _with(
            S.SUBMITTED,
            {"eligible": S.ELIGIBLE, "ineligible": S.INELIGIBLE, "withdraw": S.WITHDRAWN},
        ),
        S.ELIGIBLE: _with(
            S.ELIGIBLE,
            {
                "ineligible": S.INELIGIBLE,
                "shortlist": S.SHORTLISTED,
                # Scheduling an interview shortlists the file.
                "interview": S.SHORTLISTED,
                "admit": S.ADMITTED,
                "waitlist": S.WAITLISTED,
                "reject": S.REJECTED,
                "withdraw": S.WITHDRAWN,
            },
        ),
        S.INELIGIBLE: {
            "document": S.INELIGIBLE,
            "eligible": S.ELIGIBLE,
            "withdraw": S.WITHDRAWN,
        },
        S.SHORTLISTED: _with(
            S.SHORTLISTED,
            {
                "interview": S.SHORTLISTED,
                "book": S.SHORTLISTED,
                "mark": S.INTERVIEWED,
                "admit": S.ADMITTED,
                "waitlist": S.WAITLISTED,
                "reject": S.REJECTED,
                "withdraw": S.WITHDRAWN,
            },
        ),
        S.INTERVIEWED: _with(
            S.INTERVIEWED,
            {
                "mark": S.INTERVIEWED,  # a mark corrected
                "admit": S.ADMITTED,
                "waitlist": S.WAITLISTED,
                "reject": S.REJECTED,
                "withdraw": S.WITHDRAWN,
            },
        ),
        S.WAITLISTED: _with(
            S.WAITLISTED,
            {"admit": S.ADMITTED, "reject": S.REJECTED, "withdraw": S.WITHDRAWN},
        ),
        S.ADMITTED: {
            "document": S.ADMITTED,
            "accept": S.ACCEPTED,
            "decline": S.DECLINED,
            "expire": S.EXPIRED,
        },
        S.WITHDRAWN: {"reopen": S.DRAFT},
        S.REJECTED: {},
        # A seat not confirmed (the deposit unpaid by its deadline) is given back.
        S.ACCEPTED: {"release": S.WITHDRAWN},
        S.DECLINED: {},
        S.EXPIRED: {},
    },
    {
        "submit": _("This application has already been submitted."),
        "withdraw": _("This application can no longer be withdrawn."),
        "reopen": _("Only a withdrawn application can be started again."),
        "eligible": _("Eligibility is decided right after submission."),
        "ineligible": _("Eligibility is decided right after submission."),
        "document": _("The documents of this application are no longer checked."),
        "assign": _("This application is no longer being reviewed."),
        "review": _("This application is no longer being reviewed."),
        "shortlist": _("Only an eligible application can be shortlisted."),
        "interview": _("Interviews are for eligible or shortlisted applications."),
        "book": _("Only a shortlisted application can book an interview slot."),
        "mark": _("This application is not waiting for an interview mark."),
        "admit": _("This application cannot be admitted in its current state."),
        "waitlist": _("This application cannot be put on the waiting list in its current state."),
        "reject": _("This application cannot be rejected in its current state."),
        "accept": _("There is no offer to answer."),
        "decline": _("There is no offer to answer."),
        "expire": _("There is no offer to expire."),
        "release": _("Only the seat of an accepted offer can be released."),
    },
    label=_label_of(S),
    codes={"submit": "already_submitted"},
    special={
        (S.ADMITTED, "withdraw"): (
            _("Decline the offer instead: the seat then goes to the next person waiting."),
            "admitted",
        ),
        (S.SUBMITTED, "submit"): (
            _("This application has already been submitted."),
            "already_submitted",
        ),
        (S.ELIGIBLE, "eligible"): (_("This application is already eligible."), "transition"),
        (S.INELIGIBLE, "ineligible"): (
            _("This application is already marked not eligible."),
            "transition",
        ),
    },
)

#: The decisions a coordinator takes, as actions of the application's table.
DECISIONS = ("admit", "waitlist", "reject")

# --- Documents --------------------------------------------------------------------------------
D = ApplicationDocument.Status
DOCUMENT = Lifecycle(
    _("A document"),
    {
        # "replace": a new file uploaded (in a draft, or after a rejection, before its deadline)
        D.PROVIDED: {"accept": D.ACCEPTED, "reject": D.REJECTED, "replace": D.PROVIDED},
        D.ACCEPTED: {"reject": D.REJECTED},
        D.REJECTED: {"accept": D.ACCEPTED, "replace": D.PROVIDED},
    },
    {
        "accept": _("This document is already accepted."),
        "reject": _("This document is already rejected; the applicant may replace it."),
        "replace": _("An accepted document cannot be replaced."),
    },
    label=_label_of(D),
)

# --- Interviews -------------------------------------------------------------------------------
NONE, SCHEDULED, MOVED, MARKED = "none", "scheduled", "moved", "marked"
INTERVIEW_LABELS: dict[str, StrOrPromise] = {
    NONE: _("No interview"),
    SCHEDULED: _("Scheduled"),
    MOVED: _("Moved"),
    MARKED: _("Marked"),
}


def interview_state(interview: Interview | None) -> str:
    """An interview's state, read from its row: none yet, scheduled, moved (its sequence was
    raised), or marked."""
    if interview is None:
        return NONE
    if interview.mark is not None:
        return MARKED
    return MOVED if interview.sequence else SCHEDULED


INTERVIEW = Lifecycle(
    _("An interview"),
    {
        NONE: {"schedule": SCHEDULED, "book": SCHEDULED},
        SCHEDULED: {"move": MOVED, "book": MOVED, "mark": MARKED},
        MOVED: {"move": MOVED, "book": MOVED, "mark": MARKED},
        MARKED: {"mark": MARKED},
    },
    {
        "schedule": _("This interview is already scheduled; move it instead."),
        "move": _("Only a scheduled interview can be moved; once marked it took place."),
        "book": _("This interview has already taken place."),
        "mark": _("Schedule the interview first."),
    },
    label=lambda state: str(INTERVIEW_LABELS.get(state, state)),
)

# --- Offers -----------------------------------------------------------------------------------
O = Offer.Status  # noqa: E741
OFFER = Lifecycle(
    _("An offer"),
    {
        O.PENDING: {"accept": O.ACCEPTED, "decline": O.DECLINED, "expire": O.EXPIRED},
        O.ACCEPTED: {},
        O.DECLINED: {},
        O.EXPIRED: {},
    },
    {
        "accept": _("This offer has expired or was declined; it can no longer be accepted."),
        "decline": _("This offer has already been answered or has expired."),
        "expire": _("This offer has already been answered or has expired."),
    },
    label=_label_of(O),
    codes={"accept": "expired"},
    special={
        (O.ACCEPTED, "accept"): (_("You have already accepted this offer."), "already_accepted"),
    },
)


# --- Many at once -----------------------------------------------------------------------------
@dataclass
class BulkResult:
    """An action applied to many applications: those done, and those skipped with why."""

    done: list[Application] = field(default_factory=list)
    #: (application number, why it was skipped)
    skipped: list[tuple[str, str]] = field(default_factory=list)
