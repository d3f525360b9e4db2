"""Theme analysis as a background task, then the officer's edits: counts follow every change."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cohesion.consultations.demo import free_text_answers
from cohesion.consultations.models import Answer, Consultation, Question, Theme, ThemeAnalysis
from cohesion.core.models import Job
from tests.consultations.conftest import enter


@pytest.fixture
def answered(consultation: Consultation) -> Consultation:
    for i, item in enumerate(free_text_answers(60, seed=3)):
        enter(
            consultation,
            ref=f"T{i}",
            answers={1: "Agree" if item.agrees else "Disagree", 4: item.text},
        )
    enter(consultation, ref="T-empty", answers={1: "Agree", 4: "🙂🙂"})
    return consultation


def _counts(question_id: int) -> dict[str, int]:
    return {t.label: t.answers.count() for t in Theme.objects.filter(question_id=question_id)}


def test_theme_analysis_runs_as_a_task_and_the_officer_edits_the_themes(
    officer_client: Client, answered: Consultation, django_capture_on_commit_callbacks: Any
) -> None:
    question = answered.questions.get(order=4)
    url = reverse("consultations_staff:themes", kwargs={"slug": answered.slug, "pk": question.pk})
    with django_capture_on_commit_callbacks(execute=True):
        started = officer_client.post(url, {"action": "start"})
    assert started.status_code == 302 and "?job=" in started["Location"]
    job = Job.objects.get(kind="consultation_themes")
    assert job.status == Job.Status.DONE and "themes in 61 answers" in job.message
    themes = list(Theme.objects.filter(question=question))
    assert 3 <= len(themes) <= 12
    themed = Answer.objects.filter(question=question, themes__isnull=False).distinct().count()
    assert themed == 60  # the emoji-only answer is in no theme
    # Stance comes from each person's answer to the linked agree/disagree question.
    one = Answer.objects.filter(question=question).exclude(text="🙂🙂").first()
    assert one is not None
    linked = Answer.objects.get(response=one.response, question__order=1).choices[0]
    assert one.stance == ("agree" if linked == "Agree" else "disagree")
    page = officer_client.get(url).content.decode()
    assert "Agreed" in page and themes[0].label in page

    first, second = sorted(themes, key=lambda t: t.pk)[:2]
    n1, n2 = first.answers.count(), second.answers.count()
    officer_client.post(url, {"action": "rename", "theme": first.pk, "label": "Green spaces"})
    first.refresh_from_db()
    assert first.label == "Green spaces"
    officer_client.post(url, {"action": "merge", "merge": [first.pk, second.pk]})
    assert not Theme.objects.filter(pk=second.pk).exists()
    assert Theme.objects.get(pk=first.pk).answers.count() == n1 + n2
    assert Theme.objects.get(pk=first.pk).label == "Green spaces"

    other = Theme.objects.filter(question=question).exclude(pk=first.pk).first()
    assert other is not None
    moving = first.answers.first()
    before_other = other.answers.count()
    officer_client.post(
        url, {"action": "move", "answer": moving.pk, "from": first.pk, "to": other.pk}
    )
    assert Theme.objects.get(pk=first.pk).answers.count() == n1 + n2 - 1
    assert other.answers.count() == before_other + 1
    officer_client.post(url, {"action": "split", "theme": first.pk, "parts": "2"})
    parts = Theme.objects.filter(question=question, label__startswith="")
    assert sum(t.answers.count() for t in parts) == sum(_counts(question.pk).values())
    assert Answer.objects.filter(question=question, themes__isnull=False).distinct().count() == 60

    # A garbled or tampered number finds nothing (404), rather than failing; nothing changes.
    before = _counts(question.pk)
    for sent in (
        {"action": "rename", "theme": "²", "label": "Changed"},
        {"action": "split", "theme": "abc", "parts": "2"},
        {"action": "move", "answer": "-1", "from": "x", "to": other.pk},
        {"action": "split", "theme": first.pk, "parts": "²"},
    ):
        status = officer_client.post(url, sent).status_code
        assert status == (302 if sent.get("parts") == "²" else 404), sent
    assert not Theme.objects.filter(question=question, label="Changed").exists()
    assert sum(_counts(question.pk).values()) == sum(before.values())


def test_a_code_frame_maps_answers_to_the_officers_themes(
    officer_client: Client, answered: Consultation, django_capture_on_commit_callbacks: Any
) -> None:
    question = answered.questions.get(order=4)
    url = reverse("consultations_staff:themes", kwargs={"slug": answered.slug, "pk": question.pk})
    frame = "Parks: parks, trees and green spaces\nBuses: buses, fares and transport\nSafety: feeling safe, crime, street lights\nYouth: youth clubs and activities for young people"
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(url, {"action": "frame", "frame": frame})
    counts = _counts(question.pk)
    assert set(counts) == {"Parks", "Buses", "Safety", "Youth"}
    assert all(v > 0 for v in counts.values())
    bus = Answer.objects.filter(question=question, text__icontains="bus fares").first()
    if bus is not None:
        assert "Buses" in {t.label for t in bus.themes.all()}
    # Each theme's quotes are the answers that fit it best, so they are about that theme.
    theme_of = {item.text: item.theme for item in free_text_answers(60, seed=3)}
    wrote_about = {
        "Parks": "Parks and green spaces",
        "Buses": "Buses and getting about",
        "Safety": "Feeling safe",
        "Youth": "Youth services and activities",
    }
    for theme in Theme.objects.filter(question=question):
        assert theme.representatives
        assert set(theme.representatives) <= set(theme.answers.values_list("pk", flat=True))
        quotes = Answer.objects.filter(pk__in=theme.representatives)
        assert {theme_of[a.text] for a in quotes} == {wrote_about[theme.label]}
    bad = officer_client.post(url, {"action": "frame", "frame": "Only one"}, follow=True)
    assert "Give at least 2 themes" in bad.content.decode()


def test_a_code_frame_can_say_which_themes_are_for_and_against_and_stance_uses_it(
    officer_client: Client,
    consultation: Consultation,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    question, stance_url = _stance_page(consultation)
    texts = [
        ("Children will be safer on the roads, I back it", "agree"),
        ("Cleaner air and more exercise, yes please", "agree"),
        ("Safer cycling for everyone, good plan", "agree"),
        ("We will lose parking outside the shops", "disagree"),
        ("A waste of money, fix the potholes first", "disagree"),
        ("No parking left for residents, I oppose it", "disagree"),
        ("Our children could cycle to school safely", ""),
        ("Residents will have nowhere to park their cars", ""),
    ]
    for i, (text, _) in enumerate(texts):
        enter(consultation, ref=f"F{i}", answers={1: "Agree", 4: text})
    url = reverse(
        "consultations_staff:themes", kwargs={"slug": consultation.slug, "pk": question.pk}
    )
    frame = (
        "Safety (for): safer roads for children\nHealth (For): cleaner air, exercise\n"
        "Parking (against): the plan takes away parking\nCost (against): a waste of money\n"
        "Buses: bus stops and routes"
    )
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(url, {"action": "frame", "frame": frame})
    question.refresh_from_db()
    assert [item[2] for item in question.code_frame] == ["for", "for", "against", "against", ""]
    # Before any labels, the frame's sides give each answer's stance on its own.
    assert Answer.objects.get(text=texts[0][0]).stance == "agree"
    assert Answer.objects.get(text=texts[3][0]).stance == "disagree"
    assert set(_counts(question.pk)) == {"Safety", "Health", "Parking", "Cost", "Buses"}
    page = officer_client.get(url).content.decode()
    assert "Parking (against): the plan takes away parking" in page  # shown as typed
    assert "from the (for) and (against) themes of your code frame and" in page

    stance_page = officer_client.get(stance_url).content.decode()
    assert "2 themes marked (for) and 2 marked (against)" in stance_page

    from cohesion.text import stance

    frames: list[Any] = []
    real = stance.StanceClassifier.__init__

    def spy(self: Any, **kwargs: Any) -> None:
        frames.append(kwargs.get("frame"))
        real(self, **kwargs)

    monkeypatch.setattr(stance.StanceClassifier, "__init__", spy)
    answers = {a.text: a for a in Answer.objects.filter(question=question)}
    officer_client.post(
        stance_url, {f"stance-{answers[t].pk}": label for t, label in texts if label}
    )
    assert frames and frames[-1][2] == ("Parking", "the plan takes away parking", "against")
    assert Answer.objects.get(text=texts[-2][0]).stance == "agree"
    assert Answer.objects.get(text=texts[-1][0]).stance == "disagree"


def _stance_page(consultation: Consultation) -> tuple[Question, str]:
    """The free-text question with no linked agree/disagree question, and its stance page."""
    question = consultation.questions.get(order=4)
    question.stance_question = None
    question.save()
    url = reverse(
        "consultations_staff:stance", kwargs={"slug": consultation.slug, "pk": question.pk}
    )
    return question, url


def test_stance_from_examples_the_officer_labels(
    officer_client: Client, consultation: Consultation
) -> None:
    question, url = _stance_page(consultation)
    empty = officer_client.get(url).content.decode()
    assert "No one has answered this question in words yet" in empty
    assert "Every answer has a label" not in empty and "Save labels" not in empty
    texts = [
        ("I fully support this plan, great idea", "agree"),
        ("Yes, I agree with all of it", "agree"),
        ("This is a good plan and I back it", "agree"),
        ("I strongly disagree, it is a waste of money", "disagree"),
        ("No, this plan is wrong", "disagree"),
        ("I am against this proposal completely", "disagree"),
    ]
    for i, (text, _) in enumerate(
        [*texts, ("I really like this idea, well done", ""), ("Terrible idea, I oppose it", "")]
    ):
        enter(consultation, ref=f"S{i}", answers={1: "Agree", 4: text})
    page = officer_client.get(url).content.decode()
    assert "Did they agree or disagree?" in page
    answers = {a.text: a for a in Answer.objects.filter(question=question)}
    officer_client.post(url, {f"stance-{answers[t].pk}": label for t, label in texts})
    assert Answer.objects.get(text="I really like this idea, well done").stance == "agree"
    assert Answer.objects.get(text="Terrible idea, I oppose it").stance == "disagree"
    page = officer_client.get(url).content.decode()
    assert "We tested the platform on your own labels" in page
    assert "of 6 right" in page


def test_the_stance_page_says_no_labels_are_needed_when_a_question_is_linked(
    officer_client: Client, answered: Consultation
) -> None:
    question = answered.questions.get(order=4)
    assert question.stance_question is not None
    url = reverse("consultations_staff:stance", kwargs={"slug": answered.slug, "pk": question.pk})
    page = officer_client.get(url).content.decode()
    assert f"come from each person’s answer to “{question.stance_question.text}”" in page
    assert "You do not need to label any answers" in page
    assert 'value="agree"' not in page and "Label these answers next" not in page


def test_a_failed_theme_run_keeps_the_themes_there_were(
    officer_client: Client,
    consultation: Consultation,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    question = consultation.questions.get(order=4)
    enter(consultation, ref="F1", answers={1: "Agree", 4: "More parks"})
    kept = Theme.objects.create(question=question, label="Parks")
    kept.answers.set(Answer.objects.filter(question=question))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("out of memory")

    monkeypatch.setattr("cohesion.text.themes.find_themes", broken)
    url = reverse(
        "consultations_staff:themes", kwargs={"slug": consultation.slug, "pk": question.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):  # the task backend logs the error
        officer_client.post(url, {"action": "start"})
    job = Job.objects.get(kind="consultation_themes")
    assert job.status == Job.Status.FAILED and "The themes you had before are kept" in job.message
    assert list(Theme.objects.filter(question=question)) == [kept] and kept.answers.count() == 1
    page = officer_client.get(f"{url}?job={job.pk}").content.decode()
    assert "The themes you had before are kept" in page


def test_when_no_themes_can_be_found_the_page_says_why(
    officer_client: Client, consultation: Consultation, django_capture_on_commit_callbacks: Any
) -> None:
    question = consultation.questions.get(order=4)
    enter(consultation, ref="E1", answers={1: "Agree", 4: "🙂🙂"})
    enter(consultation, ref="E2", answers={1: "Disagree", 4: "!!!"})
    url = reverse(
        "consultations_staff:themes", kwargs={"slug": consultation.slug, "pk": question.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(url, {"action": "start"})
    assert not Theme.objects.filter(question=question).exists()
    page = officer_client.get(url).content.decode()
    assert "No usable answers (all empty or without letters or digits)." in page


def test_answers_that_may_not_be_in_english_are_listed_for_the_officer(
    officer_client: Client, consultation: Consultation
) -> None:
    question = consultation.questions.get(order=4)
    enter(consultation, ref="L1", answers={1: "Agree", 4: "We need more things for young people"})
    polish = "Potrzebujemy więcej miejsc dla młodzieży w naszej dzielnicy"
    enter(consultation, ref="L2", answers={1: "Agree", 4: polish})
    enter(consultation, ref="L3", answers={1: "Agree", 4: "More parks"})
    # A list of English nouns has none of the common English words, but the language guess
    # knows it is English: it is not listed.
    nouns = "Cheaper buses, cleaner streets, safer parks, brighter lights, friendlier neighbours"
    enter(consultation, ref="L4", answers={1: "Agree", 4: nouns})
    url = reverse(
        "consultations_staff:themes", kwargs={"slug": consultation.slug, "pk": question.pk}
    )
    page = officer_client.get(url).content.decode()
    assert "1 answer may not be in English" in page
    assert (
        f'“<span dir="auto" lang="pl">{polish}</span>”' in page
        and "(Polish, the computer’s guess)" in page
    )
    assert "Read them yourself" in page


def test_the_stance_page_suggests_which_answers_to_label(
    officer_client: Client, consultation: Consultation
) -> None:
    question, url = _stance_page(consultation)
    for i in range(30):
        side = ["I support the plan", "I oppose the plan", "The buses are late"][i % 3]
        enter(consultation, ref=f"T{i}", answers={1: "Agree", 4: f"{side}, reason {i}"})
    ThemeAnalysis.objects.create(question=question, mode="auto")
    page = officer_client.get(url).content.decode()
    assert "Label these answers next" in page
    assert page.count('value="agree"') == 20  # the first batch: a spread of 20 answers
    answers = list(Answer.objects.filter(question=question).order_by("pk"))
    labels = {
        f"stance-{a.pk}": "agree" if "support" in a.text else "disagree" for a in answers[:12]
    }
    officer_client.post(url, labels)
    page = officer_client.get(url).content.decode()
    assert "Answers you have labelled" in page
    # the next batch: 10 answers not labelled yet, then the 12 labelled ones to check
    assert page.count('value="agree"') == 10 + 12
    assert page.count('value="agree" checked') == 4
