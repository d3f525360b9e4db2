"""Themes in free-text answers: found, labelled, edited and re-described; bad input handled."""

import numpy as np
import pytest

from cohesion.text.embeddings import Embedder
from cohesion.text.themes import describe_themes, find_themes, split_theme

BUSES = [
    "The buses are always late and the bus route was cut",
    "More buses please, the bus service at night is awful",
    "Bus fares are too high and buses never turn up on time",
    "I cannot get to work because the bus stopped running",
    "The bus timetable is unreliable, buses are late every day",
    "Cheaper bus fares and more frequent buses would help",
]
PARKS = [
    "The park needs more bins, litter everywhere in the park",
    "Keep the parks clean and fix the park benches",
    "Our local park is full of litter and dog mess",
    "Plant more trees in the park and cut the grass",
    "The play area in the park is broken and dirty",
    "Parks should have toilets and litter picking every week",
]
YOUTH = [
    "Young people need a youth club, there is nothing for teenagers to do",
    "Open the youth centre again so kids have somewhere to go",
    "Teenagers hang around because there are no youth activities",
    "Fund youth workers and sports clubs for young people",
    "The youth club closed and the kids have nowhere to go",
    "Activities for young people in the evenings would stop trouble",
]


@pytest.fixture(scope="module")
def embedder(tmp_path_factory):
    return Embedder(tmp_path_factory.mktemp("embeddings"))


@pytest.fixture(scope="module")
def result(embedder):
    texts = BUSES + PARKS + YOUTH
    return texts, find_themes(texts, embedder=embedder, seed=0)


def test_clearly_separate_topics_are_found(result):
    texts, found = result
    assert len(found.themes) == 3
    groups = [set(found.assignments[i * 6 : (i + 1) * 6].tolist()) for i in range(3)]
    assert all(len(g) == 1 for g in groups)
    assert len(set.union(*groups)) == 3


def test_labels_make_sense_and_representatives_are_members(result):
    texts, found = result
    labels = " | ".join(t.label.lower() for t in found.themes)
    assert "bus" in labels and "park" in labels and "youth" in labels
    for theme in found.themes:
        assert theme.keywords
        assert theme.representatives
        assert set(theme.representatives) <= set(theme.members)
    assert sum(len(t.members) for t in found.themes) == len(texts)


def test_parameters_record_how_to_reproduce(result):
    _texts, found = result
    p = found.parameters
    assert p["model"] == "all-MiniLM-L6-v2"
    assert p["seed"] == 0 and p["themes"] == 3
    assert "k_chosen_by" in p and "versions" in p


def test_bad_answers_are_left_out_not_crashing(embedder):
    texts = (
        BUSES + ["", "   ", "🙂🙂", "!!!", "x" * 50_000, "Les bus sont toujours en retard"] + PARKS
    )
    found = find_themes(texts, embedder=embedder)
    assert len(found.assignments) == len(texts)
    assert found.assignments[6] == -1 and found.assignments[7] == -1
    assert found.assignments[8] == -1 and found.assignments[9] == -1
    assert found.assignments[10] >= 0  # a 50,000-character answer is cut, not dropped
    assert found.parameters["usable_answers"] == len(texts) - 4


def test_too_few_answers_give_one_theme_or_none_with_a_note(embedder):
    few = find_themes(["More buses", "Fewer cars"], embedder=embedder)
    assert len(few.themes) == 1 and few.themes[0].members == [0, 1]
    assert "too few" in few.parameters["note"]
    none = find_themes(["", "🙂"], embedder=embedder)
    assert none.themes == [] and list(none.assignments) == [-1, -1]
    assert "note" in none.parameters
    assert find_themes([], embedder=embedder).themes == []


def test_describe_after_merge_and_move_follows_the_officer(result, embedder):
    texts, found = result
    assignments = found.assignments.copy()
    bus, park = assignments[0], assignments[6]
    assignments[assignments == park] = bus  # merge parks into buses
    assignments[0] = -1  # take one answer out
    themes = describe_themes(texts, assignments, embedder=embedder)
    assert len(themes[bus].members) == 11
    assert 0 not in themes[bus].members
    assert themes[park].members == [] and themes[park].label == "Empty theme"
    with pytest.raises(ValueError):
        describe_themes(texts, assignments[:-1], embedder=embedder)


def test_split_theme(embedder):
    texts = BUSES + PARKS
    parts = split_theme(texts, list(range(12)), parts=2, embedder=embedder)
    assert sorted(sorted(p) for p in parts) == [list(range(6)), list(range(6, 12))]
    auto = split_theme(texts, list(range(12)), embedder=embedder)
    assert sorted(i for p in auto for i in p) == list(range(12))
    assert split_theme(texts, [3], embedder=embedder) == [[3]]
    assert split_theme(texts, [], embedder=embedder) == []


def test_progress_is_reported(embedder):
    seen = []
    find_themes(BUSES + PARKS, embedder=embedder, progress=lambda stage, f: seen.append((stage, f)))
    assert seen[-1] == ("done", 1.0)
    fractions = [f for _s, f in seen]
    assert fractions == sorted(fractions)


def test_same_seed_same_result(embedder):
    texts = BUSES + PARKS + YOUTH
    a = find_themes(texts, embedder=embedder, seed=3)
    b = find_themes(texts, embedder=embedder, seed=3)
    assert np.array_equal(a.assignments, b.assignments)


def test_long_runs_of_one_character_do_not_become_labels(embedder):
    texts = ["x" * 50_000] * 3 + BUSES
    found = find_themes(texts, embedder=embedder)
    assert all(len(word) <= 30 for theme in found.themes for word in theme.keywords)


def test_themes_do_not_hang_on_the_seed(embedder):
    """The final themes pool several Louvain runs, so other seeds give the same clear themes."""
    texts = BUSES + PARKS + YOUTH
    runs = [find_themes(texts, embedder=embedder, seed=seed) for seed in (0, 1, 7)]
    for found in runs:
        assert found.parameters["consensus_runs"] >= 2
        groups = {tuple(sorted(t.members)) for t in found.themes}
        assert groups == {tuple(range(0, 6)), tuple(range(6, 12)), tuple(range(12, 18))}


def test_consensus_keeps_what_every_run_agrees_on():
    """Two dense groups joined by one weak edge: every run splits them, and so does the pool."""
    import scipy.sparse as sp

    from cohesion.text.themes import consensus, louvain

    n = 12
    weights = np.zeros((n, n))
    weights[:6, :6] = 1.0
    weights[6:, 6:] = 1.0
    np.fill_diagonal(weights, 0.0)
    weights[5, 6] = weights[6, 5] = 0.05
    graph = sp.csr_matrix(weights)
    first, _quality = louvain(graph, resolution=1.0, seed=0)
    pooled = consensus(graph, first, resolution=1.0, seed=0)
    assert len(set(pooled[:6])) == 1 and len(set(pooled[6:])) == 1
    assert pooled[0] != pooled[6]


@pytest.mark.parametrize(
    ("keywords", "label"),
    [
        (["bus", "bus fares", "older people", "older"], "Bus fares, older people"),
        (["time", "time asking", "did time", "asking", "council"], "Time asking, council"),
        (["litter", "park", "bins", "dog"], "Litter, park, bins"),
        ([], "Other answers"),
    ],
)
def test_labels_do_not_say_a_word_twice(keywords, label):
    from cohesion.text.themes import label_from_keywords

    assert label_from_keywords(keywords) == label
