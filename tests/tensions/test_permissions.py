"""Every tension URL for every role, on its own (the project-wide walk is in tests/core)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from tests.core.test_url_permissions import _walk
from tests.tensions import url_table
from tests.url_roles import ROLES


def test_every_tension_url_is_in_the_table() -> None:
    names = {
        name
        for name, _ in _walk(get_resolver().url_patterns)
        if name.startswith("tensions:") or "tension_report" in name
    }
    assert names == set(url_table.EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_only_what_it_should(strategy_data: dict, make_user: Any, role: str) -> None:
    users = {r: make_user(r) for r in ROLES if r != "anonymous"}
    kwargs = url_table.world_kwargs(strategy_data, users, make_user)
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    wrong = []
    for name, expected in url_table.EXPECTED.items():
        url = reverse(name, kwargs=kwargs.get(name, {}))
        status = client.get(url).status_code
        if status != expected[role]:
            wrong.append(f"{name} ({url}): got {status}, expected {expected[role]}")
    assert wrong == []


def test_nothing_about_tensions_is_public(strategy_data: dict, make_user: Any) -> None:
    users = {r: make_user(r) for r in ROLES if r != "anonymous"}
    kwargs = url_table.world_kwargs(strategy_data, users, make_user)
    for name in url_table.EXPECTED:
        status = Client().get(reverse(name, kwargs=kwargs.get(name, {}))).status_code
        assert status in (302, 401, 405), name
