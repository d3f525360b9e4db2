"""Residents report a rumour with no account; bots are quietly refused; repeats are recognised."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cohesion.rumours.models import Sighting
from tests.rumours.conftest import form_token

pytestmark = pytest.mark.django_db

URL = "/myth-busters/tell-us/"


def data(**extra: object) -> dict:
    d = {
        "text": "People are saying the church on the corner is closing to become a mosque",
        "channel": "word_of_mouth",
        "started": form_token(30),
        "website": "",
    }
    d.update(extra)
    return d


def test_url_is_where_residents_expect_it():
    assert reverse("rumours_public:report") == URL


def test_a_resident_reports_a_rumour(client, strategy_data):
    page = client.get(URL)
    assert page.status_code == 200 and 'name="website"' in page.content.decode()
    response = client.post(
        URL, data(ward=strategy_data["wards"][2].pk, reporter_contact="me@example.org")
    )
    assert response.status_code == 302
    thanks = client.get(response.url)
    assert "We have your report" in thanks.content.decode()
    s = Sighting.objects.get()
    assert s.source == "public" and s.reported_by is None and s.reporter_contact == "me@example.org"
    assert s.state == "waiting"


@pytest.mark.parametrize(
    "bot",
    [
        {"website": "http://spam.example"},  # filled the field people never see
        {"started": 1},  # faster than anyone could read the form (seconds since it was shown)
        {"started": ""},  # never saw the form
        {"started": "forged:token"},
    ],
)
def test_a_bot_is_thanked_and_nothing_is_saved(client, strategy_data, bot):
    if isinstance(bot.get("started"), int):
        bot = {"started": form_token(bot["started"])}
    response = client.post(URL, data(**bot))
    assert response.status_code == 302
    assert "We have your report" in client.get(response.url).content.decode()
    assert Sighting.objects.count() == 0


def test_the_same_report_twice_is_recognised(client, strategy_data):
    client.post(URL, data())
    response = client.post(
        URL, data(text="people are saying the CHURCH on the corner is closing to become a mosque!")
    )
    assert "We already have this report" in client.get(response.url).content.decode()
    assert Sighting.objects.count() == 1


def test_two_residents_sending_the_same_words_are_two_sightings(client, strategy_data):
    """The same message from two people is the rumour spreading, not a report sent twice."""
    assert client.post(URL, data(), REMOTE_ADDR="192.0.2.1").status_code == 302
    assert client.post(URL, data(), REMOTE_ADDR="192.0.2.2").status_code == 302
    assert Sighting.objects.count() == 2
    assert client.post(URL, data(), REMOTE_ADDR="192.0.2.2").status_code == 302
    assert Sighting.objects.count() == 2  # the second resident's repeat is recognised
    fingerprints = set(Sighting.objects.values_list("fingerprint", flat=True))
    assert len(fingerprints) == 2
    assert not any("192.0.2" in f for f in fingerprints)  # the address cannot be read back


def test_too_many_reports_from_one_address_are_refused_with_a_message(client, strategy_data):
    for i in range(5):
        assert client.post(URL, data(text=f"Rumour number {i} about the bins")).status_code == 302
    response = client.post(URL, data(text="One more rumour about the bins"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "wait an hour" in page
    assert "One more rumour about the bins" in page  # what was typed is still there
    assert Sighting.objects.count() == 5


def test_fixing_mistakes_does_not_use_up_the_hourly_limit(client, strategy_data):
    for _ in range(8):
        assert client.post(URL, data(text="")).status_code == 200  # sent back to fix it
    for i in range(5):
        assert client.post(URL, data(text=f"Rumour number {i} about the bins")).status_code == 302
    assert Sighting.objects.count() == 5
    # but endless posts from one address are still stopped, saved or not
    other = {"REMOTE_ADDR": "192.0.2.7"}
    for _ in range(30):
        assert client.post(URL, data(text=""), **other).status_code == 200
    assert client.post(URL, data(text=""), **other).status_code == 429


def test_an_empty_or_huge_report_gets_a_clear_message(client, strategy_data):
    response = client.post(URL, data(text=""))
    assert "Enter what is being said" in response.content.decode()
    response = client.post(URL, data(text="y" * 100_000))
    assert "5,000 characters or fewer" in response.content.decode()
    assert Sighting.objects.count() == 0


def test_a_page_left_open_for_days_keeps_what_was_typed(client, strategy_data):
    response = client.post(URL, data(started=form_token(3 * 24 * 3600)))
    html = response.content.decode()
    assert response.status_code == 200 and "open for more than a day" in html
    assert "church on the corner" in html
    assert Sighting.objects.count() == 0


def test_thanks_page_without_a_report_goes_back_to_the_form(client):
    assert client.get(reverse("rumours_public:report_thanks")).url == URL


def test_a_paste_over_the_upload_limit_gets_a_plain_page_and_saves_nothing(client, strategy_data):
    # Django refuses a form body over DATA_UPLOAD_MAX_MEMORY_SIZE before the view runs; the
    # resident sees a page that says what happened and what to do, not "Bad Request (400)".
    response = client.post(URL, data(text="x" * (6 * 1024 * 1024)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Sorry, we could not read what you sent" in page
    assert "Nothing was saved" in page and "make it shorter" in page
    assert not Sighting.objects.exists()


def test_a_resident_s_link_is_checked_for_form_only_and_never_opened(
    client, strategy_data, monkeypatch
):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the platform must never open a reported link")

    monkeypatch.setattr(socket, "create_connection", no_network)
    bad = client.post(URL, data(link="facebook post from yesterday"))
    page = bad.content.decode()
    assert "Enter the link as a full web address starting with https://" in page
    assert "People are saying the church on the corner" in page  # what was typed is kept
    assert not Sighting.objects.exists()
    client.post(URL, data(link="https://no-such-host.invalid/post/123"))
    assert Sighting.objects.get().link == "https://no-such-host.invalid/post/123"


def test_the_thank_you_page_points_to_myth_busters_that_already_answer_it(client, claims):
    """A resident who reports a rumour we have already answered is shown the answer at once;
    only published myth-busters, and only close matches."""
    rebuttal = claims["rebuttal"]
    report = data(text="My neighbour says the immigrants pushed the rents up in Stoke")
    thanks = client.get(client.post(URL, report).url).content.decode()
    assert rebuttal.headline not in thanks  # not published yet: never shown
    rebuttal.published_at = timezone.now()
    rebuttal.save()
    report["text"] = "Someone at work said rents went up because of all the immigrants"
    thanks = client.get(client.post(URL, report, REMOTE_ADDR="192.0.2.9").url).content.decode()
    assert "We have already written about things like this" in thanks
    assert f'href="{rebuttal.get_absolute_url()}"' in thanks
    # Something we have not written about: no myth-buster is offered.
    report["text"] = "The swimming pool in Fenton is closing for repairs all summer"
    thanks = client.get(client.post(URL, report, REMOTE_ADDR="192.0.2.10").url).content.decode()
    assert "We have your report" in thanks
    assert rebuttal.headline not in thanks


def test_a_myth_buster_withdrawn_before_the_thank_you_page_is_not_shown(client, claims):
    rebuttal = claims["rebuttal"]
    rebuttal.published_at = timezone.now()
    rebuttal.save()
    response = client.post(URL, data(text="rents went up because of all the immigrants"))
    rebuttal.published_at = None
    rebuttal.save()
    assert rebuttal.headline not in client.get(response.url).content.decode()


def test_a_bot_is_not_shown_any_myth_busters(client, claims):
    claims["rebuttal"].published_at = timezone.now()
    claims["rebuttal"].save()
    response = client.post(
        URL, data(text="rents went up because of all the immigrants", website="http://spam.example")
    )
    assert claims["rebuttal"].headline not in client.get(response.url).content.decode()
