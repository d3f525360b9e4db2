"""The consultations part of the permission table (see tests/url_roles.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from cohesion.core.models import Role
from tests.url_roles import API_READ, EVERYONE, REPORTS, ROLES, STAFF, STAFF_POST_ONLY

POST_ONLY_FOR_ALL = dict.fromkeys(ROLES, 405)
BACK_TO_START = dict.fromkeys(ROLES, 302)  # without answers in progress: back to the first page

EXPECTED: dict[str, dict[str, int]] = {
    "consultations_public:index": EVERYONE,
    "consultations_public:detail": EVERYONE,
    "consultations_public:document": EVERYONE,
    "consultations_public:start": POST_ONLY_FOR_ALL,
    "consultations_public:question": BACK_TO_START,
    "consultations_public:check": BACK_TO_START,
    "consultations_public:saved": BACK_TO_START,
    "consultations_public:resume": EVERYONE,
    "consultations_public:sent": BACK_TO_START,
    "consultations_public:results": EVERYONE,
    "consultations_public:results_csv": EVERYONE,
    "consultations_public:results_json": EVERYONE,
    # Officers build, collect and analyse; answers can hold personal data, so only they see them.
    "consultations_staff:list": STAFF,
    "consultations_staff:create": STAFF,
    "consultations_staff:detail": STAFF,
    "consultations_staff:edit": STAFF,
    "consultations_staff:question_add": STAFF,
    "consultations_staff:question_edit": STAFF,
    "consultations_staff:question_delete": STAFF_POST_ONLY,
    "consultations_staff:about_you": STAFF,
    "consultations_staff:documents": STAFF,
    "consultations_staff:document_delete": STAFF_POST_ONLY,
    "consultations_staff:preview": STAFF,
    "consultations_staff:publish": STAFF_POST_ONLY,
    "consultations_staff:responses": STAFF,
    "consultations_staff:response_detail": STAFF,
    "consultations_staff:response_paper": STAFF,
    "consultations_staff:import_new": STAFF,
    "consultations_staff:import_detail": STAFF,
    "consultations_staff:census": STAFF,
    "consultations_staff:analysis": STAFF,
    "consultations_staff:themes": STAFF,
    "consultations_staff:stance": STAFF,
    "consultations_staff:personal_details": STAFF,
    "consultations_staff:council_response": STAFF,
    "consultations_staff:results_publish": STAFF_POST_ONLY,
    "consultations_staff:measure_feed": STAFF,
    "consultations_staff:report_start": STAFF_POST_ONLY,
    "consultations_staff:report_download": REPORTS,  # the report for cabinet: councillors read it
    "api:list_consultations": API_READ,
    "api:consultation_results": API_READ,
}


def world_kwargs(strategy_data: dict, users: dict, make_user: Any) -> dict[str, dict[str, Any]]:
    from django.core.files.base import ContentFile

    from cohesion.consultations.models import (
        Answer,
        Consultation,
        Document,
        Question,
        Response,
        ResponseImport,
    )

    today = timezone.localdate()
    c = Consultation.objects.create(
        title="URL table",
        slug="url-table",
        summary="For the URL table.",
        opens_on=today - timedelta(days=30),
        closes_on=today + timedelta(days=30),
        published_at=timezone.now(),
        results_published_at=timezone.now(),
        what_changed="We did things.",
        results_pdf=b"%PDF-1.4",
    )
    closed = Question.objects.create(
        consultation=c, kind="single", text="Yes or no?", options=["Yes", "No"], order=1
    )
    text = Question.objects.create(consultation=c, kind="text", text="Why?", order=2)
    response = Response.objects.create(
        consultation=c, reference="URLTABLE", submitted_at=timezone.now()
    )
    Answer.objects.create(response=response, question=closed, choices=["Yes"])
    Answer.objects.create(response=response, question=text, text="Because.")
    document = Document(consultation=c, title="Plan", content_type="application/pdf", size=8)
    document.file.save("plan.pdf", ContentFile(b"%PDF-1.4"), save=True)
    record = ResponseImport.objects.create(
        consultation=c, uploaded_by=users[Role.OFFICER], filename="x.csv"
    )
    on = {"slug": c.slug}
    kwargs: dict[str, dict[str, Any]] = {}
    for name, value in EXPECTED.items():
        del value
        kwargs[name] = dict(on)
    del kwargs["consultations_staff:list"], kwargs["consultations_staff:create"]
    del kwargs["consultations_public:index"], kwargs["api:list_consultations"]
    kwargs["consultations_public:document"] = {**on, "pk": document.pk}
    kwargs["consultations_public:question"] = {**on, "number": 1}
    for name in ["question_edit", "question_delete"]:
        kwargs[f"consultations_staff:{name}"] = {**on, "pk": closed.pk}
    for name in ["themes", "stance"]:
        kwargs[f"consultations_staff:{name}"] = {**on, "pk": text.pk}
    kwargs["consultations_staff:document_delete"] = {**on, "pk": document.pk}
    kwargs["consultations_staff:response_detail"] = {**on, "pk": response.pk}
    kwargs["consultations_staff:import_detail"] = {**on, "pk": record.pk}
    return kwargs
