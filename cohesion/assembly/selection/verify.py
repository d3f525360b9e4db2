#!/usr/bin/env python3
"""Check a Citizens' Assembly draw yourself, without the platform.

Download the published lottery file (``lottery.json``) and this script, then run, with any
Python 3.8 or newer and nothing else installed:

    python verify.py lottery.json "12 24 31 38 45 49"

where the second argument is the public random number announced after the lottery's fingerprint
was published (for example the numbers of a national lottery draw, in the order announced).
The script prints the file's fingerprint (SHA-256), the number of the chosen panel and its
members' anonymous labels. Compare the fingerprint with the one published before the draw:

    python verify.py lottery.json "12 24 31 38 45 49" --expect-fingerprint 3f5a... --expect-panel 417

exits with a non-zero status and says why when the file is not the published one, when the
chosen panel is not the one announced, or when the file is not a well-formed lottery (a panel of
the wrong size, a different number of panels from the one stated, unknown labels).

The rule (the same as ``draw_index`` in ``lottery.py``): keep only the letters and digits of the
public number, letters in lower case; then
``panel = int(SHA-256(fingerprint + ":" + number), 16) mod m``, with ``m`` the number of panels.

Exit status: 0 all checks passed; 1 the file or the number cannot be used; 2 the fingerprint is
not the expected one; 3 the chosen panel is not the expected one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from typing import Any

FORMAT = "cohesion-assembly-lottery"
SUPPORTED_VERSIONS = (1,)
EXIT_BAD_INPUT = 1
EXIT_FINGERPRINT = 2
EXIT_PANEL = 3


class VerifyError(Exception):
    """The file or the public number cannot be used; the message says what to fix."""


def normalise(public_random: str) -> str:
    """Keep ASCII letters and digits, letters in lower case; refuse letters or digits of other scripts."""
    kept = []
    for char in public_random.lower():
        if re.fullmatch(r"[0-9a-z]", char):
            kept.append(char)
        elif char.isalnum():
            raise VerifyError(
                f"The public random number contains {char!r}; use the digits 0-9 and the "
                "letters a-z only."
            )
    if not kept:
        raise VerifyError(
            "The public random number is empty: type the digits (or letters and digits) that "
            "were announced, for example '12 24 31 38 45 49'."
        )
    return "".join(kept)


def chosen_panel(fingerprint: str, public_random: str, m: int) -> int:
    value = hashlib.sha256(f"{fingerprint}:{normalise(public_random)}".encode()).hexdigest()
    return int(value, 16) % m


def check_lottery(document: Any) -> tuple[int, int, list[str], list[list[str]]]:
    """Return ``(m, panel_size, pool, panels)`` after checking the file's structure."""
    if not isinstance(document, dict):
        raise VerifyError("The file is not a lottery file: it does not hold a JSON object.")
    if document.get("format") != FORMAT:
        raise VerifyError(f"The file is not a lottery file: its format is not {FORMAT!r}.")
    if document.get("format_version") not in SUPPORTED_VERSIONS:
        raise VerifyError(
            f"This script reads format version {', '.join(map(str, SUPPORTED_VERSIONS))}; the "
            f"file has version {document.get('format_version')!r}. Download the matching verify.py."
        )
    m = document.get("m")
    panel_size = document.get("panel_size")
    pool = document.get("pool")
    panels = document.get("panels")
    if not isinstance(m, int) or isinstance(m, bool) or m < 1:
        raise VerifyError(
            f"The file states m = {m!r}; it must be a whole number of panels, 1 or more."
        )
    if not isinstance(panel_size, int) or isinstance(panel_size, bool) or panel_size < 1:
        raise VerifyError(f"The file states panel_size = {panel_size!r}; it must be 1 or more.")
    if not isinstance(pool, list) or not all(isinstance(label, str) for label in pool):
        raise VerifyError("The file's pool must be a list of labels.")
    if len(set(pool)) != len(pool):
        raise VerifyError("The file's pool lists the same label twice.")
    if not isinstance(panels, list):
        raise VerifyError("The file's panels must be a list.")
    if len(panels) != m:
        raise VerifyError(f"The file states m = {m} but holds {len(panels)} panels.")
    known = set(pool)
    members_list: list[list[str]] = []
    for position, panel in enumerate(panels):
        if not isinstance(panel, dict) or panel.get("number") != position:
            raise VerifyError(
                f"Panel {position} is not numbered {position}: the panels must be numbered 0 to m-1 in order."
            )
        members = panel.get("members")
        if not isinstance(members, list) or not all(isinstance(label, str) for label in members):
            raise VerifyError(f"Panel {position} has no list of members.")
        if len(members) != panel_size:
            raise VerifyError(
                f"Panel {position} has {len(members)} members but the file states panel_size = {panel_size}."
            )
        if len(set(members)) != len(members):
            raise VerifyError(f"Panel {position} lists the same person twice.")
        unknown = [label for label in members if label not in known]
        if unknown:
            raise VerifyError(
                f"Panel {position} has members who are not in the pool: {', '.join(unknown[:5])}."
            )
        members_list.append(members)
    return m, panel_size, pool, members_list


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check a Citizens' Assembly draw: fingerprint of the lottery file and the chosen panel."
    )
    parser.add_argument("lottery_file", help="the published lottery file (JSON)")
    parser.add_argument(
        "public_random", help='the public random number, for example "12 24 31 38 45 49"'
    )
    parser.add_argument(
        "--expect-fingerprint", metavar="HEX", help="the fingerprint published before the draw"
    )
    parser.add_argument(
        "--expect-panel", metavar="N", type=int, help="the panel number the council announced"
    )
    args = parser.parse_args(argv)

    try:
        with open(args.lottery_file, "rb") as handle:
            data = handle.read()
    except OSError as error:
        print(f"Cannot read {args.lottery_file}: {error.strerror or error}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    digest = hashlib.sha256(data).hexdigest()
    print(f"File:                {args.lottery_file}")
    print(f"Fingerprint SHA-256: {digest}")
    try:
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise VerifyError(f"The file is not valid UTF-8 JSON: {error}.") from None
        m, panel_size, pool, panels = check_lottery(document)
        normalised = normalise(args.public_random)
        index = chosen_panel(digest, args.public_random, m)
    except VerifyError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT

    meta = document.get("meta") or {}
    if isinstance(meta, dict):
        for key in ("assembly", "date", "method"):
            if key in meta:
                print(f"{key.capitalize() + ':':<21}{meta[key]}")
    print(f"Pool:                {len(pool)} volunteers (anonymous labels)")
    print(f"Lottery:             {m} panels of {panel_size}; every panel checked")
    print(f"Public number:       {args.public_random!r} -> {normalised}")
    print(f"Chosen panel:        {index}")
    print(f"Members:             {' '.join(panels[index])}")

    status = 0
    if args.expect_fingerprint is not None:
        expected = args.expect_fingerprint.strip().lower()
        if expected != digest:
            print(
                f"FINGERPRINT MISMATCH: this file's fingerprint is {digest}, but {expected} was "
                "published. This is not the published lottery file.",
                file=sys.stderr,
            )
            return EXIT_FINGERPRINT
        print("Fingerprint:         matches the published one")
    if args.expect_panel is not None:
        if args.expect_panel != index:
            print(
                f"PANEL MISMATCH: the public number chooses panel {index}, but panel "
                f"{args.expect_panel} was announced.",
                file=sys.stderr,
            )
            return EXIT_PANEL
        print("Panel:               matches the announced one")
    return status


if __name__ == "__main__":
    sys.exit(main())
