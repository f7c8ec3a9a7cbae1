"""The lifecycles of studies, one transition table each: the services enforce them and the
pages read them, so a page offers only the actions the state allows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from studies.models import Jury, MarkSheet


@dataclass(frozen=True)
class Lifecycle:
    name: str
    #: state → {action: next state}
    table: Mapping[str, Mapping[str, str]]
    #: why an action is refused, per action (the state's label is added)
    refusals: Mapping[str, str | Promise]
    #: the ValidationError code of a refused action, when callers tell refusals apart
    codes: Mapping[str, str] = field(default_factory=dict)

    def actions(self, state: str) -> tuple[str, ...]:
        return tuple(self.table.get(state, {}))

    def allows(self, state: str, action: str) -> bool:
        return action in self.table.get(state, {})

    def next(self, state: str, action: str, *, label: str = "") -> str:
        """The state after ``action``, or a ValidationError saying why it cannot be taken."""
        try:
            return self.table[state][action]
        except KeyError:
            reason = self.refusals.get(action, _("This action is not possible now."))
            raise ValidationError(
                f"{reason} ({label})" if label else str(reason),
                code=self.codes.get(action, "transition"),
            ) from None


J = Jury.Status
JURY = Lifecycle(
    "jury",
    {
        J.OPEN: {"close": J.CLOSED},
        J.CLOSED: {"publish": J.PUBLISHED, "reopen": J.REOPENED},
        J.PUBLISHED: {"reopen": J.REOPENED},
        J.REOPENED: {"close": J.CLOSED},
    },
    {
        "close": _("This jury is already closed."),
        "publish": _("Only a closed jury can be published."),
        "reopen": _("Only a closed or published jury can be reopened."),
    },
    {"close": "closed"},
)

S = MarkSheet.Status
SHEET = Lifecycle(
    "mark sheet",
    {
        S.OPEN: {"save": S.OPEN, "submit": S.SUBMITTED},
        S.SUBMITTED: {"correct": S.SUBMITTED, "lock": S.LOCKED},
        S.LOCKED: {"unlock": S.SUBMITTED},
    },
    {
        "save": _("This grid has been submitted; only the coordination can change a mark."),
        "submit": _("This grid has already been submitted."),
        "correct": _(
            "The jury has closed over these marks; it must be reopened, with a reason, "
            "to change them."
        ),
        "lock": _("Only a submitted grid can be locked by a jury."),
        "unlock": _("This grid is not locked."),
    },
)

from studies.models import Appeal  # noqa: E402  (appended with its table)

A = Appeal.Status
APPEAL = Lifecycle(
    "appeal",
    {
        A.OPEN: {"keep": A.KEPT, "correct": A.CORRECTED, "withdraw": A.WITHDRAWN},
    },
    {
        "keep": _("This appeal has already been answered or withdrawn."),
        "correct": _("This appeal has already been answered or withdrawn."),
        "withdraw": _("This appeal has already been answered; it can no longer be withdrawn."),
    },
)
