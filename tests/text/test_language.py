"""Answers that do not look like English are found so that an officer can read them."""

from __future__ import annotations

import pytest

from cohesion.text.language import (
    LANGUAGE_NAMES,
    MATCHED_LANGUAGES,
    guess_language,
    language_name,
    looks_english,
)


@pytest.mark.parametrize(
    "text",
    [
        "We need more things for young people to do in the evenings",
        "Buses are too expensive and they don't run late enough for shift workers",
        "I think the council should listen to people on our estate",
        "Parks, libraries and youth clubs have all been cut back over the years",
    ],
)
def test_english_answers_look_english(text: str) -> None:
    assert looks_english(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "Potrzebujemy więcej miejsc dla młodzieży w naszej dzielnicy",  # Polish
        "ہمیں اپنے علاقے میں نوجوانوں کے لیے مزید جگہوں کی ضرورت ہے",  # Urdu
        "Avem nevoie de mai multe locuri pentru tineri în cartierul nostru",  # Romanian
        "Nous avons besoin de plus de lieux pour les jeunes du quartier",  # French
    ],
)
def test_other_languages_do_not(text: str) -> None:
    assert looks_english(text) is False


@pytest.mark.parametrize("text", ["", "More parks", "🙂🙂🙂", "Safer streets please!", "12345 678"])
def test_short_answers_are_not_guessed(text: str) -> None:
    assert looks_english(text) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Na grupie piszą, że uchodźcy dostają mieszkania komunalne", "pl"),
        ("اللاجئون يحصلون على بيوت البلدية قبل العائلات المحلية", "ar"),
        ("پناہ گزینوں کو مقامی خاندانوں سے پہلے کونسل کے گھر مل جاتے ہیں", "ur"),
        ("Refugiații primesc locuințe sociale înaintea familiilor de aici", "ro"),
        ("Refugees get council houses before local families", "en"),
        # English in capitals, with a link and a handle: still English, not Polish or Turkish.
        ("STOP POSING AS MY DAD EVERYONE KNOWS HE WOULD NOT KNOW HOW https://t.co/x @dad", "en"),
    ],
)
def test_guess_language_names_the_language_of_a_report(text: str, code: str) -> None:
    assert guess_language(text) == code


@pytest.mark.parametrize("text", ["", "Stoke", "Hanley riot Saturday", "https://t.co/abc @someone"])
def test_guess_language_says_nothing_when_unsure_or_too_short(text: str) -> None:
    assert guess_language(text) is None


def test_guess_language_reads_only_the_start_of_a_huge_paste() -> None:
    polish = "Uchodźcy dostają mieszkania przed nami. " * 60  # over 2,000 characters
    arabic = "اللاجئون يحصلون على بيوت البلدية قبل العائلات المحلية. " * 2000
    assert len(polish) > 2_000 and len(arabic) > 100_000
    assert guess_language(polish + arabic) == "pl"
    assert guess_language(arabic) == "ar"


@pytest.mark.parametrize(
    "text",
    [
        "தமிழ் மொழியில் எழுதப்பட்ட செய்தி இது",  # Tamil
        "Ito ay isang mensahe na nakasulat sa Tagalog para sa lahat",  # Tagalog
        "ეს არის ქართულად დაწერილი შეტყობინება",  # Georgian
        "हे मराठीत लिहिलेले एक संदेश आहे",  # Marathi, not Hindi
    ],
)
def test_a_language_outside_the_list_is_not_given_the_name_of_one_on_it(text: str) -> None:
    assert guess_language(text) is None


def test_language_names_and_the_languages_matching_reads() -> None:
    assert language_name("pl") == "Polish" and language_name(None) == ""
    assert {"en", "pl", "ar"} <= MATCHED_LANGUAGES and not {"ur", "ro"} & MATCHED_LANGUAGES
    assert set(LANGUAGE_NAMES) >= MATCHED_LANGUAGES
