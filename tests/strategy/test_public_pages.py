"""What a resident sees: the strategy, the statuses, a measure with chart, map, table and CSV."""

from __future__ import annotations

import csv
import io

from django.test import Client
from django.urls import reverse


def test_home_shows_the_vision_and_priorities(strategy_data: dict) -> None:
    page = Client().get("/").content.decode()
    assert "Towards a city where everyone feels they belong." in page
    assert "1. Taking part" in page and "2. Spotting tensions early" in page


def test_how_we_are_doing_lists_every_measure_with_its_status_and_reason(strategy_data: dict) -> None:
    page = Client().get(reverse("public:progress")).content.decode()
    assert "People who feel they belong" in page and "Grants awarded" in page
    for status in ("On track", "At risk", "Off track", "Not enough data"):
        assert status in page
    strategy_data["belong"].refresh_from_db()
    assert strategy_data["belong"].status_reason in page


def test_a_measure_page_has_a_chart_a_table_and_a_csv_link(strategy_data: dict) -> None:
    page = Client().get(reverse("public:measure", args=["feel-they-belong"])).content.decode()
    assert '<svg' in page and 'role="img"' in page
    assert "Figures for the whole city" in page
    assert "2025/26" in page
    assert reverse("public:measure_csv", args=["feel-they-belong"]) in page


def test_a_ward_measure_shows_a_map_and_hides_small_counts(strategy_data: dict) -> None:
    page = Client().get(reverse("public:measure", args=["grants"])).content.decode()
    assert "By ward" in page and "<path" in page
    assert "fewer than 5" in page  # Ward B has 3
    assert "hidden to protect a small number" in page  # and the next smallest is hidden too
    assert ">12<" in page.replace("\n", "").replace(" ", "")


def test_the_csv_download_has_every_figure_with_suppression(strategy_data: dict) -> None:
    response = Client().get(reverse("public:measure_csv", args=["grants"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_area = {row["area_name"]: row["value"] for row in rows}
    assert by_area["Whole city"] == "31"
    assert by_area["Ward B"] == "fewer than 5"
    assert by_area["Ward D"] == "hidden to protect a small number"
    assert by_area["Ward A"] == "12"


def test_unpublished_measures_are_not_public(strategy_data: dict) -> None:
    measure = strategy_data["grants"]
    measure.is_published = False
    measure.save()
    assert Client().get(reverse("public:measure", args=["grants"])).status_code == 404
    assert "Grants awarded" not in Client().get(reverse("public:progress")).content.decode()
