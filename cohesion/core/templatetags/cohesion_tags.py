"""Template tags and filters for Cohesion. Load them with ``{% load cohesion_tags %}``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ mydict|get_item:key }}``: look up a dict value by key.

    Returns ``None`` (so ``default``/``default_if_none`` work) when ``mapping`` is
    missing or has no such key. The value is returned as is. It is not marked
    safe, so autoescaping still applies.
    """
    if mapping is None:
        return None
    if isinstance(mapping, Mapping):
        return mapping.get(key)
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def any_missing(shapes: Iterable[Any], mapping: Mapping[Any, Any] | None) -> bool:
    """``{% if shapes|any_missing:fills %}``: is any shape's ``code`` missing from ``mapping``?

    The ward map uses this to decide whether to show a "No data" legend entry.
    """
    mapping = mapping or {}
    return any(not mapping.get(getattr(shape, "code", None)) for shape in shapes)
