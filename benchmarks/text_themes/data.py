"""Loaders for the theme benchmarks' data sets (read from /work/shared by path, never copied)."""

from __future__ import annotations

import ast
import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "text"
GAMBLING = DATASETS / "themefinder-gambling-consultation" / "generation"
BANKING = DATASETS / "banking77"


@dataclass
class Consultation:
    texts: list[str]
    topics: list[list[str]]  # gold theme letters per answer (0 to 3)
    positions: list[str]  # "Yes" (agrees with the ban) or "No"
    frame: list[tuple[str, str, str]]  # (letter, name, description)
    sides: dict[str, str]  # letter -> "for" (the file's "Agreement" group) or "against"


def load_gambling(folder: Path = GAMBLING) -> Consultation:
    texts, topics, positions = [], [], []
    with open(folder / "eval_sentiments.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            raw = re.sub(r"\}\s*\n\s*\{", "}, {", row["target_topics"])
            parsed = ast.literal_eval(raw)
            letters = sorted({k for d in parsed for k, v in d.items() if v is not None})
            texts.append(row["response"])
            topics.append(letters)
            positions.append(row["position"])
    framework = json.loads((folder / "framework_themes.json").read_text(encoding="utf-8"))
    frame, sides = [], {}
    for group, themes in framework.items():
        for letter, theme in themes.items():
            first = theme["topics"][0]
            frame.append((letter, first["topic_name"], first["rationale"]))
            sides[letter] = "for" if group == "Agreement" else "against"
    frame.sort()
    return Consultation(texts, topics, positions, frame, sides)


def load_banking(folder: Path = BANKING) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    with open(folder / "train.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["text"])
            labels.append(row["category"])
    return texts, labels
