"""Load the demo Citizens' Assembly: addresses, a seeded letter draw, registrations, quotas and a draw.

Everything here is generated demo data (the census shares are rounded, plausible figures for
Stoke-on-Trent, not exact ones). Run ``manage.py load_demo`` first: it loads the wards and users.
The same seed always gives the same addresses, letters, volunteers and quotas (the lottery file, and so
its fingerprint, also records when it was made).
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cohesion.assembly import services
from cohesion.assembly.models import Address, Assembly, Invitation, Question, Quota, Volunteer
from cohesion.core.models import User, Ward
from cohesion.strategy.models import Measure

NAME = "Stoke-on-Trent Citizens' Assembly 2026"
SLUG = "stoke-on-trent-citizens-assembly-2026"
SUMMARY = (
    "45 residents, picked by a fair lottery, meet four times a year to say how the Community "
    "Cohesion Strategy should be carried out: what to do first, what to change, and how to tell "
    "if it is working."
)
ADDRESSES = 2000
LETTERS = 1000
REGISTRATIONS = 180
PUBLIC_RANDOM = "04 11 23 30 42 57"  # demo "lottery numbers", entered after the fingerprint
STREETS = [
    "Albion Street", "Bethesda Road", "Birches Head Road", "Boothen Old Road", "Bucknall New Road",
    "Campbell Road", "Chell Heath Road", "Church Street", "Clayhanger Street", "Davenport Street",
    "Dividy Road", "Etruria Road", "Fenpark Road", "Festival Way", "Hartshill Road", "High Lane",
    "King Street", "Leek Road", "Lightwood Road", "London Road", "Longton Road", "Meir Road",
    "Milton Road", "Moorland Road", "Newcastle Street", "Oakhill Avenue", "Park Avenue",
    "Queens Road", "Ricardo Street", "Sandon Road", "Smallthorne Road", "Stone Road",
    "Trentham Road", "Uttoxeter Road", "Victoria Road", "Waterloo Road", "Weston Road",
]

# Plausible shares of residents aged 16 and over, in % (rounded; demo figures).
CENSUS: dict[str, dict[str, float]] = {
    "age_band": dict(zip(services.AGE_BANDS, [14, 17, 15, 16, 15, 12, 11], strict=True)),
    "gender": {"Woman": 50.5, "Man": 49, "In another way": 0.5},
    "ethnicity": dict(zip(services.ETHNIC_GROUPS, [10.5, 2.4, 2.2, 83.5, 1.4], strict=True)),
    "disability": dict(zip(services.DISABILITY, [11, 12, 77], strict=True)),
    "housing_tenure": dict(zip(services.TENURE, [58, 22, 18, 2], strict=True)),
    "qualification": dict(zip(services.QUALIFICATIONS, [24, 28, 6, 17, 22, 3], strict=True)),
    "trust": dict(zip(services.TRUST, [10, 35, 33, 22], strict=True)),
}
QUOTA_QUESTIONS = ["age_band", "gender", "ethnicity", "disability", "housing_tenure", "qualification", "trust"]

# Who answers a letter: older, owner-occupier, degree-holding, trusting residents more often.
RESPONSE_BOOST: dict[str, dict[str, float]] = {
    "age_band": dict(zip(services.AGE_BANDS, [0.5, 0.7, 0.9, 1.0, 1.3, 1.6, 1.2], strict=True)),
    "housing_tenure": dict(zip(services.TENURE, [1.3, 0.7, 0.8, 0.8], strict=True)),
    "qualification": dict(zip(services.QUALIFICATIONS, [0.6, 0.8, 0.9, 1.1, 1.8, 1.0], strict=True)),
    "trust": dict(zip(services.TRUST, [1.6, 1.3, 0.8, 0.6], strict=True)),
}


class Command(BaseCommand):
    help = "Load the demo Citizens' Assembly (after load_demo): addresses, letters, registrations, quotas and a published draw."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the demo assembly is already loaded")
        parser.add_argument("--no-selection", action="store_true", help="Stop before choosing the members")

    def handle(self, *args: Any, seed: int, if_empty: bool, no_selection: bool, **options: Any) -> None:
        if Assembly.objects.filter(slug=SLUG).exists():
            if if_empty:
                self.stdout.write("The demo assembly is already loaded.")
                return
            raise CommandError("The demo assembly is already loaded. Use a fresh database to load it again.")
        wards = list(Ward.objects.order_by("code"))
        if not wards or any(w.population is None for w in wards):
            raise CommandError("Load the wards first: run manage.py load_demo")
        officer = User.objects.filter(username="officer").first()
        rng = np.random.default_rng(seed)
        with transaction.atomic():
            assembly = services.assembly_create(
                assembly=Assembly(
                    name=NAME, slug=SLUG, summary=SUMMARY, panel_size=45,
                    registration_closes_on=date(2026, 6, 30), ends_on=date(2027, 3, 31), contact_retention_days=90,
                    response_measure=Measure.objects.filter(slug="assembly-recommendations-carried-out").first(),
                ),
                actor=officer, via="command",
            )
            self._addresses(assembly, wards, rng)
            draw = services.invitations_draw(assembly=assembly, n=LETTERS, seed=seed, boost_factor=1.0, boosted_wards=[], actor=officer)
            volunteers = self._registrations(assembly, officer, rng)
            services.stage_set(assembly=assembly, stage=Assembly.Stage.REGISTERING, actor=officer, via="command")
            self._quotas(assembly, officer)
        message = (
            f"Loaded “{NAME}”: {Address.objects.filter(assembly=assembly).count():,} addresses, "
            f"{draw.invitations.count():,} letters (seed {seed}), {len(volunteers)} registrations, "
            f"{Quota.objects.filter(assembly=assembly).count()} quotas"
        )
        if no_selection:
            self.stdout.write(self.style.SUCCESS(message + "."))
            return
        try:
            from cohesion.assembly.selection import engine  # noqa: F401 - is the engine installed?
        except ImportError:
            self.stdout.write(self.style.SUCCESS(message + ". The selection engine is not installed, so no members were chosen."))
            return
        run = services.selection_run_now(assembly=assembly, method="leximin", lottery_size=1000, keep=[], actor=officer)
        if not run.fingerprint:
            raise CommandError(f"The demo selection did not finish: {run.job.message if run.job else 'unknown error'}")
        services.fingerprint_publish(run=run, actor=officer)
        panel = services.panel_draw(run=run, public_random=PUBLIC_RANDOM, actor=officer)
        self.stdout.write(self.style.SUCCESS(
            f"{message}, and a published draw: panel {run.drawn_panel} of {run.lottery_size}, {len(panel)} members "
            f"(fingerprint {run.fingerprint[:12]}…)."
        ))

    def _addresses(self, assembly: Assembly, wards: list[Ward], rng: np.random.Generator) -> None:
        populations = np.array([w.population or 0 for w in wards], dtype=float)
        counts = np.maximum(20, np.floor(ADDRESSES * populations / populations.sum())).astype(int)
        rows = []
        uprn = 3_455_000_001
        for ward, count, number in zip(wards, counts, range(len(wards)), strict=True):
            district = 1 + number % 12
            for i in range(int(count)):
                street = STREETS[int(rng.integers(len(STREETS)))]
                postcode = f"ST{district} {1 + i % 9}{'ABDEFGHJLNPQRSTUWXYZ'[number % 20]}{'ABDEFGHJLNPQRSTUWXYZ'[i % 20]}"
                rows.append(Address(
                    assembly=assembly, uprn=str(uprn), address=f"{1 + int(rng.integers(180))} {street}, Stoke-on-Trent",
                    postcode=postcode, ward=ward,
                ))
                uprn += 1
        Address.objects.bulk_create(rows, batch_size=2000)

    def _person(self, rng: np.random.Generator) -> dict[str, str]:
        person = {}
        for key, shares in CENSUS.items():
            options = list(shares)
            weights = np.array([shares[o] for o in options], dtype=float)
            person[key] = options[int(rng.choice(len(options), p=weights / weights.sum()))]
        return person

    def _registrations(self, assembly: Assembly, officer: User | None, rng: np.random.Generator) -> list[Volunteer]:
        invitations = list(Invitation.objects.filter(assembly=assembly).select_related("address__ward").order_by("code"))
        people = [self._person(rng) for _ in invitations]
        weights = np.array([
            np.prod([RESPONSE_BOOST[key].get(person[key], 1.0) for key in RESPONSE_BOOST]) for person in people
        ])
        chosen = rng.choice(len(invitations), size=min(REGISTRATIONS, len(invitations)), replace=False, p=weights / weights.sum())
        volunteers = []
        for n, index in enumerate(sorted(int(i) for i in chosen), start=1):
            invitation, person = invitations[index], people[index]
            answers = {**person, "ward": invitation.address.ward.name}
            paper = n % 10 == 0  # one in ten came back on paper
            volunteers.append(services.volunteer_register(
                invitation=invitation,
                full_name=f"Demo Resident {n:03d}",
                email="" if paper else f"demo.resident{n:03d}@example.org",
                phone=f"07700 900{n:03d}" if paper or n % 3 == 0 else "",
                answers=answers,
                entered_by=officer if paper else None,
            ))
        return volunteers

    def _quotas(self, assembly: Assembly, officer: User | None) -> None:
        k = assembly.panel_size
        rows = []
        questions = {q.key: q for q in Question.objects.filter(assembly=assembly)}
        for key in QUOTA_QUESTIONS:
            for option in questions[key].options:
                share = CENSUS[key][option] / 100
                low, high = services.quota_suggest(share=share, panel_size=k, slack=1)
                rows.append(services.QuotaInput(category=key, value=option, min=low, max=high, population_share=share))
        services.quotas_save(assembly=assembly, quotas=rows, actor=officer)
        with contextlib.suppress(ImportError):  # without the engine the quotas stay as worked out
            services.quotas_relax(assembly=assembly, actor=officer)  # self-selection may leave a quota short
