"""Weekly ward levels, the wards-by-weeks matrix, the map, ward pages and the weekly briefing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohesion.core.models import AuditEvent
from cohesion.tensions.models import WardTensionLevel, week_start
from tests.tensions.conftest import client_for, plant_history

pytestmark = pytest.mark.django_db


def test_officer_sets_levels_and_the_matrix_shows_movement(tension_data: dict) -> None:
    a = tension_data["wards"][0]
    client = client_for(tension_data["officer"])
    this_week = week_start(timezone.localdate())
    last_week = this_week - timedelta(weeks=1)
    form = client.get(reverse("tensions:level_set"), {"ward": a.code})
    assert form.status_code == 200
    client.post(
        reverse("tensions:level_set"),
        {
            "ward": a.pk,
            "week": (last_week + timedelta(days=3)).isoformat(),
            "level": 1,
            "reason": "Quiet",
        },
    )
    response = client.post(
        reverse("tensions:level_set"),
        {
            "ward": a.pk,
            "week": this_week.isoformat(),
            "level": 4,
            "reason": "Protest planned after an online rumour",
        },
        follow=True,
    )
    assert f"{a.name} is at level 4" in response.content.decode()
    levels = WardTensionLevel.objects.filter(ward=a).order_by("week_start")
    assert [(lv.week_start, lv.level) for lv in levels] == [(last_week, 1), (this_week, 4)]
    # Changing a level updates the same week's record and is audited.
    client.post(
        reverse("tensions:level_set"),
        {"ward": a.pk, "week": this_week.isoformat(), "level": 3, "reason": "Protest called off"},
    )
    assert WardTensionLevel.objects.get(ward=a, week_start=this_week).level == 3
    update = AuditEvent.objects.get(object_type="tensions.wardtensionlevel", action="update")
    assert update.changes["level"] == [4, 3]

    matrix = (
        client_for(tension_data["councillor"])
        .get(reverse("tensions:level_matrix"))
        .content.decode()
    )
    assert "Up from 1" in matrix
    assert '<th scope="col" class="govuk-table__header">Ward</th>' in matrix


def test_level_form_explains_bad_answers(tension_data: dict) -> None:
    client = client_for(tension_data["officer"])
    response = client.post(
        reverse("tensions:level_set"), {"ward": "", "week": "", "level": "9", "reason": ""}
    )
    body = response.content.decode()
    assert (
        "Choose the ward" in body
        and "Enter the week" in body
        and "Give the reason for the level" in body
    )
    assert not WardTensionLevel.objects.exists()
    assert (
        client_for(tension_data["partner"]).post(reverse("tensions:level_set"), {}).status_code
        == 403
    )


def test_map_and_ward_page(tension_data: dict) -> None:
    a = tension_data["wards"][0]
    WardTensionLevel.objects.create(
        ward=a, week_start=week_start(timezone.localdate()), level=3, reason="Rising online tension"
    )
    plant_history(wards=tension_data["wards"], today=timezone.localdate())
    client = client_for(tension_data["partner"])
    page = client.get(reverse("tensions:ward_map")).content.decode()
    assert 'class="ward-map"' in page
    assert "Level 3 (elevated)" in page
    assert "open alert" not in page  # alerts are for officers
    ward_page = client.get(
        reverse("tensions:ward_detail", kwargs={"code": a.code})
    ).content.decode()
    assert "Online tension reports each week in" in ward_page
    assert "alert threshold" in ward_page.lower()
    assert "Rising online tension" in ward_page
    # the method is named in words with why it was chosen, not as a code
    assert "Method: EARS C2 (short history" in ward_page
    assert "weeks of history." in ward_page
    assert "ears_c2" not in ward_page
    assert (
        client.get(reverse("tensions:ward_detail", kwargs={"code": "E0NOWARD"})).status_code == 404
    )


def test_weekly_briefing_html_and_pdf(tension_data: dict) -> None:
    a = tension_data["wards"][0]
    today = timezone.localdate()
    WardTensionLevel.objects.create(
        ward=a, week_start=week_start(today) - timedelta(weeks=1), level=2, reason="Watch"
    )
    WardTensionLevel.objects.create(
        ward=a, week_start=week_start(today), level=4, reason="Protest planned on Saturday"
    )
    plant_history(wards=tension_data["wards"], today=today)
    client = client_for(tension_data["councillor"])
    html = client.get(reverse("tensions:briefing")).content.decode()
    assert "Community tension briefing" in html
    assert "Protest planned on Saturday" in html
    assert "up from 2 to 4" in html
    pdf = client.get(reverse("tensions:briefing_pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client_for(tension_data["partner"]).get(reverse("tensions:briefing")).status_code == 403


def test_matrix_and_map_queries_do_not_grow_with_wards_or_weeks(
    tension_data: dict, django_assert_max_num_queries
) -> None:
    from tests.factories import WardFactory

    this_week = week_start(timezone.localdate())
    wards = [*tension_data["wards"], *[WardFactory() for _ in range(20)]]
    for ward in wards:
        for weeks_ago in range(12):
            WardTensionLevel.objects.create(
                ward=ward,
                week_start=this_week - timedelta(weeks=weeks_ago),
                level=2,
                reason="Watch",
            )
    client = client_for(tension_data["officer"])
    client.get(reverse("tensions:ward_map"))  # warm the map's SVG cache
    with django_assert_max_num_queries(12):
        assert client.get(reverse("tensions:level_matrix")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("tensions:ward_map")).status_code == 200


def test_officer_sets_the_whole_week_on_one_page(tension_data: dict) -> None:
    a, b, c, d = tension_data["wards"]
    this_week = week_start(timezone.localdate())
    WardTensionLevel.objects.create(ward=d, week_start=this_week, level=2, reason="Watch")
    client = client_for(tension_data["officer"])
    page = client.get(reverse("tensions:level_week")).content.decode()
    assert f"Level for {a.name}" in page
    data = {
        f"w{a.pk}-level": "3",
        f"w{a.pk}-reason": "Protest planned",
        f"w{b.pk}-level": "4",
        f"w{b.pk}-reason": "",  # missing reason
        f"w{c.pk}-level": "",
        f"w{c.pk}-reason": "",
        f"w{d.pk}-level": "2",
        f"w{d.pk}-reason": "Watch",  # unchanged
    }
    bad = client.post(reverse("tensions:level_week"), data)
    body = bad.content.decode()
    assert "There is a problem" in body and f"{b.name}: Give the reason for the level" in body
    assert WardTensionLevel.objects.count() == 1  # nothing saved from a page with a mistake
    data[f"w{b.pk}-reason"] = "Hate incidents reported"
    response = client.post(reverse("tensions:level_week"), data, follow=True)
    assert "Saved 2 ward levels" in response.content.decode()
    levels = dict(
        WardTensionLevel.objects.filter(week_start=this_week).values_list("ward__name", "level")
    )
    assert levels == {a.name: 3, b.name: 4, d.name: 2}
    assert (
        AuditEvent.objects.filter(object_type="tensions.wardtensionlevel", action="create").count()
        == 2
    )
