"""Citizens' Assembly selection benchmark: our engine and the anchor side by side, in one run.

    benchmarks/sortition/setup-anchor        # once: the anchor's own venv (.venv-anchor)
    .venv/bin/python benchmarks/sortition/run.py --data /work/shared/datasets/sortition

For every instance (``synthetic/synth_300_30``, ``instances/example_small_20``,
``instances/example_large_200``, the ten paper-shaped pools and the 5,000-volunteer pool made by
``generate_pools.py``) it runs, each in its own process with a time limit:

- ours: LEXIMIN and MAXIMIN (``cohesion.assembly.selection.engine.find_distribution``), each
  checked by the independent checker (``check.check_distribution``), and LEXIMIN rounded to a
  uniform lottery of M = 1,000 panels (``lottery.round_to_lottery``);
- the anchor, the Sortition Foundation's ``sortition-algorithms`` 0.12.x, in its own venv: MAXIMIN
  with its default python-mip/CBC back-end and with its highspy back-end (its LEXIMIN needs
  Gurobi, which we do not have; without it the package falls back to MAXIMIN).

It reports per instance and method the smallest selection probability, the geometric mean, the
Gini coefficient, the number of panels and the seconds, and checks the figures the issue asks
for. Results go to ``benchmarks/results/sortition-<time>.json`` (written after every run, so a
cut-short run keeps what it has) and a Markdown table is printed and written next to it.

Our engine is imported only inside the worker process, so the harness runs (anchor only, with
``--skip-ours``) before the engine exists.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RESULTS = REPO / "benchmarks" / "results"
ANCHOR_PYTHON = HERE / ".venv-anchor" / "bin" / "python"
PUBLISHED = ("example_small_20", "example_large_200")
TOLERANCE_MIN = 5e-4
TOLERANCE_PROFILE = 1e-3


# ---------------------------------------------------------------------------------------------
# Reading an instance (upstream format) for our engine


def read_instance(
    directory: Path,
) -> tuple[list[dict[str, str]], list[tuple[str, str, int, int]], int]:
    k = int(directory.name.rsplit("_", 1)[1])
    with (directory / "categories.csv").open(newline="") as handle:
        quotas = [
            (r["category"], r["feature"], int(r["min"]), int(r["max"]))
            for r in csv.DictReader(handle)
        ]
    with (directory / "respondents.csv").open(newline="") as handle:
        people = [dict(row) for row in csv.DictReader(handle)]
    return people, quotas, k


def snapshot_code(target: Path) -> dict[str, str]:
    """Copy our selection package to ``target`` so the whole run uses one version of it.

    Other people may edit the working tree while a long run goes on; the workers import the
    copy. Returns the SHA-256 of every file copied, for the record.
    """
    source = REPO / "cohesion" / "assembly" / "selection"
    destination = target / "cohesion" / "assembly" / "selection"
    destination.mkdir(parents=True)
    for package in (target / "cohesion", target / "cohesion" / "assembly"):
        (package / "__init__.py").write_text("")
    digests: dict[str, str] = {}
    for path in sorted(source.glob("*.py")):
        data = path.read_bytes()
        (destination / path.name).write_bytes(data)
        digests[path.name] = hashlib.sha256(data).hexdigest()
    return digests


def our_worker(
    directory: Path, method: str, out: Path, m: int, lottery_seconds: float, code: Path
) -> None:
    """Runs in a child process: our engine on one instance; writes JSON to ``out``."""
    sys.path.insert(0, str(code))
    from cohesion.assembly.selection.check import check_distribution
    from cohesion.assembly.selection.engine import find_distribution
    from cohesion.assembly.selection.lottery import (
        anonymised_lottery_file,
        draw_index,
        fingerprint,
        pool_labels,
        round_to_lottery,
    )
    from cohesion.assembly.selection.model import Instance, Person, Quota

    rows, quota_rows, k = read_instance(directory)
    instance = Instance(
        people=tuple(Person(id=str(i), features=row) for i, row in enumerate(rows)),
        quotas=tuple(Quota(category=c, value=v, min=lo, max=hi) for c, v, lo, hi in quota_rows),
        panel_size=k,
    )
    began = time.perf_counter()
    distribution = find_distribution(instance=instance, method=method)  # type: ignore[arg-type]
    seconds = time.perf_counter() - began
    check_began = time.perf_counter()
    problems = check_distribution(instance=instance, distribution=distribution)
    result: dict[str, Any] = {
        "seconds": seconds,
        "marginals": list(distribution.marginals),
        "panels": sum(1 for p in distribution.probabilities if p > 0),
        "check_problems": problems[:20],
        "check_seconds": time.perf_counter() - check_began,
        "engine_stats": {
            key: value for key, value in distribution.stats.items() if _jsonable(value)
        },
    }
    if method == "leximin":
        began = time.perf_counter()
        lottery = round_to_lottery(
            distribution=distribution, m=m, time_limit=lottery_seconds, instance=instance
        )
        data = anonymised_lottery_file(
            lottery=lottery,
            person_labels=pool_labels(len(rows)),
            meta={"assembly": directory.name, "method": method, "m": m, "panel_size": k},
        )
        digest = fingerprint(data)
        result["lottery"] = {
            "m": m,
            "min_loss": lottery.min_loss,
            "max_deviation": lottery.max_deviation,
            "seconds": time.perf_counter() - began,
            "file_bytes": len(data),
            "fingerprint": digest,
            "example_draw": draw_index(fingerprint=digest, public_random="12 24 31 38 45 49", m=m),
            "stats": {key: value for key, value in lottery.stats.items() if _jsonable(value)},
        }
    out.write_text(json.dumps(result))


def _jsonable(value: object) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Statistics


def summary(marginals: list[float]) -> dict[str, float]:
    values = sorted(marginals)
    n = len(values)
    total = sum(values)
    smallest = values[0]
    geo = 0.0 if smallest <= 0 else math.exp(sum(math.log(v) for v in values) / n)
    gini = (
        0.0
        if total <= 0
        else sum((2 * (i + 1) - n - 1) * v for i, v in enumerate(values)) / (n * total)
    )
    return {"min": smallest, "max": values[-1], "geo_mean": geo, "gini": gini, "sum": total}


def reference_profile(data: Path, name: str) -> list[float] | None:
    path = data / "reference_output" / f"{name}_prob_allocs_data.csv"
    if not path.exists():
        return None
    with path.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["algorithm"] == "LexiMin"]
    return sorted(float(r["selection probability"]) for r in rows)


# ---------------------------------------------------------------------------------------------
# Running


def run_child(command: list[str], out: Path, timeout: float) -> dict[str, Any]:
    began = time.perf_counter()
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, cwd=REPO
        )
    except subprocess.TimeoutExpired:
        return {
            "status": "timeout",
            "wall_seconds": time.perf_counter() - began,
            "time_limit": timeout,
        }
    wall = time.perf_counter() - began
    if completed.returncode != 0 or not out.exists():
        tail = (completed.stderr or completed.stdout or "").strip().splitlines()[-6:]
        return {"status": "error", "wall_seconds": wall, "error": "\n".join(tail)}
    result = json.loads(out.read_text())
    if "error" in result:
        return {"status": "not run", "wall_seconds": wall, "error": result["error"]}
    result["status"] = "ok"
    result["wall_seconds"] = wall
    return result


def instances(data: Path, pools: Path, only: list[str] | None) -> list[tuple[str, Path]]:
    found = [
        ("synth_300_30", data / "synthetic" / "synth_300_30"),
        ("example_small_20", data / "instances" / "example_small_20"),
        ("example_large_200", data / "instances" / "example_large_200"),
    ]
    generated = sorted(p for p in pools.iterdir() if p.is_dir() and p.name.startswith("gen_"))
    # the 5,000-volunteer pool last: it is the slowest
    generated.sort(key=lambda p: (p.name.startswith("gen_large"), p.name))
    found += [(p.name, p) for p in generated]
    if only:
        found = [(name, path) for name, path in found if name in only]
    return found


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gib"] = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return info


def versions(anchor_python: Path) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str] = {}
    for name in ("highspy", "numpy"):
        try:
            found[f"ours:{name}"] = version(name)
        except PackageNotFoundError:
            found[f"ours:{name}"] = "missing"
    if anchor_python.exists():
        script = (
            "from importlib.metadata import version as v; import json; "
            "print(json.dumps({n: v(n) for n in ('sortition-algorithms', 'highspy', 'mip')}))"
        )
        completed = subprocess.run(
            [str(anchor_python), "-c", script], capture_output=True, text=True, check=False
        )
        if completed.returncode == 0:
            found.update({f"anchor:{k}": v for k, v in json.loads(completed.stdout).items()})
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Citizens' Assembly selection benchmark (ours and the anchor)."
    )
    parser.add_argument(
        "--data",
        type=Path,
        required=True,
        help="the sortition data set (shared/datasets/sortition)",
    )
    parser.add_argument(
        "--pools",
        type=Path,
        default=RESULTS / "sortition-pools",
        help="generated pools (made if missing)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed for generate_pools.py")
    parser.add_argument("--only", nargs="*", help="instance names to run (default: all)")
    parser.add_argument("--skip-ours", action="store_true", help="run the anchor only")
    parser.add_argument("--skip-anchor", action="store_true", help="run ours only")
    parser.add_argument("--anchor-python", type=Path, default=ANCHOR_PYTHON)
    parser.add_argument("--anchor-backends", nargs="*", default=["mip", "highspy"])
    parser.add_argument(
        "--anchor-time-limit", type=float, default=900.0, help="seconds per anchor run"
    )
    parser.add_argument(
        "--our-time-limit", type=float, default=900.0, help="seconds per run of ours"
    )
    parser.add_argument("--m", type=int, default=1000, help="panels in the uniform lottery")
    parser.add_argument(
        "--lottery-seconds", type=float, default=60.0, help="time limit of the rounding"
    )
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--code", type=Path, default=REPO, help=argparse.SUPPRESS)
    parser.add_argument(
        "--worker", nargs=3, metavar=("DIR", "METHOD", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()

    if args.worker:
        our_worker(
            Path(args.worker[0]),
            args.worker[1],
            Path(args.worker[2]),
            args.m,
            args.lottery_seconds,
            args.code,
        )
        return

    if not (args.pools / "manifest.json").exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate_pools.py"),
                str(args.pools),
                "--seed",
                str(args.seed),
                "--data",
                str(args.data),
            ],
            check=True,
            capture_output=True,
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_path = args.out or RESULTS / f"sortition-{stamp}.json"
    report: dict[str, Any] = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(args.anchor_python),
        "load_before": os.getloadavg(),
        "instances": {},
    }
    manifest = {
        entry["name"]: entry for entry in json.loads((args.pools / "manifest.json").read_text())
    }
    with tempfile.TemporaryDirectory() as scratch:
        code = Path(scratch) / "code"
        if not args.skip_ours:
            report["our_code_sha256"] = snapshot_code(code)
        for name, directory in instances(args.data, args.pools, args.only):
            people, _, k = read_instance(directory)
            entry: dict[str, Any] = {"n": len(people), "k": k, "path": str(directory), "runs": {}}
            if name in manifest:
                entry["shape"] = manifest[name]
            report["instances"][name] = entry
            plan: list[tuple[str, list[str], float]] = []
            if not args.skip_ours:
                for method in ("leximin", "maximin"):
                    worker = [
                        sys.executable,
                        str(Path(__file__).resolve()),
                        "--data",
                        str(args.data),
                        "--m",
                        str(args.m),
                        "--lottery-seconds",
                        str(args.lottery_seconds),
                        "--code",
                        str(code),
                        "--worker",
                        str(directory),
                        method,
                    ]
                    plan.append((f"ours {method}", worker, args.our_time_limit))
            if not args.skip_anchor:
                for backend in args.anchor_backends:
                    worker = [
                        str(args.anchor_python),
                        str(HERE / "anchor_worker.py"),
                        str(directory),
                        "maximin",
                        backend,
                    ]
                    plan.append((f"anchor maximin ({backend})", worker, args.anchor_time_limit))
            for label, worker, limit in plan:
                out = (
                    Path(scratch)
                    / f"{name}-{label.replace(' ', '_').replace('(', '').replace(')', '')}.json"
                )
                command = [*worker, str(out)]
                print(f"{name}: {label} ...", end=" ", flush=True, file=sys.stderr)
                load = os.getloadavg()[0]
                result = run_child(command, out, limit)
                result["load_1min_before"] = load
                if "marginals" in result:
                    result["summary"] = summary(result["marginals"])
                entry["runs"][label] = result
                print(
                    result["status"],
                    f"{result.get('seconds', result['wall_seconds']):.1f} s",
                    file=sys.stderr,
                )
                out_path.write_text(json.dumps(_without_marginals(report), indent=1))
            entry["checks"] = checks(name, entry, args.data, args.m)
            out_path.write_text(json.dumps(_without_marginals(report), indent=1))
    report["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    report["load_after"] = os.getloadavg()
    report["targets"] = targets(report)
    out_path.write_text(json.dumps(_without_marginals(report), indent=1))
    table = markdown(report)
    out_path.with_suffix(".md").write_text(table)
    print(table)
    print(f"\nResults: {out_path}", file=sys.stderr)


def _without_marginals(report: dict[str, Any]) -> dict[str, Any]:
    """The JSON keeps the sorted profile (small) instead of the per-person marginals."""
    clean = json.loads(json.dumps(report, default=str))
    for entry in clean["instances"].values():
        for run in entry["runs"].values():
            marginals = run.pop("marginals", None)
            if marginals is not None:
                run["sorted_profile"] = [round(x, 9) for x in sorted(marginals)]
    return clean


def checks(name: str, entry: dict[str, Any], data: Path, m: int) -> dict[str, Any]:
    runs = entry["runs"]
    found: dict[str, Any] = {}
    ours = runs.get("ours leximin", {})
    anchors = [
        r for label, r in runs.items() if label.startswith("anchor") and r.get("status") == "ok"
    ]
    if ours.get("status") == "ok":
        found["checker_problems"] = {
            label: len(r.get("check_problems", []))
            for label, r in runs.items()
            if label.startswith("ours") and r.get("status") == "ok"
        }
        if anchors:
            best = max(r["summary"]["min"] for r in anchors)
            found["min_vs_anchor"] = {
                "ours": ours["summary"]["min"],
                "anchor_best": best,
                "difference": ours["summary"]["min"] - best,
                "pass": ours["summary"]["min"] >= best - TOLERANCE_MIN,
            }
        if name in PUBLISHED:
            reference = reference_profile(data, name)
            if reference is not None:
                profile = sorted(ours["marginals"])
                worst = (
                    max(abs(a - b) for a, b in zip(profile, reference, strict=True))
                    if len(profile) == len(reference)
                    else math.inf
                )
                found["reference_profile"] = {
                    "max_abs_difference": worst,
                    "pass": worst <= TOLERANCE_PROFILE,
                }
        if "lottery" in ours:
            loss = ours["lottery"]["min_loss"]
            found["lottery"] = {"m": m, "min_loss": loss, "pass": loss < 1 / m}
    return found


def targets(report: dict[str, Any]) -> dict[str, Any]:
    inst = report["instances"]
    found: dict[str, Any] = {}

    def run(name: str, label: str) -> dict[str, Any]:
        return inst.get(name, {}).get("runs", {}).get(label, {})

    synth = run("synth_300_30", "ours leximin")
    anchor_times = [
        r["seconds"]
        for label, r in inst.get("synth_300_30", {}).get("runs", {}).items()
        if label.startswith("anchor") and r.get("status") == "ok"
    ]
    if synth.get("status") == "ok" and anchor_times:
        found["synth_300_30 leximin no slower than anchor's fastest maximin"] = {
            "ours_seconds": synth["seconds"],
            "anchor_fastest_seconds": min(anchor_times),
            "speed_up": min(anchor_times) / synth["seconds"],
            "pass": synth["seconds"] <= min(anchor_times),
        }
    large = run("example_large_200", "ours leximin")
    if large:
        found["example_large_200 leximin under 120 s"] = {
            "seconds": large.get("seconds"),
            "status": large.get("status"),
            "pass": large.get("status") == "ok" and large["seconds"] < 120,
        }
    scale = run("gen_large_50", "ours leximin")
    if scale:
        found["5,000 pool leximin under 600 s"] = {
            "seconds": scale.get("seconds"),
            "status": scale.get("status"),
            "pass": scale.get("status") == "ok" and scale["seconds"] < 600,
        }
    for key, label in (
        ("min_vs_anchor", "leximin min >= anchor best - 5e-4"),
        ("reference_profile", "profile matches the paper within 1e-3"),
        ("lottery", "lottery M=1000 loss < 1/M"),
    ):
        results = {
            name: e["checks"][key]["pass"] for name, e in inst.items() if key in e.get("checks", {})
        }
        if results:
            found[label] = {
                "instances": len(results),
                "passed": sum(results.values()),
                "failed": [n for n, ok in results.items() if not ok],
                "pass": all(results.values()),
            }
    problems = {
        name: e["checks"]["checker_problems"]
        for name, e in inst.items()
        if "checker_problems" in e.get("checks", {})
    }
    if problems:
        found["independent checker finds no problem"] = {
            "pass": all(v == 0 for p in problems.values() for v in p.values()),
            "problems": problems,
        }
    return found


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| instance | n | k | method | min p | geo-mean | Gini | panels | seconds | note |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, entry in report["instances"].items():
        for label, r in entry["runs"].items():
            if r.get("status") == "ok":
                s = r["summary"]
                note = ""
                if "lottery" in r:
                    note = f"lottery M={r['lottery']['m']}: loss {r['lottery']['min_loss']:.2e}"
                if r.get("check_problems"):
                    note += f" CHECKER: {len(r['check_problems'])} problems"
                lines.append(
                    f"| {name} | {entry['n']} | {entry['k']} | {label} | {s['min']:.5f} | {s['geo_mean']:.5f} | "
                    f"{s['gini']:.3f} | {r['panels']} | {r['seconds']:.1f} | {note} |"
                )
            else:
                what = {"timeout": f"did not finish in {r.get('time_limit', 0):.0f} s"}.get(
                    r["status"], f"{r['status']}: {r.get('error', '')[:80]}"
                )
                lines.append(
                    f"| {name} | {entry['n']} | {entry['k']} | {label} | – | – | – | – | – | {what} |"
                )
    lines += ["", "| target | result |", "| --- | --- |"]
    for label, result in report.get("targets", {}).items():
        verdict = "PASS" if result.get("pass") else "FAIL"
        detail = {k: v for k, v in result.items() if k not in ("pass", "problems")}
        lines.append(f"| {label} | {verdict} {json.dumps(detail, default=str)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
