"""Reports in other languages: does the engine find the English claim a Polish or Arabic report
repeats, and score it high enough for the rumour desk to show it?

The reports are ``multilingual_reports.tsv`` (written for this project, in the repository): 20
claims of the kind the Stoke-on-Trent desk logs, each told again in other words in English,
Polish, Arabic, Romanian and Urdu, and three harmless messages in each language that match no
claim. The 20 claims are indexed with the 10,375 CLEF 2020 verified claims as distractors (read
in place, research-only; ``--no-distractors`` leaves them out). Each report is ranked twice in
the same run: with the weighted sum of the three parts alone, and with the engine as shipped
(the sum, or ``CROSS_LINGUAL_WEIGHT`` × the Universal Sentence Encoder cosine when that is
higher). Also counts how often the desk's language guess (``cohesion.text.language``) names each
text's language right. Prints Markdown and writes JSON to ``benchmarks/results/``.

    .venv/bin/python benchmarks/claims/multilingual.py
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from clef import DEFAULT_DATA, load_claims  # noqa: E402
from run import RESULTS, build_index, save_result  # noqa: E402

from cohesion.text import matching  # noqa: E402
from cohesion.text.language import guess_language  # noqa: E402
from cohesion.text.matching import ClaimIndex  # noqa: E402

REPORTS = Path(__file__).resolve().parent / "multilingual_reports.tsv"
LANGUAGES = {"en": "English", "pl": "Polish", "ar": "Arabic", "ro": "Romanian", "ur": "Urdu"}
# The rumour desk shows a suggestion from this score (cohesion.rumours.matching.MIN_SCORE; not
# imported, so that this script needs no Django).
SHOWN = 0.3


def read_reports(path: Path = REPORTS) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """The claims (id -> text) and the reports (claim id or "none", language, text)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    claims = {r["id"]: r["text"] for r in rows if r["claim_or_lang"] == "claim"}
    reports = [
        (r["id"], r["claim_or_lang"], r["text"]) for r in rows if r["claim_or_lang"] != "claim"
    ]
    return claims, reports


def score(index: ClaimIndex, reports: list[tuple[str, str, str]]) -> dict[str, dict[str, float]]:
    """Per language: the share of reports whose claim comes first, in the top 5, and shown by
    the desk (in the top 5 and scoring 0.3 or more); the median score of the right claim (0 when
    it is not in the top 5); and for the reports that match no claim, the best score and the
    share the desk would show."""
    out: dict[str, dict[str, float]] = {}
    for code in LANGUAGES:
        ranks, scores, unrelated = [], [], []
        for claim_id, lang, text in reports:
            if lang != code:
                continue
            matches = index.search(text, 5)
            if claim_id == "none":
                unrelated.append(matches[0].score)
                continue
            keys = [m.key for m in matches]
            key = f"ours:{claim_id}"
            rank = keys.index(key) + 1 if key in keys else 99
            ranks.append(rank)
            scores.append(next((m.score for m in matches if m.key == key), 0.0))
        n = len(ranks)
        out[code] = {
            "reports": n,
            "first": sum(r == 1 for r in ranks) / n,
            "top5": sum(r <= 5 for r in ranks) / n,
            "shown": sum(r <= 5 and s >= SHOWN for r, s in zip(ranks, scores, strict=True)) / n,
            "median_score": statistics.median(scores),
            "unrelated": len(unrelated),
            "unrelated_best": max(unrelated),
            "unrelated_shown": sum(s >= SHOWN for s in unrelated) / len(unrelated),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=RESULTS / "claims" / "embed-cache")
    parser.add_argument("--no-distractors", action="store_true")
    args = parser.parse_args()

    ours, reports = read_reports()
    index = build_index([] if args.no_distractors else load_claims(args.data), args.cache)
    index.add_many((f"ours:{cid}", text) for cid, text in ours.items())

    # The desk's language guess (cohesion.text.language), over every text of the file.
    texts = [(code, text) for _, code, text in reports] + [("en", t) for t in ours.values()]
    guessed = {code: [guess_language(t) for c, t in texts if c == code] for code in LANGUAGES}
    shipped = matching.CROSS_LINGUAL_WEIGHT
    result: dict = {
        "claims": len(index),
        "cross_lingual_weight": shipped,
        "language_guess": {
            code: {
                "texts": len(found),
                "right": sum(g == code for g in found),
                "unsure": sum(g is None for g in found),
            }
            for code, found in guessed.items()
        },
        "runs": {},
    }
    try:
        matching.CROSS_LINGUAL_WEIGHT = 0.0
        result["runs"]["weighted sum only"] = score(index, reports)
    finally:
        matching.CROSS_LINGUAL_WEIGHT = shipped
    result["runs"]["shipped"] = score(index, reports)

    print(f"## Reports in other languages ({len(index):,} claims on file)\n")
    print(
        "| language | engine | right claim first | in top 5 | shown by the desk "
        "| median score | unrelated: best score | unrelated shown |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for code, name in LANGUAGES.items():
        for run_name, rows in result["runs"].items():
            r = rows[code]
            print(
                f"| {name} | {run_name} | {r['first']:.0%} | {r['top5']:.0%} | {r['shown']:.0%} "
                f"| {r['median_score']:.2f} | {r['unrelated_best']:.2f} "
                f"| {r['unrelated_shown']:.0%} |"
            )
    print("\n| language | texts | language guessed right | no guess | guessed wrong |")
    print("| --- | --- | --- | --- | --- |")
    for code, name in LANGUAGES.items():
        g = result["language_guess"][code]
        wrong = g["texts"] - g["right"] - g["unsure"]
        print(f"| {name} | {g['texts']} | {g['right']} | {g['unsure']} | {wrong} |")
    save_result("multilingual", result)


if __name__ == "__main__":
    main()
