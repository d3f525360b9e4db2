"""Residents answer online: one question per page, save and come back, check and send."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohesion.consultations.models import Answer, Consultation, Response


def _url(name: str, c: Consultation, **kw: object) -> str:
    return reverse(f"consultations_public:{name}", kwargs={"slug": c.slug, **kw})


def test_a_resident_answers_saves_comes_back_and_sends(consultation: Consultation) -> None:
    resident = Client()
    start = resident.post(_url("start", consultation))
    assert start["Location"] == _url("question", consultation, number=1)
    page = resident.get(start["Location"]).content.decode()
    assert "Question 1 of 6" in page and "<h1" in page and "Do you agree with the plan?" in page
    # A required question left empty: the error summary, nothing moves on.
    empty = resident.post(start["Location"], {"action": "continue"})
    assert (
        "There is a problem" in empty.content.decode()
        and "Choose an answer" in empty.content.decode()
    )
    to_2 = resident.post(start["Location"], {"action": "continue", "answer": "Agree"})
    assert to_2["Location"] == _url("question", consultation, number=2)
    saved = resident.post(to_2["Location"], {"action": "save", "answer": "Not very well"})
    assert saved["Location"] == _url("saved", consultation)
    code_page = resident.get(saved["Location"]).content.decode()
    assert "Your answers are saved" in code_page
    code = code_page.split('<strong class="app-code">')[1].split("</strong>")[0]
    # The code is shown once only.
    assert resident.get(_url("saved", consultation)).status_code == 302

    later = Client()  # another day, another browser
    wrong = later.post(_url("resume", consultation), {"code": "AAAA-BBBB-CCCC"})
    assert "We cannot find answers saved with this code" in wrong.content.decode()
    back = later.post(_url("resume", consultation), {"code": code.lower()})
    assert back["Location"] == _url("check", consultation)
    check = later.get(back["Location"]).content.decode()
    assert "Agree" in check and "Not very well" in check and "Not answered" in check
    later.post(
        _url("question", consultation, number=3) + "?change=1",
        {"action": "continue", "answer": ["More events", "Safer streets"]},
    )
    later.post(
        _url("question", consultation, number=4),
        {"action": "continue", "answer": "Je pense que oui 🙂 ça ira"},
    )
    sent = later.post(_url("check", consultation))
    assert sent["Location"] == _url("sent", consultation)
    assert "Thank you: your answers have been sent" in later.get(sent["Location"]).content.decode()
    response = Response.objects.get(consultation=consultation)
    assert response.submitted_at is not None and response.resume_code_hash == ""
    answers = {a.question.order: a for a in response.answers.select_related("question")}
    assert answers[3].choices == ["More events", "Safer streets"]
    assert answers[4].text == "Je pense que oui 🙂 ça ira"
    # Sending twice (back button, double click) is refused and not counted twice.
    again = later.post(_url("check", consultation), follow=True)
    assert "already sent" in again.content.decode()
    assert (
        Response.objects.filter(consultation=consultation, submitted_at__isnull=False).count() == 1
    )
    # The code no longer works once the answers are sent.
    assert (
        "We cannot find"
        in Client().post(_url("resume", consultation), {"code": code}).content.decode()
    )


def test_a_very_long_answer_gets_a_message_and_the_text_is_kept(consultation: Consultation) -> None:
    resident = Client()
    resident.post(_url("start", consultation))
    long_text = "word " * 10_000  # 50,000 characters
    page = resident.post(
        _url("question", consultation, number=4), {"action": "continue", "answer": long_text}
    )
    body = page.content.decode()
    assert "Your answer is too long" in body and "10,000 characters or fewer" in body
    assert long_text.strip()[:2000] in body  # what they wrote is still in the box
    assert not Answer.objects.filter(question__order=4).exists()


def test_a_choice_that_is_not_offered_is_refused(consultation: Consultation) -> None:
    resident = Client()
    resident.post(_url("start", consultation))
    page = resident.post(
        _url("question", consultation, number=1), {"action": "continue", "answer": "Maybe"}
    )
    assert "Choose from the answers shown" in page.content.decode()


def test_closing_while_someone_answers_shows_a_clear_message_and_gives_back_what_was_typed(
    consultation: Consultation,
) -> None:
    resident = Client()
    resident.post(_url("start", consultation))
    resident.post(
        _url("question", consultation, number=1), {"action": "continue", "answer": "Agree"}
    )
    Consultation.objects.filter(pk=consultation.pk).update(
        closes_on=timezone.localdate() - timedelta(days=1)
    )
    page = resident.post(
        _url("question", consultation, number=2), {"action": "continue", "answer": "Very well"}
    )
    assert "this consultation is not taking answers" in page.content.decode().lower()
    assert "closed on" in page.content.decode()
    questions = list(consultation.questions.order_by("order"))
    text_question = next(q for q in questions if q.kind == "text")
    written = resident.post(
        _url("question", consultation, number=questions.index(text_question) + 1),
        {"action": "continue", "answer": "More youth clubs & safer parks\nand buses"},
    ).content.decode()
    assert "This is what you had just written" in written
    assert "More youth clubs &amp; safer parks<br>and buses" in written  # shown back, escaped
    assert not Answer.objects.filter(question=text_question).exists()  # and not saved
    assert "not sent before it closed are not counted" in written
    sent = resident.post(_url("check", consultation))
    assert "closed on" in sent.content.decode()
    response = Response.objects.get(consultation=consultation)
    assert response.submitted_at is None
    assert response.answers.get().choices == ["Agree"]  # kept, not counted


def test_starting_a_closed_consultation_says_so(strategy_data: dict) -> None:
    from tests.consultations.conftest import make_consultation

    closed = make_consultation(slug="closed", open_=False)
    page = Client().post(_url("start", closed))
    assert "closed on" in page.content.decode()
    assert not Response.objects.exists()


def test_pages_without_answers_in_progress_go_back_to_the_start(consultation: Consultation) -> None:
    assert Client().get(_url("question", consultation, number=1))["Location"] == _url(
        "detail", consultation
    )


def test_pressing_start_again_carries_on_with_the_same_answers(consultation: Consultation) -> None:
    resident = Client()
    resident.post(_url("start", consultation))
    resident.post(
        _url("question", consultation, number=1), {"action": "continue", "answer": "Agree"}
    )
    resident.post(_url("start", consultation))
    assert Response.objects.filter(consultation=consultation).count() == 1
    # After sending, starting again is a new response (someone else in the same home, say).
    resident.post(_url("check", consultation))
    resident.post(_url("start", consultation))
    assert Response.objects.filter(consultation=consultation).count() == 2


def test_an_empty_optional_answer_is_skipped_and_a_required_one_is_asked_for(
    consultation: Consultation,
) -> None:
    resident = Client()
    resident.post(_url("start", consultation))
    skipped = resident.post(
        _url("question", consultation, number=4), {"action": "continue", "answer": "   "}
    )
    assert skipped["Location"] == _url("question", consultation, number=5)
    assert not Answer.objects.filter(question__order=4).exists()
    page = resident.post(_url("check", consultation))
    assert "Answer the question “Do you agree with the plan?”" in page.content.decode()
    assert Response.objects.get().submitted_at is None


def test_unsent_answers_are_deleted_30_days_after_closing(consultation: Consultation) -> None:
    from django.core.management import call_command

    resident = Client()
    resident.post(_url("start", consultation))
    resident.post(
        _url("question", consultation, number=4), {"action": "continue", "answer": "My name is Jo"}
    )
    call_command("consultation_drafts_delete")
    assert Response.objects.count() == 1  # still open: kept
    Consultation.objects.filter(pk=consultation.pk).update(
        closes_on=timezone.localdate() - timedelta(days=31)
    )
    call_command("consultation_drafts_delete")
    assert not Response.objects.exists() and not Answer.objects.exists()
