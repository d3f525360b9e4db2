"""Time the rumour desk's suggestions through Django: the index built from the database, then one
suggestion list per new report (catch-up query, engine search, database check of each result),
then the desk page listing ``--desk`` waiting reports, each with its best match, then a surge of
``--surge`` waiting reports matched again by the worker and grouped on the desk.

It adds N made-up claims to the database it is given, so use a scratch one:

    export DATABASE_URL=sqlite:////tmp/rumours-bench.sqlite3 DJANGO_SETTINGS_MODULE=cohesion.settings.local
    .venv/bin/python manage.py migrate -v0
    .venv/bin/python benchmarks/rumours/desk_django.py --claims 10000 --embeddings /tmp/rumours-bench-emb

``--sightings N`` also files N confirmed reports, each a rewording of a random claim, so that the
index holds them too (the desk indexes every confirmed sighting as an entry of its claim).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

WHO = [
    "Migrants",
    "Asylum seekers",
    "The council",
    "Students",
    "A local school",
    "The police",
    "Landlords",
    "A mosque",
    "A church",
    "The hospital",
    "Football fans",
    "New arrivals",
]
DID = [
    "are getting",
    "have stopped",
    "are closing",
    "are paying for",
    "have been given",
    "are taking",
    "are planning",
    "have banned",
    "are hiding",
    "caused",
]
WHAT = [
    "council houses",
    "free cars",
    "the bus routes",
    "school places",
    "GP appointments",
    "the swimming baths",
    "a protest",
    "the bin collections",
    "higher rents",
    "the town centre",
    "a riot",
    "Christmas lights",
    "the food bank",
    "new flats",
]
WHERE = [
    "in Hanley",
    "in Longton",
    "in Burslem",
    "in Tunstall",
    "in Fenton",
    "in Stoke town",
    "in Meir",
    "in Bentilee",
    "across the city",
    "in Shelton",
    "near Trentham",
    "on the estate",
]
WHEN = [
    "this weekend",
    "next month",
    "since the summer",
    "from January",
    "every night",
    "after the match",
    "before the election",
    "this year",
]


def make_claims(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    seen: set[str] = set()
    out = []
    while len(out) < n:
        text = " ".join(str(rng.choice(part)) for part in (WHO, DID, WHAT, WHERE, WHEN))
        if rng.random() < 0.5:
            text += f" (story {len(out)})"
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--reports", type=int, default=50)
    parser.add_argument(
        "--sightings", type=int, default=0, help="confirmed reports to file against the claims"
    )
    parser.add_argument(
        "--embeddings", type=Path, required=True, help="embedding cache folder (emptied first)"
    )
    parser.add_argument(
        "--desk", type=int, default=50, help="waiting reports on the desk page (0: skip that part)"
    )
    parser.add_argument(
        "--surge",
        type=int,
        default=1000,
        help="waiting reports to match again, as the worker does when claims change (0: skip)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--torch-threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)"
    )
    parser.add_argument(
        "--reuse-cache", action="store_true", help="keep the embedding cache (skips the cold build)"
    )
    args = parser.parse_args()

    import django

    if args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from cohesion.core.models import Role, User
    from cohesion.rumours import matching, services
    from cohesion.rumours.models import Claim, Sighting

    if not args.reuse_cache:
        shutil.rmtree(args.embeddings, ignore_errors=True)
    settings.COHESION_EMBEDDINGS_DIR = args.embeddings
    if Claim.objects.exists():
        raise SystemExit("Use an empty scratch database")
    texts = make_claims(args.claims, args.seed)
    Claim.objects.bulk_create([Claim(title=t[:60], text=t) for t in texts], batch_size=1000)
    if args.sightings:
        rng = np.random.default_rng(args.seed + 2)
        # In the order the claims were made (the model orders newest first), so that each
        # sighting is filed against the claim it rewords.
        claim_ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
        now = timezone.now()
        picks = rng.integers(0, len(texts), size=args.sightings)
        Sighting.objects.bulk_create(
            [
                Sighting(
                    text=f"someone on facebook said {texts[j].lower()}, report {i}",
                    channel="facebook",
                    seen_on=now.date(),
                    fingerprint=f"bench-{i}",
                    state=Sighting.State.MATCHED,
                    claim_id=claim_ids[j],
                    confirmed_at=now,
                )
                for i, j in enumerate(picks)
            ],
            batch_size=1000,
        )
    reports = [
        t.lower().replace("are ", "r ").replace("the ", "") + " apparently"
        for t in make_claims(args.reports, args.seed + 1)
    ]
    out: dict[str, object] = {
        "claims": args.claims,
        "sightings": args.sightings,
        "reports": args.reports,
        "torch_threads": args.torch_threads or "default",
    }

    if not args.reuse_cache:
        matching.index_reset()
        start = time.perf_counter()
        matching.index_get()
        out["index_build_cold_seconds"] = round(time.perf_counter() - start, 1)
        print(out, flush=True)
    matching.index_reset()  # a new process: only the disk cache of vectors is left
    start = time.perf_counter()
    matching.index_get()
    out["index_build_warm_cache_seconds"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    matching.index_save()  # what manage.py rumours_index does
    out["index_save_seconds"] = round(time.perf_counter() - start, 1)
    matching.index_reset()  # a new process that finds the saved file
    start = time.perf_counter()
    matching.index_get()
    out["index_load_saved_seconds"] = round(time.perf_counter() - start, 1)

    matching.suggestions(text="warm up the query path")
    times = []
    for text in reports:
        start = time.perf_counter()
        matching.suggestions(text=text)
        times.append((time.perf_counter() - start) * 1000)
    out["suggestions_ms_median"] = round(statistics.median(times), 1)
    out["suggestions_ms_p95"] = round(float(np.percentile(times, 95)), 1)
    times = []
    for text in reports:  # the same reports again: their query vectors are cached now
        start = time.perf_counter()
        matching.suggestions(text=text)
        times.append((time.perf_counter() - start) * 1000)
    out["suggestions_without_query_embedding_ms_median"] = round(statistics.median(times), 1)

    officer = User.objects.create_user(
        username="bench-officer", password="x" * 20, role=Role.OFFICER
    )  # noqa: S106
    client = Client()
    client.force_login(officer)
    times = []
    for i, text in enumerate(reports[:20]):
        start = time.perf_counter()
        response = client.get(
            "/staff/rumours/suggestions.json", {"text": f"{text} said on the bus {i}"}
        )
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    out["suggestions_json_view_ms_median"] = round(statistics.median(times), 1)

    times = []
    for i in range(10):
        start = time.perf_counter()
        claim = services.claim_create(
            claim=Claim(
                title=f"New claim {i}",
                text=f"The library in Tunstall is closing for good number {i}",
            ),
            actor=officer,
        )
        found = matching.suggestions(text=f"Tunstall library closing for good number {i}", k=3)
        times.append((time.perf_counter() - start) * 1000)
        assert any(s.pk == claim.pk for s in found)
    out["new_claim_then_suggested_ms_median"] = round(statistics.median(times), 1)
    if args.desk:
        out.update(desk_page(client, args.desk, args.seed))
    if args.surge:
        out.update(surge(client, args.surge, args.seed))
    print(json.dumps(out, indent=2))


def surge(client: object, n: int, seed: int) -> dict[str, object]:
    """A surge: n reports waiting. The worker works out each one's best match again (as after a
    new claim is filed), first with none of their vectors in memory, then with all of them; then
    the desk page, which groups every waiting report, unfiltered and filtered to one group."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cohesion.rumours import services
    from cohesion.rumours.models import Sighting

    texts = [
        f"people are saying {t.lower()} (surge {i})"
        for i, t in enumerate(make_claims(n, seed + 20))
    ]
    Sighting.objects.bulk_create(
        [
            Sighting(
                text=t, channel="facebook", seen_on=timezone.localdate(), fingerprint=f"surge-{i}"
            )
            for i, t in enumerate(texts)
        ],
        batch_size=1000,
    )
    waiting = Sighting.objects.filter(state=Sighting.State.WAITING).count()
    out: dict[str, object] = {"surge_waiting_reports": waiting}
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        services.sightings_suggest()
        out["rematch_all_waiting_cold_seconds"] = round(time.perf_counter() - start, 1)
    out["rematch_all_waiting_queries"] = len(queries)
    start = time.perf_counter()
    services.sightings_suggest()
    out["rematch_all_waiting_vectors_in_memory_seconds"] = round(time.perf_counter() - start, 1)
    matched = Sighting.objects.filter(
        state=Sighting.State.WAITING, suggested_claim__isnull=False
    ).count()
    out["surge_reports_with_a_best_match"] = matched
    best = (
        Sighting.objects.filter(state=Sighting.State.WAITING, suggested_claim__isnull=False)
        .values_list("suggested_claim", flat=True)
        .first()
    )
    for name, query in (("desk_surge", {}), ("desk_surge_one_group", {"best": best})):
        times = []
        for _ in range(4):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get("/staff/rumours/", query)  # type: ignore[attr-defined]
                times.append(time.perf_counter() - start)
            assert response.status_code == 200
        out[f"{name}_page_seconds_median"] = round(statistics.median(times[1:]), 3)
        out[f"{name}_page_queries"] = len(queries)
    return out


