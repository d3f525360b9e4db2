"""Write the small anchor fixture used by tests/tensions/warning/test_farrington.py.

    .venv/bin/python benchmarks/early_warning/make_fixture.py

Simulates a few series with simulate.py (fixed seeds) and stores, for each, R `surveillance`'s
farringtonFlexible thresholds and alarms (Noufaily and 1996 settings) for weeks 576-624.
Needs R and rpy2 (benchmarks/early_warning/setup.sh).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from noufaily import Anchor  # noqa: E402
from simulate import scenarios, sim_one  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "tests/tensions/warning/fixtures/anchor_farrington.json"


def main() -> None:
    anchor = Anchor()
    cases = []
    for sid, seed in ((1, 11), (9, 12), (17, 13), (28, 14), (40, 15)):
        s = scenarios()[sid - 1]
        sim = sim_one(s, np.random.default_rng([seed, sid]))
        d = anchor.run(sim.y, 0.01)
        cases.append(
            {
                "scenario": sid,
                "seed": seed,
                "y": [int(v) for v in sim.y],
                "noufaily_upper": [None if not np.isfinite(v) else float(v) for v in d["nou_ub"]],
                "noufaily_alarm": [int(np.nan_to_num(v)) for v in d["nou"]],
                "f1996_upper": [None if not np.isfinite(v) else float(v) for v in d["far_ub"]],
                "f1996_alarm": [int(np.nan_to_num(v)) for v in d["far"]],
                "c1_upper": [None if not np.isfinite(v) else float(v) for v in d["c1_ub"]],
            }
        )
    meta = {
        "anchor": f"surveillance {anchor.version}, {anchor.r_version}",
        "alpha": 0.01,
        "weeks": "576-624 (1-based)",
        "cases": cases,
    }
    OUT.write_text(json.dumps(meta, separators=(",", ":")))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
