#!/usr/bin/env python
"""Time the public strategy pages with a large, generated data set on PostgreSQL.

    .venv/bin/python benchmarks/pages.py \
        --database-url postgres://postgres@127.0.0.1:5432/cohesion_bench \
        [--measures 1000 --observations 1000000 --repeat 30 --seed 2026 --rebuild --no-http]

What it does (see benchmarks/README.md and docs/benchmarks.md):

1. Creates the database if it is missing (its name must contain "bench": the script drops and
   recreates it when the data in it is not the data asked for, or with --rebuild) and migrates it.
2. Loads the 37 Stoke-on-Trent demo wards and generates, from --seed, a strategy with 10
   priorities, --measures measures and exactly --observations observations (PostgreSQL COPY),
   then VACUUM ANALYZE. Skipped when the same data set is already there.
3. Runs ``measures_assess`` for every measure (this stores each measure's status), and times
   ``measure_assess`` for single measures.
4. Times GET requests in-process with Django's test ``Client`` (the main figures): 3 warm-up
   requests, then --repeat timed requests per page; median and p90 (nearest rank), and the number
   of SQL queries one request makes (``CaptureQueriesContext``, on a separate request so that
   capturing does not slow the timed ones).
5. Unless --no-http: the same pages through a real HTTP server, ``manage.py runserver --noreload``
   (a development server, single process), fetched with urllib.

Settings: ``cohesion.settings.local`` with ``DJANGO_DEBUG=false``. Results are printed as
Markdown and written as JSON to ``benchmarks/results/`` (not kept in git).
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 300.0
WARMUP = 3
VINTAGE = "2011–2023 ward boundaries"
WARDS_FILE = ROOT / "demo" / "stoke_wards_2011_WD13.geojson"
MARKER = "Benchmark data set, not real figures."
LAST_MONTH = (2026, 9)  # every generated series ends in September 2026
CITY_MONTHS = 120  # city-only measures: ten years of monthly figures
N_PRIORITIES = 10
# The mix of measures, by index modulo 10.
KINDS = {
    0: ("percentage", "city"),
    1: ("percentage", "city"),
    2: ("percentage", "city"),
    3: ("rate", "ward"),
    4: ("rate", "ward"),
    5: ("rate", "ward"),
    6: ("count", "ward"),
    7: ("count", "ward"),
    8: ("value", "city"),
    9: ("value", "city"),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        required=True,
        help="postgres://... ; the database name must contain 'bench'",
    )
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat", type=int, default=30, help="timed requests per page (after 3 warm-up requests)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--rebuild", action="store_true", help="drop and regenerate the data even if it is there"
    )
    parser.add_argument("--no-http", action="store_true", help="skip the timings through runserver")
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="port for the runserver timings (default: any free port)",
    )
    args = parser.parse_args()
    if args.measures < 10:
        parser.error("--measures must be at least 10 (one of each kind)")
    return args


# ---------------------------------------------------------------------------------------------
# The database itself (before Django connects to it)


def db_config(url: str) -> dict[str, Any]:
    import environ

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("This benchmark runs on PostgreSQL: give a postgres:// database URL")
    name = config["NAME"]
    if "bench" not in name or name == "test" or name.startswith("test_"):
        sys.exit(
            f"Refusing to use database {name!r}: the script may drop it, so its name must contain 'bench'"
        )
    return config


def _maintenance_connection(config: dict[str, Any]):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    )


def database_ensure(config: dict[str, Any], *, drop: bool) -> None:
    from psycopg import sql

    name = config["NAME"]
    with _maintenance_connection(config) as conn:
        exists = (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )
        if exists and drop:
            print(f"Dropping database {name}")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = False
        if not exists:
            print(f"Creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# ---------------------------------------------------------------------------------------------
# Generating the data set


@dataclass
class Plan:
    """How many monthly periods each measure gets, so the total is exactly the number asked for."""

    months: list[int]  # per measure index


def plan_periods(*, measures: int, observations: int, wards: int) -> Plan:
    per_ward_period = wards + 1  # a figure for each ward and one for the whole city
    city = [i for i in range(measures) if KINDS[i % 10][1] == "city"]
    ward = [i for i in range(measures) if KINDS[i % 10][1] == "ward"]
    city_months = CITY_MONTHS
    while True:
        rest = observations - len(city) * city_months
        ward_months = rest // (len(ward) * per_ward_period) if rest > 0 else 0
        if ward_months >= 4 or city_months <= 4:
            break
        city_months //= 2
    if ward_months < 4:
        sys.exit("Too few observations for that many measures: ask for at least 200 per measure")
    months = [0] * measures
    for i in city:
        months[i] = city_months
    for i in ward:
        months[i] = ward_months
    left = (
        observations - sum(months[i] for i in city) - sum(months[i] * per_ward_period for i in ward)
    )
    extra_ward, left = divmod(left, per_ward_period)
    for i in ward[:extra_ward]:
        months[i] += 1
    for n in range(left):  # fewer than one ward period's worth: extra city months
        months[city[n % len(city)]] += 1
    plan = Plan(months)
    assert (
        sum(
            m * (per_ward_period if KINDS[i % 10][1] == "ward" else 1) for i, m in enumerate(months)
        )
        == observations
    )
    return plan


def month_periods(count: int) -> list[tuple[date, date, str]]:
    """The last `count` months up to LAST_MONTH, oldest first: (start, end, label)."""
    year, month = LAST_MONTH
    out = []
    for _ in range(count):
        start = date(year, month, 1)
        end = date(year, month, calendar.monthrange(year, month)[1])
        out.append((start, end, start.strftime("%b %Y")))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def months_before(d: date, n: int) -> date:
    """The last day of the month n months before d's month."""
    y, m = d.year, d.month - n
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, calendar.monthrange(y, m)[1])


