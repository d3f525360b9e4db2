"""The Citizens' Assembly's rows of the URL permission table (see tests/url_roles.py).

Officers run the civic lottery; residents register and see the draw. In the workspace, partners
and councillors are never in an assembly; members and facilitators (and a member of another
assembly) are checked in tests/assembly/test_workspace.py.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from cohesion.core.models import Role
from tests.url_roles import EVERYONE, ROLES, STAFF, STAFF_POST_ONLY

EXPECTED: dict[str, dict[str, int]] = {
    # Civic lottery (officers)
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
    # Residents: registration and the public record of the draw
    "assembly_public:index": EVERYONE,
    "assembly_public:detail": EVERYONE,
    "assembly_public:register": EVERYONE,
    "assembly_public:register_details": dict.fromkeys(ROLES, 302),  # without a code: back to step 1
    "assembly_public:register_done": dict.fromkeys(ROLES, 302),  # without a registration: step 1
    "assembly_public:selection": EVERYONE,
    "assembly_public:lottery_file": EVERYONE,
    "assembly_public:probabilities_csv": EVERYONE,
    "assembly_public:verify_script": EVERYONE,
    # The workspace
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
    "assembly_workspace:session_delete": STAFF_POST_ONLY,
    "assembly_workspace:session_ics": STAFF,
    "assembly_workspace:paper_add": STAFF,
    "assembly_workspace:paper_file": STAFF,
    "assembly_workspace:paper_edit": STAFF,
    "assembly_workspace:paper_delete": STAFF_POST_ONLY,
    "assembly_workspace:recommendation_add": STAFF,
    "assembly_workspace:recommendation": STAFF,
    "assembly_workspace:recommendation_edit": STAFF,
    "assembly_workspace:recommendation_open": STAFF_POST_ONLY,
    "assembly_workspace:recommendation_close": STAFF_POST_ONLY,
    "assembly_workspace:recommendation_reopen": STAFF_POST_ONLY,
    "assembly_workspace:vote": {**STAFF, Role.OFFICER: 403, Role.ADMIN: 405},  # members only; POST
    "assembly_workspace:response_edit": STAFF,
    "assembly_workspace:response_publish": STAFF_POST_ONLY,
    "assembly_workspace:response_unpublish": STAFF_POST_ONLY,
}


def world_kwargs(
    strategy_data: dict[str, Any], users: dict[str, Any], make_user: Any
) -> dict[str, Any]:
    """reverse() kwargs for the assembly's URLs, with the objects they need."""
    from cohesion.assembly import models as lottery_models
    from cohesion.assembly import services as lottery_services
    from cohesion.assembly.models import Assembly, EvidencePaper, Member, Recommendation, Session

    kwargs: dict[str, Any] = {}
    # Workspace: one assembly with a session, a PDF paper, an agreed and a draft recommendation.
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
    for name in [
        "session",
        "session_edit",
        "session_delete",
        "session_ics",
        "paper_add",
        "recommendation_add",
    ]:
        kwargs[f"assembly_workspace:{name}"] = {**on_ws, "pk": ws_session.pk}
    for name in [
        "recommendation",
        "recommendation_open",
        "recommendation_close",
        "recommendation_reopen",
        "vote",
        "response_edit",
        "response_publish",
        "response_unpublish",
    ]:
        kwargs[f"assembly_workspace:{name}"] = {**on_ws, "pk": ws_agreed.pk}
    kwargs["assembly_workspace:recommendation_edit"] = {**on_ws, "pk": ws_draft.pk}
    for name in ["paper_file", "paper_edit", "paper_delete"]:
        kwargs[f"assembly_workspace:{name}"] = {**on_ws, "pk": ws_paper.pk}
    kwargs["assembly_workspace:member_deactivate"] = {**on_ws, "pk": ws_member.pk}
    kwargs["assembly_workspace:member_link"] = {**on_ws, "pk": ws_member.pk}
    kwargs["assembly_workspace:welcome"] = {"uidb64": "MQ", "token": "not-a-real-token"}
    # Civic lottery: an assembly taking registrations, an address with a used letter (letters made),
    # a volunteer, and a selection run whose fingerprint is published.
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
        assembly=ca, draw=ca_draw, address=ca_address, code="AAAA-AAAA", used_at=timezone.now()
    )
    ca_volunteer = lottery_models.Volunteer.objects.create(
        assembly=ca, invitation=ca_invitation, label="V0001", consent_at=timezone.now()
    )
    ca_run = lottery_models.SelectionRun.objects.create(
        assembly=ca,
        lottery_file=b"{}",
        fingerprint="0" * 64,
        fingerprint_published_at=timezone.now(),
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
    return kwargs
