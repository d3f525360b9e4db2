"""Clean-up of social-media copy before it is matched against claims on file.

Pure Python, no Django. A rumour pasted from X, Facebook or WhatsApp carries things that say
nothing about the claim itself and only add noise to matching: links (``https://t.co/...``,
``pic.twitter.com/...``), the "— Name (@handle) June 1, 2020" byline that a copied tweet ends
with, ``RT @someone:`` markers, ``@handles``, emoji and HTML entities. :func:`clean_social` strips
those, splits hashtags into words (``#StayHomeSaveLives`` -> "Stay Home Save Lives") and tidies
the white space, keeping the words that carry the meaning.
"""

from __future__ import annotations

import html
import re
import unicodedata

# The longest text cleaned; anything beyond is cut first so that a 100,000-character paste is
# never slow (a claim or a tweet is a few hundred characters).
MAX_CHARS = 5_000

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# "— Donald J. Trump (@realDonaldTrump) May 1, 2020" at the end of a copied tweet. The dash may be
# an em dash, an en dash or a hyphen; the name may hold any characters except a dash or newline.
_BYLINE = re.compile(
    r"[\s\u00a0]*(?:\u2014|\u2013|--?)(?P<name>[^\u2014\u2013\n]{0,120}?)\(@\w{1,30}\)"
    rf"(?:\s*(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}})?\s*$",
    re.IGNORECASE,
)
# A byline without a handle: "— Name June 1, 2020" (a date alone at the end is kept: "the
# library closes on May 1, 2025" means what it says).
_TRAILING_DATE = re.compile(
    rf"\s*(?:\u2014|\u2013|--?)[^\u2014\u2013\n]{{0,80}}?(?:{_MONTHS})\.?\s+\d{{1,2}},\s+\d{{4}}\s*$"
)
# Links: with a scheme, www., bare pic.twitter.com (often glued to the word before it), and
# bare short links such as bit.ly/abc.
_URL = re.compile(
    r"(?:https?://|www\.)[^\s\u2014\u2013]+"
    r"|pic\.twitter\.com/[^\s\u2014\u2013]*"
    r"|\b(?:bit\.ly|t\.co|tinyurl\.com|goo\.gl|ow\.ly|buff\.ly|fb\.me|youtu\.be|wp\.me)/[^\s\u2014\u2013]*",
    re.IGNORECASE,
)
_RT = re.compile(r"(?:^|(?<=\s))(?:RT|MT)\s*@\w+\s*:?", re.IGNORECASE)
_VIA = re.compile(r"\b(?:via|h/t|HT)\s+@\w+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w.])@(\w{1,30})")
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
# Split "StayHomeSaveLives" -> "Stay Home Save Lives", "COVID19Vaccine" -> "COVID19 Vaccine".
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[a-zA-Z])(?=\d{3,})")
_SPACE = re.compile(r"\s+")
# Quotation marks, straight or curly, but not the apostrophe inside a word ("can't", "Stoke's").
_QUOTES = re.compile(r"[\"\u201c\u201d\u201e\u00ab\u00bb]|(?<!\w)'|'(?!\w)")
_REPEAT_PUNCT = re.compile(r"([!?.,])\1{2,}")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")

# Unicode categories dropped: symbols other than currency/maths (So covers emoji and dingbats),
# format characters (zero-width joiners, variation selectors) and private use.
_DROP_CATEGORIES = {"So", "Cf", "Co", "Cs", "Sk"}
# Punctuation above U+2000 that is kept (curly quotes, dashes, the ellipsis): handled below.
_KEPT_PUNCTUATION = "\u2018\u2019\u201c\u201d\u201e\u2014\u2013\u2026"


def _split_words(tag: str) -> str:
    words = tag.replace("_", " ")
    return _CAMEL.sub(" ", words)


def _strip_symbols(text: str) -> str:
    out = []
    for ch in text:
        if ord(ch) < 0x2000:
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        drop = category in _DROP_CATEGORIES or (
            category.startswith("P") and ch not in _KEPT_PUNCTUATION
        )
        out.append(" " if drop else ch)
    return "".join(out)


def clean_social(text: str, *, handles: str = "words") -> str:
    """The text of a social-media post with the noise taken out and the meaning kept.

    ``handles``: what to do with ``@handles`` in the body: ``"words"`` keeps the name split into
    words (``@realDonaldTrump`` -> "real Donald Trump", since the name is often the subject of the
    claim), ``"drop"`` removes them. Bylines, ``RT @x:`` markers and links are always removed.
    """
    if not text:
        return ""
    text = text[:MAX_CHARS]
    text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    text = _URL.sub(" ", text)
    # A byline may sit after a link that was glued to it; remove links first, then the byline.
    text, _author = _cut_byline(text.rstrip())
    date = _TRAILING_DATE.search(text, max(0, len(text) - _TAIL))
    if date is not None:
        text = text[: date.start()]
    text = _RT.sub(" ", text)
    text = _VIA.sub(" ", text)
    if handles == "drop":
        text = _HANDLE.sub(" ", text)
    else:
        text = _HANDLE.sub(lambda m: " " + _split_words(m.group(1)) + " ", text)
    text = _HASHTAG.sub(lambda m: " " + _split_words(m.group(1)) + " ", text)
    text = _strip_symbols(text)
    # Quotation marks carry little meaning here, and the same claim is often filed twice with
    # different quotes; without them, the two read the same.
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("`", "'")
    text = _QUOTES.sub(" ", text)
    text = text.replace("\u2026", " ")
    text = _REPEAT_PUNCT.sub(r"\1", text)
    text = _EMPTY_BRACKETS.sub(" ", text)
    text = _SPACE.sub(" ", text).strip()
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    return text.strip(" -\u2014\u2013|:")


def byline_author(text: str) -> str:
    """The name in the "— Name (@handle) June 1, 2020" byline a copied tweet ends with ("" if
    there is none). Who said it is often who the claim is about, so matching reads it apart."""
    if not text:
        return ""
    text = _URL.sub(" ", unicodedata.normalize("NFKC", html.unescape(text[:MAX_CHARS]))).rstrip()
    _text, author = _cut_byline(text)
    return clean_social(author, handles="drop") if author else ""


# A byline is looked for in the last this many characters only (it is at the end; looking in a
# long text full of dashes would be slow).
_TAIL = 250


def _cut_byline(text: str) -> tuple[str, str]:
    """The text without its byline, and the byline's name ("" if there is none)."""
    found = _BYLINE.search(text, max(0, len(text) - _TAIL))
    if found is None:
        return text, ""
    return text[: found.start()], found.group("name")
