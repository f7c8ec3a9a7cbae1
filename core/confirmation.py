"""Confirm an irreversible step, without JavaScript (templates/confirm.html).

A GET on the action's URL — or a POST that does not carry ``confirm=yes`` — shows a page that
says exactly what will happen and what follows from it, with one POST button and a link
back; only the POST that carries the field does the step. Views use it as::

    if not confirmed(request):
        return confirmation_page(request, Confirmation(...))
    ...the service call, then a message that says what happened...
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import forms
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone

#: The field (and value) the confirmation page's button posts.
CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


@dataclass(frozen=True)
class Confirmation:
    """What the page says: a question, what will happen (one sentence a line), the words on
    the button, and where "cancel" leads. ``form`` adds fields (an optional reason) to the
    POST; ``hidden`` carries values chosen on the page before (rendered as hidden inputs)."""

    title: str
    consequences: Sequence[str]
    button: str
    cancel_url: str
    danger: bool = False
    form: BaseForm | None = None
    hidden: Mapping[str, str] = field(default_factory=dict)


def confirmed(request: HttpRequest) -> bool:
    """Whether this request is the confirmation page's POST."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def confirmation_page(
    request: HttpRequest, confirmation: Confirmation, *, status: int = 200
) -> HttpResponse:
    """The page asking to confirm; it posts back to the URL it was shown at."""
    return render(
        request,
        "confirm.html",
        {
            "confirmation": confirmation,
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
        },
        status=status,
    )


class ReasonForm(forms.Form):
    """An optional reason typed on a confirmation page (``label`` says what it is for)."""

    reason = forms.CharField(required=False, max_length=1000)

    def __init__(self, *args: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label


def moment(value: datetime) -> str:
    """A date-time as the message after a step states it: local time, long form
    ("mardi 1 décembre 2026, 15:00")."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT", use_l10n=True)
