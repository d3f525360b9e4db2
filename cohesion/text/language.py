"""Which language is a text written in? Pure Python, no Django import.

Two checks, for two jobs:

- :func:`looks_english`, for consultation answers: the theme engine's model (MiniLM) and its word
  statistics are English, so an answer in Urdu, Polish or Romanian is grouped badly or not at
  all. English prose of five words or more almost always holds some of the commonest English
  words ("the", "and", "to", "is", ...); text in another language or script almost never does.
- :func:`guess_language`, for rumour reports: the language itself, so that the desk can mark the
  report's words with it (screen readers then read them in the right voice) and tell the officer
  whether the matching can read that language (:data:`MATCHED_LANGUAGES`). It uses the langid
  model (byte n-grams, naive Bayes; ``py3langid``, which ships the model inside the package),
  limited to the languages of :data:`LANGUAGE_NAMES`, and answers only when it is sure.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

from cohesion.text.clean import clean_social

__all__ = [
    "LANGUAGE_NAMES",
    "MATCHED_LANGUAGES",
    "MIN_WORDS",
    "guess_language",
    "language_name",
    "looks_english",
]

#: Fewer words than this (in any script) and we do not guess: "More parks" says too little.
MIN_WORDS = 5
#: Below this share of common English words, an answer is said not to look like English.
MIN_SHARE = 0.15

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# scikit-learn's list also holds abbreviations and words that are common in other languages
# ("de", "un", "con"); they would make French or Romanian look English.
_NOT_ONLY_ENGLISH = {"de", "un", "con", "co", "inc", "ltd", "eg", "ie", "etc", "re"}


@functools.cache
def _common_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # imported only when needed

    return (frozenset(ENGLISH_STOP_WORDS) - _NOT_ONLY_ENGLISH) | {"i", "im", "dont", "cant", "wont"}


def looks_english(text: str) -> bool | None:
    """True if the text looks like English, False if it does not, None if it is too short to say
    (under ``MIN_WORDS`` words)."""
    words = [w.casefold().replace("’", "'").replace("'", "") for w in _WORD.findall(text or "")]
    if len(words) < MIN_WORDS:
        return None
    common = _common_words()
    return sum(1 for w in words if w in common) / len(words) >= MIN_SHARE


#: The languages a report's language is guessed among (ISO 639-1 codes): English, languages
#: spoken in Stoke-on-Trent besides it (among them Polish, Urdu, Punjabi, Arabic, Romanian,
#: Slovak, Czech, Kurdish and Persian), and the others the Universal Sentence Encoder reads.
LANGUAGE_NAMES = {
    "en": "English",
    "pl": "Polish",
    "ur": "Urdu",
    "pa": "Punjabi",
    "ar": "Arabic",
    "ro": "Romanian",
    "sk": "Slovak",
    "cs": "Czech",
    "ku": "Kurdish",
    "fa": "Persian",
    "tr": "Turkish",
    "bn": "Bengali",
    "hi": "Hindi",
    "gu": "Gujarati",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "th": "Thai",
    "pt": "Portuguese",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "nl": "Dutch",
    "ru": "Russian",
    "uk": "Ukrainian",
    "hu": "Hungarian",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "bg": "Bulgarian",
    "sq": "Albanian",
    "so": "Somali",
    "am": "Amharic",
}
#: Languages the rumour matching reads: English (all three parts) and the other languages of
#: Google's Universal Sentence Encoder, multilingual v3 (its cosine alone carries the match; its
#: 16 languages count simplified and traditional Chinese apart).
MATCHED_LANGUAGES = frozenset(
    {"en", "ar", "zh", "nl", "fr", "de", "it", "ja", "ko", "pl", "pt", "es", "th", "tr", "ru"}
)
#: A guess is given only at this probability or more (English tweets written in capitals or
#: made mostly of names score 0.2-0.45 for some other language; real Polish, Arabic, Urdu or
#: Romanian reports of a few words score 0.98 or more).
MIN_PROBABILITY = 0.9
#: Fewer letters than this and no guess is made.
MIN_LETTERS = 12
#: Only the start of a long text is read (a language does not change half-way through a report).
MAX_CHARS = 2_000

_identifier: Any = None
_lock = threading.Lock()


def _load() -> Any:
    global _identifier
    if _identifier is not None:
        return _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


def guess_language(text: str) -> str | None:
    """The ISO 639-1 code of the language the text is written in, or None when it is too short,
    the guess is unsure, or the language is not one of :data:`LANGUAGE_NAMES`. Links, handles
    and emoji are taken out first, and the text is read in lower case (English in capitals
    otherwise looks like other languages).

    The model scores all 97 of its languages. When its best is a language outside our list
    (Tamil, Tagalog, Georgian, Marathi, ...) the answer is None, not the nearest language on the
    list; otherwise that best language must hold ``MIN_PROBABILITY`` of the probability shared
    by the listed languages."""
    cleaned = clean_social((text or "")[:MAX_CHARS], handles="drop")
    if sum(ch.isalpha() for ch in cleaned) < MIN_LETTERS:
        return None
    ranked = _load().rank(cleaned.lower())  # [(code, probability)], best first, summing to 1
    code, probability = ranked[0]
    if code not in LANGUAGE_NAMES:
        return None
    listed = sum(p for c, p in ranked if c in LANGUAGE_NAMES)  # > 0: it holds the best
    return str(code) if probability >= MIN_PROBABILITY * listed else None


def language_name(code: str | None) -> str:
    """The English name of a language code from :func:`guess_language` ("" for None)."""
    return LANGUAGE_NAMES.get(code or "", "")
