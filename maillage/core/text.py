"""Text helpers shared by search, matching and imports."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise(value: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces: for matching and search."""
    text = strip_accents(value or "").lower().replace("œ", "oe").replace("æ", "ae")
    return _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()
