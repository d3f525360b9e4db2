"""clean_social takes the noise out of copied social-media posts and keeps the meaning."""

from cohesion.text.clean import MAX_CHARS, byline_author, clean_social


def test_byline_and_picture_link_of_a_copied_tweet_are_removed():
    tweet = (
        "The US Army is NOT contacting anyone about the draft pic.twitter.com/3S32De8ekP "
        "\u2014 U.S. Army CGSC (@USACGSC) January 8, 2020"
    )
    assert clean_social(tweet) == "The US Army is NOT contacting anyone about the draft"


def test_byline_with_emoji_in_the_name_and_glued_link_is_removed():
    tweet = (
        "Minecraft is NOT closing. #Minecrafthttps://t.co/V4Lzv97qOc "
        "\u2014 Helen Z \U0001f51c #PAXSouth (@HelenAngel) January 2, 2020"
    )
    assert clean_social(tweet) == "Minecraft is NOT closing. Minecraft"


def test_links_of_every_kind_are_removed():
    text = "Read this https://example.com/a?b=1 and www.example.org/x and bit.ly/abc now"
    assert clean_social(text) == "Read this and and now"


def test_retweet_marker_and_via_are_removed_and_handles_become_words():
    text = "RT @someone: Schools close on Friday says @StokeCouncil via @BBCNews"
    assert clean_social(text) == "Schools close on Friday says Stoke Council"
    assert clean_social(text, handles="drop") == "Schools close on Friday says"


def test_hashtags_are_split_into_words():
    assert clean_social("#StayHomeSaveLives today") == "Stay Home Save Lives today"
    assert clean_social("vaccines #covid_vaccine") == "vaccines covid vaccine"


def test_emoji_and_html_entities_are_tidied():
    text = "Masts \U0001f4e1 cause illness \U0001f631\U0001f631 &amp; more!!!!"
    assert clean_social(text) == "Masts cause illness & more!"


def test_plain_text_is_kept():
    text = "Migrants pushed up housing costs in Stoke, they say."
    assert clean_social(text) == text


def test_empty_and_huge_inputs():
    assert clean_social("") == ""
    assert clean_social("   \n ") == ""
    huge = "word " * 20_000 + "@x " * 10_000
    cleaned = clean_social(huge)
    assert len(cleaned) <= MAX_CHARS


def test_quotation_marks_go_but_apostrophes_stay():
    straight = "Trump said \"My crimes can't be investigated while I'm president.\""
    curly = "Trump said \u2018My crimes can\u2019t be investigated while I\u2019m president.\u2019"
    assert clean_social(straight) == clean_social(curly)
    assert "can't" in clean_social(curly)


def test_byline_author_is_read_apart():
    tweet = (
        "Deeply saddened by this decision. \u2014 Peter Strzok (@notpeterstrzok) August 13, 2018"
    )
    assert byline_author(tweet) == "Peter Strzok"
    assert clean_social(tweet) == "Deeply saddened by this decision."
    assert byline_author("No byline here") == ""
    assert byline_author("") == ""


def test_a_link_glued_to_the_byline_dash_does_not_hide_the_byline():
    tweet = "Boycott! pic.twitter.com/CrTwpA1cTH\u2014 USMC DI (@rbooker1029) November 15, 2016"
    assert clean_social(tweet) == "Boycott!"
    assert byline_author(tweet) == "USMC DI"
    assert clean_social("closes on May 1, 2025") == "closes on May 1, 2025"