def data_build(*, args: argparse.Namespace) -> dict[str, float]:
    import numpy as np
    from django.db import connection, transaction
    from django.utils import timezone

    from cohesion.core.services import wards_load
    from cohesion.strategy.models import Measure, Priority, Strategy
    from demo.generate import ward_populations

    timings: dict[str, float] = {}
    rng = np.random.default_rng(args.seed)

    t0 = time.perf_counter()
    wards = wards_load(geojson=WARDS_FILE.read_bytes(), vintage=VINTAGE)
    pops = ward_populations(codes_names=[(w.code, w.name) for w in wards], seed=args.seed)
    for ward in wards:
        ward.population = pops[ward.code]
        ward.save(update_fields=["population"])
    wards.sort(key=lambda w: w.code)
    timings["wards_load (37 wards and their neighbours)"] = time.perf_counter() - t0

    plan = plan_periods(measures=args.measures, observations=args.observations, wards=len(wards))

    t0 = time.perf_counter()
    with transaction.atomic():
        strategy = Strategy.objects.create(
            title="Benchmark Cohesion Strategy 2026-30",
            council_name="Benchmark City Council",
            vision="A strategy made up to time the pages with a large amount of data.",
            introduction=marker(args.seed),
            starts_on=date(2026, 1, 1),
            ends_on=date(2030, 3, 31),
        )
        priorities = Priority.objects.bulk_create(
            Priority(
                strategy=strategy,
                number=n,
                slug=f"bench-priority-{n}",
                title=f"Benchmark priority {n}",
                summary="Made up for the benchmark.",
            )
            for n in range(1, N_PRIORITIES + 1)
        )
        measures = []
        for i in range(args.measures):
            kind, level = KINDS[i % 10]
            first_end = month_periods(plan.months[i])[0][1]
            baseline_date = months_before(first_end, 1)
            direction = "decrease" if kind == "rate" or (kind == "count" and i % 3) else "increase"
            if kind == "percentage":
                base = float(rng.uniform(20, 75))
                target = base + float(rng.uniform(3, 10))
                unit = "%"
            elif kind == "rate":
                base = float(rng.uniform(0.2, 3.0))
                target = base * float(rng.uniform(0.7, 0.95))
                unit = "per 1,000 residents"
            elif kind == "count":
                base = float(rng.integers(40, 800))
                target = base * (
                    float(rng.uniform(0.7, 0.95))
                    if direction == "decrease"
                    else float(rng.uniform(1.05, 1.3))
                )
                target = float(round(target))
                unit = "people"
            else:
                base = float(round(rng.uniform(5, 500), 1))
                target = float(round(base * rng.uniform(1.05, 1.4), 1))
                unit = "£" if i % 20 == 9 else "days"
            measures.append(
                Measure(
                    title=f"Benchmark measure {i:04d} ({kind}, {level})",
                    slug=f"bench-{i:04d}-{kind}-{level}",
                    definition="Made up for the benchmark.",
                    kind=kind,
                    unit=unit,
                    source="Generated",
                    frequency="monthly",
                    direction=direction,
                    level=level,
                    baseline_value=round(base, 3),
                    baseline_date=baseline_date,
                    target_value=round(target, 3),
                    target_date=date(2030, 3, 31),
                    demo_data=True,
                )
            )
        measures = Measure.objects.bulk_create(measures, batch_size=500)
        through = Measure.priorities.through
        links = []
        for m in measures:
            for p in rng.choice(N_PRIORITIES, size=int(rng.integers(1, 4)), replace=False):
                links.append(through(measure_id=m.pk, priority_id=priorities[int(p)].pk))
        through.objects.bulk_create(links, batch_size=2000)
    timings["strategy, priorities and measures"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    ward_ids = np.array([w.pk for w in wards])
    ward_pop = np.array([pops[w.code] for w in wards], dtype=float)
    total_pop = float(ward_pop.sum())
    now = timezone.now().isoformat()
    rows = 0
    connection.ensure_connection()
    raw = connection.connection  # the psycopg connection under Django's
    with (
        transaction.atomic(),
        raw.cursor() as cur,
        cur.copy(
            "COPY strategy_observation (measure_id, ward_id, period_start, period_end, period_label, "
            "value, numerator, denominator, sample_size, note, created_at) FROM STDIN"
        ) as copy,
    ):
        for i, measure in enumerate(measures):
            kind, level = KINDS[i % 10]
            periods = month_periods(plan.months[i])
            years = np.array([(end - measure.baseline_date).days / 365.25 for _, end, _ in periods])
            # A yearly trend somewhere between clearly worse and clearly better than planned,
            # so the statuses come out mixed.
            needed = (measure.target_value - measure.baseline_value) / (
                (measure.target_date - measure.baseline_date).days / 365.25
            )
            trend = needed * float(rng.uniform(-1.0, 2.0))
            lines = []
            mid = measure.pk
            if kind == "percentage":
                n = int(rng.integers(500, 2000))
                p = np.clip(
                    (measure.baseline_value + trend * years) / 100
                    + rng.normal(0, 0.01, len(periods)),
                    0.01,
                    0.99,
                )
                yes = rng.binomial(n, p)
                for (start, end, label), k in zip(periods, yes, strict=True):
                    lines.append(
                        f"{mid}\t\\N\t{start}\t{end}\t{label}\t{round(100 * k / n, 1)}\t{k}\t{n}\t{n}\t\t{now}\n"
                    )
            elif kind == "value":
                noise = abs(measure.baseline_value) * 0.03
                values = measure.baseline_value + trend * years + rng.normal(0, noise, len(periods))
                for (start, end, label), v in zip(periods, values, strict=True):
                    lines.append(
                        f"{mid}\t\\N\t{start}\t{end}\t{label}\t{round(max(0.0, float(v)), 1)}\t\\N\t\\N\t\\N\t\t{now}\n"
                    )
            else:
                weights = rng.uniform(0.5, 2.0, len(wards))
                weights = weights / (weights * ward_pop).sum() * total_pop
                for (start, end, label), y in zip(periods, years, strict=True):
                    level_now = max(0.05, measure.baseline_value + trend * y)
                    if kind == "rate":  # per 1,000 residents, from a Poisson count in each ward
                        counts = rng.poisson(level_now * ward_pop / 1000 * weights)
                        for wid, pop, c in zip(ward_ids, ward_pop, counts, strict=True):
                            lines.append(
                                f"{mid}\t{wid}\t{start}\t{end}\t{label}\t{round(c / pop * 1000, 3)}\t{c}\t{int(pop)}\t\\N\t\t{now}\n"
                            )
                        total = int(counts.sum())
                        lines.append(
                            f"{mid}\t\\N\t{start}\t{end}\t{label}\t{round(total / total_pop * 1000, 3)}\t{total}\t{int(total_pop)}\t\\N\t\t{now}\n"
                        )
                    else:  # a count shared out between the wards
                        counts = rng.poisson(level_now * weights * ward_pop / total_pop)
                        for wid, c in zip(ward_ids, counts, strict=True):
                            lines.append(
                                f"{mid}\t{wid}\t{start}\t{end}\t{label}\t{c}\t\\N\t\\N\t\\N\t\t{now}\n"
                            )
                        lines.append(
                            f"{mid}\t\\N\t{start}\t{end}\t{label}\t{int(counts.sum())}\t\\N\t\\N\t\\N\t\t{now}\n"
                        )
            copy.write("".join(lines))
            rows += len(lines)
    assert rows == args.observations, (rows, args.observations)
    timings[f"observations ({rows:,} rows, COPY)"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["VACUUM ANALYZE"] = time.perf_counter() - t0
    return timings


def marker(seed: int) -> str:
    return f"{MARKER} Seed {seed}."


def data_present(*, args: argparse.Namespace) -> bool:
    from cohesion.strategy.models import Measure, Observation, Strategy

    strategy = Strategy.objects.filter(is_current=True).first()
    return (
        strategy is not None
        and strategy.introduction == marker(args.seed)
        and Measure.objects.count() == args.measures
        and Observation.objects.count() == args.observations
        and Measure.objects.filter(
            slug=f"bench-{args.measures - 1:04d}-{KINDS[(args.measures - 1) % 10][0]}-{KINDS[(args.measures - 1) % 10][1]}"
        ).exists()
    )


def data_is_empty() -> bool:
    from cohesion.core.models import Ward
    from cohesion.strategy.models import Measure, Strategy

    return not (Strategy.objects.exists() or Measure.objects.exists() or Ward.objects.exists())


# ---------------------------------------------------------------------------------------------
# Timing


def summarise(seconds: list[float], cpu_seconds: list[float] | None = None) -> dict[str, float]:
    ordered = sorted(seconds)
    p90 = ordered[max(0, -(-9 * len(ordered) // 10) - 1)]  # nearest rank
    out = {
        "median_ms": statistics.median(ordered) * 1000,
        "p90_ms": p90 * 1000,
        "min_ms": ordered[0] * 1000,
        "max_ms": ordered[-1] * 1000,
    }
    if cpu_seconds:
        # CPU time of this thread only: PostgreSQL's own work is not in it, but neither is time
        # lost to other programs on a busy machine.
        out["cpu_median_ms"] = statistics.median(cpu_seconds) * 1000
    return out


def time_client(url: str, repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    seconds, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.thread_time()
        response = client.get(url)
        size = len(response.content)
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return {
        "url": url,
        "bytes": size,
        "queries": len(ctx.captured_queries),
        **summarise(seconds, cpu),
    }


def time_http(base: str, url: str, repeat: int) -> dict[str, Any]:
    def fetch() -> bytes:
        with urllib.request.urlopen(base + url, timeout=30) as response:  # noqa: S310 - our own local server
            return response.read()

    for _ in range(WARMUP):
        fetch()
    seconds = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fetch()
        seconds.append(time.perf_counter() - t0)
    return {"url": url, **summarise(seconds)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def runserver_start(port: int, env: dict[str, str]) -> subprocess.Popen:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is already in use")
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "runserver",
            "--noreload",
            "--skip-checks",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"runserver stopped with exit code {process.returncode} (is port {port} free?)"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("runserver did not start within 30 seconds")


def time_assess(measure: Any, repeat: int) -> dict[str, float]:
    from cohesion.strategy.services import measure_assess

    for _ in range(WARMUP):
        measure_assess(measure=measure)
    seconds, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.thread_time()
        measure_assess(measure=measure)
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return summarise(seconds, cpu)


# ---------------------------------------------------------------------------------------------
# Reporting


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_kib = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                ram_kib = int(line.split()[1])
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(ram_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
    }


def main() -> None:
    args = parse_args()
    config = db_config(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "cohesion.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")

    database_ensure(config, drop=args.rebuild)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    assert not settings.DEBUG
    call_command("migrate", verbosity=0)
    build: dict[str, float] = {}
    if data_present(args=args):
        print("The data set is already there: skipping the load (use --rebuild to force it)")
    else:
        if not data_is_empty():
            print("The database holds other data: recreating it")
            connections.close_all()
            database_ensure(config, drop=True)
            call_command("migrate", verbosity=0)
        print(
            f"Generating {args.measures:,} measures and {args.observations:,} observations (seed {args.seed})"
        )
        t0 = time.perf_counter()
        build = data_build(args=args)
        build["total load"] = time.perf_counter() - t0
        for what, s in build.items():
            print(f"  {what}: {s:.1f} s")

    from django.db.models import Count

    from cohesion.core.models import Ward
    from cohesion.strategy.models import Measure, Observation
    from cohesion.strategy.services import measures_assess

    t0 = time.perf_counter()
    measures_assess(measures=Measure.objects.all())
    assess_all = time.perf_counter() - t0
    print(f"measures_assess for all {args.measures:,} measures: {assess_all:.1f} s")

    statuses = dict(Measure.objects.order_by().values_list("status").annotate(n=Count("id")))
    city = Measure.objects.get(slug="bench-0000-percentage-city")
    rate = Measure.objects.get(slug="bench-0003-rate-ward")
    count = Measure.objects.get(slug="bench-0006-count-ward")
    sizes: dict[str, Any] = {
        "wards": Ward.objects.count(),
        "measures": Measure.objects.count(),
        "observations": Observation.objects.count(),
        "statuses": statuses,
        "city measure figures": Observation.objects.filter(measure=city).count(),
        "rate measure figures (city, wards)": [
            Observation.objects.city().filter(measure=rate).count(),
            Observation.objects.wards().filter(measure=rate).count(),
        ],
        "count measure figures (city, wards)": [
            Observation.objects.city().filter(measure=count).count(),
            Observation.objects.wards().filter(measure=count).count(),
        ],
    }
    print("Data:", json.dumps(sizes))

    assess = {
        f"measure_assess, city percentage measure ({sizes['city measure figures']} figures)": time_assess(
            city, args.repeat
        ),
        f"measure_assess, ward rate measure ({sizes['rate measure figures (city, wards)'][0]} city figures)": time_assess(
            rate, args.repeat
        ),
    }

    pages = {
        "How we are doing": "/how-we-are-doing/",
        "City measure page (percentage)": city.get_absolute_url(),
        "Ward measure page (rate)": rate.get_absolute_url(),
        "Ward measure page (count)": count.get_absolute_url(),
        "CSV download, ward rate measure": f"{rate.get_absolute_url()}data.csv",
        "CSV download, city measure": f"{city.get_absolute_url()}data.csv",
        "Home page (all priorities and measures; no target)": "/",
    }
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    for name, url in pages.items():
        results[name] = time_client(url, args.repeat)
        r = results[name]
        print(
            f"  {name}: median {r['median_ms']:.1f} ms, p90 {r['p90_ms']:.1f} ms, {r['queries']} queries, {r['bytes']:,} bytes"
        )

    http: dict[str, Any] = {}
    if not args.no_http:
        connections.close_all()
        port = args.port or free_port()
        try:
            process = runserver_start(port, {**os.environ})
            try:
                for name, url in pages.items():
                    http[name] = time_http(f"http://127.0.0.1:{port}", url, args.repeat)
            finally:
                process.terminate()
                process.wait(timeout=10)
        except (
            OSError,
            RuntimeError,
        ) as exc:  # the in-process figures are the main ones: keep them
            print(f"The timings through runserver failed: {exc}")
            http = {}

    load_after = os.getloadavg()
    info = machine()
    info["load_average_before_after"] = [round(load_before[0], 2), round(load_after[0], 2)]
    command = (
        f".venv/bin/python benchmarks/pages.py --database-url {args.database_url} "
        f"--measures {args.measures} --observations {args.observations} --repeat {args.repeat} --seed {args.seed}"
    )
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": info,
        "data": sizes,
        "build_seconds": build,
        "assess_all_seconds": assess_all,
        "assess_one": assess,
        "client": results,
        "http_runserver": http,
    }
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"pages-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")

    print()
    print(
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM; PostgreSQL {info['postgresql']}; "
        f"Python {info['python']}, Django {info['django']}; 1-minute load average {load_before[0]:.1f} "
        f"before the page timings and {load_after[0]:.1f} after"
    )
    print()
    print(
        f"| page | median (ms) | p90 (ms) | CPU median (ms) | queries | under {TARGET_MS:.0f} ms at the median? |"
        + (" runserver median (ms) | runserver p90 (ms) |" if http else "")
    )
    print("| --- | ---: | ---: | ---: | ---: | --- |" + (" ---: | ---: |" if http else ""))
    for name, r in results.items():
        ok = "yes" if r["median_ms"] < TARGET_MS else "**no**"
        line = (
            f"| {name} (`{r['url']}`) | {r['median_ms']:.1f} | {r['p90_ms']:.1f} | {r['cpu_median_ms']:.1f} "
            f"| {r['queries']} | {ok} |"
        )
        if http:
            line += f" {http[name]['median_ms']:.1f} | {http[name]['p90_ms']:.1f} |"
        print(line)
    print()
    for name, r in assess.items():
        print(
            f"{name}: median {r['median_ms']:.1f} ms, p90 {r['p90_ms']:.1f} ms, CPU median {r['cpu_median_ms']:.1f} ms"
        )
    print(f"Results written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
