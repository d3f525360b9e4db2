"""Answers that do not look like English are found so that an officer can read them."""

from __future__ import annotations

import pytest

from cohesion.text.language import looks_english


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
