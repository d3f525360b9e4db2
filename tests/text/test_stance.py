"""Stance (agree / disagree / unclear) from a linked question or from an officer's examples."""

import pytest

from cohesion.text.embeddings import Embedder
from cohesion.text.stance import StanceClassifier, stance_from_choice, suggest_examples

AGREE = [
    "Yes, I fully support the new cycle lanes, they will make roads safer",
    "Great idea, the cycle lanes are long overdue",
    "I agree with the plan, more people will cycle to work",
    "This is a good proposal and I back it",
    "Brilliant, safer cycling for children, please go ahead",
    "Yes please, I support the cycle lanes wholeheartedly",
]
DISAGREE = [
    "No, the cycle lanes are a waste of money and cause traffic jams",
    "I strongly oppose this plan, it takes away parking spaces",
    "Terrible idea, nobody cycles here and shops will suffer",
    "I disagree, the council should fix potholes instead",
    "Scrap the scheme, it will make congestion far worse",
    "Against it, drivers are being punished again",
]


@pytest.fixture(scope="module")
def embedder(tmp_path_factory):
    return Embedder(tmp_path_factory.mktemp("embeddings"))


def test_learns_from_a_few_examples(embedder):
    texts = AGREE[:5] + DISAGREE[:5]
    labels = ["agree"] * 5 + ["disagree"] * 5
    model = StanceClassifier(embedder=embedder).fit(texts, labels)
    new = [AGREE[5], "Good plan, I support the cycle lanes", DISAGREE[5], "Bad plan, I oppose it"]
    assert model.predict(new) == ["agree", "agree", "disagree", "disagree"]


def test_unusable_answers_are_unclear_and_labels_are_normalised(embedder):
    texts = AGREE[:3] + DISAGREE[:3] + ["I'm not sure either way"]
    labels = ["Agree"] * 3 + ["Strongly disagree"] * 3 + ["unclear"]
    model = StanceClassifier(embedder=embedder).fit(texts, labels)
    assert set(model.classes_) == {"agree", "disagree", "unclear"}
    assert model.predict(["", "🙂"]) == ["unclear", "unclear"]
    assert model.predict([]) == []


def test_bad_training_input(embedder):
    with pytest.raises(ValueError):
        StanceClassifier(embedder=embedder).fit(["a"], [])
    with pytest.raises(ValueError):
        StanceClassifier(embedder=embedder).fit(["", " "], ["agree", "disagree"])
    with pytest.raises(ValueError):
        StanceClassifier(embedder=embedder).predict(["anything"])
    single = StanceClassifier(embedder=embedder).fit(AGREE[:2], ["agree", "agree"])
    assert single.predict(["whatever"]) == ["agree"]


@pytest.mark.parametrize(
    ("choice", "stance"),
    [
        ("Strongly agree", "agree"),
        ("Tend to agree", "agree"),
        ("Yes", "agree"),
        ("Tend to disagree", "disagree"),
        ("No", "disagree"),
        ("Neither agree nor disagree", "unclear"),
        ("Don't know", "unclear"),
        ("", "unclear"),
        (None, "unclear"),
    ],
)
def test_stance_from_linked_question(choice, stance):
    assert stance_from_choice(choice) == stance


def test_first_suggestions_spread_over_what_people_said(embedder):
    # four subjects, three ways of saying each: one suggestion per subject, not four of one
    groups = [
        ["The buses are late every morning", "My bus is always late", "Buses never come on time"],
        [
            "The park needs new swings",
            "Please fix the playground swings",
            "Swings in the park are broken",
        ],
        [
            "Too much litter on our street",
            "Rubbish is dumped on the pavement",
            "Our road is full of litter",
        ],
        [
            "Street lights are out at night",
            "It is dark, the lamps are broken",
            "Fix the street lighting",
        ],
    ]
    texts = [t for group in groups for t in group] + ["", "   "]
    picks = suggest_examples(texts, {}, embedder=embedder, first=4)
    assert sorted(i // 3 for i in picks) == [0, 1, 2, 3]  # never an empty answer either


def test_later_suggestions_are_the_answers_the_classifier_is_least_sure_about(embedder):
    unsure = "I am not sure, the cycle lanes might help but parking matters too"
    texts = AGREE + DISAGREE + [unsure, "Yes, great cycle lanes, I support them fully"]
    labels = dict.fromkeys(range(3), "agree") | {len(AGREE) + i: "disagree" for i in range(3)}
    picks = suggest_examples(texts, labels, embedder=embedder, batch=3)
    assert len(picks) == 3 and not set(picks) & set(labels)
    model = StanceClassifier(embedder=embedder).fit(
        [texts[i] for i in labels], list(labels.values())
    )
    pool = [i for i in range(len(texts)) if i not in labels]
    vectors = embedder.embed([texts[i] for i in pool])
    margin = dict(zip(pool, model.margins(vectors), strict=True))
    assert max(margin[i] for i in picks) <= min(margin[i] for i in pool if i not in picks)
    # nothing left to suggest once every answer is labelled
    assert (
        suggest_examples(texts, dict.fromkeys(range(len(texts)), "agree"), embedder=embedder) == []
    )
