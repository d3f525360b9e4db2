"""A made-up year and a half of weekly tension reports across the city's wards, for the demo.

Reports follow a seasonal Poisson pattern per ward and kind; a rise in online tension is planted
in Bentilee and Ubberley and two of its neighbours in the last two weeks (so the demo shows a
cluster alert), and a smaller rise in hate incidents in one ward this week.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from cohesion.core.models import Organisation, Role, User, Ward

from .models import (
    Category,
    Community,
    TensionReport,
    WardTensionLevel,
    week_start,
)

DEMO_WEEKS = 78
#: Expected reports per ward per week, by kind (for a ward of average size).
BASE_RATES = {
    Category.CONCERN: 0.22,
    Category.ONLINE: 0.14,
    Category.HATE_INCIDENT: 0.12,
    Category.RUMOUR: 0.08,
    Category.OTHER: 0.05,
    Category.PROTEST: 0.04,
    Category.DAMAGE: 0.03,
}
SUMMARIES = {
    Category.CONCERN: [
        "Residents at a community meeting said they feel unsafe walking home near the shops.",
        "Parents raised worries about groups gathering outside the school gates.",
        "A tenants' group reported arguments between neighbours about a new community centre.",
    ],
    Category.ONLINE: [
        "A local social media group shared posts blaming one community for a recent crime.",
        "A video circulating online claims a local hotel will house new arrivals.",
        "Heated comments under a news story about a planned mosque extension.",
    ],
    Category.HATE_INCIDENT: [
        "Verbal abuse aimed at a shop worker because of their religion.",
        "Graffiti with a racist slogan on a bus shelter.",
        "A family reported being shouted at in the street because of their ethnicity.",
    ],
    Category.RUMOUR: [
        "A rumour that the council is giving new houses only to one group.",
        "People are saying a school will close its doors to local children.",
    ],
    Category.OTHER: [
        "Leaflets from an outside group were posted through doors on several streets."
    ],
    Category.PROTEST: [
        "A protest is being organised online for Saturday outside the town hall.",
        "A gathering is planned at the war memorial on Sunday afternoon.",
    ],
    Category.DAMAGE: [
        "A window was broken at a community centre overnight.",
        "Damage to the noticeboard of a place of worship.",
    ],
}
COMMUNITY_BY_CATEGORY = {
    Category.HATE_INCIDENT: [
        Community.RACE,
        Community.RELIGION,
        Community.SEXUAL_ORIENTATION,
        Community.DISABILITY,
    ],
    Category.DAMAGE: [Community.RELIGION, Community.NONE],
}
PLANTED_CLUSTER_CENTRE = "Bentilee and Ubberley"
PLANTED_SINGLE = "Hanley Park and Shelton"


def _pick(rng: np.random.Generator, items: list) -> object:
    return items[int(rng.integers(len(items)))]


def demo_tensions_load(*, seed: int = 2026, today: date | None = None) -> dict[str, int]:
    """Create the demo reports and levels, then run the early warning. Returns counts."""
    from .services import earlywarning_run

    today = today or timezone.localdate()
    rng = np.random.default_rng(seed)
    wards = list(Ward.objects.order_by("code"))
    if not wards:
        raise ValueError("Load the wards first (manage.py load_demo)")
    mean_pop = float(np.mean([w.population or 7000 for w in wards]))
    ward_factor = {
        w.pk: (w.population or mean_pop) / mean_pop * float(rng.gamma(4.0, 0.25)) for w in wards
    }
    current = week_start(today)
    first = current - timedelta(weeks=DEMO_WEEKS - 1)
    orgs = list(Organisation.objects.order_by("name"))
    police = Organisation.objects.filter(type=Organisation.Type.POLICE).first()
    officer = User.objects.filter(role=Role.OFFICER).order_by("pk").first()
    reporters = {
        u.organisation_id: u
        for u in User.objects.filter(role=Role.PARTNER).exclude(organisation=None)
    }

    by_name = {w.name: w for w in wards}
    centre = by_name.get(PLANTED_CLUSTER_CENTRE) or wards[0]
    neighbours = list(centre.neighbours.order_by("code")[:2])
    cluster = [centre, *neighbours]
    single = by_name.get(PLANTED_SINGLE) or wards[-1]

    reports: list[TensionReport] = []

    def add(ward: Ward, category: str, day: date) -> None:
        org = (
            police
            if (police is not None and rng.random() < 0.45)
            else (_pick(rng, orgs) if orgs else None)
        )
        communities = COMMUNITY_BY_CATEGORY.get(category, list(Community))  # type: ignore[call-overload]
        personal = bool(rng.random() < 0.15)
        reports.append(
            TensionReport(
                summary=str(_pick(rng, SUMMARIES[category])),  # type: ignore[index]
                occurred_on=day,
                ward=ward,
                category=category,
                community=str(_pick(rng, communities)),
                impact=int(rng.choice([1, 2, 2, 3, 3, 3, 4, 5])),
                source_reliability=str(rng.choice(["1", "2", "2", "3", "5"])),
                reporter_confidence=str(rng.choice(["1", "2", "3", "3", "4"])),
                has_personal_details=personal,
                personal_details="Name and address of the person affected (demo text)"
                if personal
                else "",
                organisation=org,  # type: ignore[misc]
                reported_by=reporters.get(org.pk) if isinstance(org, Organisation) else None,
                source=TensionReport.Source.DEMO,
            )
        )

    for t in range(DEMO_WEEKS):
        monday = first + timedelta(weeks=t)
        season = 1.0 + 0.25 * math.sin(2 * math.pi * (monday.timetuple().tm_yday / 365.25 - 0.3))
        days_in_week = min(7, (today - monday).days + 1)
        share = days_in_week / 7
        for ward in wards:
            for category, rate in BASE_RATES.items():
                n = int(rng.poisson(rate * ward_factor[ward.pk] * season * share))
                for _ in range(n):
                    add(ward, category, monday + timedelta(days=int(rng.integers(days_in_week))))
    # The planted rise: online tension over neighbouring wards in the last two weeks.
    for weeks_ago, extra in ((1, 2), (0, 3)):
        monday = current - timedelta(weeks=weeks_ago)
        days_in_week = min(7, (today - monday).days + 1)
        for ward in cluster:
            for _ in range(extra):
                add(ward, Category.ONLINE, monday + timedelta(days=int(rng.integers(days_in_week))))
    days_now = min(7, (today - current).days + 1)
    for _ in range(5):
        add(single, Category.HATE_INCIDENT, current + timedelta(days=int(rng.integers(days_now))))

    with transaction.atomic():
        TensionReport.objects.bulk_create(reports, batch_size=500)
        levels = []
        for weeks_ago in range(5, -1, -1):
            monday = current - timedelta(weeks=weeks_ago)
            for ward in wards:
                level = 1 + int(ward_factor[ward.pk] > 1.4)
                reason = "Quiet week: nothing above the usual reports"
                if ward in cluster and weeks_ago <= 1:
                    level, reason = (
                        3,
                        "More online tension reports this week, shared across neighbouring wards",
                    )
                elif ward == single and weeks_ago == 0:
                    level, reason = 3, "Several hate incidents reported this week"
                elif level == 2:
                    reason = "Some concern reported by partners; keep watching"
                levels.append(
                    WardTensionLevel(
                        ward=ward, week_start=monday, level=level, reason=reason, set_by=officer
                    )
                )
        WardTensionLevel.objects.bulk_create(levels)
    alerts = earlywarning_run(today=today, actor=None, via="command")
    return {"reports": len(reports), "levels": len(levels), "alerts": len(alerts)}
