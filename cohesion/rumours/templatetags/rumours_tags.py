"""Template helpers for the rumour pages."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The same escapes as Django's json_script: the JSON can never close the script element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(value: dict[str, Any]) -> SafeString:
    """``<script type="application/ld+json">`` holding ``value`` serialised as JSON.

    Like ``json_script`` (whose script type cannot be changed): the dict is serialised with
    json.dumps and <, > and & are escaped, so nothing in it is ever read as HTML.
    """
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308 - escaped above
