"""Run the anchor (sortition-algorithms 0.12.x) on one instance; write the result as JSON.

Runs with the anchor's own virtual environment (``benchmarks/sortition/.venv-anchor``, made by
``setup-anchor``); ``run.py`` starts it as a subprocess and kills it at the time limit. It does
not import Cohesion. Usage:

    .venv-anchor/bin/python anchor_worker.py INSTANCE_DIR ALGORITHM BACKEND OUT.json

``ALGORITHM`` is ``maximin``, ``leximin`` or ``nash`` (the anchor's ``find_distribution_*``);
``BACKEND`` is one of the anchor's solver back-ends (``mip`` = python-mip with CBC, ``highspy``).
The upstream instance format is read as is: ``categories.csv`` has ``category,feature,min,max``,
which the anchor reads as its old header ``category,name,min,max`` after renaming; people get the
row index as their id. The result goes to a file because the solvers print to standard output.
"""

from __future__ import annotations

import csv
import json
import logging
import sys
import time
from importlib.metadata import version
from pathlib import Path


def main() -> None:
    directory, algorithm, backend = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    out = Path(sys.argv[4])
    logging.disable(logging.CRITICAL)
    from sortition_algorithms import Settings, read_in_features, read_in_people
    from sortition_algorithms.committee_generation import (
        GUROBI_AVAILABLE,
        find_distribution_leximin,
        find_distribution_maximin,
        find_distribution_nash,
    )

    k = int(directory.name.rsplit("_", 1)[1])
    with (directory / "categories.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    feature_rows = [
        {"category": r["category"], "name": r["feature"], "min": r["min"], "max": r["max"]}
        for r in rows
    ]
    features, feature_column, _ = read_in_features(
        ["category", "name", "min", "max"], feature_rows, k
    )
    with (directory / "respondents.csv").open(newline="") as handle:
        reader = csv.DictReader(handle)
        head = ["id", *(reader.fieldnames or [])]
        people_rows = [{"id": str(i), **row} for i, row in enumerate(reader)]
    settings = Settings(id_column="id", columns_to_keep=[], solver_backend=backend)
    people, _ = read_in_people(head, people_rows, features, settings, feature_column)
    finder = {
        "maximin": find_distribution_maximin,
        "leximin": find_distribution_leximin,
        "nash": find_distribution_nash,
    }[algorithm]
    if algorithm == "leximin" and not GUROBI_AVAILABLE:
        out.write_text(json.dumps({"error": "leximin needs Gurobi, which is not installed"}))
        return
    began = time.perf_counter()
    committees, probabilities, _ = finder(features, people, k, [], backend)
    seconds = time.perf_counter() - began
    marginals = [0.0] * len(people_rows)
    panels = 0
    for committee, p in zip(committees, probabilities, strict=True):
        if p > 0:
            panels += 1
            for person in committee:
                marginals[int(person)] += p
    out.write_text(
        json.dumps(
            {
                "seconds": seconds,
                "marginals": marginals,
                "panels": panels,
                "versions": {
                    name: version(name) for name in ("sortition-algorithms", "highspy", "mip")
                },
                "gurobi_available": bool(GUROBI_AVAILABLE),
            }
        )
    )


if __name__ == "__main__":
    main()