def desk_page(client: object, n: int, seed: int) -> dict[str, object]:
    """The desk lists each waiting report with its best match: the way it is done (one batch
    for the whole page) beside one suggestions() call per report, each on new words, then the
    desk page itself with n new reports waiting (first view, then again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cohesion.rumours import matching
    from cohesion.rumours.models import Sighting

    def reworded(offset: int) -> list[str]:
        return [
            f"heard that {t.lower()} (desk {offset}-{i})"
            for i, t in enumerate(make_claims(n, seed + offset))
        ]

    out: dict[str, object] = {"desk_reports": n}
    one_by_one, batched = reworded(10), reworded(11)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        [matching.suggestions(text=t, k=1) for t in one_by_one]
        out["best_match_one_call_each_seconds"] = round(time.perf_counter() - start, 2)
    out["best_match_one_call_each_queries"] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        matching.best_for_each(batched)
        out["best_match_batched_seconds"] = round(time.perf_counter() - start, 2)
    out["best_match_batched_queries"] = len(queries)

    waiting = reworded(12)
    Sighting.objects.bulk_create(
        [
            Sighting(
                text=t, channel="whatsapp", seen_on=timezone.localdate(), fingerprint=f"desk-{i}"
            )
            for i, t in enumerate(waiting)
        ]
    )
    times = []
    for _ in range(6):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get("/staff/rumours/")  # type: ignore[attr-defined]
            times.append(time.perf_counter() - start)
        assert response.status_code == 200 and "Best match:" in response.content.decode()
    out["desk_page_first_view_seconds"] = round(times[0], 2)
    out["desk_page_again_seconds_median"] = round(statistics.median(times[1:]), 3)
    out["desk_page_queries"] = len(queries)
    return out


if __name__ == "__main__":
    main()
