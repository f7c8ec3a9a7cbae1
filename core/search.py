"""Accent- and case-insensitive search ("benali", "BÉNALI" and "Bénali" find "Bénali").

Queries use the ``unaccent`` transform (``name__unaccent__icontains=word``), which Django
registers on text fields (django.contrib.postgres) and writes as ``UNACCENT(…)`` on both
sides of the comparison, whatever the database. PostgreSQL has the function from its
extension (enrollment migration 0010); on SQLite, the embedded default, every new connection
gets :func:`unaccent` under the same name, so the same query runs on both.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.backends.signals import connection_created
from django.dispatch import receiver

#: Letters that are not a base letter plus an accent, as PostgreSQL's unaccent rules write them.
_LETTERS = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "đ": "d",
     "Đ": "D", "ł": "l", "Ł": "L"}
)  # fmt: skip


def unaccent(text: str | None) -> str | None:
    """``text`` without its accents (NFKD, the combining marks dropped): "Bénali" →
    "Benali", "Œuvre" → "OEuvre"; None stays None, as SQL's NULL."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_LETTERS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@receiver(connection_created, dispatch_uid="core.search.sqlite_unaccent")
def sqlite_unaccent(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite has no ``unaccent``: give each new connection ours."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("unaccent", 1, unaccent, deterministic=True)
