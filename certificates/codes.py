"""Public verification codes: 65 random bits in Crockford base32 (no I, L, O, U; typing
mistakes between 0/O and 1/I/L are forgiven), plus a check character (mod 37), so a
mistyped code is caught before it is looked up."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
DATA_LENGTH = 13  # 13 × 5 = 65 bits


def _check(data: str) -> str:
    value = 0
    for char in data:
        value = value * 32 + ALPHABET.index(char)
    return CHECK_ALPHABET[value % 37]


def new_code() -> str:
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return format_code(data + _check(data))


def format_code(raw: str) -> str:
    """XXXX-XXXX-XXXX-XX: easier to read out and to type."""
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise(code: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one of ours."""
    raw = code.upper().replace("-", "").replace(" ", "")
    raw = raw.translate(str.maketrans("OIL", "011"))
    if len(raw) != DATA_LENGTH + 1:
        return None
    data, check = raw[:-1], raw[-1]
    if any(c not in ALPHABET for c in data) or _check(data) != check:
        return None
    return format_code(raw)
