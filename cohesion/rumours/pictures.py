"""The same picture, sent again: perceptual fingerprints of rumour screenshots.

A rumour often travels as a picture (a screenshot of a post, a made-up council letter), and
each time it is forwarded the app shrinks and recompresses it, so the files differ byte by byte.
A perceptual hash (pHash: the lowest frequencies of the picture's discrete cosine transform,
each marked above or below their median) stays nearly the same through that, so two reports
whose screenshots' hashes differ in few bits carry the same picture.

The hash is 256 bits (``HASH_SIZE`` 16), not the usual 64: screenshots of different messages in
the same app share their layout, and at 64 bits some of them hash alike (benchmark:
``benchmarks/rumours/pictures.py``, results in docs/benchmarks.md). A picture cut to another
shape (a new screenshot with another status bar, a frame) changes the hash too much to be found;
that is a known limit, and the officer still reads every report.

No Django here: the desk's selectors and services call these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import imagehash
from PIL import Image

HASH_SIZE = 16
HASH_HEX_LENGTH = HASH_SIZE * HASH_SIZE // 4
# Two fingerprints this close (bits that differ, of 256) are the same picture. Chosen on the
# benchmark: a forwarded copy (shrunk to 40%, recompressed) differs by at most 12 bits there;
# of 179,700 pairs of different screenshots, the closest two differ by 20 and only 3 by 32 or
# fewer.
SAME_PICTURE = 16
# At or under this many bits the pictures look identical; above it, "very alike".
IDENTICAL = 8


def fingerprint(file: IO[bytes]) -> str:
    """The picture's perceptual hash, as 64 hexadecimal digits. For an animated picture, its
    first frame. The file must already have been checked to be a picture."""
    file.seek(0)
    try:
        with Image.open(file) as image:
            image.seek(0)
            return str(imagehash.phash(image.convert("RGB"), hash_size=HASH_SIZE))
    finally:
        file.seek(0)


def distance(a: str, b: str) -> int:
    """How many of the 256 bits differ between two fingerprints."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


class PictureIndex:
    """Fingerprints on file, each read once, to find those within ``SAME_PICTURE`` bits of a
    picture. Built for one page (the report page, or the desk's list) and asked once for each
    report on it. Keys are report numbers; an empty or garbled fingerprint is left out."""

    def __init__(self, items: Iterable[tuple[int, str]]) -> None:
        self._items = [(key, int(value, 16)) for key, value in items if _readable(value)]

    def alike(
        self, target: str, *, most: int = SAME_PICTURE, leave_out: int | None = None
    ) -> list[tuple[int, int]]:
        """(key, bits that differ) of the fingerprints within ``most`` bits of ``target``,
        closest first, then the newest (highest key); ``leave_out`` is the report itself."""
        if not _readable(target):
            return []
        value = int(target, 16)
        found = [
            (key, bits)
            for key, other in self._items
            if key != leave_out and (bits := (value ^ other).bit_count()) <= most
        ]
        return sorted(found, key=lambda kb: (kb[1], -kb[0]))


def _readable(value: str) -> bool:
    return len(value) == HASH_HEX_LENGTH
