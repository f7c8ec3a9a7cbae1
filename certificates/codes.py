"""Public verification codes: 65 random bits in Crockford base32 (no I, L, O, U; typing
mistakes between 0/O and 1/I/L are forgiven), plus a check character (Luhn mod 32), so a
mistyped code is caught before it is looked up: every wrong character and nearly every swap
of two neighbours. The check character is from the same alphabet, so a code is safe in a file
name (Crockford's mod-37 check symbols * ~ $ = were not: browsers turned * into _, and Windows
cannot unpack such a name from a ZIP)."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_LENGTH = 13  # 13 × 5 = 65 bits


def _check(data: str) -> str:
    """Luhn mod N (N = 32) over the code's characters."""
    base = len(ALPHABET)
    total, factor = 0, 2
    for char in reversed(data):
        addend = factor * ALPHABET.index(char)
        total += addend // base + addend % base
        factor = 3 - factor
    return ALPHABET[(base - total % base) % base]


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
