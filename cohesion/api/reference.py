"""The API's reference page, built from its own OpenAPI description.

``describe(schema)`` turns the OpenAPI 3 document that django-ninja writes into plain data for a
GOV.UK-styled page: sections by tag, each operation with its parameters, what to send and what
comes back, and every record (schema) with its fields. Reading the description rather than
writing the page by hand keeps the page true to the code: a new endpoint or field appears on
it without anyone remembering to add it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# Section headings for the tags used in the code, in the order they are shown.
TAG_TITLES = {
    "rumours": "Rumours and myth-busters",
    "tensions": "Tension reports",
    "measures": "Measures and their figures",
    "consultations": "Consultations",
    "places": "Wards",
}

STATUS_MEANINGS = {
    "200": "It worked",
    "201": "It was saved",
    "400": "The request could not be read",
    "401": "No token, or a token that is not valid",
    "403": "Your role or organisation may not do this",
    "404": "There is nothing at that address",
    "409": "This was sent before; nothing new was saved",
    "422": "Something in the request needs fixing: the answer says what",
}

_REF = "#/components/schemas/"
_CODE = re.compile(r"``?([^`]+)``?")


@dataclass(frozen=True)
class Span:
    """A piece of a description: plain words, or code (written in backticks in the source)."""

    text: str
    code: bool = False


class _LinksRecord:
    """A type in words that may name a record: the words before and after the name, so that
    the page can make the name a link ("a list of " + SuggestionOut + "")."""

    type: str
    record: str

    @property
    def around_record(self) -> tuple[str, str]:
        before, _, after = self.type.partition(self.record)
        return before, after


@dataclass(frozen=True)
class FieldRow(_LinksRecord):
    name: str
    type: str
    required: bool
    description: list[Span]
    record: str = ""  # the record this field holds, for a link
    default: str = ""


@dataclass(frozen=True)
class Response(_LinksRecord):
    status: str
    meaning: str
    type: str  # what the body is: "a list of MythBusterOut", "ErrorOut" or ""
    record: str = ""


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    anchor: str
    description: list[list[Span]]
    parameters: list[FieldRow]
    body_record: str
    responses: list[Response]
    example: str


@dataclass(frozen=True)
class Record:
    name: str
    description: list[Span]
    fields: list[FieldRow]


@dataclass
class Section:
    tag: str
    title: str
    operations: list[Operation] = field(default_factory=list)


@dataclass(frozen=True)
class Reference:
    title: str
    version: str
    description: list[list[Span]]
    sections: list[Section]
    records: list[Record]


def spans(text: str) -> list[Span]:
    """Words with the parts in backticks marked as code."""
    out: list[Span] = []
    position = 0
    for match in _CODE.finditer(text):
        if match.start() > position:
            out.append(Span(text[position : match.start()]))
        out.append(Span(match.group(1), code=True))
        position = match.end()
    if position < len(text):
        out.append(Span(text[position:]))
    return out


def paragraphs(text: str) -> list[list[Span]]:
    """A docstring's paragraphs (blank lines between), each with its lines joined."""
    blocks = re.split(r"\n\s*\n", (text or "").strip())
    return [
        spans(" ".join(line.strip() for line in block.splitlines())) for block in blocks if block
    ]


def _ref_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    return ref[len(_REF) :] if ref.startswith(_REF) else ""


def type_name(schema: dict[str, Any]) -> tuple[str, str]:
    """(the type in words, the record it refers to or ""): "whole number", "text or null",
    "a list of SuggestionOut"."""
    if not schema:
        return "any JSON value", ""
    name = _ref_name(schema)
    if name:
        return name, name
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        nullable = len(options) < len(schema["anyOf"])
        words = [type_name(o) for o in options]
        text = " or ".join(w for w, _ in words) or "nothing"
        record = next((r for _, r in words if r), "")
        return (f"{text} or null" if nullable else text), record
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"]), ""
    kind = schema.get("type")
    if kind == "array":
        inner, record = type_name(schema.get("items", {}))
        return f"a list of {inner}", record
    if kind == "string":
        fmt = schema.get("format", "")
        return {
            "date": "date (YYYY-MM-DD)",
            "date-time": "date and time (ISO 8601)",
            "uri": "web address",
            "email": "email address",
        }.get(fmt, "text"), ""
    if kind == "object" and "additionalProperties" in schema:
        inner, record = type_name(schema["additionalProperties"])
        return f"an object of {inner} values by name", record
    return {
        "integer": "whole number",
        "number": "number",
        "boolean": "true or false",
        "object": "object",
    }.get(str(kind), str(kind or "any JSON value")), ""


