"""The security baseline: headers, sign-in throttling, audit of sign-ins, deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cohesion.core.models import AuditEvent, Role

ROOT = Path(__file__).resolve().parents[2]


def test_pages_send_the_security_headers(strategy_data: dict) -> None:
    response = Client().get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_signed_in_pages_are_not_cached(officer_client: Client) -> None:
    assert "no-store" in officer_client.get(reverse("staff:dashboard"))["Cache-Control"]


def test_repeated_failed_sign_ins_are_throttled_and_logged(make_user: Any) -> None:
    make_user(Role.OFFICER, username="olu")
    client = Client()
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "olu", "password": "wrong-password"})
        assert "Enter a correct username and password" in response.content.decode()
    fifth = client.post(reverse("login"), {"username": "olu", "password": "wrong-password"})
    assert fifth.status_code == 429
    # Now even the right password is refused until the pause ends.
    locked = client.post(reverse("login"), {"username": "olu", "password": "a-long-test-password"})
    assert locked.status_code == 429
    assert "too many failed attempts" in locked.content.decode()
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.SIGN_IN_FAILED, object_repr="olu"
        ).count()
        >= 4
    )


def test_sign_in_and_sign_out_are_audited(make_user: Any) -> None:
    make_user(Role.COUNCILLOR, username="chris")
    client = Client()
    response = client.post(
        reverse("login"), {"username": "chris", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SIGN_IN, actor__username="chris"
    ).exists()
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SIGN_OUT, actor__username="chris"
    ).exists()


def test_production_settings_pass_the_deploy_check() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cohesion.settings.production",
        "DJANGO_SECRET_KEY": "a-very-long-random-secret-key-for-the-check-only-0123456789abcdefghijkl",
        "DJANGO_ALLOWED_HOSTS": "cohesion.example.org",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_after_sign_in_each_role_lands_where_it_works(make_user: Any) -> None:
    expected = {
        Role.OFFICER: reverse("staff:dashboard"),
        Role.PARTNER: reverse("staff:dashboard"),
        Role.COUNCILLOR: reverse("staff:dashboard"),
        Role.ASSEMBLY_MEMBER: reverse("assembly_workspace:index"),
        Role.FACILITATOR: reverse("assembly_workspace:index"),
        Role.RESIDENT: reverse("public:home"),
    }
    for role, url in expected.items():
        client = Client()
        client.force_login(make_user(role))
        assert client.get(reverse("core:after_sign_in"))["Location"] == url, role


@pytest.mark.parametrize(
    ("sent", "number"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", 0),
        ("²", None),
        ("١٢", None),
        ("-1", None),
        ("1.5", None),
        ("abc", None),
        ("", None),
        (None, None),
        ("9" * 19, None),
        (12, None),
    ],
)
def test_whole_number_takes_only_plain_digits(sent, number):
    from cohesion.core.forms import whole_number

    assert whole_number(sent) == number
