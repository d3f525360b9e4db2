"""Each waiting report's best match is kept, so that in a surge the desk can group every waiting
report by the claim it matches best and list just one group, one ward or one channel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cohesion.core.audit import snapshot
from cohesion.rumours import selectors, services
from cohesion.rumours.models import Claim, Sighting
from tests.rumours.conftest import sighting

pytestmark = pytest.mark.django_db

HOUSING_WORDS = [
    "Migrants have pushed up the rents and house prices in Stoke-on-Trent",
    "Rents in Stoke went up because of all the asylum seekers moving in",
    "House prices in Stoke-on-Trent are going up because of migrants",
]
BATHS = "The swimming baths in Fenton are going to close for good next month"


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run an action as a request would: what it leaves to be done once its change is saved
    (the worker's matching, run at once by the tests' task backend) is done before it returns."""

    def run(action: Callable[..., Any], **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return run


@pytest.fixture
def report(committed: Callable[..., Any]) -> Callable[..., Sighting]:
    """Send a report the way every report comes in (the form, the public page and the API)."""

    def send(text: str, channel: str = "whatsapp", **extra: Any) -> Sighting:
        data = services.SightingInput(text=text, channel=channel, **extra)
        sent: Sighting = committed(services.sighting_create, data=data, actor=None, via="test")
        sent.refresh_from_db()
        return sent

    return send


def test_a_report_is_matched_when_it_comes_in(claims, report):
    new = report(HOUSING_WORDS[0])
    assert new.suggested_claim == claims["housing"]
    assert 0.45 <= (new.suggested_score or 0) <= 1
    assert new.suggested_at is not None
    nothing = report("Lovely weather for the Potteries marathon on Sunday")
    assert nothing.suggested_claim is None and nothing.suggested_at is not None


def test_waiting_reports_are_matched_again_when_claims_change(claims, officer, report, committed):
    baths = report(BATHS)
    dealt_with = report("The swimming baths in Fenton will shut for good, I was told")
    services.sighting_dismiss(sighting=dealt_with, actor=officer)
    dealt_with_looked_at = dealt_with.suggested_at
    assert baths.suggested_at is not None  # matched on arrival, before the claim was filed

    # An officer files the claim: the waiting report now matches it; the one set aside is left.
    filed = committed(
        services.claim_create,
        claim=Claim(title="Fenton baths to close", text="The swimming baths in Fenton will close"),
        actor=officer,
    )
    baths.refresh_from_db()
    dealt_with.refresh_from_db()
    assert baths.suggested_claim == filed
    assert dealt_with.suggested_at == dealt_with_looked_at  # not waiting: not matched again
    assert dealt_with.suggested_claim != filed

    # Merged into another claim: the report now suggests the claim it joined (through the
    # words of a report confirmed as a sighting of the merged claim, which follow it).
    confirmed = report("Heard Fenton swimming baths are going to close for good")
    services.sighting_match(sighting=confirmed, claim=filed, actor=officer)
    committed(services.claim_merge, claim=filed, into=claims["buses"], actor=officer)
    baths.refresh_from_db()
    assert baths.suggested_claim == claims["buses"]

    # New words for a claim are matched again too.
    before = snapshot(claims["mosque"])
    claims["mosque"].title = "Fenton swimming baths closing for good"
    claims["mosque"].text = "The council is closing the swimming baths in Fenton next month"
    committed(services.claim_update, claim=claims["mosque"], before=before, actor=officer)
    baths.refresh_from_db()
    assert baths.suggested_claim == claims["mosque"]


def test_matching_again_skips_reports_looked_at_since_the_change(claims):
    old = sighting(text=HOUSING_WORDS[1], fingerprint="old")
    fresh = sighting(
        text=HOUSING_WORDS[2],
        fingerprint="fresh",
        suggested_claim=claims["buses"],  # as if matched before the housing claim was filed
        suggested_at=timezone.now(),
    )
    assert services.sightings_suggest(before=timezone.now() - timedelta(minutes=1)) == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.suggested_claim == claims["housing"]
    assert fresh.suggested_claim == claims["buses"]  # looked at after: left as it was
    assert services.sightings_suggest(pks=[fresh.pk]) == 1
    fresh.refresh_from_db()
    assert fresh.suggested_claim == claims["housing"]


def test_the_desk_groups_every_waiting_report_by_its_best_match(officer_client, claims, report):
    housing = [report(text, channel="facebook") for text in HOUSING_WORDS]
    mosque = report("They are shutting down the mosque on Hanley high street, the council says")
    weather = report("Lovely weather for the Potteries marathon on Sunday")
    response = officer_client.get(reverse("rumours_staff:desk"))
    assert response.status_code == 200
    groups = response.context["groups"]
    counts = {g.claim_pk: g.count for g in groups.groups}
    assert counts == {claims["housing"].pk: 3, claims["mosque"].pk: 1}
    assert groups.groups[0].strong == 3  # all three score 0.6 or more
    assert groups.groups[0].claim_pk == claims["housing"].pk  # most reports first
    assert groups.unmatched == 1 and groups.unchecked == 0 and groups.total == 5
    html = response.content.decode()
    desk = reverse("rumours_staff:desk")
    assert "What the waiting reports say" in html
    assert f'href="{desk}?best={claims["housing"].pk}">Show them' in html
    assert f'href="{desk}?best=none">Show them' in html

    # One group: only its reports, with its claim chosen for the decision below.
    one = officer_client.get(desk, {"best": claims["housing"].pk})
    assert {s.pk for s, _ in one.context["overview"].rows} == {s.pk for s in housing}
    html = one.content.decode()
    assert "Reports waiting for an officer: 3 of 5 shown" in html
    assert "Their best match is “Migrants pushed up housing costs”" in html
    assert f'<option value="{claims["housing"].pk}" selected>' in html
    assert f'name="best" value="{claims["housing"].pk}"' in html  # kept when deciding
    none = officer_client.get(desk, {"best": "none"})
    assert [s.pk for s, _ in none.context["overview"].rows] == [weather.pk]

    # Ward and channel.
    ward = claims["wards"][0]
    in_ward = report("The mosque in Hanley is closing down next week", ward=ward, channel="x")
    by_ward = officer_client.get(desk, {"ward": ward.code})
    assert [s.pk for s, _ in by_ward.context["overview"].rows] == [in_ward.pk]
    by_channel = officer_client.get(desk, {"channel": "facebook"})
    assert {s.pk for s, _ in by_channel.context["overview"].rows} == {s.pk for s in housing}
    both = officer_client.get(desk, {"channel": "facebook", "best": mosque.suggested_claim_id})
    assert both.context["overview"].rows == []
    assert "No waiting reports match these filters." in both.content.decode()

    # Language, for an officer who reads it.
    polish = report("Na grupie piszą, że uchodźcy dostają mieszkania komunalne przed rodzinami")
    assert polish.language == "pl"
    by_language = officer_client.get(desk, {"language": "pl"})
    assert [s.pk for s, _ in by_language.context["overview"].rows] == [polish.pk]
    assert ("pl", "Polish", 1) in by_language.context["overview"].languages
    assert '<option value="pl" selected>Polish (1)</option>' in by_language.content.decode()

    # Values that mean nothing are ignored rather than refused: the whole list is shown.
    odd = officer_client.get(
        desk, {"best": "²", "channel": "carrier-pigeon", "language": "klingon", "page": "²"}
    )
    assert odd.status_code == 200 and not odd.context["overview"].filters
    assert len(odd.context["overview"].rows) == 7


def test_reports_not_matched_yet_are_counted_and_each_page_is_matched_as_shown(
    officer_client, claims, monkeypatch
):
    monkeypatch.setattr(selectors, "WAITING_PER_PAGE", 2)
    made = [sighting(text=text, fingerprint=f"h{n}") for n, text in enumerate(HOUSING_WORDS)]
    # Matched before the housing claim's words were known: now out of date.
    made[2].suggested_claim, made[2].suggested_at = claims["buses"], timezone.now()
    made[2].save()
    response = officer_client.get(reverse("rumours_staff:desk"))
    groups = response.context["groups"]
    # The page shown (the two newest) is matched and kept; the oldest is still to do.
    assert groups.unchecked == 1
    assert {g.claim_pk: g.count for g in groups.groups} == {claims["housing"].pk: 2}
    assert "The computer has not matched 1 report yet." in response.content.decode()
    made[2].refresh_from_db()
    assert made[2].suggested_claim == claims["housing"]
    # Filters and page travel together in the page links.
    page = officer_client.get(reverse("rumours_staff:desk"), {"channel": "whatsapp"})
    desk = reverse("rumours_staff:desk")
    assert f'href="{desk}?channel=whatsapp&amp;page=2" rel="next"' in page.content.decode()


def test_deciding_from_a_filtered_list_comes_back_to_it(officer_client, claims, report):
    made = [report(text) for text in HOUSING_WORDS]
    housing = claims["housing"].pk
    response = officer_client.post(
        reverse("rumours_staff:reports_decide"),
        {
            "reports": [str(made[0].pk)],
            "action": "match",
            "claim": str(housing),
            "best": str(housing),
            "channel": "whatsapp",
            "page": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('rumours_staff:desk')}?channel=whatsapp&best={housing}&page=1"
    )
    # An error keeps the filters too.
    error = officer_client.post(
        reverse("rumours_staff:reports_decide"),
        {"reports": [str(made[1].pk)], "action": "match", "best": str(housing)},
    )
    assert error.status_code == 400
    assert error.context["overview"].filters.best == str(housing)
    assert {s.pk for s, _ in error.context["overview"].rows} == {made[1].pk, made[2].pk}

    # Once the whole group is decided, the list it leaves is empty, and still says which
    # filter is applied.
    officer_client.post(
        reverse("rumours_staff:reports_decide"),
        {"reports": [str(s.pk) for s in made[1:]], "action": "match", "claim": str(housing)},
    )
    emptied = officer_client.get(reverse("rumours_staff:desk"), {"best": str(housing)})
    html = emptied.content.decode()
    assert "No waiting reports match these filters." in html
    assert (
        f'<option value="{housing}" selected>Migrants pushed up housing costs (0)</option>' in html
    )
    assert "Their best match is “Migrants pushed up housing costs”" in html


def test_a_claim_page_says_how_many_waiting_reports_match_it_best(officer_client, claims, report):
    for text in HOUSING_WORDS[:2]:
        report(text)
    page = officer_client.get(reverse("rumours_staff:claim", args=[claims["housing"].pk]))
    html = page.content.decode()
    assert "2 waiting reports match this claim best." in html
    assert f'href="{reverse("rumours_staff:desk")}?best={claims["housing"].pk}">Show them' in html
    other = officer_client.get(reverse("rumours_staff:claim", args=[claims["buses"].pk]))
    assert 'Waiting reports like it</dt><dd class="govuk-summary-list__value">None' in (
        other.content.decode()
    )


@pytest.mark.parametrize(
    "sent",
    [
        {"reports": ["²"], "action": "dismiss"},
        {"reports": ["9" * 40], "action": "dismiss"},
        {"reports": ["REPORT"], "action": "match", "claim": "²"},
        {"reports": ["REPORT"], "action": "match", "claim": "-3"},
    ],
)
def test_a_garbled_number_in_a_decision_is_a_clear_error(officer_client, claims, report, sent):
    waiting = report(HOUSING_WORDS[0])
    sent = {**sent, "reports": [str(waiting.pk) if r == "REPORT" else r for r in sent["reports"]]}
    response = officer_client.post(reverse("rumours_staff:reports_decide"), sent)
    assert response.status_code == 400
    assert response.context["error"] in {
        "Choose at least one report",
        "That claim is no longer on file: choose another",
    }
    waiting.refresh_from_db()
    assert waiting.state == Sighting.State.WAITING


def test_an_officer_puts_a_decided_report_back_with_the_waiting_reports(
    officer_client, officer, claims, report, committed
):
    """A mistake, perhaps in a decision for many reports, can be undone: the report leaves its
    claim and waits again, audited; a stale page cannot undo another officer's decision."""
    from cohesion.core.models import AuditEvent

    wrong = report(HOUSING_WORDS[0])
    services.sighting_match(sighting=wrong, claim=claims["buses"], actor=officer)
    wrong.refresh_from_db()
    page = officer_client.get(reverse("rumours_staff:report", args=[wrong.pk])).content.decode()
    assert "This report is a sighting of" in page and "Put it back with the waiting reports" in page
    assert 'name="shown" value="matched:{}"'.format(claims["buses"].pk) in page
    url = reverse("rumours_staff:report_reopen", args=[wrong.pk])
    response = committed(officer_client.post, path=url, data={"shown": wrong.decision_key})
    assert response.status_code == 302
    assert response["Location"] == reverse("rumours_staff:report", args=[wrong.pk])
    wrong.refresh_from_db()
    assert wrong.state == Sighting.State.WAITING and wrong.claim is None
    assert wrong.confirmed_by is None and wrong.confirmed_at is None and wrong.match_score is None
    assert wrong.suggested_claim == claims["housing"]  # matched again, ready for the desk
    event = AuditEvent.objects.filter(object_id=str(wrong.pk), action="update").latest("pk")
    assert event.changes["state"] == ["matched", "waiting"]
    assert event.changes["claim"] == [claims["buses"].pk, None]
    assert not claims["buses"].sightings.filter(pk=wrong.pk).exists()
    after = officer_client.get(reverse("rumours_staff:report", args=[wrong.pk])).content.decode()
    assert "The report is back with the waiting reports." in after
    assert "Is this a claim we already have?" in after

    # Already waiting: nothing to undo, and it says so.
    again = officer_client.post(url, {"shown": "matched:1"}, follow=True)
    assert "This report is already waiting for an officer. Nothing was changed." in (
        again.content.decode()
    )

    # Set aside by mistake: back too.
    services.sighting_dismiss(sighting=wrong, actor=officer)
    wrong.refresh_from_db()
    officer_client.post(url, {"shown": wrong.decision_key})
    wrong.refresh_from_db()
    assert wrong.state == Sighting.State.WAITING

    # A page shown before another officer decided differently cannot undo that decision.
    services.sighting_match(sighting=wrong, claim=claims["housing"], actor=officer)
    stale = officer_client.post(url, {"shown": "dismissed:"}, follow=True)
    assert "Another officer has changed the decision on this report since you opened it" in (
        stale.content.decode()
    )
    wrong.refresh_from_db()
    assert wrong.state == Sighting.State.MATCHED and wrong.claim == claims["housing"]


def test_groups_count_their_strong_matches(claims):
    now = timezone.now()
    for n, score in enumerate([0.85, 0.61, 0.6, 0.59, 0.31]):
        sighting(
            text=f"report {n}",
            fingerprint=f"s{n}",
            suggested_claim=claims["mosque"],
            suggested_score=score,
            suggested_at=now,
        )
    sighting(text="not matched yet", fingerprint="u")
    groups = selectors.match_groups()
    assert [(g.claim_pk, g.count, g.strong) for g in groups.groups] == [(claims["mosque"].pk, 5, 3)]
    assert groups.unchecked == 1 and groups.unmatched == 0 and groups.total == 6


@pytest.mark.django_db(transaction=True)
def test_a_claim_deleted_while_suggestions_are_saved_loses_nothing(claims, caplog):
    """The claim a report was just matched to is deleted before the suggestion is saved: the
    save is refused by the database, caught, and the reports keep what they had."""
    from cohesion.rumours.matching import Suggestion

    kept = sighting(text=HOUSING_WORDS[0], fingerprint="k")
    services.sightings_suggestions_store([(kept, None)], touch_all=True)
    gone = Claim.objects.create(title="Soon deleted", text="A claim deleted in the meantime")
    best = Suggestion("claim", gone.pk, gone.pk, gone.title, gone.text, 0.9, "strong", "", "")
    gone.delete()
    assert services.sightings_suggestions_store([(kept, best)]) == 0
    kept.refresh_from_db()
    assert kept.suggested_claim is None and kept.suggested_at is not None
    assert "A suggested claim was deleted while suggestions were saved" in caplog.text


def test_one_decision_for_many_reports_checks_the_claim_for_a_sudden_rise_once(
    claims, officer, django_capture_on_commit_callbacks
):
    """Twelve reports joined to a quiet claim at once are a sudden rise: one alert is raised, the
    claim is marked as active, and the claim is looked at once, not once a report."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cohesion.rumours.models import Alert

    mosque = claims["mosque"]
    before = Claim.objects.get(pk=mosque.pk).updated_at
    made = [sighting(text=f"mosque report {n}", fingerprint=f"m{n}") for n in range(12)]
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        outcome = services.sightings_decide(pks=[s.pk for s in made], claim=mosque, actor=officer)
    assert len(outcome.done) == 12 and not outcome.refused
    assert Alert.objects.filter(claim=mosque).count() == 1
    assert Claim.objects.get(pk=mosque.pk).updated_at > before
    claim_reads = [q for q in queries.captured_queries if 'FROM "rumours_claim"' in q["sql"]]
    assert len(claim_reads) <= 2  # the merged-into check, once
