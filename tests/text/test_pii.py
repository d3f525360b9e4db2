"""Personal details are found and removed before answers are published."""

import pytest

from cohesion.text.pii import Span, find_personal_details, redact


def kinds(text):
    return [(text[s.start : s.end], s.kind) for s in find_personal_details(text)]


def test_email_and_link():
    found = kinds("Write to jo.bloggs@example.co.uk or see https://example.org/page.")
    assert ("jo.bloggs@example.co.uk", "email") in found
    assert ("https://example.org/page", "url") in found


@pytest.mark.parametrize(
    "number",
    [
        "07700 900123",
        "07700900123",
        "01782 234567",
        "+44 7700 900123",
        "(01782) 234 567",
        "+44 (0)1782 234567",
    ],
)
def test_uk_phone_numbers(number):
    found = kinds(f"Ring me on {number} after six.")
    assert found == [(number, "phone")]


def test_years_and_counts_are_not_phone_numbers():
    assert kinds("In 2024 about 1300 residents answered; 64% said no.") == []


@pytest.mark.parametrize("postcode", ["ST1 3AB", "st4 7lq", "M1 1AE", "SW1A 1AA", "ST13AB"])
def test_postcodes(postcode):
    assert kinds(f"I live in {postcode} now") == [(postcode, "postcode")]


def test_addresses_and_flats():
    found = kinds("The bins at 12 Victoria Road and at Flat 3, 7 Church Street were not emptied.")
    assert ("12 Victoria Road", "address") in found
    assert ("Flat 3, 7 Church Street", "address") in found


def test_names_with_titles_or_introduced():
    found = kinds("Mrs Patel and Cllr John Smith helped. My name is Sam Jones. Thanks, Ali")
    names = [text for text, kind in found if kind == "name"]
    assert names == ["Mrs Patel", "Cllr John Smith", "Sam Jones", "Ali"]


def test_ordinary_words_after_from_are_not_names():
    assert kinds("People from Stoke deserve better. Support from The council was poor.") == []


def test_national_insurance_number():
    assert kinds("My NI number is AB 12 34 56 C.") == [("AB 12 34 56 C", "ni_number")]


def test_redact_replaces_each_span_with_a_plain_placeholder():
    text = "Call 07700 900123 or email a@b.com, Mr Khan."
    assert (
        redact(text, find_personal_details(text))
        == "Call [phone number removed] or email [email address removed], [name removed]."
    )


def test_redact_copes_with_overlapping_or_out_of_range_spans():
    text = "abcdef"
    spans = [Span(1, 4, "name"), Span(2, 5, "phone"), Span(4, 99, "email")]
    assert redact(text, spans) == "a[name removed]"
    assert redact("", spans) == ""
    assert redact("nothing", []) == "nothing"


def test_bad_input_never_crashes():
    assert find_personal_details("") == []
    assert find_personal_details("🙂🙂🙂 très bien, merci 👍") == []
    long = ("All fine here. " * 4000) + "Ring 07700 900123."
    found = find_personal_details(long)
    assert [s.kind for s in found] == ["phone"]
