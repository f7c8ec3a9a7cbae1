"""Which script a name is written in: Latin letters only, or Arabic letters only.

Used where a name is printed in both scripts (the identity block of the documents): a field
meant for the Latin spelling must hold Latin letters, one meant for the Arabic spelling
Arabic letters. Both allow what names are made of besides letters: spaces, hyphens and
apostrophes (straight or typographic). Accents and diacritics belong to their script:
« Béjaïa » is Latin, « مُحَمَّد » (with its vowel marks) and a tatweel are Arabic. Digits,
punctuation and any letter of another script make the text neither.
"""

from __future__ import annotations

import unicodedata

#: What a name may hold besides letters: spaces, hyphens (ASCII, Unicode hyphen, non-breaking
#: hyphen) and apostrophes (ASCII, right single quotation mark, modifier letter apostrophe).
SEPARATORS = frozenset(" \u00a0-\u2010\u2011'\u2019\u02bc")


def _in_script(text: str, prefix: str) -> bool:
    text = unicodedata.normalize("NFC", text)
    letters = 0
    for ch in text:
        if ch in SEPARATORS:
            continue
        category = unicodedata.category(ch)
        name = unicodedata.name(ch, "")
        if name == "ARABIC TATWEEL" and prefix == "ARABIC":
            continue  # the stretching stroke: part of Arabic writing, not a letter
        if category.startswith("L") and name.startswith(prefix):
            letters += 1
        elif category.startswith("M") and (name.startswith(prefix) or name.startswith("COMBINING")):
            continue  # an accent or a vowel mark on the letter before it
        else:
            return False
    return letters > 0


def is_latin(text: str) -> bool:
    """Latin letters (accented ones included), spaces, hyphens and apostrophes only, and at
    least one letter."""
    return _in_script(text, "LATIN")


def is_arabic(text: str) -> bool:
    """Arabic letters (with their vowel marks), spaces, hyphens and apostrophes only, and at
    least one letter."""
    return _in_script(text, "ARABIC")
