"""Numbers typed in a query string or a form field outside a Django form."""

from __future__ import annotations

INT_MAX = 2**31 - 1  # PostgreSQL's integer


def positive_int(text: str | None) -> int | None:
    """``text`` as a positive integer that fits a database column, else None: rejects signs,
    spaces, other scripts' digits ('٣', '²' pass ``str.isdigit`` and break ``int``), and
    numbers too long for the column."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= INT_MAX else None
