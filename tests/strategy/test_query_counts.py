"""The public strategy pages make a bounded number of queries, however much data there is.

Each page is requested with a small data set and a bigger one (8 times the measures, 4 times the
wards and periods). The number of queries must stay under the same bound for both, and must be
exactly the same for both: a query per measure, per ward or per figure would show up here long
before it shows up as a slow page. The speed itself is measured by ``benchmarks/pages.py``
(see ``docs/benchmarks.md``), not here.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from cohesion.core import disclosure
from cohesion.strategy.models import Measure, Observation, Strategy
from cohesion.strategy.services import measures_assess
from tests.conftest import square
from tests.factories import (
    MeasureFactory,
    PriorityFactory,
    StrategyFactory,
    WardFactory,
)

# The most queries each page may make. The pages read the strategy, the measures and their
# priorities, one measure's figures and the wards with a fixed number of queries each.
MAX_QUERIES = {
    "progress": 3,  # strategy, published measures, their priorities
    "measure_city": 3,  # measure, city figures, priorities
    "measure_ward_rate": 6,  # ... and latest ward period, its ward figures, all wards
    "measure_ward_count": 6,
    "csv_city": 3,  # measure, city figures, ward figures
    "csv_ward_rate": 3,
}


@dataclass(frozen=True)
class Size:
    measures: int
    wards: int
    periods: int
    priorities: int


SMALL = Size(measures=5, wards=3, periods=3, priorities=2)
BIG = Size(measures=40, wards=12, periods=12, priorities=10)

# Kinds of measure, in turn: (kind, unit, level).
KINDS = [
    ("percentage", "%", "city"),
    ("rate", "per 1,000 residents", "ward"),
    ("count", "grants", "ward"),
    ("value", "days", "city"),
]


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_data(*, size: Size, strategy: Strategy) -> dict[str, str]:
    """Add wards, priorities, measures and figures; return the URL of each page to check."""
    wards = [
        WardFactory(boundary=square(i % 6, i // 6), population=5000 + 100 * i)
        for i in range(size.wards)
    ]
    priorities = [PriorityFactory(strategy=strategy) for _ in range(size.priorities)]
    observations = []
    first: dict[str, Measure] = {}
    for i in range(size.measures):
        kind, unit, level = KINDS[i % len(KINDS)]
        measure = MeasureFactory(
            kind=kind,
            unit=unit,
            level=level,
            frequency="monthly",
            direction="decrease" if kind == "rate" else "increase",
            baseline_value=0.5 if kind == "rate" else 50.0,
            target_value=0.4 if kind == "rate" else 60.0,
            baseline_date=date(2023, 12, 31),
        )
        measure.priorities.set(priorities[j % len(priorities)] for j in range(i, i + 1 + i % 3))
        first.setdefault(kind, measure)
        for p in range(size.periods):
            start = date(2024 + p // 12, 1 + p % 12, 1)
            end = month_end(start.year, start.month)
            label = start.strftime("%b %Y")
            when = {"period_start": start, "period_end": end, "period_label": label}
            total = 0
            if level == "ward":
                for w, ward in enumerate(wards):
                    count = (3 * i + 5 * p + 7 * w) % 11  # some under 5, so suppression runs
                    total += count
                    if kind == "rate":
                        observations.append(
                            Observation(
                                measure=measure,
                                ward=ward,
                                value=count / ward.population * 1000,
                                numerator=count,
                                denominator=ward.population,
                                **when,
                            )
                        )
                    else:
                        observations.append(
                            Observation(measure=measure, ward=ward, value=count, **when)
                        )
            if kind == "percentage":
                yes = 500 + 10 * p + i
                city = {
                    "value": yes / 10,
                    "numerator": yes,
                    "denominator": 1000,
                    "sample_size": 1000,
                }
            elif kind == "rate":
                population = sum(w.population for w in wards)
                city = {
                    "value": total / population * 1000,
                    "numerator": total,
                    "denominator": population,
                }
            elif kind == "count":
                city = {"value": total}
            else:
                city = {"value": 40.0 + p}
            observations.append(Observation(measure=measure, **city, **when))
    # Thousands of figures: plain bulk_create, as ObservationFactory one at a time is too slow.
    Observation.objects.bulk_create(observations, batch_size=1000)
    measures_assess(measures=Measure.objects.filter(pk__in=[m.pk for m in first.values()]))
    city_measure, rate, count = first["percentage"], first["rate"], first["count"]
    return {
        "progress": "/how-we-are-doing/",
        "measure_city": city_measure.get_absolute_url(),
        "measure_ward_rate": rate.get_absolute_url(),
        "measure_ward_count": count.get_absolute_url(),
        "csv_city": f"{city_measure.get_absolute_url()}data.csv",
        "csv_ward_rate": f"{rate.get_absolute_url()}data.csv",
    }


def query_counts(client: Client, urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    for page, url in urls.items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (page, response.status_code)
        counts[page] = len(ctx.captured_queries)
    return counts


@pytest.mark.django_db
@pytest.mark.parametrize("size", [SMALL, BIG], ids=["small", "big"])
def test_each_page_stays_within_its_query_bound(
    size: Size, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    urls = add_data(size=size, strategy=StrategyFactory())
    for page, url in urls.items():
        with django_assert_max_num_queries(MAX_QUERIES[page]):
            response = client.get(url)
        assert response.status_code == 200, page


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_data(client: Client) -> None:
    strategy = StrategyFactory()
    small = query_counts(client, add_data(size=SMALL, strategy=strategy))
    # Add eight times the measures, with four times the wards and periods, to the same strategy.
    big_urls = add_data(size=BIG, strategy=strategy)
    assert Measure.objects.count() == SMALL.measures + BIG.measures
    assert Observation.objects.count() > 10 * (SMALL.measures * SMALL.periods)
    big = query_counts(client, big_urls)
    assert big == small
    # The pages really do show the extra measures, wards and figures.
    total = SMALL.measures + BIG.measures
    assert f"Summary of {total} measures" in client.get(big_urls["progress"]).content.decode()
    ward_page = client.get(big_urls["measure_ward_rate"]).content.decode()
    assert ward_page.count('data-ward-code="') == SMALL.wards + BIG.wards
    assert disclosure.SUPPRESSED_LABEL in ward_page
    csv_lines = client.get(big_urls["csv_ward_rate"]).content.decode().strip().splitlines()
    assert len(csv_lines) == 1 + BIG.periods * (1 + BIG.wards)
