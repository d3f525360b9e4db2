from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cohesion.consultations import services
from cohesion.consultations.models import Consultation, Question, Response


@pytest.fixture(autouse=True)
def _embedding_cache(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.COHESION_EMBEDDINGS_DIR = Path(tmp_path_factory.getbasetemp()) / "embeddings"


def make_consultation(
    *, wards: list | None = None, slug: str = "have-your-say", open_: bool = True
) -> Consultation:
    today = timezone.localdate()
    consultation = Consultation.objects.create(
        title="Have your say on belonging",
        slug=slug,
        summary="We want to know how you feel about your area.",
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=10) if open_ else today - timedelta(days=1),
    )
    Question.objects.create(
        consultation=consultation,
        order=1,
        kind="scale",
        required=True,
        text="Do you agree with the plan?",
        options=services.SCALE_OPTIONS,
    )
    Question.objects.create(
        consultation=consultation,
        order=2,
        kind="single",
        text="How well do local services understand your community?",
        options=["Very well", "Fairly well", "Not very well", "Not at all"],
    )
    Question.objects.create(
        consultation=consultation,
        order=3,
        kind="multiple",
        text="What would help?",
        options=["More events", "Better parks", "Safer streets"],
    )
    plan = consultation.questions.get(order=1)
    Question.objects.create(
        consultation=consultation,
        order=4,
        kind="text",
        text="Why do you say that?",
        stance_question=plan,
    )
    services.about_you_add(consultation=consultation, keys=["ward", "age_band"], actor=None)
    consultation.published_at = timezone.now()
    consultation.save()
    return consultation


def enter(
    consultation: Consultation, *, ref: str, answers: dict[int, Any], channel: str = "paper"
) -> Response:
    """answers: question order -> list of choices or text."""
    by_order = {q.order: q for q in consultation.questions.all()}
    data = {}
    for order, value in answers.items():
        q = by_order[order]
        data[q.pk] = (
            ([], value) if q.kind == "text" else (value if isinstance(value, list) else [value], "")
        )
    return services.response_enter(
        consultation=consultation, answers=data, channel=channel, source_reference=ref, actor=None
    )


@pytest.fixture
def consultation(strategy_data: dict) -> Consultation:
    return make_consultation()
