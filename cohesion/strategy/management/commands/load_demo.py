"""Load the Stoke-on-Trent demo: wards, partners, the strategy, its measures and figures, and users."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from cohesion.core.models import Organisation, Role, User
from cohesion.core.services import wards_load
from cohesion.strategy import services
from cohesion.strategy.models import Measure, Observation, Priority, Strategy
from cohesion.strategy.periods import parse_period

DEMO_PASSWORD = "demo-password-only"  # noqa: S105 - printed for the local demo; never used in production
DEMO_USERS = [
    ("admin", "Ada", "Admin", Role.ADMIN, "Stoke-on-Trent City Council"),
    ("officer", "Olu", "Officer", Role.OFFICER, "Stoke-on-Trent City Council"),
    ("councillor", "Chris", "Councillor", Role.COUNCILLOR, "Stoke-on-Trent City Council"),
    ("police", "Pat", "Partner", Role.PARTNER, "Staffordshire Police"),
]


class Command(BaseCommand):
    help = "Load the Stoke-on-Trent demo data set (wards, partners, strategy, measures, figures, users)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if a strategy is already loaded")
        parser.add_argument("--demo-dir", type=Path, default=Path(settings.BASE_DIR) / "demo")

    def handle(self, *args: Any, seed: int | None, if_empty: bool, demo_dir: Path, **options: Any) -> None:
        from demo import generate, stoke

        if if_empty and Strategy.objects.exists():
            self.stdout.write("The demo is already loaded.")
            return
        if Strategy.objects.exists():
            raise CommandError("A strategy is already loaded. Use a fresh database (delete var/cohesion.sqlite3) to reload the demo.")
        seed = generate.DEFAULT_SEED if seed is None else seed
        geojson = demo_dir / "stoke_wards_2011_WD13.geojson"
        with transaction.atomic():
            wards = wards_load(geojson=geojson.read_bytes(), vintage="2011–2023 ward boundaries")
            pops = generate.ward_populations(codes_names=[(w.code, w.name) for w in wards], seed=seed)
            for ward in wards:
                ward.population = pops[ward.code]
                ward.save(update_fields=["population"])
            orgs = {}
            for name, kind, description in stoke.PARTNERS:
                orgs[name], _ = Organisation.objects.get_or_create(
                    name=name, defaults={"slug": slugify(name), "type": kind, "description": description}
                )
            s = stoke.STRATEGY
            strategy = Strategy.objects.create(
                title=s["title"], council_name=s["council_name"], vision=s["vision"], introduction=s["introduction"],
                starts_on=date.fromisoformat(s["starts_on"]), ends_on=date.fromisoformat(s["ends_on"]),
                approved_on=date.fromisoformat(s["approved_on"]),
            )
            priorities = {}
            for number, slug, title, summary, demo in stoke.PRIORITIES:
                priorities[number] = Priority.objects.create(
                    strategy=strategy, number=number, slug=slug, title=title, summary=summary, demo_wording=demo
                )
            measures = {}
            for spec in stoke.MEASURES:
                bval, bdate, bnote = spec["baseline"]
                tval, tdate = spec["target"]
                measure = Measure.objects.create(
                    slug=spec["slug"], title=spec["title"], definition=spec["definition"], kind=spec["kind"],
                    unit=spec["unit"], source=spec["source"], frequency=spec["frequency"], direction=spec["direction"],
                    level=spec["level"], baseline_value=bval, baseline_date=date.fromisoformat(bdate), baseline_note=bnote,
                    target_value=tval, target_date=date.fromisoformat(tdate), demo_data=True,
                    data_owner=orgs["Staffordshire Police"] if spec["slug"] == "hate-crimes-per-1000" else None,
                )
                measure.priorities.set([priorities[n] for n in spec["priorities"]])
                measures[measure.slug] = measure
            ward_by_code = {w.code: w for w in wards}
            rows = []
            for fig in generate.figures(wards=[(w.code, w.name, pops[w.code]) for w in wards], seed=seed):
                period = parse_period(fig.period)
                rows.append(Observation(
                    measure=measures[fig.measure], ward=ward_by_code.get(fig.ward_code) if fig.ward_code else None,
                    period_start=period.start, period_end=period.end, period_label=period.label, value=fig.value,
                    numerator=fig.numerator, denominator=fig.denominator, sample_size=fig.sample_size,
                ))
            Observation.objects.bulk_create(rows, batch_size=2000)
            services.measures_assess(measures=measures.values())
            for username, first, last, role, org in DEMO_USERS:
                user = User.objects.create_user(
                    username=username, password=DEMO_PASSWORD, first_name=first, last_name=last,
                    role=role, organisation=orgs[org], is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN,
                )
                user.save()
        self.stdout.write(self.style.SUCCESS(
            f"Loaded the demo (seed {seed}): {len(wards)} wards, {len(orgs)} partners, {len(priorities)} priorities, "
            f"{len(measures)} measures, {len(rows)} figures. Demo users: "
            + ", ".join(u[0] for u in DEMO_USERS) + f" (password: {DEMO_PASSWORD})"
        ))
