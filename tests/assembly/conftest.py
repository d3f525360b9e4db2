"""Fixtures shared by the assembly's tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cohesion.assembly.models import Assembly, Member, Session
from cohesion.core.models import Role, User


@pytest.fixture
def ws(make_user: Any) -> dict[str, Any]:
    """Assembly A with three members and a facilitator; assembly B with one member and a facilitator."""
    a = Assembly.objects.create(
        name="Stoke Citizens' Assembly",
        slug="stoke",
        summary="How the strategy is delivered.",
        stage="meeting",
    )
    b = Assembly.objects.create(
        name="Other Assembly", slug="other", summary="Another one.", stage="meeting"
    )
    people: dict[str, User] = {}
    for key, first, last in [
        ("alice", "Alice", "Ashdown"),
        ("bob", "Bob", "Burslem"),
        ("cara", "Cara", "Cobridge"),
        ("zed", "Zed", "Zetland"),
    ]:
        people[key] = make_user(
            Role.ASSEMBLY_MEMBER, username=f"{key}-member", first_name=first, last_name=last
        )
    people["fay"] = make_user(
        Role.FACILITATOR, username="fay-facilitator", first_name="Fay", last_name="Fenton"
    )
    people["fred"] = make_user(
        Role.FACILITATOR, username="fred-facilitator", first_name="Fred", last_name="Fegg"
    )
    people["officer"] = make_user(Role.OFFICER, username="olu-officer")
    members = {
        key: Member.objects.create(assembly=a, user=people[key], role="member")
        for key in ["alice", "bob", "cara"]
    }
    members["fay"] = Member.objects.create(assembly=a, user=people["fay"], role="facilitator")
    members["zed"] = Member.objects.create(assembly=b, user=people["zed"], role="member")
    members["fred"] = Member.objects.create(assembly=b, user=people["fred"], role="facilitator")
    start = timezone.now() + timedelta(days=7)
    session = Session.objects.create(
        assembly=a,
        title="Belonging, session 1",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="Civic Centre, Stoke",
        agenda="Welcome\nEvidence from the police",
    )
    return {"a": a, "b": b, "people": people, "members": members, "session": session}
