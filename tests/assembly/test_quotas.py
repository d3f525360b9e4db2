"""Quotas: worked out from census shares, checked at once, and relaxed when they cannot be met."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cohesion.assembly import services
from cohesion.assembly.models import Assembly, Question, Quota
from cohesion.core.models import AuditEvent
from tests.assembly.test_civic_lottery_support import (
    _clear_cache,  # noqa: F401 - an autouse fixture
    make_addresses,
    make_assembly,
    make_invitations,
    make_wards,
    register_volunteers,
    simple_quotas,
)


@pytest.fixture
def assembly(db: None) -> Assembly:
    wards = make_wards(2)
    assembly = make_assembly(panel_size=10)
    make_addresses(assembly, wards, 20)
    register_volunteers(make_invitations(assembly, 30)[:24])
    # Keep the form small: only gender and a three-answer age band.
    Question.objects.filter(assembly=assembly).exclude(key__in=["gender", "age_band"]).delete()
    Question.objects.filter(assembly=assembly, key="gender").update(options=["Woman", "Man"])
    Question.objects.filter(assembly=assembly, key="age_band").update(options=services.AGE_BANDS[:3])
    return assembly


def _ids(assembly: Assembly) -> dict[str, str]:
    """Field name stems: {"gender:Woman": "<question pk>-0", ...}."""
    out = {}
    for q in assembly.questions.all():
        for i, option in enumerate(q.options):
            out[f"{q.key}:{option}"] = f"{q.pk}-{i}"
    return out


def _post(client: Client, assembly: Assembly, action: str, values: dict[str, tuple[Any, Any, Any]], slack: str = "1") -> Any:
    ids = _ids(assembly)
    data = {"action": action, "slack": slack}
    for key, stem in ids.items():
        share, low, high = values.get(key, ("", "", ""))
        data[f"share-{stem}"] = share
        data[f"min-{stem}"] = low
        data[f"max-{stem}"] = high
    return client.post(reverse("assembly_staff:quotas", kwargs={"slug": assembly.slug}), data)


@pytest.mark.parametrize(
    ("share", "k", "slack", "expected"),
    [(0.5, 45, 1, (21, 24)), (0.2, 45, 1, (8, 10)), (0.02, 45, 1, (0, 2)), (0.5, 10, 0, (5, 5)), (1.0, 10, 2, (8, 10))],
)
def test_quota_from_a_share(share: float, k: int, slack: int, expected: tuple[int, int]) -> None:
    assert services.quota_suggest(share=share, panel_size=k, slack=slack) == expected


def test_the_officer_works_out_quotas_from_shares_then_saves_them(officer_client: Client, assembly: Assembly) -> None:
    page = officer_client.get(reverse("assembly_staff:quotas", kwargs={"slug": assembly.slug})).content.decode()
    assert "Work out quotas from the shares" in page and "Share of people for Woman (%)" in page
    shares = {"gender:Woman": ("51", "", ""), "gender:Man": ("49", "", "")}
    response = _post(officer_client, assembly, "calculate", shares)
    page = response.content.decode()
    assert "We worked out the quotas from the shares" in page
    ids = _ids(assembly)
    # 51% of 10 = 5.1: minimum 5 - 1 = 4, maximum 6 + 1 = 7. 49%: 4.9 -> 3 and 6.
    assert f'name="min-{ids["gender:Woman"]}" type="text" inputmode="numeric" spellcheck="false" value="4"' in page
    assert f'name="max-{ids["gender:Woman"]}" type="text" inputmode="numeric" spellcheck="false" value="7"' in page
    assert f'name="min-{ids["gender:Man"]}" type="text" inputmode="numeric" spellcheck="false" value="3"' in page
    assert not Quota.objects.exists()  # nothing saved until the officer saves
    response = _post(officer_client, assembly, "save", {"gender:Woman": ("51", "4", "7"), "gender:Man": ("49", "3", "6")})
    assert response.status_code == 302
    quotas = {(q.value, q.min, q.max, round(q.population_share or 0, 2)) for q in Quota.objects.all()}
    assert quotas == {("Woman", 4, 7, 0.51), ("Man", 3, 6, 0.49)}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="assembly.quota").count() == 2
    page = officer_client.get(response["Location"]).content.decode()
    assert "These quotas can be met" in page


def test_shares_that_do_not_add_up_to_100_are_refused(officer_client: Client, assembly: Assembly) -> None:
    response = _post(officer_client, assembly, "calculate", {"gender:Woman": ("60", "", ""), "gender:Man": ("60", "", "")})
    page = response.content.decode()
    assert "There is a problem" in page and "add up to 120%" in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"gender:Woman": ("", "6", "4"), "gender:Man": ("", "4", "6")}, "The minimum for “Woman” (6) is more than its maximum (4)"),
        ({"gender:Woman": ("", "-1", "4"), "gender:Man": ("", "4", "6")}, "The minimum for “Woman” must be 0 or more"),
        ({"gender:Woman": ("", "1", "4"), "gender:Man": ("", "1", "4")}, "The maximums for “What is your gender?” add up to 8, less than the panel size of 10"),
        ({"gender:Woman": ("", "6", "8"), "gender:Man": ("", "6", "8")}, "The minimums for “What is your gender?” add up to 12, more than the panel size of 10"),
        ({"gender:Woman": ("", "4", "6"), "gender:Man": ("", "", "")}, "Enter a minimum and a maximum for every answer to “What is your gender?”, or leave them all empty"),
        ({"gender:Woman": ("", "four", "6"), "gender:Man": ("", "4", "6")}, "Enter the minimum for “Woman” as a whole number"),
        ({"gender:Woman": ("", "4", "11"), "gender:Man": ("", "4", "6")}, "must be 10 or less, the size of the panel"),
        ({"gender:Woman": ("120", "4", "6"), "gender:Man": ("", "4", "6")}, "The share for “Woman” must be between 0 and 100"),
    ],
)
def test_bad_quotas_say_what_to_fix_and_nothing_saved_changes(officer_client: Client, assembly: Assembly, values: dict, message: str) -> None:
    simple_quotas(assembly)
    before = sorted(Quota.objects.values_list("category", "value", "min", "max"))
    response = _post(officer_client, assembly, "save", values)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Nothing has been saved" in page
    assert message in page
    assert sorted(Quota.objects.values_list("category", "value", "min", "max")) == before


def test_quotas_that_cannot_be_met_get_the_smallest_relaxation(officer_client: Client, assembly: Assembly) -> None:
    # 8 of the 24 volunteers are aged 16 to 24; ask for at least 9 of them.
    response = _post(
        officer_client,
        assembly,
        "save",
        {
            "gender:Woman": ("", "4", "6"), "gender:Man": ("", "4", "6"),
            "age_band:16 to 24": ("", "9", "10"), "age_band:25 to 34": ("", "0", "5"), "age_band:35 to 44": ("", "0", "5"),
        },
    )
    assert response.status_code == 302
    page = officer_client.get(response["Location"]).content.decode()
    assert "These quotas cannot be met" in page
    assert "The smallest change that makes the quotas possible" in page
    assert "How old are you?: 16 to 24" in page  # the question's words, not its short name
    assert "Use the suggested quotas" in page
    response = officer_client.post(reverse("assembly_staff:quotas_relax", kwargs={"slug": assembly.slug}), follow=True)
    page = response.content.decode()
    assert "These quotas can be met" in page
    quota = Quota.objects.get(category="age_band", value="16 to 24")
    assert quota.min == 8
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_type="assembly.quota").exists()


def test_a_panel_larger_than_the_pool_is_explained(officer_client: Client, assembly: Assembly) -> None:
    simple_quotas(assembly)
    Assembly.objects.filter(pk=assembly.pk).update(panel_size=30)
    page = officer_client.get(reverse("assembly_staff:quotas", kwargs={"slug": assembly.slug})).content.decode()
    assert "These quotas cannot be met" in page
    assert "The panel needs 30 people but only 24 volunteers are in the pool" in page


def test_an_answer_without_a_quota_is_explained(officer_client: Client, assembly: Assembly) -> None:
    simple_quotas(assembly)
    volunteer = assembly.volunteers.first()
    volunteer.answers["age_band"] = "75 or over"
    volunteer.save()
    page = officer_client.get(reverse("assembly_staff:quotas", kwargs={"slug": assembly.slug})).content.decode()
    assert "answered “75 or over” to “How old are you?”" in page
    assert "there is no quota for that answer" in page


def test_an_unanswered_question_is_explained(officer_client: Client, assembly: Assembly) -> None:
    simple_quotas(assembly)
    volunteer = assembly.volunteers.first()
    del volunteer.answers["gender"]
    volunteer.save()
    page = officer_client.get(reverse("assembly_staff:quotas", kwargs={"slug": assembly.slug})).content.decode()
    assert "1 volunteer has not answered “What is your gender?” (V0001)" in page
