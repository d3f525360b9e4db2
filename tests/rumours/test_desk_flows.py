"""Whole flows on the rumour desk through the real forms: log, suggestions, confirm or file anew."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cohesion.core.models import AuditEvent
from cohesion.rumours import matching, services
from cohesion.rumours.models import Claim, Sighting
from tests.rumours.conftest import sighting

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def log_data(**extra: object) -> dict:
    data = {
        "text": "Heard that rents went up because of all the immigrants moving into Stoke",
        "channel": "facebook",
        "reach": "2",
        "submit": "Send the report",
    }
    data.update(extra)
    return data


def test_suggestions_json_puts_the_reworded_claim_first(officer_client, claims):
    response = officer_client.get(
        reverse("rumours_staff:suggest"),
        {"text": "rents went up in Stoke because of all the immigrants"},
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert results, "the reworded claim should be suggested"
    assert results[0]["kind"] == "claim" and results[0]["id"] == claims["housing"].pk
    assert 0 <= results[0]["score"] <= 1 and results[0]["band"] in ("strong", "possible")
    assert all(r["id"] != claims["buses"].pk for r in results[:1])
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "text",
    [
        "Imigranci podnieśli ceny mieszkań",  # Polish
        "المهاجرون رفعوا الإيجارات وأسعار المنازل",  # Arabic
    ],
)
def test_a_report_in_polish_or_arabic_suggests_the_english_claim(officer_client, claims, text):
    results = officer_client.get(reverse("rumours_staff:suggest"), {"text": text}).json()["results"]
    assert results, "the claim should be suggested across languages"
    assert results[0]["kind"] == "claim" and results[0]["id"] == claims["housing"].pk
    assert results[0]["score"] >= matching.MIN_SCORE


def test_a_report_in_another_language_is_marked_with_it_and_the_officer_is_told(
    officer_client, claims
):
    polish = sighting(text="Imigranci podnieśli ceny mieszkań w naszym mieście", state="waiting")
    urdu = sighting(text="پناہ گزینوں کو مقامی خاندانوں سے پہلے کونسل کے گھر مل جاتے ہیں")
    english = sighting(text="Heard the rents went up because of all the immigrants")

    page = officer_client.get(reverse("rumours_staff:report", kwargs={"pk": polish.pk}))
    html = page.content.decode()
    assert 'lang="pl">Imigranci podnieśli ceny mieszkań' in html  # screen readers read Polish
    assert "Polish (the computer’s guess)" in html
    assert "The desk can match reports in Polish to claims written in English" in html
    assert page.context["options"][0].claim_pk == claims["housing"].pk

    html = officer_client.get(
        reverse("rumours_staff:report", kwargs={"pk": urdu.pk})
    ).content.decode()
    assert 'lang="ur"' in html and "The desk cannot read Urdu well" in html

    html = officer_client.get(
        reverse("rumours_staff:report", kwargs={"pk": english.pk})
    ).content.decode()
    assert "English (the computer’s guess)" in html and "The desk can match" not in html
    assert 'lang="en"' not in html

    desk = officer_client.get(reverse("rumours_staff:desk")).content.decode()
    link = reverse("rumours_staff:report", kwargs={"pk": polish.pk})
    assert f'href="{link}" dir="auto" lang="pl"' in desk
    assert '<span class="govuk-body-s">In Polish</span>' in desk  # officers can find a reader
    # Each waiting report shows its best match now, so reports of one claim stand out.
    assert re.search(
        r"In Polish</span><br><span class=\"govuk-body-s\">Best match: Migrants pushed up housing "
        r"costs \(\d+%, (strong|possible|weak)\)</span>",
        desk,
    ), desk

    # Once confirmed, the claim's timeline marks the report's words with their language too.
    polish.claim, polish.state = claims["housing"], Sighting.State.MATCHED
    polish.save(update_fields=["claim", "state"])
    timeline = officer_client.get(
        reverse("rumours_staff:claim", kwargs={"pk": claims["housing"].pk})
    ).content.decode()
    assert '<span lang="pl">Imigranci podnieśli' in timeline


def test_the_language_is_guessed_again_when_the_words_change(claims):
    report = sighting(text="Imigranci podnieśli ceny mieszkań w naszym mieście")
    assert Sighting.objects.get(pk=report.pk).language == "pl"
    report.text = "Heard the rents went up because of all the immigrants"
    report.save(update_fields=["text"])
    assert Sighting.objects.get(pk=report.pk).language == "en"
    report.state = Sighting.State.DISMISSED
    report.save(update_fields=["state"])  # the words did not change: nothing to guess
    assert Sighting.objects.get(pk=report.pk).language == "en"
    assert sighting(text="ok").language == ""  # too short to say


def test_an_officer_corrects_the_language_the_computer_guessed(officer_client, officer, claims):
    """A short report the computer is not sure of: the officer says it is Polish, and the page
    then marks the words as Polish for screen readers. The change is audited."""
    report = sighting(text="Nie ma wody!", state="waiting")
    assert report.language == ""  # too short to guess
    page_url = reverse("rumours_staff:report", kwargs={"pk": report.pk})
    html = officer_client.get(page_url).content.decode()
    assert "Not known: the computer is not sure" in html
    change = reverse("rumours_staff:report_language", kwargs={"pk": report.pk})
    assert f'href="{change}"' in html

    form = officer_client.get(change)
    assert form.status_code == 200
    assert "Which language is this report in?" in form.content.decode()

    # Nothing chosen, or a code that is not on the list: a clear error, nothing changed.
    for sent, message in [
        ("", "Choose the language the words are in"),
        ("xx", "Choose a language from the list"),
    ]:
        response = officer_client.post(change, {"language": sent})
        assert response.status_code == 200
        assert message in response.content.decode()
        assert Sighting.objects.get(pk=report.pk).language == ""

    response = officer_client.post(change, {"language": "pl"})
    assert response.status_code == 302 and response["Location"] == page_url
    saved = Sighting.objects.get(pk=report.pk)
    assert (saved.language, saved.language_checked, saved.state) == ("pl", True, "waiting")
    html = officer_client.get(page_url).content.decode()
    assert 'lang="pl">Nie ma wody!' in html
    assert "Polish (checked by an officer)" in html
    event = AuditEvent.objects.filter(object_id=str(report.pk), actor=officer).latest("pk")
    assert event.action == AuditEvent.Action.UPDATE
    assert event.changes["language"] == ["", "pl"]

    # A full save (as the admin does) keeps the officer's choice while the words are the same,
    # and new words are guessed afresh.
    saved.save()
    assert Sighting.objects.get(pk=report.pk).language_checked
    saved.text = "Heard the rents went up because of all the immigrants"
    saved.save()
    again = Sighting.objects.get(pk=report.pk)
    assert (again.language, again.language_checked) == ("en", False)


def test_partners_see_published_myth_busters_but_not_the_desks_claims(partner_client, claims):
    claims["rebuttal"].published_at = timezone.now()
    claims["rebuttal"].save()
    results = partner_client.get(
        reverse("rumours_staff:suggest"), {"text": "immigrants pushed up the rents in Stoke"}
    ).json()["results"]
    assert results and {r["kind"] for r in results} == {"rebuttal"}


def test_a_deleted_claim_is_never_suggested(officer_client, claims):
    url = reverse("rumours_staff:suggest")
    assert (
        officer_client.get(url, {"text": "the mosque in Hanley is being shut down"}).json()[
            "results"
        ][0]["id"]
        == claims["mosque"].pk
    )
    claims["mosque"].delete()  # the index still holds it until it is checked
    results = officer_client.get(url, {"text": "the mosque in Hanley is being shut down"}).json()[
        "results"
    ]
    assert all(r["id"] != claims["mosque"].pk or r["kind"] != "claim" for r in results)


def test_officer_logs_a_rumour_then_confirms_the_match(officer_client, claims, officer):
    ward = claims["wards"][1]
    response = officer_client.post(reverse("rumours_staff:log"), log_data(ward=ward.pk))
    sighting = Sighting.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "rumours_staff:report", kwargs={"pk": sighting.pk}
    )
    assert sighting.state == "waiting" and sighting.claim is None  # nothing joined yet
    page = officer_client.get(response.url)
    options = page.context["options"]
    assert options[0].claim_pk == claims["housing"].pk
    assert "Migrants pushed up housing costs" in page.content.decode()
    response = officer_client.post(response.url, {"choice": str(claims["housing"].pk)})
    assert response.status_code == 302
    sighting.refresh_from_db()
    assert sighting.claim == claims["housing"] and sighting.state == "matched"
    assert sighting.confirmed_by == officer and sighting.match_score is not None
    assert AuditEvent.objects.filter(
        object_type="rumours.sighting", object_id=str(sighting.pk), action="update"
    ).exists()
    claim_page = officer_client.get(
        reverse("rumours_staff:claim", kwargs={"pk": claims["housing"].pk})
    )
    assert ward.name in claim_page.content.decode()  # the timeline by ward


def test_officer_files_a_report_as_a_new_claim(officer_client, claims):
    officer_client.post(
        reverse("rumours_staff:log"),
        log_data(text="The council is giving free cars to new arrivals", channel="tiktok"),
    )
    sighting = Sighting.objects.get()
    response = officer_client.post(
        reverse("rumours_staff:report", kwargs={"pk": sighting.pk}), {"choice": "new"}
    )
    assert response.url == reverse("rumours_staff:report_new_claim", kwargs={"pk": sighting.pk})
    form_page = officer_client.get(response.url)
    assert form_page.context["form"].initial["text"].startswith("The council is giving free cars")
    response = officer_client.post(
        response.url,
        {
            "title": "Free cars for new arrivals",
            "text": "The council gives free cars to new arrivals",
            "harm": "2",
        },
    )
    claim = Claim.objects.get(title="Free cars for new arrivals")
    assert response.url == reverse("rumours_staff:claim", kwargs={"pk": claim.pk})
    sighting.refresh_from_db()
    assert sighting.claim == claim and claim.status == "new"
    # The new claim is suggested for the next report at once.
    results = officer_client.get(
        reverse("rumours_staff:suggest"), {"text": "free cars given to new arrivals by the council"}
    ).json()["results"]
    assert results[0]["id"] == claim.pk


def test_no_choice_is_a_clear_error_and_nothing_changes(officer_client, claims):
    s = Sighting.objects.create(
        text="Mosque shutting", channel="x", seen_on=timezone.localdate(), fingerprint="a"
    )
    response = officer_client.post(reverse("rumours_staff:report", kwargs={"pk": s.pk}), {})
    assert response.status_code == 400 and "Choose a claim" in response.content.decode()
    response = officer_client.post(
        reverse("rumours_staff:report", kwargs={"pk": s.pk}), {"choice": "999999"}
    )
    assert "no longer on file" in response.content.decode()
    s.refresh_from_db()
    assert s.claim is None and s.state == "waiting"


def test_set_aside_a_report(officer_client, claims):
    s = Sighting.objects.create(
        text="Spam", channel="other", seen_on=timezone.localdate(), fingerprint="b"
    )
    officer_client.post(reverse("rumours_staff:report_dismiss", kwargs={"pk": s.pk}))
    s.refresh_from_db()
    assert s.state == "dismissed"
    response = officer_client.post(
        reverse("rumours_staff:report", kwargs={"pk": s.pk}), {"choice": str(claims["mosque"].pk)}
    )
    assert "already dealt with" in response.content.decode()


def test_check_button_shows_matches_without_javascript_and_saves_nothing(officer_client, claims):
    response = officer_client.post(
        reverse("rumours_staff:log"),
        {"text": "they are closing the mosque in Hanley", "check": "Check for matching claims"},
    )
    assert response.status_code == 200
    assert Sighting.objects.count() == 0
    html = response.content.decode()
    assert "Mosque closing" in html and "match" in html
    assert "they are closing the mosque in Hanley" in html  # what was typed is kept


def test_partner_logs_a_rumour_with_a_screenshot(partner_client, claims, strategy_data):
    shot = SimpleUploadedFile("whatsapp.png", png_bytes(), content_type="image/png")
    response = partner_client.post(
        reverse("rumours_staff:log"), log_data(screenshot=shot, people_named="Mr A Example")
    )
    assert response.status_code == 302 and response.url == reverse("rumours_staff:log")
    sighting = Sighting.objects.get()
    assert sighting.organisation == strategy_data["org"] and sighting.screenshot_type == "image/png"
    event = AuditEvent.objects.get(object_type="rumours.sighting", action="create")
    assert "Mr A Example" not in str(event.changes)  # personal data stays out of the audit log


def test_officer_sees_personal_data_and_each_look_is_audited(
    officer_client, partner_client, claims
):
    shot = SimpleUploadedFile("s.png", png_bytes(), content_type="image/png")
    partner_client.post(
        reverse("rumours_staff:log"), log_data(screenshot=shot, people_named="Mr A Example")
    )
    sighting = Sighting.objects.get()
    page = officer_client.get(reverse("rumours_staff:report", kwargs={"pk": sighting.pk}))
    assert "Mr A Example" in page.content.decode()
    shot_response = officer_client.get(
        reverse("rumours_staff:report_screenshot", kwargs={"pk": sighting.pk})
    )
    assert shot_response.status_code == 200 and shot_response["Content-Type"] == "image/png"
    assert b"".join(shot_response.streaming_content).startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(action="view", object_id=str(sighting.pk)).count() == 2
    assert (
        partner_client.get(reverse("rumours_staff:report", kwargs={"pk": sighting.pk})).status_code
        == 403
    )


# --- Bad input: a clear message, and nothing already saved is lost ---------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"text": ""}, "Enter what is being said"),
        ({"text": "   "}, "Enter what is being said"),
        ({"text": "x" * 100_000}, "5,000 characters or fewer (it has 100,000)"),
        ({"link": "not a link at all"}, "full web address"),
        ({"link": "javascript:alert(1)"}, "full web address"),
        (
            {"seen_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
            "cannot be in the future",
        ),
        ({"channel": ""}, "Choose where the rumour was seen or heard"),
    ],
)
def test_bad_reports_get_a_clear_message(officer_client, claims, extra, message):
    before = Sighting.objects.create(
        text="Saved earlier", channel="x", seen_on=timezone.localdate(), fingerprint="keep"
    )
    response = officer_client.post(reverse("rumours_staff:log"), log_data(**extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(Sighting.objects.all()) == [before]


def test_a_link_to_nowhere_is_kept_but_never_opened(officer_client, claims, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the platform must never open a reported link")

    monkeypatch.setattr(socket, "create_connection", no_network)
    officer_client.post(
        reverse("rumours_staff:log"), log_data(link="https://no-such-host.invalid/post/123")
    )
    assert Sighting.objects.get().link == "https://no-such-host.invalid/post/123"


def test_a_screenshot_that_is_not_a_picture_is_refused(officer_client, claims):
    fake = SimpleUploadedFile(
        "shot.png", b"MZ\x90\x00 this is a program, not a picture", content_type="image/png"
    )
    response = officer_client.post(reverse("rumours_staff:log"), log_data(screenshot=fake))
    assert "must be a picture" in response.content.decode()
    assert Sighting.objects.count() == 0


def test_a_damaged_picture_is_refused(officer_client, claims):
    broken = SimpleUploadedFile("shot.png", png_bytes()[:30], content_type="image/png")
    response = officer_client.post(reverse("rumours_staff:log"), log_data(screenshot=broken))
    assert "could not be read as a picture" in response.content.decode()
    assert Sighting.objects.count() == 0


def test_a_screenshot_over_5_mb_is_refused(officer_client, claims):
    big = SimpleUploadedFile(
        "big.png", png_bytes() + b"\0" * (6 * 1024 * 1024), content_type="image/png"
    )
    response = officer_client.post(reverse("rumours_staff:log"), log_data(screenshot=big))
    assert "smaller than 5 MB" in response.content.decode()
    assert Sighting.objects.count() == 0


def test_a_50_mb_upload_is_refused_before_it_is_read(officer_client, claims):
    class Unreadable(io.RawIOBase):
        def read(self, *args):  # pragma: no cover - must not be called
            raise AssertionError("the body was read")

    response = officer_client.generic(
        "POST",
        reverse("rumours_staff:log"),
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert "smaller than 5 MB" in response.content.decode()
    assert Sighting.objects.count() == 0


def test_the_same_report_sent_twice_is_recognised(officer_client, claims):
    first = officer_client.post(reverse("rumours_staff:log"), log_data())
    assert first.status_code == 302
    again = officer_client.post(
        reverse("rumours_staff:log"),
        log_data(
            text="  Heard that rents went UP because of all the immigrants moving into Stoke!  "
        ),
    )
    assert again.status_code == 200
    assert "already been sent" in again.content.decode()
    assert Sighting.objects.count() == 1


def test_a_broken_matching_engine_never_stops_a_report(officer_client, claims, monkeypatch, caplog):
    from cohesion.text.matching import ClaimIndex

    def broken(self, *args, **kwargs):
        raise RuntimeError("model missing")

    monkeypatch.setattr(ClaimIndex, "search", broken)
    assert officer_client.get(
        reverse("rumours_staff:suggest"), {"text": "mosque closing"}
    ).json() == {"results": []}
    response = officer_client.post(reverse("rumours_staff:log"), log_data())
    assert response.status_code == 302
    assert officer_client.get(response.url).status_code == 200
    assert Sighting.objects.count() == 1


def test_a_saved_index_is_loaded_and_catches_up(
    officer_client, claims, settings, tmp_path, monkeypatch
):
    from django.core.management import call_command

    from cohesion.rumours import matching
    from cohesion.text.matching import ClaimIndex

    loads = []
    real_load = ClaimIndex.load.__func__
    monkeypatch.setattr(
        ClaimIndex,
        "load",
        classmethod(lambda cls, *a, **k: loads.append(1) or real_load(cls, *a, **k)),
    )

    settings.COHESION_EMBEDDINGS_DIR = tmp_path
    call_command("rumours_index")
    assert (tmp_path / "rumours-index.synced").exists()
    claims["buses"].delete()  # deleted after the save
    late = Claim.objects.create(
        title="Trams return", text="Trams are coming back to Hanley next year"
    )
    matching.index_reset()  # a new process: it loads the file
    url = reverse("rumours_staff:suggest")
    assert (
        officer_client.get(url, {"text": "trams coming back to Hanley"}).json()["results"][0]["id"]
        == late.pk
    )
    results = officer_client.get(
        url, {"text": "all the buses are cancelled because of the strike"}
    ).json()["results"]
    assert all(r["id"] != claims["buses"].pk for r in results)
    (tmp_path / "rumours-index.json").write_text(
        "not json"
    )  # a damaged file: built from the database
    matching.index_reset()
    assert (
        officer_client.get(url, {"text": "trams coming back to Hanley"}).json()["results"][0]["id"]
        == late.pk
    )


def test_a_report_worded_like_an_earlier_sighting_finds_its_claim(
    officer_client, partner_client, claims, officer
):
    """The desk learns from its officers: a confirmed report's words lead to its claim, shown as
    the claim (never the report's own words), once, and only to officers."""
    url = reverse("rumours_staff:suggest")
    new_report = {"text": "drivers walking out so no number 21 or 4A from Monday"}
    earlier = sighting(
        text="First Potteries drivers are walking out, no number 21 or 4A buses from Monday",
        fingerprint="earlier",
    )

    def first(results: list[dict]) -> int | None:
        return results[0]["id"] if results else None

    # Waiting for an officer: not a sighting of anything yet, so it leads nowhere.
    assert first(officer_client.get(url, new_report).json()["results"]) != claims["buses"].pk
    services.sighting_match(sighting=earlier, claim=claims["buses"], actor=officer)
    results = officer_client.get(url, new_report).json()["results"]
    assert first(results) == claims["buses"].pk
    assert results[0]["kind"] == "claim" and results[0]["text"] == claims["buses"].text
    assert [r["id"] for r in results if r["kind"] == "claim"].count(claims["buses"].pk) == 1
    assert all("First Potteries" not in r["text"] for r in results)
    # Partners see published myth-busters only: a sighting never shows them the desk's claim.
    assert all(
        r["kind"] == "rebuttal" for r in partner_client.get(url, new_report).json()["results"]
    )

    # The claim is deleted: its sighting no longer leads anywhere, and nothing breaks.
    claims["buses"].delete()
    results = officer_client.get(url, new_report).json()["results"]
    assert all(r["id"] != claims["buses"].pk for r in results if r["kind"] == "claim")


def test_a_sighting_follows_its_claim_when_claims_are_merged(officer_client, claims, officer):
    url = reverse("rumours_staff:suggest")
    earlier = sighting(
        text="First Potteries drivers are walking out, no number 21 or 4A buses from Monday",
        fingerprint="earlier",
    )
    strike = Claim.objects.create(title="Bus strike", text="Bus drivers are going on strike")
    services.sighting_match(sighting=earlier, claim=strike, actor=officer)
    services.claim_merge(claim=strike, into=claims["buses"], actor=officer)
    results = officer_client.get(
        url, {"text": "drivers walking out so no number 21 or 4A from Monday"}
    ).json()["results"]
    assert results[0]["id"] == claims["buses"].pk
    assert all(r["id"] != strike.pk for r in results if r["kind"] == "claim")


def test_a_claim_with_many_sightings_does_not_hide_the_others(claims, officer):
    """The merge page asks for claims like this one: its own sightings must not fill the list."""
    housing = claims["housing"]
    for i in range(60):
        sighting(
            text=f"{housing.text}, says post {i}",
            fingerprint=f"many-{i}",
            claim=housing,
            state=Sighting.State.MATCHED,
            confirmed_at=timezone.now(),
        )
    twin = Claim.objects.create(
        title="Refugees jump the queue",
        text="Refugees get council houses in Stoke before local families do",
    )
    found = matching.suggestions(text=housing.index_text, k=6)
    assert [s.claim_pk for s in found].count(housing.pk) == 1
    assert twin.pk in [s.claim_pk for s in found if s.kind == "claim"]


def test_the_desk_lists_waiting_reports_a_page_at_a_time(officer_client, claims):
    """In a surge there can be hundreds of reports: none is out of reach."""
    from cohesion.rumours.selectors import WAITING_PER_PAGE

    made = [
        sighting(text=f"Rumour number {n} about the bus station closing", state="waiting")
        for n in range(WAITING_PER_PAGE + 5)
    ]
    waiting = Sighting.objects.filter(state="waiting").count()
    assert waiting > WAITING_PER_PAGE
    desk = reverse("rumours_staff:desk")
    first = officer_client.get(desk)
    html = first.content.decode()
    assert f"Reports waiting for an officer ({waiting})" in html
    assert f"Showing 1 to {WAITING_PER_PAGE}" in html
    assert f'href="{desk}?page=2" rel="next"' in html and 'rel="prev"' not in html
    assert first.context["overview"].waiting.object_list[0] == made[-1]  # newest first

    last = officer_client.get(desk, {"page": "2"})
    html = last.content.decode()
    assert f"Showing {WAITING_PER_PAGE + 1} to {waiting}" in html
    assert f'href="{desk}?page=1" rel="prev"' in html and 'rel="next"' not in html
    shown = {s.pk for page in (first, last) for s in page.context["overview"].waiting}
    assert {s.pk for s in made} <= shown  # every report is on one page or the other

    # A page that is not a number, or past the end, shows the first or the last page.
    assert officer_client.get(desk, {"page": "abc"}).context["overview"].waiting.number == 1
    assert officer_client.get(desk, {"page": "99"}).context["overview"].waiting.number == 2


def test_an_officer_decides_for_many_reports_at_once(officer_client, officer, claims):
    """In a surge, the reports an officer ticks become sightings of one claim together (each
    audited); one another officer dealt with meanwhile is left as it is and named."""
    waiting = [
        sighting(text=f"Rents went up because of migrants, says post {n}", fingerprint=f"b{n}")
        for n in range(3)
    ]
    stale = sighting(text="Migrants put the rents up", fingerprint="stale")
    services.sighting_match(sighting=stale, claim=claims["buses"], actor=officer)
    events_before = AuditEvent.objects.count()

    response = officer_client.post(
        reverse("rumours_staff:reports_decide"),
        {
            "reports": [str(s.pk) for s in [*waiting, stale]],
            "action": "match",
            "claim": str(claims["housing"].pk),
        },
        follow=True,
    )
    html = response.content.decode()
    assert "3 reports are now sightings of “Migrants pushed up housing costs”." in html
    assert (
        f"Left as they were: report {stale.pk}, because an officer has already dealt with it."
        in html
    )
    for s in waiting:
        s.refresh_from_db()
        assert (s.state, s.claim, s.confirmed_by) == ("matched", claims["housing"], officer)
    stale.refresh_from_db()
    assert stale.claim == claims["buses"]  # not moved
    assert AuditEvent.objects.count() == events_before + 3

    # Setting aside works the same way; the claim list is ignored.
    junk = [sighting(text=f"Buy cheap followers now {n}", fingerprint=f"j{n}") for n in range(2)]
    officer_client.post(
        reverse("rumours_staff:reports_decide"),
        {"reports": [str(s.pk) for s in junk], "action": "dismiss"},
    )
    assert {Sighting.objects.get(pk=s.pk).state for s in junk} == {"dismissed"}

    # One report, from the second page of the desk: the message fits, and it goes back there.
    one = sighting(text="Rents went up because of migrants, says one more post", fingerprint="one")
    response = officer_client.post(
        reverse("rumours_staff:reports_decide"),
        {
            "reports": [str(one.pk)],
            "action": "match",
            "claim": str(claims["housing"].pk),
            "page": "2",
        },
    )
    assert response["Location"] == reverse("rumours_staff:desk") + "?page=2"
    page = officer_client.get(response["Location"]).content.decode()
    assert "1 report is now a sighting of “Migrants pushed up housing costs”." in page


def test_a_decision_for_many_reports_says_what_to_fix(officer_client, claims):
    report = sighting(text="Rents went up because of migrants", state="waiting")
    decide = reverse("rumours_staff:reports_decide")

    response = officer_client.post(decide, {"action": "match", "claim": str(claims["housing"].pk)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Choose at least one report" in html
    assert "<title>Error: Rumour desk" in html
    assert f'href="#report-{report.pk}"' in html
    assert response.context["chosen_claim"] == str(claims["housing"].pk)  # kept
    # With nothing chosen at all, the first thing to fix is the reports.
    nothing = officer_client.post(decide, {"action": "match"}).content.decode()
    assert "Choose at least one report" in nothing and "Choose the claim" not in nothing

    response = officer_client.post(decide, {"action": "match", "reports": [str(report.pk)]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the claim these reports repeat" in html and 'href="#claim"' in html
    assert f'value="{report.pk}" checked' in html  # the ticks are kept

    response = officer_client.post(
        decide, {"action": "match", "reports": [str(report.pk)], "claim": "999999"}
    )
    assert "That claim is no longer on file" in response.content.decode()
    assert Sighting.objects.get(pk=report.pk).state == "waiting"  # nothing changed


def test_a_stale_page_cannot_undo_another_officers_decision(officer_client, officer, claims):
    report = sighting(text="Migrants put the rents up", state="waiting")
    services.sighting_match(sighting=report, claim=claims["housing"], actor=officer)
    # "Set aside" from a page shown before the report was joined to its claim.
    response = officer_client.post(
        reverse("rumours_staff:report_dismiss", kwargs={"pk": report.pk}), follow=True
    )
    assert "An officer has already joined this report to a claim: it was not set aside." in (
        response.content.decode()
    )
    report.refresh_from_db()
    assert (report.state, report.claim) == ("matched", claims["housing"])
    with pytest.raises(services.RumourError, match="already joined this report to another claim"):
        services.sighting_match(sighting=report, claim=claims["buses"], actor=officer)


def test_one_decision_takes_at_most_bulk_max_reports(officer, claims):
    with pytest.raises(services.RumourError, match="Choose at least one report"):
        services.sightings_decide(pks=[], actor=officer, claim=claims["housing"])
    with pytest.raises(services.RumourError, match=f"Choose {services.BULK_MAX} reports or fewer"):
        services.sightings_decide(
            pks=list(range(1, services.BULK_MAX + 2)), actor=officer, claim=claims["housing"]
        )
    outcome = services.sightings_decide(pks=[987654], actor=officer)
    assert outcome.done == [] and outcome.refused == [(987654, "it is no longer on file")]
