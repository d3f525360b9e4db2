"""Reads for community tensions: who may see which report, the matrix, the map, ward series."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db.models import Count, QuerySet
from django.utils import timezone

from cohesion.core.models import Role, User, Ward
from cohesion.core.permissions import STAFF_ROLES
from cohesion.strategy.selectors import ward_svg_map

from . import charts
from .models import Alert, Category, TensionReport, TensionSettings, WardTensionLevel, week_start
from .services import CATEGORY_PHRASES, weekly_counts

LEVEL_COLOURS = {
    # Light to dark: each darker step is a higher level. Text is always beside the colour.
    1: "#1f9e89",
    2: "#26828e",
    3: "#31688e",
    4: "#482878",
    5: "#440154",
}
LEVEL_NAMES = {1: "Normal", 2: "Raised", 3: "Elevated", 4: "High", 5: "Critical"}


def is_staff(user: User) -> bool:
    return user.has_role(*STAFF_ROLES)


def may_log_reports(user: User) -> bool:
    return user.has_role(Role.PARTNER, Role.OFFICER)


def may_see_personal_details(*, user: User, report: TensionReport) -> bool:
    """Officers and admins see every report's personal details; partners only their own
    organisation's."""
    if is_staff(user):
        return True
    return bool(
        user.role == Role.PARTNER
        and user.organisation_id is not None
        and report.organisation_id == user.organisation_id
    )


def reports_for(*, user: User) -> QuerySet[TensionReport]:
    """The reports a user may list: partners and staff see all; others none."""
    if not may_log_reports(user):
        return TensionReport.objects.none()
    return TensionReport.objects.select_related("ward", "organisation", "reported_by")


def current_week(today: date | None = None) -> date:
    return week_start(today or timezone.localdate())


def weeks_back(*, end: date, count: int) -> list[date]:
    end = week_start(end)
    return [end - timedelta(weeks=count - 1 - i) for i in range(count)]


@dataclass
class MatrixRow:
    ward: Ward
    cells: list[WardTensionLevel | None]
    latest: WardTensionLevel | None
    movement: str


def level_matrix(*, end: date, count: int = 12) -> dict[str, Any]:
    """Wards by weeks: each ward's level in each of the last ``count`` weeks (two queries)."""
    weeks = weeks_back(end=end, count=count)
    wards = list(Ward.objects.filter(in_use=True).order_by("name"))
    levels = WardTensionLevel.objects.filter(week_start__gte=weeks[0], week_start__lte=weeks[-1])
    by_key = {(lv.ward_id, lv.week_start): lv for lv in levels}
    rows = []
    for ward in wards:
        cells = [by_key.get((ward.pk, w)) for w in weeks]
        known = [c for c in cells if c is not None]
        latest = cells[-1]
        movement = "No level set"
        if latest is not None:
            earlier = [c for c in cells[:-1] if c is not None]
            if not earlier:
                movement = "New"
            elif latest.level > earlier[-1].level:
                movement = f"Up from {earlier[-1].level}"
            elif latest.level < earlier[-1].level:
                movement = f"Down from {earlier[-1].level}"
            else:
                movement = "No change"
        elif known:
            movement = "Not set this week"
        rows.append(MatrixRow(ward=ward, cells=cells, latest=latest, movement=movement))
    return {"weeks": weeks, "rows": rows}


def open_alerts() -> QuerySet[Alert]:
    return Alert.objects.exclude(status=Alert.Status.CLOSED).prefetch_related("wards")


def alert_reports(*, alert: Alert, wards: list[Ward]) -> QuerySet[TensionReport]:
    """The reports behind an alert: its week, its wards (all for a citywide alert), its kind."""
    reports = TensionReport.objects.filter(
        occurred_on__gte=alert.week_start, occurred_on__lt=alert.week_start + timedelta(days=7)
    ).select_related("ward", "organisation")
    if wards:
        reports = reports.filter(ward__in=wards)
    if alert.category:
        reports = reports.filter(category=alert.category)
    return reports.order_by("occurred_on", "ward__name")


def ward_map(*, week: date, show_alerts: bool = True) -> dict[str, Any]:
    """Choropleth of this week's levels, and (for staff) the open alerts in each ward."""
    wards = list(Ward.objects.filter(in_use=True).order_by("name"))
    levels = {lv.ward_id: lv for lv in WardTensionLevel.objects.filter(week_start=week_start(week))}
    alerts_by_ward: dict[int, list[Alert]] = {}
    for alert in open_alerts() if show_alerts else []:
        for ward in alert.wards.all():
            alerts_by_ward.setdefault(ward.pk, []).append(alert)
    fills: dict[str, str] = {}
    values: dict[str, str] = {}
    rows = []
    for ward in wards:
        lv = levels.get(ward.pk)
        ward_alerts = alerts_by_ward.get(ward.pk, [])
        text = f"Level {lv.level} ({LEVEL_NAMES[lv.level].lower()})" if lv else "No level set"
        if ward_alerts:
            text += f"; {len(ward_alerts)} open alert{'s' if len(ward_alerts) != 1 else ''}"
        values[ward.code] = text
        if lv:
            fills[ward.code] = LEVEL_COLOURS[lv.level]
        rows.append({"ward": ward, "level": lv, "alerts": ward_alerts, "text": text})
    svg = ward_svg_map(wards=wards)
    the_map = None
    if svg is not None:
        the_map = {
            "id": "tension-map",
            "svg": svg,
            "title": f"Tension level by ward, week of {week_start(week):%d %B %Y}",
            "description": (
                "Darker wards have a higher tension level. Grey wards have no level set. "
                "The same levels are in the table below the map."
            ),
            "fills": fills,
            "values": values,
            "legend": [(LEVEL_COLOURS[n], f"{n}: {LEVEL_NAMES[n].lower()}") for n in range(1, 6)],
        }
    return {"map": the_map, "rows": rows}


