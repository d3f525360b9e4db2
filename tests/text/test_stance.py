"""Stance (agree / disagree / unclear) from a linked question or from an officer's examples."""

import numpy as np
import pytest

from cohesion.text.embeddings import Embedder
from cohesion.text.stance import (
    StanceClassifier,
    _side_cue,
    sided_frame,
    stance_from_choice,
    stance_from_frame,
    suggest_examples,
)

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
    margin = dict(zip(pool, model.margins([texts[i] for i in pool]), strict=True))
    assert max(margin[i] for i in picks) <= min(margin[i] for i in pool if i not in picks)
    # nothing left to suggest once every answer is labelled
    assert (
        suggest_examples(texts, dict.fromkeys(range(len(texts)), "agree"), embedder=embedder) == []
    )


FRAME = [
    ("Safety", "safer roads and safer cycling for children", "for"),
    ("Health", "more exercise and cleaner air", "for"),
    ("Parking", "the lanes take away parking spaces outside homes and shops", "against"),
    ("Cost", "a waste of council money that should go on potholes", "against"),
    ("Buses", "bus stops and bus routes", ""),
]


def test_a_code_frame_with_sides_tells_the_classifier_which_side_an_answer_argues(embedder):
    assert sided_frame(None) is None
    assert sided_frame([t for t in FRAME if t[2] != "against"]) is None  # needs both sides
    answers = [
        *AGREE,
        *DISAGREE,
        "Children will be safer on their bikes",
        "Where will people park? The parking outside the shops will go",
    ]
    model = StanceClassifier(embedder=embedder, frame=FRAME, answers=answers)
    cue = _side_cue(*model._sides(answers[-2:], FRAME))
    assert cue[0] > 0 > cue[1]  # nearer a "for" theme, then nearer an "against" theme
    # an answer scores the same alone as among all the answers (word statistics from all of them)
    alone = [float(_side_cue(*model._sides([text], FRAME))[0]) for text in answers]
    assert alone == pytest.approx(_side_cue(*model._sides(answers, FRAME)).tolist(), abs=1e-6)
    model.fit(AGREE + DISAGREE, ["agree"] * len(AGREE) + ["disagree"] * len(DISAGREE))
    assert model.predict(answers[-2:]) == ["agree", "disagree"]
    # a frame without sides leaves the classifier as it was: embedding and cue only
    plain = StanceClassifier(embedder=embedder, frame=[(n, d, "") for n, d, _s in FRAME])
    assert plain.frame is None
    assert plain._features(AGREE)[0].shape[1] == model._features(AGREE)[0].shape[1] - 1


def test_the_cross_check_says_how_many_of_the_officers_labels_it_gets_right(embedder):
    model = StanceClassifier(embedder=embedder)
    texts = AGREE + DISAGREE + [""]
    labels = ["agree"] * len(AGREE) + ["disagree"] * len(DISAGREE) + ["agree"]
    right, checked = model.cross_check(texts, labels)
    assert checked == 12  # the empty answer is not checked
    assert right >= 10
    # Labels that have nothing to do with the words cannot be learnt, and the check shows it.
    unrelated = ["agree", "disagree"] * 6 + ["agree"]
    assert model.cross_check(texts, unrelated)[0] <= 8
    assert model.cross_check(["Yes"], ["agree"]) == (0, 0)


def test_with_no_labels_a_code_frame_with_sides_gives_the_stance_on_its_own(embedder):
    texts = [
        "Children will be safer cycling to school",
        "They will take away the parking spaces outside our shops",
        "The weather was lovely at the weekend",
        "",
    ]
    assert stance_from_frame(texts, FRAME, embedder=embedder) == [
        "agree",
        "disagree",
        "unclear",  # matches no theme well
        "unclear",  # no words
    ]
    with pytest.raises(ValueError, match="one theme for and one against"):
        stance_from_frame(texts, [t for t in FRAME if t[2] != "against"], embedder=embedder)


def test_the_answers_not_labelled_join_the_examples_with_the_side_the_code_frame_gives_them(
    embedder, monkeypatch
):
    answers = [
        *AGREE,
        *DISAGREE,
        "Children will be safer cycling to school",
        "Safer roads for kids on bikes",
        "They will take away the parking spaces outside our shops",
        "Where will I park my car now?",
        "A waste of council money, fix the potholes first",
        "The weather was lovely at the weekend",  # fits no theme: left out
        "",
    ]
    labelled = AGREE[:3] + DISAGREE[:3]
    model = StanceClassifier(embedder=embedder, frame=FRAME, answers=answers)
    features, stances = model._frame_examples(labelled)
    expected = stance_from_frame(answers, FRAME, embedder=embedder, answers=answers)
    weak = [
        (text, stance)
        for text, stance in zip(answers, expected, strict=True)
        if text not in labelled and stance != "unclear"
    ]
    assert stances.tolist() == [stance for _text, stance in weak]
    assert features.shape == (len(weak), model._features(answers[:1])[0].shape[1])
    assert "The weather was lovely at the weekend" not in [text for text, _s in weak]
    assert not set(labelled) & {text for text, _s in weak}  # the officer's labels win
    # With six labels and the frame's guesses, the answers about the frame's themes go its way.
    model.fit(labelled, ["agree"] * 3 + ["disagree"] * 3)
    assert model.predict(answers[12:17]) == ["agree", "agree", "disagree", "disagree", "disagree"]
    # A large consultation uses a fixed sample of the weak examples, the same every time.
    monkeypatch.setattr("cohesion.text.stance.MAX_WEAK", 3)
    sample, again = model._frame_examples(labelled), model._frame_examples(labelled)
    assert len(sample[1]) == 3 and sample[1].tolist() == again[1].tolist()
    assert np.array_equal(sample[0], again[0])  # the same answers, not only the same stances
    monkeypatch.undo()
    # Without the question's answers, or without sides, there are no weak examples.
    assert len(StanceClassifier(embedder=embedder, frame=FRAME)._frame_examples(labelled)[1]) == 0
    plain = StanceClassifier(embedder=embedder, answers=answers)
    assert len(plain._frame_examples(labelled)[1]) == 0
    # The cross-check leaves every labelled answer out of the weak examples (asked once, with
    # all of them, not once per fold), so the frame's guess for an answer it checks is not used.
    asked = []
    frame_examples = model._frame_examples
    model._frame_examples = lambda given: asked.append(list(given)) or frame_examples(given)
    right, checked = model.cross_check(labelled, ["agree"] * 3 + ["disagree"] * 3)
    assert asked == [labelled]
    assert checked == 6 and right >= 5
