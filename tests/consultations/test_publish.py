"""Personal details out, the council's response in, then "We asked, you said, we did"."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.test import Client
from django.urls import reverse

from cohesion.consultations.models import Answer, Consultation, Theme
from cohesion.core.models import AuditEvent, Role
from cohesion.strategy.models import Observation
from tests.consultations.conftest import enter


def _fill(consultation: Consultation) -> None:
    for i in range(30):
        enter(
            consultation,
            ref=f"P{i}",
            answers={
                1: "Agree" if i < 24 else "Disagree",
                2: "Very well"
                if i < 2
                else "Fairly well"
                if i < 10
                else "Not very well"
                if i < 25
                else "Not at all",
                5: "Ward A",
                4: "The parks need looking after",
            },
        )
    enter(
        consultation,
        ref="PII",
        answers={
            1: "Agree",
            4: "Call me on 07700 900123 or email jo.bloggs@example.com about the park",
        },
    )
    question = consultation.questions.get(order=4)
    theme = Theme.objects.create(question=question, label="Parks", order=0)
    answers = list(Answer.objects.filter(question=question))
    theme.answers.set(answers)
    pii = Answer.objects.get(question=question, text__startswith="Call me")
    theme.representatives = [pii.pk]
    theme.save()
    Answer.objects.filter(question=question).update(stance="agree")
    Answer.objects.filter(question=question, response__source_reference__in=["P25", "P26"]).update(
        stance="disagree"
    )


def test_personal_details_are_confirmed_before_results_are_published(
    officer_client: Client, consultation: Consultation
) -> None:
    _fill(consultation)
    slug = consultation.slug
    publish = reverse("consultations_staff:results_publish", kwargs={"slug": slug})
    council = reverse("consultations_staff:council_response", kwargs={"slug": slug})
    pii_url = reverse("consultations_staff:personal_details", kwargs={"slug": slug})
    officer_client.post(
        council,
        {
            "you_said": "Most people said the parks matter.",
            "what_changed": "We will spend £50,000 on parks.",
        },
    )
    refused = officer_client.post(publish, follow=True).content.decode()
    assert "Check the free-text answers for personal details" in refused
    consultation.refresh_from_db()
    assert consultation.results_published_at is None

    officer_client.post(pii_url, {"action": "screen"})
    pii = Answer.objects.get(text__startswith="Call me")
    assert "07700" not in pii.redacted_text and "jo.bloggs" not in pii.redacted_text
    assert {"phone", "email"} <= set(pii.pii_kinds)
    page = officer_client.get(pii_url).content.decode()
    assert "Call me on 07700 900123" in page  # the officer sees what was written, to check it
    assert AuditEvent.objects.filter(action="view", changes__page="personal details").exists()
    officer_client.post(
        pii_url,
        {
            "action": "edit",
            "answer": pii.pk,
            "redacted_text": "Call me [phone] about the park",
            "quotable": "yes",
        },
    )
    officer_client.post(pii_url, {"action": "confirm"})
    assert officer_client.post(publish).status_code == 302
    consultation.refresh_from_db()
    assert consultation.results_published_at is not None

    public = (
        Client()
        .get(reverse("consultations_public:results", kwargs={"slug": slug}))
        .content.decode()
    )
    assert "We asked, you said, we did" in public and "We will spend £50,000 on parks." in public
    assert "Call me [phone] about the park" in public
    assert "07700" not in public and "jo.bloggs" not in public
    assert "fewer than 5" in public  # 2 said "Very well"; 2 disagreed in the theme
    assert ">2<" not in public


def test_downloads_have_the_same_suppression(
    officer_client: Client, consultation: Consultation
) -> None:
    _fill(consultation)
    consultation.what_changed = "We did."
    from django.utils import timezone

    consultation.pii_confirmed_at = timezone.now()
    consultation.results_published_at = timezone.now()
    consultation.save()
    rows = list(
        csv.reader(
            io.StringIO(
                Client()
                .get(
                    reverse("consultations_public:results_csv", kwargs={"slug": consultation.slug})
                )
                .content.decode()
            )
        )
    )
    by_answer = {(r[0], r[1]): r for r in rows[1:]}
    assert (
        by_answer[("How well do local services understand your community?", "Very well")][2]
        == "fewer than 5"
    )
    assert (
        by_answer[("How well do local services understand your community?", "Very well")][3] == ""
    )  # no % either
    assert (
        by_answer[("How well do local services understand your community?", "Not very well")][2]
        == "15"
    )
    theme_row = by_answer[("Why do you say that?", "Theme: Parks")]
    assert theme_row[2] == "31" and theme_row[10] == "fewer than 5"
    data = json.loads(
        Client()
        .get(reverse("consultations_public:results_json", kwargs={"slug": consultation.slug}))
        .content
    )
    services_q = next(q for q in data["questions"] if q["question"].startswith("How well"))
    very_well = next(a for a in services_q["answers"] if a["answer"] == "Very well")
    assert very_well["count"] is None and very_well["suppressed"] and very_well["percent"] is None
    text_q = next(q for q in data["questions"] if q["kind"] == "text")
    assert text_q["themes"][0]["disagreed"] is None
    assert all("07700" not in q for t in text_q["themes"] for q in t["quotes"])


def test_results_feed_a_strategy_measure_and_make_a_pdf(
    officer_client: Client,
    consultation: Consultation,
    strategy_data: dict,
    django_capture_on_commit_callbacks: Any,
    make_user: Any,
) -> None:
    _fill(consultation)
    question = consultation.questions.get(order=2)
    url = reverse("consultations_staff:measure_feed", kwargs={"slug": consultation.slug})
    bad = officer_client.post(
        url,
        {
            "question": question.pk,
            "options": "Brilliantly",
            "measure": strategy_data["belong"].pk,
            "period": "2026-Q1",
        },
    )
    assert "Choose which answers count" in bad.content.decode()
    ok = officer_client.post(
        url,
        {
            "question": question.pk,
            "options": "Very well; Fairly well",
            "measure": strategy_data["belong"].pk,
            "period": "2026-Q3",
        },
    )
    assert ok.status_code == 302
    observation = Observation.objects.get(measure=strategy_data["belong"], period_label="2026 Q3")
    assert (
        observation.numerator == 10
        and observation.denominator == 30
        and observation.value == round(100 * 10 / 30, 1)
    )
    assert "Have your say on belonging" in observation.note

    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(
            reverse("consultations_staff:report_start", kwargs={"slug": consultation.slug})
        )
    consultation.refresh_from_db()
    assert bytes(consultation.results_pdf).startswith(b"%PDF")
    councillor = Client()
    councillor.force_login(make_user(Role.COUNCILLOR))
    download = councillor.get(
        reverse("consultations_staff:report_download", kwargs={"slug": consultation.slug})
    )
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_partner_systems_read_the_same_suppressed_results_through_the_api(
    consultation: Consultation, make_user: Any
) -> None:
    from django.utils import timezone

    from cohesion.core.tokens import api_token_create

    _fill(consultation)
    consultation.results_published_at = timezone.now()
    consultation.save()
    _, raw = api_token_create(user=make_user(Role.PARTNER), name="Feed")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    listed = client.get("/api/consultations/").json()
    assert listed[0]["slug"] == consultation.slug and listed[0]["results_published"]
    data = client.get(f"/api/consultations/{consultation.slug}/results").json()
    services_q = next(q for q in data["questions"] if q["question"].startswith("How well"))
    assert next(a for a in services_q["answers"] if a["answer"] == "Very well")["count"] is None
    assert Client().get(f"/api/consultations/{consultation.slug}/results").status_code == 401


def test_answers_arriving_after_the_check_must_be_checked_too(
    officer_client: Client, consultation: Consultation
) -> None:
    from cohesion.consultations import services

    _fill(consultation)
    consultation.what_changed = "We did."
    consultation.save()
    services.pii_screen(consultation=consultation, actor=None)
    services.pii_confirm(consultation=consultation, actor=None)
    enter(consultation, ref="LATE", answers={1: "Agree", 4: "My number is 07700 900999"})
    page = officer_client.post(
        reverse("consultations_staff:results_publish", kwargs={"slug": consultation.slug}),
        follow=True,
    )
    assert "New answers have come in since the redactions were confirmed" in page.content.decode()
    consultation.refresh_from_db()
    assert consultation.results_published_at is None
