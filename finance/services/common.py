"""What every finance service shares: who may act, money checks, numbers, history."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import AnyUser, Role, has_role
from accounts.models import User
from enrollment import locks
from enrollment.models import Counter
from finance.models import MoneyEvent

CENT = Decimal("0.01")


def require_finance(actor: AnyUser) -> User:
    """Only the finance role (and the admin) changes money."""
    if not has_role(actor, Role.FINANCE):
        raise PermissionDenied
    assert isinstance(actor, User)
    return actor


def money(value: Decimal | int | str, *, field: str = "amount") -> Decimal:
    """A positive amount in dinars with at most two decimals, or a ValidationError on
    ``field``; never a float."""
    if isinstance(value, float):
        raise ValidationError({field: _("Give the amount as a decimal number, not a float.")})
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: _("Enter an amount in dinars.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("An amount has at most two decimals.")})
    return amount.quantize(CENT)


def take_numbers(prefix: str, count: int) -> list[str]:
    """``count`` consecutive numbers PREFIX-YYYY-NNNN from the counter of registration
    numbers (``enrollment.models.Counter``, under its row lock): inside the caller's
    transaction, so a rolled-back issue gives its numbers back and leaves no gap."""
    year = timezone.localdate().year
    key = f"{prefix}-{year}"
    Counter.objects.get_or_create(key=key)
    counter = locks.lock_counter(key)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"{key}-{n:04d}" for n in range(first, first + count)]


def event(kind: str, *, actor: User, why: str = "", **fields: Any) -> MoneyEvent:
    return MoneyEvent.objects.create(kind=kind, actor=actor, why=why[:4000], **fields)


def event_values(**values: Any) -> dict[str, Any]:
    """JSON-safe before/after values (amounts as strings)."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}
