"""Claim lifecycle, writing and publishing a myth-buster, the public pages and the measures."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohesion.core.models import AuditEvent
from cohesion.rumours import services
from cohesion.rumours.models import Claim, Rebuttal
from cohesion.strategy.models import Observation
from tests.factories import MeasureFactory
from tests.rumours.conftest import sighting

pytestmark = pytest.mark.django_db

REBUTTAL = {
    "headline": "No, the mosque in Hanley is not closing",
    "verdict": "false",
    "what_is_said": "The mosque on Hanley high street is being shut down by the council",
    "the_facts": "The mosque is open as usual. The council has no power to close a place of worship.",
    "where_from": "A post shared in a WhatsApp group in August.",
    "sources": "Council statement https://www.stoke.gov.uk/news\nPhone call with the mosque committee",
}


def _ld_json(html: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def test_claim_lifecycle_owner_evidence_and_risk(officer_client, claims, officer):
    claim = claims["mosque"]
    ward_a, ward_b = claims["wards"][:2]
    for i in range(4):
        sighting(
            claim=claim,
            ward=ward_a if i % 2 else ward_b,
            channel="whatsapp",
            seen_on=timezone.localdate() - timedelta(days=i),
            state="matched",
        )
    url = reverse("rumours_staff:claim_edit", kwargs={"pk": claim.pk})
    response = officer_client.post(
        url,
        {
            "title": claim.title,
            "text": claim.text,
            "status": "assessing",
            "owner": officer.pk,
            "harm": "3",
            "evidence": "Spoke to the imam: open as usual.",
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "assessing" and claim.owner == officer and claim.harm == 3
    change = AuditEvent.objects.filter(object_type="rumours.claim", action="update").latest("at")
    assert change.changes["status"] == ["new", "assessing"]
    page = officer_client.get(reverse("rumours_staff:claim", kwargs={"pk": claim.pk}))
    html = page.content.decode()
    assert "High risk</strong> high harm, spreading" in html
    assert "<svg" in html and "Sightings each week" in html
    assert ward_a.name in html and ward_b.name in html and "WhatsApp" in html
    # Rebutted only once the myth-buster is published.
    response = officer_client.post(
        url, {"title": claim.title, "text": claim.text, "status": "rebutted", "harm": "3"}
    )
    assert "publish it first" in response.content.decode()


def test_write_and_publish_a_myth_buster_with_claim_review(officer_client, claims, client):
    claim = claims["mosque"]
    sighting(
        claim=claim, seen_on=date(2024, 8, 3), state="matched", people_named="Mr Secret Person"
    )
    response = officer_client.post(
        reverse("rumours_staff:rebuttal_edit", kwargs={"pk": claim.pk}), REBUTTAL
    )
    assert response.status_code == 302
    rebuttal = Rebuttal.objects.get(claim=claim)
    claim.refresh_from_db()
    assert claim.status == "responding" and not rebuttal.is_published
    assert client.get(rebuttal.get_absolute_url()).status_code == 404  # not public yet
    officer_client.post(reverse("rumours_staff:rebuttal_publish", kwargs={"pk": claim.pk}))
    rebuttal.refresh_from_db()
    claim.refresh_from_db()
    assert rebuttal.is_published and claim.status == "rebutted"

    page = client.get(rebuttal.get_absolute_url())
    html = page.content.decode()
    for heading in ("What is being said", "The facts", "Where this comes from", "Sources"):
        assert heading in html
    assert "Mr Secret Person" not in html  # never personal data on a public page
    data = _ld_json(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == REBUTTAL["what_is_said"]
    assert data["url"].endswith(rebuttal.get_absolute_url())
    assert (
        data["reviewRating"]["alternateName"] == "False"
        and data["reviewRating"]["ratingValue"] == 1
    )
    assert data["itemReviewed"] == {"@type": "Claim", "datePublished": "2024-08-03"}
    assert data["author"]["@type"] == "Organization"


def test_claim_review_cannot_break_out_of_its_script(officer_client, claims, client):
    claim = claims["buses"]
    nasty = dict(
        REBUTTAL,
        headline="Buses </script><script>alert(1)</script>",
        what_is_said="Buses & trams <b>cancelled</b>",
    )
    officer_client.post(reverse("rumours_staff:rebuttal_edit", kwargs={"pk": claim.pk}), nasty)
    officer_client.post(reverse("rumours_staff:rebuttal_publish", kwargs={"pk": claim.pk}))
    html = client.get(Rebuttal.objects.get(claim=claim).get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert _ld_json(html)["name"] == nasty["headline"]


def test_public_search_finds_myth_busters_by_words_and_by_meaning(client, claims):
    rebuttal = claims["rebuttal"]
    rebuttal.published_at = timezone.now()
    rebuttal.save()
    url = reverse("rumours_public:index")
    assert rebuttal.headline in client.get(url).content.decode()
    assert rebuttal.headline in client.get(url, {"q": "rents"}).content.decode()
    by_meaning = client.get(url, {"q": "foreigners made houses too expensive"})
    assert rebuttal in by_meaning.context["results"]
    in_polish = client.get(url, {"q": "imigranci podnieśli ceny mieszkań"})
    assert rebuttal in in_polish.context["results"]
    nothing = client.get(url, {"q": "library opening hours on Saturday"})
    assert nothing.context["results"] == [] and "No myth-busters match" in nothing.content.decode()
    # With no match, the page says what to do next: other words, or all the myth-busters; and
    # the resident can tell us what they have heard.
    body = nothing.content.decode()
    main = body[body.index('id="main-content"') : body.index("</main>")]
    help_list = main[main.index("We have not written about this yet") :]
    help_list = help_list[: help_list.index("</ul>")]
    assert f'href="{url}"' in help_list
    assert f'href="{reverse("rumours_public:report")}"' in main
    unpublished = Rebuttal.objects.create(
        claim=claims["buses"],
        slug="buses",
        headline="Buses run",
        what_is_said="Buses cancelled",
        the_facts="They run.",
    )
    assert unpublished not in client.get(url, {"q": "buses cancelled"}).context["results"]


def test_publishing_feeds_the_strategy_measures(officer_client, claims):
    rebutted = MeasureFactory(
        slug="rumours-rebutted",
        kind="count",
        unit="rumours",
        frequency="quarterly",
        direction="increase",
        baseline_value=0,
        baseline_date=date(2025, 12, 31),
        target_value=40,
    )
    days = MeasureFactory(
        slug="days-to-rebuttal",
        kind="value",
        unit="days",
        frequency="quarterly",
        direction="decrease",
        baseline_value=9,
        baseline_date=date(2025, 12, 31),
        target_value=3,
    )
    today = timezone.localdate()
    sighting(claim=claims["mosque"], seen_on=today - timedelta(days=6), state="matched")
    officer_client.post(
        reverse("rumours_staff:rebuttal_edit", kwargs={"pk": claims["mosque"].pk}), REBUTTAL
    )
    officer_client.post(
        reverse("rumours_staff:rebuttal_publish", kwargs={"pk": claims["mosque"].pk})
    )
    obs = Observation.objects.get(measure=rebutted)
    assert obs.value == 1 and obs.ward is None
    assert Observation.objects.get(measure=days).value == 6
    # A second myth-buster updates this quarter's figure rather than adding another.
    sighting(claim=claims["buses"], seen_on=today - timedelta(days=2), state="matched")
    officer_client.post(
        reverse("rumours_staff:rebuttal_edit", kwargs={"pk": claims["buses"].pk}),
        dict(REBUTTAL, headline="Buses are running"),
    )
    officer_client.post(
        reverse("rumours_staff:rebuttal_publish", kwargs={"pk": claims["buses"].pk})
    )
    assert Observation.objects.get(measure=rebutted).value == 2
    assert Observation.objects.get(measure=days).value == 4  # median of 6 and 2


def test_measures_command_without_measures_writes_nothing(claims):
    outcome = services.rumours_measures_update()
    assert outcome.rebutted is None and outcome.days is None


def test_rebuttal_without_facts_cannot_be_published(officer, claims):
    r = Rebuttal.objects.create(
        claim=claims["buses"], slug="b", headline="Buses", what_is_said="Buses", the_facts="  "
    )
    with pytest.raises(services.RumourError, match="the facts"):
        services.rebuttal_publish(rebuttal=r, actor=officer)
    r.refresh_from_db()
    assert r.published_at is None


def test_bad_source_link_is_a_clear_error(officer_client, claims):
    response = officer_client.post(
        reverse("rumours_staff:rebuttal_edit", kwargs={"pk": claims["buses"].pk}),
        dict(REBUTTAL, sources="Fine https://www.stoke.gov.uk\nStatement https://bad..host/"),
    )
    assert response.status_code == 200
    assert "Line 2: the web address is not a real web address" in response.content.decode()
    assert not Rebuttal.objects.filter(claim=claims["buses"]).exists()
    assert Claim.objects.get(pk=claims["buses"].pk).status == "new"


def test_a_withdrawn_myth_buster_leaves_the_public_site_and_the_suggestions(
    officer_client, claims, client
):
    rebuttal = claims["rebuttal"]
    services.rebuttal_publish(
        rebuttal=rebuttal, actor=claims["housing"].created_by or _officer(officer_client)
    )
    suggest = reverse("rumours_staff:suggest")
    kinds = {
        r["kind"]
        for r in officer_client.get(suggest, {"text": "migrants pushed up rents in Stoke"}).json()[
            "results"
        ]
    }
    assert "rebuttal" in kinds
    officer_client.post(
        reverse("rumours_staff:rebuttal_withdraw", kwargs={"pk": claims["housing"].pk})
    )
    assert client.get(rebuttal.get_absolute_url()).status_code == 404
    assert (
        rebuttal
        not in client.get(reverse("rumours_public:index"), {"q": "rents"}).context["results"]
    )
    kinds = {
        r["kind"]
        for r in officer_client.get(suggest, {"text": "migrants pushed up rents in Stoke"}).json()[
            "results"
        ]
    }
    assert "rebuttal" not in kinds


def _officer(client):
    from cohesion.core.models import User

    return User.objects.get(pk=client.session["_auth_user_id"])


@pytest.mark.parametrize("page", ["claim", "desk", "claim_list"])
def test_pages_take_the_same_number_of_queries_however_many_sightings(
    officer_client, claims, page, django_assert_max_num_queries
):
    claim = claims["mosque"]
    url = reverse(f"rumours_staff:{page}", kwargs={"pk": claim.pk} if page == "claim" else None)
    for i in range(3):
        sighting(claim=claim, ward=claims["wards"][i % 4], state="matched", fingerprint=f"q{i}")
        sighting(ward=claims["wards"][i % 4], fingerprint=f"w{i}")
    with django_assert_max_num_queries(40) as few:
        assert officer_client.get(url).status_code == 200
    for i in range(30):
        sighting(claim=claim, ward=claims["wards"][i % 4], state="matched", fingerprint=f"r{i}")
        sighting(ward=claims["wards"][i % 4], fingerprint=f"x{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert officer_client.get(url).status_code == 200


def test_the_daily_task_runs_alerts_measures_retention_and_matching(claims):
    from cohesion.rumours.tasks import rumours_daily_task

    waiting = sighting(text="Migrants have pushed up rents and house prices in Stoke-on-Trent")
    result = rumours_daily_task.enqueue()
    assert result.return_value == {"alerts": 0, "redacted": 0, "suggested": 1}
    waiting.refresh_from_db()
    assert waiting.suggested_claim == claims["housing"]
