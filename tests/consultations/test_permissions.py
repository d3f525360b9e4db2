"""Every consultations URL, every role (the same table the whole-site test uses)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.consultations.url_table import EXPECTED, world_kwargs
from tests.url_roles import ROLES


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_only_what_it_should(strategy_data: dict, make_user: Any, role: str) -> None:
    users = {r: make_user(r) for r in ROLES if r != "anonymous"}
    kwargs = world_kwargs(strategy_data, users, make_user)
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    wrong = []
    for name, expected in EXPECTED.items():
        url = reverse(name, kwargs=kwargs.get(name, {}))
        status = client.get(url).status_code
        if status != expected[role]:
            wrong.append(f"{name} ({url}): got {status}, expected {expected[role]}")
    assert wrong == []
