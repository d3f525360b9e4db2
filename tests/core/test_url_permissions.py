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
from tests.url_roles import (  # noqa: F401
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
    # Citizens' Assembly civic lottery: officers run it; residents register and see the draw.
    "assembly_staff:list": STAFF,
    "assembly_staff:create": STAFF,
    "assembly_staff:detail": STAFF,
    "assembly_staff:edit": STAFF,
    "assembly_staff:addresses": STAFF,
    "assembly_staff:draw_new": STAFF,
    "assembly_staff:draw_detail": STAFF,
    "assembly_staff:letters_start": STAFF_POST_ONLY,
    "assembly_staff:letters_download": STAFF,
    "assembly_staff:codes_csv": STAFF,
    "assembly_staff:questions": STAFF,
    "assembly_staff:question_add": STAFF,
    "assembly_staff:question_edit": STAFF,
    "assembly_staff:question_delete": STAFF_POST_ONLY,
    "assembly_staff:volunteers": STAFF,  # contact details: officers only, each look audited
    "assembly_staff:volunteer_paper": STAFF,
    "assembly_staff:volunteer_withdraw": STAFF_POST_ONLY,
    "assembly_staff:quotas": STAFF,
    "assembly_staff:quotas_relax": STAFF_POST_ONLY,
    "assembly_staff:run_new": STAFF,
    "assembly_staff:run_detail": STAFF,
    "assembly_staff:run_publish": STAFF_POST_ONLY,
    "assembly_staff:run_draw": STAFF_POST_ONLY,
    "assembly_public:index": EVERYONE,
    "assembly_public:detail": EVERYONE,
    "assembly_public:register": EVERYONE,
    "assembly_public:register_details": dict.fromkeys(ROLES, 302),  # without a code: back to step 1
    "assembly_public:register_done": dict.fromkeys(
        ROLES, 302
    ),  # without a registration: back to step 1
    "assembly_public:selection": EVERYONE,
    "assembly_public:lottery_file": EVERYONE,
    "assembly_public:probabilities_csv": EVERYONE,
    "assembly_public:verify_script": EVERYONE,
    "api:api-root": dict.fromkeys(ROLES, 404),
    # Assembly workspace. Partners and councillors are never in an assembly; members and
    # facilitators (and a member of another assembly) are checked in tests/assembly/test_workspace.py.
    "assembly_workspace:index": STAFF,
    "assembly_workspace:welcome": EVERYONE,  # a wrong link shows "This link does not work"
    "assembly_workspace:you_said_we_did": EVERYONE,
    "assembly_workspace:assembly": STAFF,
    "assembly_workspace:members": STAFF,
    "assembly_workspace:member_add": STAFF,
    "assembly_workspace:facilitator_add": STAFF,
    "assembly_workspace:member_deactivate": STAFF_POST_ONLY,
    "assembly_workspace:member_link": STAFF_POST_ONLY,
    "assembly_workspace:session_add": STAFF,
    "assembly_workspace:session": STAFF,
    "assembly_workspace:session_edit": STAFF,
    "assembly_workspace:session_ics": STAFF,
    "assembly_workspace:paper_add": STAFF,
    "assembly_workspace:paper_file": STAFF,
    "assembly_workspace:recommendation_add": STAFF,
    "assembly_workspace:recommendation": STAFF,
    "assembly_workspace:recommendation_edit": STAFF,
    "assembly_workspace:recommendation_open": STAFF_POST_ONLY,
    "assembly_workspace:recommendation_close": STAFF_POST_ONLY,
    "assembly_workspace:vote": {**STAFF, Role.OFFICER: 403, Role.ADMIN: 405},  # members only; POST
    "assembly_workspace:response_edit": STAFF,
    "assembly_workspace:response_publish": STAFF_POST_ONLY,
    "api:openapi-json": EVERYONE,
    "api:openapi-view": EVERYONE,
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
    # Assembly workspace: one assembly with a session, a PDF paper, an agreed and a draft recommendation.
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from cohesion.assembly.models import Assembly, EvidencePaper, Member, Recommendation, Session

    ws = Assembly.objects.create(
        name="Workspace", slug="workspace-url-table", summary="For the URL table."
    )
    ws_session = Session.objects.create(
        assembly=ws, title="First meeting", starts_at=timezone.now(), place="Civic Centre"
    )
    ws_paper = EvidencePaper(session=ws_session, title="Evidence")
    ws_paper.file.save("evidence.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    ws_agreed = Recommendation.objects.create(
        assembly=ws, session=ws_session, number=1, title="A", text="A", status="agreed"
    )
    ws_draft = Recommendation.objects.create(
        assembly=ws, session=ws_session, number=2, title="B", text="B"
    )
    ws_member = Member.objects.create(
        assembly=ws, user=make_user(Role.ASSEMBLY_MEMBER), role="member"
    )
    on_ws = {"slug": ws.slug}
    for name in [
        "assembly",
        "you_said_we_did",
        "members",
        "member_add",
        "facilitator_add",
        "session_add",
    ]:
        kwargs[f"assembly_workspace:{name}"] = on_ws
    for name in ["session", "session_edit", "session_ics", "paper_add", "recommendation_add"]:
        kwargs[f"assembly_workspace:{name}"] = {**on_ws, "pk": ws_session.pk}
    for name in [
        "recommendation",
        "recommendation_open",
        "recommendation_close",
        "vote",
        "response_edit",
        "response_publish",
    ]:
        kwargs[f"assembly_workspace:{name}"] = {**on_ws, "pk": ws_agreed.pk}
    kwargs["assembly_workspace:recommendation_edit"] = {**on_ws, "pk": ws_draft.pk}
    kwargs["assembly_workspace:paper_file"] = {**on_ws, "pk": ws_paper.pk}
    kwargs["assembly_workspace:member_deactivate"] = {**on_ws, "pk": ws_member.pk}
    kwargs["assembly_workspace:member_link"] = {**on_ws, "pk": ws_member.pk}
    kwargs["assembly_workspace:welcome"] = {"uidb64": "MQ", "token": "not-a-real-token"}
    # Civic lottery: an assembly taking registrations, an address with a used letter (letters made),
    # a volunteer, and a selection run whose fingerprint is published.
    from django.utils.timezone import now as lottery_now

    from cohesion.assembly import models as lottery_models
    from cohesion.assembly import services as lottery_services

    ca = lottery_services.assembly_create(
        assembly=lottery_models.Assembly(
            name="Lottery", slug="lottery-url-table", summary="For the URL table.", stage="inviting"
        ),
        actor=None,
    )
    ca_address = lottery_models.Address.objects.create(
        assembly=ca, uprn="1", address="1 Road", postcode="ST1 1AA", ward=strategy_data["wards"][0]
    )
    ca_draw = lottery_models.InvitationDraw.objects.create(
        assembly=ca, seed=1, invitations_requested=1, letters_pdf=b"%PDF-1.4"
    )
    ca_invitation = lottery_models.Invitation.objects.create(
        assembly=ca, draw=ca_draw, address=ca_address, code="AAAA-AAAA", used_at=lottery_now()
    )
    ca_volunteer = lottery_models.Volunteer.objects.create(
        assembly=ca, invitation=ca_invitation, label="V0001", consent_at=lottery_now()
    )
    ca_run = lottery_models.SelectionRun.objects.create(
        assembly=ca,
        lottery_file=b"{}",
        fingerprint="0" * 64,
        fingerprint_published_at=lottery_now(),
        marginals={"V0001": 1.0},
    )
    for name in [
        "detail",
        "edit",
        "addresses",
        "draw_new",
        "questions",
        "question_add",
        "volunteers",
        "volunteer_paper",
        "quotas",
        "quotas_relax",
        "run_new",
    ]:
        kwargs[f"assembly_staff:{name}"] = {"slug": ca.slug}
    for name in ["draw_detail", "letters_start", "letters_download", "codes_csv"]:
        kwargs[f"assembly_staff:{name}"] = {"slug": ca.slug, "pk": ca_draw.pk}
    for name in ["question_edit", "question_delete"]:
        kwargs[f"assembly_staff:{name}"] = {"slug": ca.slug, "pk": ca.questions.first().pk}
    kwargs["assembly_staff:volunteer_withdraw"] = {"slug": ca.slug, "pk": ca_volunteer.pk}
    for name in ["run_detail", "run_publish", "run_draw"]:
        kwargs[f"assembly_staff:{name}"] = {"slug": ca.slug, "pk": ca_run.pk}
    for name in [
        "detail",
        "register",
        "register_details",
        "register_done",
        "selection",
        "lottery_file",
        "probabilities_csv",
    ]:
        kwargs[f"assembly_public:{name}"] = {"slug": ca.slug}
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