def ward_series(*, ward: Ward, end: date, weeks: int = 52) -> list[dict[str, Any]]:
    """For each category: the ward's weekly counts for the last ``weeks`` weeks with the
    expected level, threshold and alarm weeks from the early-warning engine."""
    from cohesion.tensions.warning import method_label, series_band

    alpha = TensionSettings.current().alert_alpha
    data = weekly_counts(current_week=end, weeks=None, wards=[ward])
    history = data.counts[:, 0, :]
    shown = min(weeks, history.shape[0])
    out = []
    for c, category in enumerate(data.categories):
        series = history[:, c].astype(float)
        recent = series[-shown:]
        label = Category(category).label
        item: dict[str, Any] = {
            "category": category,
            "label": label,
            "total": int(recent.sum()),
            "chart": None,
            "rows": [],
            "method": "",
            "method_reason": "",
        }
        if recent.sum() == 0:
            out.append(item)
            continue
        band = series_band(series, last=shown, alpha=alpha)
        expected = np.asarray(band.expected, dtype=float)
        threshold = np.asarray(band.threshold, dtype=float)
        alarm = np.asarray(band.alarm, dtype=bool)
        week_list = data.weeks[-shown:]
        item["method"] = method_label(band.method)
        item["method_reason"] = str(band.parameters.get("reason", ""))
        item["chart"] = charts.band_chart(
            title=f"{label} reports each week in {ward.name}",
            weeks=week_list,
            counts=list(recent),
            expected=list(expected),
            threshold=list(threshold),
            alarm=list(alarm),
        )
        item["rows"] = [
            {
                "week": week_list[i],
                "count": int(recent[i]),
                "expected": None if not np.isfinite(expected[i]) else float(expected[i]),
                "threshold": None if not np.isfinite(threshold[i]) else float(threshold[i]),
                "alarm": bool(alarm[i]),
            }
            for i in range(max(0, shown - 12), shown)
        ][::-1]
        out.append(item)
    return out


def ward_summary(*, ward: Ward, end: date) -> dict[str, Any]:
    levels = list(WardTensionLevel.objects.filter(ward=ward).select_related("set_by")[:12])
    alerts = list(Alert.objects.filter(wards=ward).order_by("-week_start")[:10])
    return {"levels": levels, "alerts": alerts}


def category_counts(
    *, start: date, end: date, wards: Iterable[Ward] | None = None
) -> dict[str, int]:
    qs = TensionReport.objects.filter(occurred_on__gte=start, occurred_on__lte=end)
    if wards is not None:
        qs = qs.filter(ward__in=list(wards))
    found = dict(qs.values_list("category").annotate(n=Count("id")).values_list("category", "n"))
    return {c.value: int(found.get(c.value, 0)) for c in Category}


def briefing_context(*, week: date) -> dict[str, Any]:
    """The weekly briefing for the tension meeting: alerts, levels and how reports moved."""
    monday = week_start(week)
    sunday = monday + timedelta(days=6)
    this_week = category_counts(start=monday, end=sunday)
    four_weeks = category_counts(start=monday - timedelta(weeks=4), end=monday - timedelta(days=1))
    categories = [
        {
            "label": Category(c).label,
            "count": this_week[c],
            "average": four_weeks[c] / 4,
        }
        for c in this_week
    ]
    matrix = level_matrix(end=monday, count=6)
    high = [r for r in matrix["rows"] if r.latest is not None and r.latest.level >= 3]
    changed = [r for r in matrix["rows"] if r.movement.startswith(("Up", "Down"))]
    top_wards = list(
        TensionReport.objects.filter(occurred_on__gte=monday, occurred_on__lte=sunday)
        .values("ward__name")
        .annotate(n=Count("id"))
        .order_by("-n", "ward__name")[:10]
    )
    alerts_this_week = list(
        Alert.objects.filter(week_start=monday)
        .prefetch_related("wards")
        .order_by("kind", "-observed")
    )
    still_open = list(open_alerts().filter(week_start__lt=monday).order_by("-week_start"))
    return {
        "week": monday,
        "week_end": sunday,
        "categories": categories,
        "reports_this_week": sum(this_week.values()),
        "matrix": matrix,
        "high": high,
        "changed": changed,
        "top_wards": top_wards,
        "alerts": alerts_this_week,
        "still_open": still_open,
        "made_at": timezone.now(),
        "phrases": CATEGORY_PHRASES,
    }
