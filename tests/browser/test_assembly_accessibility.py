"""The Citizens' Assembly pages, checked with axe-core in real Chromium: public, officer, workspace."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.browser.support import axe_violations, sign_in, submit, visit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def assembly_world(demo: None) -> dict[str, Any]:
    """A small assembly taken all the way: volunteers, quotas, a drawn panel, a session,
    a recommendation the assembly agreed and the council's published response."""
    from cohesion.assembly import services
    from cohesion.assembly.models import (
        CouncilResponse,
        Invitation,
        Member,
        Recommendation,
        Session,
    )
    from cohesion.core.models import Role, User, Ward
    from tests.assembly.test_civic_lottery_support import (
        make_addresses,
        make_assembly,
        make_invitations,
        register_volunteers,
        simple_quotas,
    )

    wards = list(Ward.objects.order_by("code")[:3])
    assembly = make_assembly(panel_size=10, slug="axe-assembly", stage="registering")
    make_addresses(assembly, wards, 20)
    invitations = make_invitations(assembly, 40)
    register_volunteers(invitations[:30])
    simple_quotas(assembly)
    run = services.selection_run_now(assembly=assembly, method="leximin", lottery_size=100, keep=[], actor=None)
    services.fingerprint_publish(run=run, actor=None)
    run.refresh_from_db()
    services.panel_draw(run=run, public_random="1 2 3 4 5 6", actor=None)
    session = Session.objects.create(assembly=assembly, title="First meeting", starts_at=timezone.now(), place="Civic Centre, Stoke")
    rec = Recommendation.objects.create(assembly=assembly, session=session, number=1, title="More youth clubs", text="Open more youth clubs.", status="agreed")
    CouncilResponse.objects.create(recommendation=rec, decision="accepted", response="We will open two.", progress="in_progress", published_at=timezone.now())
    member_user = User.objects.create_user(username="member1", password="demo-password-only", role=Role.ASSEMBLY_MEMBER)
    Member.objects.create(assembly=assembly, user=member_user, role="member")
    assembly.stage = "registering"  # keep registration open so its forms can be checked too
    assembly.save(update_fields=["stage"])
    unused = Invitation.objects.filter(assembly=assembly, used_at__isnull=True).first()
    return {"assembly": assembly, "run": run, "session": session, "rec": rec, "draw": invitations[0].draw, "code": unused.code if unused else ""}


def test_assembly_pages(page: Any, assembly_world: dict[str, Any]) -> None:
    slug = assembly_world["assembly"].slug
    violations: list[str] = []
    public = [
        "/assemblies/",
        f"/assemblies/{slug}/",
        f"/assemblies/{slug}/register/",
        f"/assemblies/{slug}/selection/",
        f"/workspace/{slug}/you-said-we-did/",
    ]
    for path in public:
        visit(page, path)
        violations += axe_violations(page, path)
    # Registration with a code, as a resident would, then the details form with errors.
    visit(page, f"/assemblies/{slug}/register/")
    page.fill("input[name=code]", assembly_world["code"].lower().replace("-", " "))
    submit(page, "main [type=submit]")
    violations += axe_violations(page, "registration details")
    submit(page, "main [type=submit]")
    violations += axe_violations(page, "registration details with errors")

    sign_in(page, "admin")
    run, draw, session, rec = assembly_world["run"], assembly_world["draw"], assembly_world["session"], assembly_world["rec"]
    staff = [
        "/staff/assemblies/",
        "/staff/assemblies/new/",
        f"/staff/assemblies/{slug}/",
        f"/staff/assemblies/{slug}/change/",
        f"/staff/assemblies/{slug}/addresses/",
        f"/staff/assemblies/{slug}/draws/new/",
        f"/staff/assemblies/{slug}/draws/{draw.pk}/",
        f"/staff/assemblies/{slug}/questions/",
        f"/staff/assemblies/{slug}/questions/add/",
        f"/staff/assemblies/{slug}/volunteers/",
        f"/staff/assemblies/{slug}/volunteers/paper-form/",
        f"/staff/assemblies/{slug}/quotas/",
        f"/staff/assemblies/{slug}/selection/new/",
        f"/staff/assemblies/{slug}/selection/{run.pk}/",
        "/workspace/",
        f"/workspace/{slug}/",
        f"/workspace/{slug}/members/",
        f"/workspace/{slug}/members/add/",
        f"/workspace/{slug}/sessions/add/",
        f"/workspace/{slug}/sessions/{session.pk}/",
        f"/workspace/{slug}/sessions/{session.pk}/papers/add/",
        f"/workspace/{slug}/sessions/{session.pk}/recommendations/add/",
        f"/workspace/{slug}/recommendations/{rec.pk}/",
        f"/workspace/{slug}/recommendations/{rec.pk}/response/",
    ]
    for path in staff:
        visit(page, path)
        violations += axe_violations(page, path)
    # Forms sent empty show the GOV.UK error summary, which must be accessible too.
    for path in ["/staff/assemblies/new/", f"/workspace/{slug}/sessions/add/"]:
        visit(page, path)
        submit(page, "main [type=submit]")
        violations += axe_violations(page, f"{path} with errors")
    assert not violations and not page.problems, "\n".join([*violations, *page.problems])


def test_a_member_sees_the_workspace(page: Any, assembly_world: dict[str, Any]) -> None:
    slug = assembly_world["assembly"].slug
    sign_in(page, "member1")
    assert page.url.endswith("/workspace/")
    violations = axe_violations(page, "member workspace index")
    for path in [f"/workspace/{slug}/", f"/workspace/{slug}/sessions/{assembly_world['session'].pk}/", f"/workspace/{slug}/recommendations/{assembly_world['rec'].pk}/"]:
        visit(page, path)
        violations += axe_violations(page, path)
    assert not violations and not page.problems, "\n".join([*violations, *page.problems])
