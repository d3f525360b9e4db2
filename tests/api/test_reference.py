"""The API's reference page: made from the OpenAPI description, complete, and its examples work."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import pytest
from django.test import Client

from cohesion.api.api import api
from cohesion.api.reference import TAG_TITLES, describe, paragraphs, type_name
from cohesion.core.models import Role
from cohesion.core.tokens import api_token_create
from tests.factories import WardFactory

SMALL = {
    "info": {"title": "Test API", "version": "2", "description": "Send `things`.\n\nSecond part."},
    "paths": {
        "/api/things": {
            "post": {
                "summary": "Send a thing",
                "tags": ["zebras"],
                "description": "Sends it.",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingIn"}}}},
                "responses": {
                    201: {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingOut"}}}},
                    409: {"description": "Conflict"},
                },
            },
            "get": {
                "summary": "List things",
                "tags": ["rumours"],
                "parameters": [{"name": "since", "in": "query", "required": False, "schema": {"type": "string", "format": "date"}}],
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/ThingOut"}}}}}},
            },
        }
    },
    "components": {
        "schemas": {
            "ThingIn": {
                "properties": {
                    "name": {"type": "string", "description": "Its name", "examples": ["Kettle"]},
                    "size": {"type": "integer", "default": 1},
                    "note": {"type": "string", "default": ""},
                    "when": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                },
                "required": ["name", "size"],
            },
            "ThingOut": {"properties": {"id": {"type": "integer"}}, "required": ["id"]},
        }
    },
}


def test_types_are_written_in_words_and_name_the_record_they_hold() -> None:
    assert type_name({"type": "integer"}) == ("whole number", "")
    assert type_name({"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}) == ("date (YYYY-MM-DD) or null", "")
    assert type_name({"type": "array", "items": {"$ref": "#/components/schemas/SuggestionOut"}}) == ("a list of SuggestionOut", "SuggestionOut")
    assert type_name({"type": "object", "additionalProperties": {"type": "string"}}) == ("an object of text values by name", "")
    assert type_name({"enum": ["a", "b"]}) == ('one of "a", "b"', "")


def test_descriptions_keep_paragraphs_and_mark_code() -> None:
    (first, second) = paragraphs("Send ``q`` to search\nthe list.\n\nAt most 100.")
    assert [(s.text, s.code) for s in first] == [("Send ", False), ("q", True), (" to search the list.", False)]
    assert [s.text for s in second] == ["At most 100."]


def test_a_description_becomes_sections_operations_and_records() -> None:
    reference = describe(SMALL, base_url="https://example.org")
    assert reference.title == "Test API"
    assert [s.text for s in reference.description[0]] == ["Send ", "things", "."]
    # Known tags come first, in the page's order; an unknown tag after them, by its own name.
    assert [(s.tag, s.title) for s in reference.sections] == [("rumours", "Rumours and myth-busters"), ("zebras", "Zebras")]
    listing = reference.sections[0].operations[0]
    assert (listing.method, listing.path, listing.anchor) == ("GET", "/api/things", "get-api-things")
    assert [(p.name, p.type, p.required) for p in listing.parameters] == [("since", "date (YYYY-MM-DD)", False)]
    assert [(s.text, s.code) for s in listing.parameters[0].description] == [("After ", False), ("?", True), (", as ", False), ("since=…", True), (". ", False)]
    assert [(r.status, r.meaning, r.type, r.record) for r in listing.responses] == [("200", "It worked", "a list of ThingOut", "ThingOut")]
    assert listing.responses[0].around_record == ("a list of ", "")

    sending = reference.sections[1].operations[0]
    assert sending.body_record == "ThingIn"
    # Status codes may be numbers in the description: they are read as text all the same.
    assert [(r.status, r.meaning) for r in sending.responses] == [
        ("201", "It was saved"),
        ("409", "This was sent before; nothing new was saved"),
    ]
    command = shlex.split(sending.example.replace("\\\n", " "))
    assert command[:4] == ["curl", "-X", "POST", "https://example.org/api/things"]
    assert json.loads(command[command.index("-d") + 1]) == {"name": "Kettle", "size": 1}

    thing_in = next(r for r in reference.records if r.name == "ThingIn")
    rows = {f.name: f for f in thing_in.fields}
    assert (rows["name"].required, rows["name"].default) == (True, "")
    assert (rows["size"].required, rows["size"].default) == (True, "1")
    assert rows["note"].default == ""  # an empty default says nothing worth showing
    assert rows["when"].type == "date (YYYY-MM-DD) or null"


def test_everyone_can_read_the_reference_and_it_lists_every_endpoint_and_field(db: None) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Security-Policy"]
    page = response.content.decode()
    assert "<h1 class=\"govuk-heading-xl\">API for partners</h1>" in page
    assert "swagger" not in page.lower()
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert f"{method.upper()}</strong> <code class=\"app-api-path\">{path}</code>" in page
            assert operation["summary"] in page.replace("&#x27;", "'")
    for name, record in schema["components"]["schemas"].items():
        assert f'id="record-{name}"' in page
        for field in record.get("properties", {}):
            assert f"<code>{field}</code>" in page, f"{name}.{field}"
    # Every link within the page goes somewhere on it.
    anchors = set(re.findall(r'id="([^"]+)"', page))
    assert set(re.findall(r'href="#([^"]+)"', page)) - anchors == set()


def test_every_endpoint_and_field_is_described_for_partners(db: None) -> None:
    """A new endpoint or field without words for the partners' developers fails here."""
    reference = describe(api.get_openapi_schema())
    for section in reference.sections:
        assert section.tag in TAG_TITLES, f"add a heading for the tag {section.tag}"
        for operation in section.operations:
            assert operation.description, f"{operation.method} {operation.path}: add a docstring"
            for parameter in operation.parameters:
                words = "".join(s.text for s in parameter.description).split(". ", 1)[1]
                assert words, f"{operation.path}: describe {parameter.name} (Query or Path)"
    undescribed = [f"{r.name}.{f.name}" for r in reference.records for f in r.fields if not f.description]
    assert undescribed == []


@pytest.mark.parametrize("path", ["/api/rumours/reports", "/api/tensions/reports", "/api/measures/{slug}/observations"])
def test_the_example_requests_on_the_page_are_accepted(make_user: Any, strategy_data: dict, path: str) -> None:
    """Copying an example from the page, with a real token, saves the record."""
    WardFactory(code="E05008714", name="Example ward")
    officer = make_user(Role.OFFICER)
    _, raw = api_token_create(user=officer, name="Docs")
    operation = next(
        op for section in describe(api.get_openapi_schema()).sections for op in section.operations if op.path == path and op.method == "POST"
    )
    command = shlex.split(operation.example.replace("\\\n", " "))
    body = command[command.index("-d") + 1]
    url = path.replace("{slug}", strategy_data["belong"].slug)
    response = Client().post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 201, response.content
