from __future__ import annotations

from datetime import date

import factory

from cohesion.core.models import Organisation, Role, User, Ward
from cohesion.strategy.models import Measure, Observation, Priority, Strategy


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    type = Organisation.Type.VOLUNTARY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.RESIDENT
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward

    code = factory.Sequence(lambda n: f"E0500{n:04d}")
    name = factory.Sequence(lambda n: f"Ward {n}")
    population = 7000


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy

    title = "Community Cohesion Strategy 2026-30"
    council_name = "Test City Council"
    vision = "Towards a city where everyone feels they belong."
    starts_on = date(2026, 1, 1)
    ends_on = date(2030, 3, 31)


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    strategy = factory.SubFactory(StrategyFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Priority {n}")
    slug = factory.Sequence(lambda n: f"priority-{n}")
    summary = "A short summary."


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    title = factory.Sequence(lambda n: f"Measure {n}")
    slug = factory.Sequence(lambda n: f"measure-{n}")
    definition = "What is counted."
    kind = "percentage"
    unit = "%"
    source = "Residents' survey"
    frequency = "annual"
    direction = "increase"
    level = "city"
    baseline_value = 50.0
    baseline_date = date(2024, 3, 31)
    target_value = 60.0
    target_date = date(2030, 3, 31)


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    measure = factory.SubFactory(MeasureFactory)
    period_start = date(2025, 1, 1)
    period_end = date(2025, 12, 31)
    period_label = "2025"
    value = 52.0
