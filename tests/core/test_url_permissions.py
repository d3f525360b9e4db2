"""Every URL, every role: each role gets exactly what it should and nothing more.

The test walks the URL configuration, so a new URL that is not listed in EXPECTED fails here.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cohesion.core.jobs import job_create
from cohesion.core.models import Role
from cohesion.core.tokens import api_token_create
from cohesion.strategy.models import ObservationImport, ProgressReport
from tests.url_roles import (
    ADMIN_ONLY,
    API_READ,
    DJANGO_ADMIN,
    EVERYONE,
    REPORTS,
    ROLES,
    SIGNED_IN,
    STAFF,
    STAFF_POST_ONLY,
)

# URL name -> expected status for a GET by each role.
EXPECTED: dict[str, dict[str, int]] = {
    "public:home": EVERYONE,
    "public:priority": EVERYONE,
    "public:progress": EVERYONE,
    "public:measure": EVERYONE,
    "public:measure_csv": EVERYONE,
    "login": {
        "anonymous": 200,
        Role.PARTNER: 302,
        Role.COUNCILLOR: 302,
        Role.OFFICER: 302,
        Role.ADMIN: 302,
    },
    "logout": dict.fromkeys(ROLES, 405),
    "staff:dashboard": SIGNED_IN,
    "staff:strategy_edit": STAFF,
    "staff:priority_list": STAFF,
    "staff:priority_add": STAFF,
    "staff:priority_edit": STAFF,
    "staff:measure_list": STAFF,
    "staff:measure_add": STAFF,
    "staff:measure_edit": STAFF,
    "staff:measure_observations": STAFF,
    "staff:observation_delete": STAFF_POST_ONLY,
    "staff:import_new": STAFF,
    "staff:import_detail": STAFF,
    "core:audit_log": ADMIN_ONLY,
    "core:after_sign_in": {
        "anonymous": 302,
        Role.PARTNER: 302,
        Role.COUNCILLOR: 302,
        Role.OFFICER: 302,
        Role.ADMIN: 302,
    },
    "core:api_tokens": SIGNED_IN,
    "core:api_token_revoke": {
        **SIGNED_IN,
        Role.PARTNER: 405,
        Role.COUNCILLOR: 405,
        Role.OFFICER: 405,
        Role.ADMIN: 405,
    },
    # The job belongs to the officer: others (but admins) cannot even see that it exists.
    "core:job_detail": {
        "anonymous": 302,
        Role.PARTNER: 404,
        Role.COUNCILLOR: 404,
        Role.OFFICER: 200,
        Role.ADMIN: 200,
    },
    "core:job_status": {
        "anonymous": 302,
        Role.PARTNER: 404,
        Role.COUNCILLOR: 404,
        Role.OFFICER: 200,
        Role.ADMIN: 200,
    },
    "reports:index": REPORTS,
    "reports:progress_html": REPORTS,
    "reports:progress_pdf": {**REPORTS, Role.COUNCILLOR: 405, Role.OFFICER: 405, Role.ADMIN: 405},
    "reports:download": REPORTS,
    "api:api-root": dict.fromkeys(ROLES, 404),
    "api:openapi-json": EVERYONE,
    "api_docs": EVERYONE,
    "api:list_wards": API_READ,
    "api:list_measures": API_READ,
    "api:get_measure": API_READ,
    "api:list_observations": API_READ,
    "api:create_observation": API_READ,  # GET of the same URL lists; POST is tested in the API tests
    "admin:*": DJANGO_ADMIN,
}


def _app_tables() -> list[Any]:
    """The per-app parts of the table: tests/<app>/url_table.py (see tests/url_roles.py)."""
    modules = []
    for path in sorted(Path(__file__).resolve().parents[1].glob("*/url_table.py")):
        modules.append(importlib.import_module(f"tests.{path.parent.name}.url_table"))
    return modules


for _table in _app_tables():
    EXPECTED.update(_table.EXPECTED)


def _walk(patterns: list[Any], namespace: str = "") -> list[tuple[str, Any]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            if ns == "admin":
                found.append(("admin:*", p))
                continue
            found.extend(_walk(p.url_patterns, f"{namespace}{ns}:" if ns else namespace))
        elif isinstance(p, URLPattern) and p.name:
            found.append((f"{namespace}{p.name}", p))
    return found


def test_every_url_is_in_the_permission_table() -> None:
    names = {name for name, _ in _walk(get_resolver().url_patterns)}
    assert names - set(EXPECTED) == set(), (
        "Add these URLs to EXPECTED with the status each role should get"
    )
    assert set(EXPECTED) - names == set(), "These URLs no longer exist: remove them from EXPECTED"


@pytest.fixture
def world(strategy_data: dict, make_user: Any) -> dict[str, Any]:
    users = {role: make_user(role) for role in ROLES if role != "anonymous"}
    officer = users[Role.OFFICER]
    job = job_create(kind="observation_import", title="Import", started_by=officer)
    record = ObservationImport.objects.create(
        uploaded_by=officer, filename="x.csv", content="", job=job
    )
    report = ProgressReport.objects.create(created_by=officer, title="Report", pdf=b"%PDF-1.4")
    token, _ = api_token_create(user=users[Role.PARTNER], name="Feed")
    observation = strategy_data["belong"].observations.first()
    kwargs = {
        "public:priority": {"slug": strategy_data["priorities"][0].slug},
        "public:measure": {"slug": "feel-they-belong"},
        "public:measure_csv": {"slug": "feel-they-belong"},
        "staff:priority_edit": {"pk": strategy_data["priorities"][0].pk},
        "staff:measure_edit": {"pk": strategy_data["belong"].pk},
        "staff:measure_observations": {"pk": strategy_data["belong"].pk},
        "staff:observation_delete": {"pk": observation.pk},
        "staff:import_detail": {"pk": record.pk},
        "core:api_token_revoke": {"pk": token.pk},
        "core:job_detail": {"pk": job.pk},
        "core:job_status": {"pk": job.pk},
        "reports:download": {"pk": report.pk},
        "api:get_measure": {"slug": "feel-they-belong"},
        "api:list_observations": {"slug": "feel-they-belong"},
        "api:create_observation": {"slug": "feel-they-belong"},
    }
    for table in _app_tables():
        kwargs.update(table.world_kwargs(strategy_data, users, make_user))
    return {"users": users, "kwargs": kwargs}


def _url(name: str, kwargs: dict[str, dict[str, Any]]) -> str:
    if name == "admin:*":
        return reverse("admin:index")
    return reverse(name, kwargs=kwargs.get(name, {}))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_only_what_it_should(world: dict[str, Any], role: str) -> None:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    wrong = []
    for name, expected in EXPECTED.items():
        url = _url(name, world["kwargs"])
        status = client.get(url).status_code
        if status != expected[role]:
            wrong.append(f"{name} ({url}): got {status}, expected {expected[role]}")
    assert wrong == []


@pytest.mark.parametrize("role", [Role.PARTNER, Role.COUNCILLOR, Role.OFFICER])
def test_django_admin_models_are_closed_to_everyone_but_platform_admins(
    world: dict[str, Any], role: str
) -> None:
    client = Client()
    client.force_login(world["users"][role])
    for url in [
        "/django-admin/core/user/",
        "/django-admin/core/auditevent/",
        "/django-admin/strategy/measure/",
    ]:
        assert client.get(url).status_code == 302
