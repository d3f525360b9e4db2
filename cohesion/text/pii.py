"""Find personal details in free text before it is published, and remove them (no Django).

Rules, not a model: they are predictable, fast and explainable to the officer who confirms each
redaction. They look for email addresses, web links, UK phone numbers, UK postcodes, street
addresses ("12 Victoria Road", "Flat 3, 7 Church Street"), National Insurance numbers, and
people's names where something marks them as names ("Mrs Patel", "Cllr John Smith",
"my name is Sam Jones"). A rule-based screen will miss some names written without any marker:
the officer's confirmation step is part of the design.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

KINDS = {
    "email": "email address",
    "url": "web link",
    "phone": "phone number",
    "postcode": "postcode",
    "address": "address",
    "name": "name",
    "ni_number": "National Insurance number",
}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


_EMAIL = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.I)
# UK numbers: 0 or +44 / 0044, then 9 or 10 digits, with optional spaces, dashes, brackets.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)"
    r"(?:\d[\s\-\)]{0,2}){8,9}\d(?!\d)"
)
_POSTCODE = re.compile(
    r"\b(?:GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b", re.I
)
_STREET_TYPES = (
    "Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Close|Cl|Drive|Dr|Way|Place|Pl|Crescent|Cres|Grove|"
    "Terrace|Gardens|Gdns|Court|Ct|Square|Sq|Hill|Walk|Row|Parade|Mews|View|Park|Green|Rise|"
    "Boulevard|Bank|Croft|Fold|Gate|Meadow|Meadows|Vale|Wharf|Yard"
)
_ADDRESS = re.compile(
    r"\b(?:(?:Flat|Apartment|Apt|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+"
    r"(?:[A-Z][\w'-]*\s+){1,3}(?:" + _STREET_TYPES + r")\b\.?"
)
_NI = re.compile(r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")
_NAME_PART = r"[A-Z][a-z'\u2019-]+(?:-[A-Z][a-z'\u2019-]+)?"
_TITLE = (
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Cllr|Councillor|Sir|Dame|Lady|Lord|Rev|Revd|"
    r"Reverend|Father|Fr|Sister|Imam|Rabbi|PC|DC|Sgt|Sergeant|Inspector)"
)
_TITLED_NAME = re.compile(
    r"\b" + _TITLE + r"\.?\s+(?:[A-Z]\.?\s+)?" + _NAME_PART + r"(?:\s+" + _NAME_PART + r")?"
)
_INTRODUCED_NAME = re.compile(
    r"\b(?:[Mm]y name is|[Mm]y name's|I am called|I'm called|[Ss]igned|[Rr]egards,?|"
    r"[Tt]hanks,?|[Ff]rom)\s+(" + _NAME_PART + r"(?:\s+" + _NAME_PART + r"){0,2})"
)
# Words that follow "from"/"regards" but are not names.
_NOT_NAMES = {
    "The",
    "A",
    "An",
    "My",
    "Our",
    "Your",
    "This",
    "That",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Stoke",
    "Hanley",
    "Burslem",
    "Tunstall",
    "Longton",
    "Fenton",
    "Stoke-on-Trent",
    "England",
    "Britain",
    "UK",
    "Council",
    "Government",
    "Europe",
    "London",
    "Birmingham",
    "Manchester",
    "I",
    "We",
}


def _add(found: list[Span], pattern: re.Pattern[str], text: str, kind: str) -> None:
    for match in pattern.finditer(text):
        found.append(Span(match.start(), match.end(), kind))


def find_personal_details(text: str) -> list[Span]:
    """Spans of personal details in ``text``, in order, not overlapping."""
    if not text:
        return []
    found: list[Span] = []
    _add(found, _EMAIL, text, "email")
    _add(found, _URL, text, "url")
    _add(found, _NI, text, "ni_number")
    _add(found, _PHONE, text, "phone")
    _add(found, _POSTCODE, text, "postcode")
    _add(found, _ADDRESS, text, "address")
    _add(found, _TITLED_NAME, text, "name")
    for match in _INTRODUCED_NAME.finditer(text):
        name = match.group(1)
        words = name.split()
        if words[0] in _NOT_NAMES:
            continue
        # "from" is common: only take it when two capitalised words follow ("from Sam Jones").
        lead = match.group(0)[: match.start(1) - match.start(0)].strip().lower()
        if lead == "from" and len(words) < 2:
            continue
        found.append(Span(match.start(1), match.end(1), "name"))
    return _merge(found)


_PRIORITY = {
    "email": 0,
    "url": 1,
    "ni_number": 2,
    "address": 3,
    "phone": 4,
    "postcode": 5,
    "name": 6,
}


def _merge(spans: list[Span]) -> list[Span]:
    """Drop spans overlapping a longer (or higher-priority) one."""
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), _PRIORITY.get(s.kind, 9), s.start))
    kept: list[Span] = []
    for span in ordered:
        if any(span.start < k.end and k.start < span.end for k in kept):
            continue
        kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def placeholder(kind: str) -> str:
    return f"[{KINDS.get(kind, 'personal detail')} removed]"


def redact(text: str, spans: Sequence[Span]) -> str:
    """``text`` with each span replaced by a placeholder such as "[phone number removed]"."""
    if not text:
        return text or ""
    out: list[str] = []
    position = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        start, end = max(span.start, 0), min(span.end, len(text))
        if start < position:  # overlaps the span just removed: widen that removal
            position = max(position, end)
            continue
        if end <= start:
            continue
        out.append(text[position:start])
        out.append(placeholder(span.kind))
        position = end
    out.append(text[position:])
    return "".join(out)
