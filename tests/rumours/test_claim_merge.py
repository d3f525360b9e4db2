"""Merging a claim into another that says the same: sightings, myth-buster, suggestions, audit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohesion.core.models import AuditEvent
from cohesion.rumours import matching, services
from cohesion.rumours.models import Claim, Rebuttal, Sighting
from tests.rumours.conftest import sighting

pytestmark = pytest.mark.django_db


@pytest.fixture
def twin(claims) -> Claim:
    """The mosque claim filed a second time, in other words."""
    return Claim.objects.create(
        title="Hanley mosque to shut",
        text="The council is shutting down the mosque on the high street in Hanley",
    )


def _merge_url(claim: Claim) -> str:
    return reverse("rumours_staff:claim_merge", kwargs={"pk": claim.pk})


def test_officer_merges_a_twin_claim_and_its_sightings_follow(officer_client, claims, twin):
    mosque = claims["mosque"]
    kept = sighting(claim=mosque, state="matched", fingerprint="a")
    moved = [sighting(claim=twin, state="matched", fingerprint=f"b{i}") for i in range(2)]

    page = officer_client.get(_merge_url(twin))
    assert page.status_code == 200
    html = page.content.decode()
    # The claim that says the same is offered first, with how alike it is.
    assert f'value="{mosque.pk}"' in html
    assert "This claim will be closed" in html

    response = officer_client.post(_merge_url(twin), {"suggested": mosque.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("rumours_staff:claim", kwargs={"pk": mosque.pk})

    twin.refresh_from_db()
    assert twin.merged_into == mosque
    assert twin.status == Claim.Status.CLOSED
    assert set(Sighting.objects.filter(claim=mosque)) == {kept, *moved}
    assert not Sighting.objects.filter(claim=twin).exists()

    # The merged claim's page says where it went, and it is not offered as a match any more.
    page = officer_client.get(reverse("rumours_staff:claim", kwargs={"pk": twin.pk})).content
    assert b"merged there" in page
    listing = officer_client.get(reverse("rumours_staff:claim_list")).content.decode()
    assert f"Closed: merged into claim {mosque.pk}" in listing
    keys = [s.claim_pk for s in matching.suggestions(text=twin.text) if s.kind == "claim"]
    assert twin.pk not in keys
    assert mosque.pk in keys

    events = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_type="rumours.claim")
    by_object = {e.object_id: e.changes for e in events}
    assert by_object[str(twin.pk)]["sightings_moved"] == [0, 2]
    assert by_object[str(twin.pk)]["status"][1] == "closed"
    assert by_object[str(mosque.pk)]["merged_from"] == [None, twin.pk]


def test_the_myth_buster_moves_when_only_the_merged_claim_has_one(officer, claims, twin):
    housing_rebuttal = claims["rebuttal"]
    second = Claim.objects.create(
        title="Rents up because of migrants", text="Migrants put rents up"
    )
    services.claim_merge(claim=claims["housing"], into=second, actor=officer)
    housing_rebuttal.refresh_from_db()
    assert housing_rebuttal.claim == second
    # A report confirmed against the merged claim joins the claim it was merged into.
    report = sighting(fingerprint="late")
    services.sighting_match(sighting=report, claim=claims["housing"], actor=officer)
    report.refresh_from_db()
    assert report.claim == second
    # An earlier merge follows when the claim it pointed at is merged in turn.
    services.claim_merge(claim=second, into=claims["buses"], actor=officer)
    claims["housing"].refresh_from_db()
    assert claims["housing"].merged_into == claims["buses"]


def test_merge_refusals_change_nothing(officer, officer_client, claims, twin):
    mosque = claims["mosque"]
    Rebuttal.objects.create(
        claim=twin, slug="twin", headline="Twin", what_is_said="x", the_facts="y"
    )
    # Both have a myth-buster: one would be lost.
    with pytest.raises(services.RumourError, match="Both claims have a myth-buster"):
        services.claim_merge(claim=twin, into=claims["housing"], actor=officer)
    twin.refresh_from_db()
    assert twin.merged_into is None and twin.status == Claim.Status.NEW
    with pytest.raises(services.RumourError, match="into itself"):
        services.claim_merge(claim=twin, into=twin, actor=officer)

    # The form: nothing chosen, an unknown number, this claim's own number, two different choices.
    cases = [
        ({}, "Choose the claim that says the same, or type its number"),
        ({"number": "99999"}, "There is no claim 99999. Check the number"),
        (
            {"number": str(twin.pk)},
            "That is this claim’s own number. Type the number of the other claim",
        ),
        ({"number": "abc"}, "Enter the claim&#x27;s number, for example 12"),
        (
            {"number": str(claims["buses"].pk), "suggested": str(mosque.pk)},
            "Choose one claim: either pick a suggested claim or type a number",
        ),
    ]
    for data, message in cases:
        response = officer_client.post(_merge_url(twin), data)
        assert response.status_code == 200, data
        assert message in response.content.decode(), data
    # Merging into a claim that was itself merged points to where it went.
    services.claim_merge(claim=claims["buses"], into=mosque, actor=officer)
    response = officer_client.post(_merge_url(twin), {"number": claims["buses"].pk})
    assert f"Merge into claim {mosque.pk} instead" in response.content.decode()
    twin.refresh_from_db()
    assert twin.merged_into is None


def test_partners_cannot_merge_claims(partner_client, claims, twin):
    response = partner_client.post(_merge_url(twin), {"number": claims["mosque"].pk})
    assert response.status_code == 403
    twin.refresh_from_db()
    assert twin.merged_into is None
