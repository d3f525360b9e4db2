"""An officer builds a consultation through the real forms, previews it and publishes it."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohesion.consultations.models import Consultation, Question
from cohesion.core.models import AuditEvent


def test_an_officer_builds_previews_and_publishes_a_consultation(
    officer_client: Client, strategy_data: dict
) -> None:
    today = timezone.localdate()
    response = officer_client.post(
        reverse("consultations_staff:create"),
        {
            "title": "Our cohesion strategy",
            "slug": "cohesion-strategy",
            "summary": "Tell us what you think.",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    c = Consultation.objects.get(slug="cohesion-strategy")
    detail = reverse("consultations_staff:detail", kwargs={"slug": c.slug})
    # Publishing with no questions is refused with the reason.
    officer_client.post(reverse("consultations_staff:publish", kwargs={"slug": c.slug}))
    c.refresh_from_db()
    assert c.published_at is None
    assert "Add at least one question" in officer_client.get(detail).content.decode()

    add = reverse("consultations_staff:question_add", kwargs={"slug": c.slug})
    assert (
        officer_client.post(
            add, {"text": "Do you agree?", "kind": "scale", "required": "on"}
        ).status_code
        == 302
    )
    bad = officer_client.post(
        add, {"text": "Pick one", "kind": "single", "options_text": "Only one"}
    )
    assert "Give at least 2 answers" in bad.content.decode()
    assert (
        officer_client.post(
            add,
            {
                "text": "What would help?",
                "kind": "multiple",
                "options_text": "Parks\nEvents\nBuses",
            },
        ).status_code
        == 302
    )
    scale = Question.objects.get(consultation=c, kind="scale")
    assert scale.options[0] == "Strongly agree" and len(scale.options) == 5
    assert (
        officer_client.post(
            add, {"text": "Why?", "kind": "text", "stance_question": scale.pk}
        ).status_code
        == 302
    )
    assert Question.objects.get(consultation=c, kind="text").stance_question == scale
    about = officer_client.post(
        reverse("consultations_staff:about_you", kwargs={"slug": c.slug}),
        {"keys": ["ward", "age_band", "faith"]},
    )
    assert about.status_code == 302
    ward_q = c.questions.get(about="ward")
    assert ward_q.options == ["Ward A", "Ward B", "Ward C", "Ward D", "Prefer not to say"]

    docs = reverse("consultations_staff:documents", kwargs={"slug": c.slug})
    ok = officer_client.post(
        docs,
        {
            "title": "The draft strategy",
            "file": SimpleUploadedFile(
                "draft.pdf", b"%PDF-1.4 hello", content_type="application/pdf"
            ),
        },
    )
    assert ok.status_code == 302 and c.documents.count() == 1
    wrong_type = officer_client.post(
        docs,
        {
            "title": "Script",
            "file": SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream"),
        },
    )
    assert "must be a PDF" in wrong_type.content.decode()
    fake = officer_client.post(
        docs,
        {
            "title": "Fake",
            "file": SimpleUploadedFile("fake.pdf", b"<html>", content_type="application/pdf"),
        },
    )
    assert "not really a PDF file" in fake.content.decode()
    assert c.documents.count() == 1

    preview = officer_client.get(
        reverse("consultations_staff:preview", kwargs={"slug": c.slug})
    ).content.decode()
    assert (
        "Do you agree?" in preview
        and "Strongly agree" in preview
        and "Which ward do you live in?" in preview
    )

    officer_client.post(reverse("consultations_staff:publish", kwargs={"slug": c.slug}))
    c.refresh_from_db()
    assert c.published_at is not None
    public = (
        Client()
        .get(reverse("consultations_public:detail", kwargs={"slug": c.slug}))
        .content.decode()
    )
    assert "Start now" in public and "The draft strategy" in public
    events = AuditEvent.objects.filter(object_type__startswith="consultations.")
    assert events.filter(action="create", object_type="consultations.question").count() == 6
    assert events.filter(action="update", object_type="consultations.consultation").exists()


def test_a_draft_consultation_is_not_public(strategy_data: dict, officer_client: Client) -> None:
    today = timezone.localdate()
    Consultation.objects.create(
        title="Draft", slug="draft", summary="S", opens_on=today, closes_on=today
    )
    assert (
        Client().get(reverse("consultations_public:detail", kwargs={"slug": "draft"})).status_code
        == 404
    )


def test_the_closing_date_must_not_be_before_the_opening_date(
    officer_client: Client, strategy_data: dict
) -> None:
    today = timezone.localdate()
    response = officer_client.post(
        reverse("consultations_staff:create"),
        {
            "title": "T",
            "slug": "t",
            "summary": "S",
            "opens_on": today.isoformat(),
            "closes_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert "The closing date must be on or after the opening date" in response.content.decode()