def _field_rows(properties: dict[str, Any], required: set[str]) -> list[FieldRow]:
    rows = []
    for name, prop in properties.items():
        words, record = type_name(prop)
        shown = "default" in prop and prop["default"] not in ("", None, {}, [])
        default = json.dumps(prop["default"]) if shown else ""
        rows.append(
            FieldRow(
                name=name,
                type=words,
                required=name in required,
                description=spans(str(prop.get("description", ""))),
                record=record,
                default=default,
            )
        )
    return rows


def _parameter(parameter: dict[str, Any]) -> FieldRow:
    """A parameter of the address: in the path (``{slug}``) or after ``?`` (left out when not
    needed, so "or null" says nothing)."""
    name = parameter["name"]
    words = type_name(parameter.get("schema", {}))[0].removesuffix(" or null")
    text = str(parameter.get("description") or parameter.get("schema", {}).get("description", ""))
    if parameter.get("in") == "path":
        text = f"Put it in place of ``{{{name}}}``. {text}"
    else:
        text = f"After ``?``, as ``{name}=…``. {text}"
    return FieldRow(
        name=name, type=words, required=bool(parameter.get("required")), description=spans(text)
    )


def _body_record(operation: dict[str, Any]) -> str:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    return _ref_name(schema)


def _example_value(prop: dict[str, Any]) -> Any:
    if prop.get("examples"):
        return prop["examples"][0]
    if "default" in prop and prop["default"] not in ("", None):
        return prop["default"]
    if "anyOf" in prop:
        options = [o for o in prop["anyOf"] if o.get("type") != "null"]
        return _example_value(options[0]) if options else None
    kind = prop.get("type")
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return False
    if prop.get("format") == "date":
        return "2026-12-07"
    return f"<{prop.get('title', 'text').lower()}>"


def example(method: str, path: str, body: str, records: dict[str, Any], base_url: str) -> str:
    """A curl command that makes the request, with the required fields of its body filled in."""
    lines = [f"curl -X {method} '{base_url}{path}'", '  -H "Authorization: Bearer $TOKEN"']
    if body and body in records:
        schema = records[body]
        required = schema.get("required", [])
        sample = {
            name: _example_value(schema["properties"][name])
            for name in schema.get("properties", {})
            if name in required
        }
        lines.append('  -H "Content-Type: application/json"')
        lines.append(f"  -d '{json.dumps(sample, ensure_ascii=False)}'")
    return " \\\n".join(lines)


def _anchor(method: str, path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-")


def describe(schema: dict[str, Any], *, base_url: str = "") -> Reference:
    """The reference page's content from an OpenAPI 3 document."""
    records = schema.get("components", {}).get("schemas", {})
    sections: dict[str, Section] = {}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            tag = (operation.get("tags") or ["other"])[0]
            section = sections.setdefault(
                tag, Section(tag=tag, title=TAG_TITLES.get(tag, tag.capitalize()))
            )
            parameters = [_parameter(p) for p in operation.get("parameters", [])]
            responses = []
            for code, answer in operation.get("responses", {}).items():
                status = str(code)
                body_schema = answer.get("content", {}).get("application/json", {}).get("schema")
                words, record = type_name(body_schema) if body_schema else ("", "")
                responses.append(
                    Response(
                        status=status,
                        meaning=STATUS_MEANINGS.get(status, answer.get("description", "")),
                        type=words,
                        record=record,
                    )
                )
            body = _body_record(operation)
            upper = method.upper()
            section.operations.append(
                Operation(
                    method=upper,
                    path=path,
                    summary=operation.get("summary", f"{upper} {path}"),
                    anchor=_anchor(method, path),
                    description=paragraphs(operation.get("description", "")),
                    parameters=parameters,
                    body_record=body,
                    responses=responses,
                    example=example(upper, path, body, records, base_url),
                )
            )
    order = list(TAG_TITLES)
    ordered = sorted(
        sections.values(), key=lambda s: order.index(s.tag) if s.tag in order else len(order)
    )
    info = schema.get("info", {})
    return Reference(
        title=str(info.get("title", "API")),
        version=str(info.get("version", "")),
        description=paragraphs(str(info.get("description", ""))),
        sections=ordered,
        records=[
            Record(
                name=name,
                description=spans(str(record.get("description", ""))),
                fields=_field_rows(record.get("properties", {}), set(record.get("required", []))),
            )
            for name, record in sorted(records.items())
        ],
    )
