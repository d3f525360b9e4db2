"""The consultation pages make the same number of queries with 10 answers as with 40.

A query per response, answer or theme would show up here long before it shows as a slow page
with the 1,300 answers of a real consultation.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohesion.consultations.models import Answer, Consultation, Theme
from tests.consultations.conftest import enter, make_consultation

pytestmark = pytest.mark.django_db

CHOICES = ["Very well", "Fairly well", "Not very well", "Not at all"]


def _consultation(size: int, slug: str) -> Consultation:
    consultation = make_consultation(slug=slug)
    for i in range(size):
        enter(
            consultation,
            ref=f"{slug}-{i}",
            answers={
                1: "Agree" if i % 3 else "Disagree",
                2: CHOICES[i % 4],
                3: ["More events", "Safer streets"][: 1 + i % 2],
                4: f"The parks need looking after, number {i}",
                5: "Ward A" if i % 2 else "Ward B",
            },
        )
    question = consultation.questions.get(order=4)
    answers = list(Answer.objects.filter(question=question).order_by("pk"))
    for order in range(3):
        theme = Theme.objects.create(question=question, label=f"Theme {order}", order=order)
        members = answers[order::3]
        theme.answers.set(members)
        theme.representatives = [a.pk for a in members[:2]]
        theme.save()
    Answer.objects.filter(question=question).update(stance="agree")
    consultation.what_changed = "We did."
    consultation.pii_confirmed_at = timezone.now()
    consultation.results_published_at = timezone.now()
    consultation.save()
    return consultation


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_pages_do_not_make_a_query_per_answer(officer_client: Client, strategy_data: dict) -> None:
    small, big = _consultation(10, "small"), _consultation(40, "big")
    public = Client()
    counts: dict[str, tuple[int, int]] = {}
    for name, client, route, extra in [
        ("public results", public, "consultations_public:results", {}),
        ("results csv", public, "consultations_public:results_csv", {}),
        ("results json", public, "consultations_public:results_json", {}),
        ("analysis", officer_client, "consultations_staff:analysis", {}),
        ("responses", officer_client, "consultations_staff:responses", {}),
        ("themes", officer_client, "consultations_staff:themes", {"order": 4}),
    ]:
        sizes = []
        for consultation in (small, big):
            kwargs: dict = {"slug": consultation.slug}
            if "order" in extra:
                kwargs["pk"] = consultation.questions.get(order=extra["order"]).pk
            sizes.append(_count(client, reverse(route, kwargs=kwargs)))
        counts[name] = (sizes[0], sizes[1])
    grew = {name: c for name, c in counts.items() if c[0] != c[1]}
    assert not grew, f"queries grew with the number of answers (10 vs 40): {grew}"
