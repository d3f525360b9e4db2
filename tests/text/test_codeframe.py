"""Answers mapped to an officer's code frame: several themes, one or none."""

import pytest

from cohesion.text.codeframe import map_to_frame, segments
from cohesion.text.embeddings import Embedder

FRAME = [
    ("Public transport", "Buses are late, fares are too high, routes were cut"),
    ("Parks and green spaces", "Litter in parks, broken play areas, more trees"),
    ("Youth provision", "Youth clubs and activities for young people and teenagers"),
]


@pytest.fixture(scope="module")
def embedder(tmp_path_factory):
    return Embedder(tmp_path_factory.mktemp("embeddings"))


def test_single_and_multiple_themes(embedder):
    texts = [
        "The buses are always late and the fares keep going up.",
        "There is litter all over the park. Also the youth club shut, so teenagers have nothing to do.",
        "",
    ]
    mapped = map_to_frame(texts, FRAME, embedder=embedder)
    assert mapped[0][0] == 0
    assert 2 not in mapped[0]
    assert set(mapped[1]) >= {1, 2}
    assert mapped[2] == []


def test_bad_input(embedder):
    assert map_to_frame([], FRAME, embedder=embedder) == []
    assert map_to_frame(["buses"], [], embedder=embedder) == [[]]
    mapped = map_to_frame(["🙂", "x" * 50_000], FRAME, embedder=embedder)
    assert mapped[0] == [] and len(mapped) == 2


def test_segments_split_sentences_and_contrasts():
    assert segments("Buses are late. But the parks are lovely and clean.") == [
        "Buses are late.",
        "But the parks are lovely and clean.",
    ]
    assert segments("Fares are fine however the buses are late") == [
        "Fares are fine",
        "the buses are late",
    ]
