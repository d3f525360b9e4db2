"""Is an answer written in English? A cheap check so that officers can read the others themselves.

The theme engine's model (MiniLM) and its word statistics are English: an answer in Urdu, Polish
or Romanian is grouped badly or not at all. English prose of five words or more almost always
holds some of the commonest English words ("the", "and", "to", "is", ...); text in another
language or script almost never does. Pure Python, no Django import.
"""

from __future__ import annotations

import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = ["MIN_WORDS", "looks_english"]

#: Fewer words than this (in any script) and we do not guess: "More parks" says too little.
MIN_WORDS = 5
#: Below this share of common English words, an answer is said not to look like English.
MIN_SHARE = 0.15

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# scikit-learn's list also holds abbreviations and words that are common in other languages
# ("de", "un", "con"); they would make French or Romanian look English.
_NOT_ONLY_ENGLISH = {"de", "un", "con", "co", "inc", "ltd", "eg", "ie", "etc", "re"}
_COMMON = (frozenset(ENGLISH_STOP_WORDS) - _NOT_ONLY_ENGLISH) | {"i", "im", "dont", "cant", "wont"}


def looks_english(text: str) -> bool | None:
    """True if the text looks like English, False if it does not, None if it is too short to say
    (under ``MIN_WORDS`` words)."""
    words = [w.casefold().replace("’", "'").replace("'", "") for w in _WORD.findall(text or "")]
    if len(words) < MIN_WORDS:
        return None
    common = sum(1 for w in words if w in _COMMON)
    return common / len(words) >= MIN_SHARE
