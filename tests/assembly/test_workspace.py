"""The assembly workspace through its pages: who sees what, sessions, papers, votes, responses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohesion.assembly import workspace
from cohesion.assembly.models import (
    Address,
    Assembly,
    CouncilResponse,
    EvidencePaper,
    Invitation,
    InvitationDraw,
    Member,
    Recommendation,
    Session,
    Volunteer,
    Vote,
)
from cohesion.core.models import AuditEvent, Role, User
from cohesion.strategy.models import Observation
from tests.factories import MeasureFactory, WardFactory

WS = "assembly_workspace"


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"{WS}:{name}", kwargs=kwargs)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _recommendation(ws: dict[str, Any], number: int = 1, status: str = "draft", **extra: Any) -> Recommendation:
    return Recommendation.objects.create(
        assembly=ws["a"], session=ws["session"], number=number, title=f"Recommendation {number}",
        text="Open youth clubs in the evening.", status=status, **extra,
    )


def _vote(ws: dict[str, Any], rec: Recommendation, **choices: str) -> None:
    for key, choice in choices.items():
        Vote.objects.create(recommendation=rec, member=ws["members"][key], choice=choice)


# ---------------------------------------------------------------------------------------------
# Who sees what


def test_a_member_sees_only_their_own_assemblies(ws: dict[str, Any]) -> None:
    rec = _recommendation(ws, status="voting")
    paper = EvidencePaper.objects.create(session=ws["session"], title="Police evidence", link="https://example.org/p")
    pages = [
        url("assembly", slug="stoke"),
        url("session", slug="stoke", pk=ws["session"].pk),
        url("session_ics", slug="stoke", pk=ws["session"].pk),
        url("recommendation", slug="stoke", pk=rec.pk),
    ]
    alice, zed, fred = (client_for(ws["people"][k]) for k in ("alice", "zed", "fred"))
    for page in pages:
        assert alice.get(page).status_code == 200, page
        assert zed.get(page).status_code == 404, page  # member of another assembly
        assert fred.get(page).status_code == 404, page  # facilitator of another assembly
    assert zed.get(url("paper_file", slug="stoke", pk=paper.pk)).status_code == 404
    # An object of assembly A reached through assembly B's address is not found either.
    assert zed.get(url("session", slug="other", pk=ws["session"].pk)).status_code == 404
    index = zed.get(url("index")).content.decode()
    assert "Other Assembly" in index and "Stoke Citizens" not in index
    officer_index = client_for(ws["people"]["officer"]).get(url("index")).content.decode()
    assert "Other Assembly" in officer_index and "Stoke Citizens" in officer_index
    assert Client().get(pages[0]).status_code == 302  # sign in first


def test_a_member_who_has_left_loses_access(ws: dict[str, Any]) -> None:
    officer = client_for(ws["people"]["officer"])
    bob = ws["members"]["bob"]
    response = officer.post(url("member_deactivate", slug="stoke", pk=bob.pk))
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.active is False
    assert AuditEvent.objects.filter(action="update", object_type="assembly.member", object_id=str(bob.pk)).exists()
    assert client_for(ws["people"]["bob"]).get(url("assembly", slug="stoke")).status_code == 404


def test_members_cannot_run_sessions_but_facilitators_and_officers_can(ws: dict[str, Any]) -> None:
    data = {
        "title": "Session 2", "starts_at": "2030-03-14T10:00", "ends_at": "2030-03-14T13:00",
        "place": "", "online_link": "https://meet.example.org/abc", "agenda": "Recommendations",
    }
    alice = client_for(ws["people"]["alice"])
    assert alice.get(url("session_add", slug="stoke")).status_code == 403
    assert alice.post(url("session_add", slug="stoke"), data).status_code == 403
    assert client_for(ws["people"]["fred"]).post(url("session_add", slug="stoke"), data).status_code == 404
    assert not Session.objects.filter(title="Session 2").exists()

    fay = client_for(ws["people"]["fay"])
    response = fay.post(url("session_add", slug="stoke"), data)
    assert response.status_code == 302
    session = Session.objects.get(title="Session 2")
    assert session.assembly == ws["a"]
    assert timezone.localtime(session.starts_at).hour == 10  # entered in local time
    assert AuditEvent.objects.filter(action="create", object_type="assembly.session", actor=ws["people"]["fay"]).exists()

    officer = client_for(ws["people"]["officer"])
    change = {**data, "title": "Session 2: what we recommend"}
    assert officer.post(url("session_edit", slug="stoke", pk=session.pk), change).status_code == 302
    event = AuditEvent.objects.get(action="update", object_type="assembly.session")
    assert event.changes["title"] == ["Session 2", "Session 2: what we recommend"]


def test_session_form_explains_mistakes(ws: dict[str, Any]) -> None:
    fay = client_for(ws["people"]["fay"])
    page = fay.post(url("session_add", slug="stoke"), {
        "title": "Bad", "starts_at": "2030-03-14T10:00", "ends_at": "2030-03-14T09:00", "place": "", "online_link": "",
    }).content.decode()
    assert "There is a problem" in page
    assert "The end must be after the start" in page
    assert "Enter a place or an online link" in page
    assert not Session.objects.filter(title="Bad").exists()


def test_members_see_upcoming_and_past_sessions_with_agenda_and_papers(ws: dict[str, Any]) -> None:
    past = Session.objects.create(assembly=ws["a"], title="Opening weekend", starts_at=timezone.now() - timedelta(days=30), place="Town hall")
    EvidencePaper.objects.create(session=ws["session"], title="Police evidence", summary="Hate crime trends.", link="https://example.org/p")
    alice = client_for(ws["people"]["alice"])
    home = alice.get(url("assembly", slug="stoke")).content.decode()
    upcoming_part, past_part = home.split("Past sessions")
    assert "Belonging, session 1" in upcoming_part and "Opening weekend" in past_part
    assert "Add a session" not in home  # members do not run sessions
    page = alice.get(url("session", slug="stoke", pk=ws["session"].pk)).content.decode()
    assert "Evidence from the police" in page and "Police evidence" in page and "Hate crime trends." in page
    assert "Add an evidence paper" not in page and "Draft a recommendation" not in page
    assert alice.get(url("session", slug="stoke", pk=past.pk)).status_code == 200


# ---------------------------------------------------------------------------------------------
# Members and facilitators


def _volunteer(assembly: Assembly, label: str, status: str = "selected") -> Volunteer:
    ward = WardFactory()
    draw = InvitationDraw.objects.create(assembly=assembly, seed=1, invitations_requested=1)
    address = Address.objects.create(assembly=assembly, uprn=f"U{label}", address="1 High Street", postcode="ST1 1AA", ward=ward)
    invitation = Invitation.objects.create(assembly=assembly, draw=draw, address=address, code=f"C{label}")
    return Volunteer.objects.create(
        assembly=assembly, invitation=invitation, label=label, full_name=f"Resident {label}",
        email="resident@example.org", consent_at=timezone.now(), status=status,
    )


def test_an_officer_adds_a_member_who_sets_a_password_with_the_one_time_link(ws: dict[str, Any]) -> None:
    chosen = _volunteer(ws["a"], "V0042")
    not_chosen = _volunteer(ws["a"], "V0043", status="registered")
    officer = client_for(ws["people"]["officer"])
    form = officer.get(url("member_add", slug="stoke")).content.decode()
    assert "V0042" in form and "V0043" not in form
    assert officer.post(url("member_add", slug="stoke"), {"volunteer": not_chosen.pk}).status_code == 200
    assert not Member.objects.filter(volunteer=not_chosen).exists()

    page = officer.post(url("member_add", slug="stoke"), {"volunteer": chosen.pk, "display_name": "Dee"}).content.decode()
    member = Member.objects.select_related("user").get(volunteer=chosen)
    user = member.user
    assert (user.username, user.role, user.first_name, member.role) == ("v0042", Role.ASSEMBLY_MEMBER, "Dee", "member")
    assert not user.has_usable_password()
    assert user.email == ""  # contact details stay with the volunteer record
    assert AuditEvent.objects.filter(action="create", object_type="core.user", object_id=str(user.pk)).exists()
    assert "password" not in AuditEvent.objects.get(action="create", object_type="core.user").changes
    assert AuditEvent.objects.filter(action="create", object_type="assembly.member", object_id=str(member.pk)).exists()
    start = page.index("http://testserver/workspace/welcome/")
    link = page[start: page.index("<", start)]

    # The member follows the link (no sign-in), chooses a password and then signs in.
    visitor = Client()
    first = visitor.get(link)
    assert first.status_code == 302 and first["Location"].endswith("/set-password/")
    form_page = visitor.get(first["Location"]).content.decode()
    assert "Choose your password" in form_page and "v0042" in form_page
    mismatch = visitor.post(first["Location"], {"new_password1": "a-long-new-password-1", "new_password2": "different-one-22"})
    assert "There is a problem" in mismatch.content.decode()
    done = visitor.post(first["Location"], {"new_password1": "a-long-new-password-1", "new_password2": "a-long-new-password-1"})
    assert done.status_code == 302 and done["Location"] == reverse("login") + "?next=/workspace/"
    user.refresh_from_db()
    assert user.check_password("a-long-new-password-1")
    assert AuditEvent.objects.filter(action="update", object_type="core.user", actor=user).exists()
    # The link works once.
    assert "This link does not work" in Client().get(link).content.decode()
    signed_in = Client().post(reverse("login") + "?next=/workspace/", {"username": "v0042", "password": "a-long-new-password-1"})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/workspace/"


def test_welcome_links_are_only_for_assembly_members(ws: dict[str, Any]) -> None:
    officer_user = ws["people"]["officer"]
    link = workspace.welcome_link(user=officer_user, actor=None)
    assert "This link does not work" in Client().get(link.path).content.decode()


def test_an_officer_adds_a_facilitator_from_existing_accounts(ws: dict[str, Any], make_user: Any) -> None:
    new = make_user(Role.FACILITATOR, username="gina-facilitator")
    councillor = make_user(Role.COUNCILLOR, username="cllr-x")
    officer = client_for(ws["people"]["officer"])
    form = officer.get(url("facilitator_add", slug="stoke")).content.decode()
    assert "gina-facilitator" in form and "cllr-x" not in form and "fay-facilitator" not in form  # fay is in already
    assert "Choose an account from the list" in officer.post(url("facilitator_add", slug="stoke"), {"user": councillor.pk}).content.decode()
    assert officer.post(url("facilitator_add", slug="stoke"), {"user": new.pk}).status_code == 302
    assert Member.objects.get(assembly=ws["a"], user=new).role == "facilitator"
    assert client_for(new).get(url("session_add", slug="stoke")).status_code == 200
    # Facilitators do not manage membership.
    assert client_for(new).get(url("members", slug="stoke")).status_code == 403


# ---------------------------------------------------------------------------------------------
# Recommendations and votes


def test_voting_rules(ws: dict[str, Any]) -> None:
    fay = client_for(ws["people"]["fay"])
    response = fay.post(url("recommendation_add", slug="stoke", pk=ws["session"].pk), {"number": 1, "title": "Evening youth clubs", "text": "Open them."})
    assert response.status_code == 302
    rec = Recommendation.objects.get(assembly=ws["a"], number=1)
    assert rec.status == "draft"
    duplicate = fay.post(url("recommendation_add", slug="stoke", pk=ws["session"].pk), {"number": 1, "title": "Again", "text": "x"})
    assert "There is already a recommendation number 1" in duplicate.content.decode()

    alice = client_for(ws["people"]["alice"])
    vote_url = url("vote", slug="stoke", pk=rec.pk)
    refused = alice.post(vote_url, {"choice": "support"}, follow=True).content.decode()
    assert "Voting on this recommendation has not opened yet" in refused
    assert not Vote.objects.exists()

    assert client_for(ws["people"]["alice"]).post(url("recommendation_open", slug="stoke", pk=rec.pk)).status_code == 403
    fay.post(url("recommendation_open", slug="stoke", pk=rec.pk))
    rec.refresh_from_db()
    assert rec.status == "voting"
    # A draft can no longer be changed once voting has opened.
    fay.post(url("recommendation_edit", slug="stoke", pk=rec.pk), {"number": 1, "title": "Changed", "text": "x"})
    rec.refresh_from_db()
    assert rec.title == "Evening youth clubs"

    page = alice.get(url("recommendation", slug="stoke", pk=rec.pk)).content.decode()
    assert 'type="radio"' in page and 'value="support"' in page
    empty = alice.post(vote_url, {})
    assert "Choose support, oppose or abstain" in empty.content.decode()
    assert alice.post(vote_url, {"choice": "support"}).status_code == 302
    assert alice.post(vote_url, {"choice": "oppose"}).status_code == 302  # changes her vote
    vote = Vote.objects.get(recommendation=rec)
    assert vote.choice == "oppose" and Vote.objects.filter(recommendation=rec).count() == 1
    assert AuditEvent.objects.filter(object_type="assembly.vote", action="create").count() == 1
    assert AuditEvent.objects.get(object_type="assembly.vote", action="update").changes["choice"] == ["support", "oppose"]

    # Facilitators and officers do not vote; members of another assembly cannot reach it.
    assert fay.post(vote_url, {"choice": "support"}).status_code == 403
    assert client_for(ws["people"]["officer"]).post(vote_url, {"choice": "support"}).status_code == 403
    assert client_for(ws["people"]["zed"]).post(vote_url, {"choice": "support"}).status_code == 404

    client_for(ws["people"]["bob"]).post(vote_url, {"choice": "support"})
    client_for(ws["people"]["cara"]).post(vote_url, {"choice": "support"})
    fay.post(url("recommendation_close", slug="stoke", pk=rec.pk))
    rec.refresh_from_db()
    assert rec.status == "agreed"  # 2 of 3 votes cast: exactly two thirds
    closing = AuditEvent.objects.filter(object_type="assembly.recommendation", action="update").latest("id")
    assert closing.changes["status"] == ["voting", "agreed"] and closing.changes["votes"]["support"] == 2

    late = alice.post(vote_url, {"choice": "support"}, follow=True).content.decode()
    assert "Voting on this recommendation has closed, so your vote was not counted" in late
    assert Vote.objects.get(recommendation=rec, member=ws["members"]["alice"]).choice == "oppose"
    assert "Voting has closed." in alice.get(url("recommendation", slug="stoke", pk=rec.pk)).content.decode()


def test_not_enough_support_is_not_agreed(ws: dict[str, Any]) -> None:
    rec = _recommendation(ws, status="voting")
    _vote(ws, rec, alice="support", bob="oppose", cara="abstain")
    outcome = workspace.recommendation_close(recommendation=rec, actor=ws["people"]["fay"])
    assert outcome.recommendation.status == "not_agreed"
    assert (outcome.level.support, outcome.level.cast, outcome.level.eligible) == (1, 3, 3)


def test_the_level_of_support_is_shown(ws: dict[str, Any]) -> None:
    rec = _recommendation(ws, status="voting")
    _vote(ws, rec, alice="support", bob="support")
    page = client_for(ws["people"]["cara"]).get(url("recommendation", slug="stoke", pk=rec.pk)).content.decode()
    assert "Level of support" in page
    assert "2 of 3 members voted (66.7%)" in page  # turnout of active members
    assert "at least two thirds (66.7%) of the votes cast must support it" in page
    assert ">100%<" in page  # 2 of 2 votes cast are in support


def test_individual_votes_are_seen_by_facilitators_and_officers_only(ws: dict[str, Any]) -> None:
    rec = _recommendation(ws, status="voting")
    _vote(ws, rec, alice="support", bob="oppose")
    for key in ("alice", "bob", "cara"):
        page = client_for(ws["people"][key]).get(url("recommendation", slug="stoke", pk=rec.pk)).content.decode()
        assert "How each member voted" not in page
        others = {"alice", "bob", "cara"} - {key}
        for other in others:
            user = ws["people"][other]
            assert user.last_name not in page and user.username not in page
        assert ">1<" in page  # the totals are there
    for key in ("fay", "officer"):
        page = client_for(ws["people"][key]).get(url("recommendation", slug="stoke", pk=rec.pk)).content.decode()
        assert "How each member voted" in page
        assert "Alice Ashdown" in page and "Bob Burslem" in page
        table = page[page.index("How each member voted"):]
        assert table.index("Alice Ashdown") < table.index("Support")


# ---------------------------------------------------------------------------------------------
# Evidence papers


def _paper_post(client: Client, ws: dict[str, Any], **data: Any) -> Any:
    return client.post(url("paper_add", slug="stoke", pk=ws["session"].pk), {"title": "Evidence", "summary": "", "link": "", **data})


def test_evidence_uploads_must_be_small_pdfs(ws: dict[str, Any]) -> None:
    fay = client_for(ws["people"]["fay"])
    cases = [
        (SimpleUploadedFile("notes.pdf", b"Hello, I am text"), "The file must be a PDF"),
        (SimpleUploadedFile("notes.docx", b"PK\x03\x04 word"), "choose File, Save As (or Export), PDF"),
        (SimpleUploadedFile("empty.pdf", b""), "The file is empty"),
        (SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024)), "it must be 10 MB or smaller"),
    ]
    for upload, message in cases:
        page = _paper_post(fay, ws, file=upload).content.decode()
        assert "There is a problem" in page and message in page, message
    assert "Give a link to the paper or upload it as a PDF" in _paper_post(fay, ws).content.decode()
    both = _paper_post(fay, ws, link="https://example.org/a.pdf", file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"))
    assert "not both" in both.content.decode()
    huge = _paper_post(fay, ws, file=SimpleUploadedFile("huge.pdf", b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024)))
    assert huge.status_code == 413 and "10 MB or smaller" in huge.content.decode()
    assert not EvidencePaper.objects.exists()
    assert client_for(ws["people"]["alice"]).post(
        url("paper_add", slug="stoke", pk=ws["session"].pk), {"title": "x", "link": "https://example.org"}
    ).status_code == 403


def test_evidence_files_are_served_only_to_the_assembly(ws: dict[str, Any]) -> None:
    fay = client_for(ws["people"]["fay"])
    content = b"%PDF-1.4\n%test evidence\n"
    response = _paper_post(fay, ws, title="Police evidence: hate crime", file=SimpleUploadedFile("Secret name.pdf", content))
    assert response.status_code == 302
    paper = EvidencePaper.objects.get()
    assert paper.file.name.startswith("assembly/evidence/") and "Secret" not in paper.file.name
    assert AuditEvent.objects.filter(action="create", object_type="assembly.evidencepaper").exists()
    file_url = url("paper_file", slug="stoke", pk=paper.pk)
    assert file_url in client_for(ws["people"]["alice"]).get(url("session", slug="stoke", pk=ws["session"].pk)).content.decode()
    download = client_for(ws["people"]["alice"]).get(file_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == content  # type: ignore[attr-defined]
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="police-evidence-hate-crime.pdf"' in download["Content-Disposition"]
    assert client_for(ws["people"]["officer"]).get(file_url).status_code == 200
    assert client_for(ws["people"]["zed"]).get(file_url).status_code == 404
    assert Client().get(file_url).status_code == 302


# ---------------------------------------------------------------------------------------------
# Calendar


def test_the_calendar_file_for_a_session(ws: dict[str, Any]) -> None:
    session = ws["session"]
    session.title = "Belonging; trust, and the city"
    session.online_link = "https://meet.example.org/room"
    session.save()
    response = client_for(ws["people"]["alice"]).get(url("session_ics", slug="stoke", pk=session.pk))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"] and ".ics" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF everywhere
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    text = raw.decode().replace("\r\n ", "")  # unfold
    assert f"DTSTART:{session.starts_at.astimezone(workspace.UTC):%Y%m%dT%H%M%SZ}" in text
    assert "DTEND:" in text and "UID:assembly-session-" in text and "VERSION:2.0" in text
    assert "SUMMARY:Stoke Citizens' Assembly: Belonging\\; trust\\, and the city" in text
    assert "LOCATION:Civic Centre\\, Stoke" in text
    assert "Agenda:\\nWelcome\\nEvidence from the police" in text


# ---------------------------------------------------------------------------------------------
# The council's response, "you said, we did", and the measure it feeds


def test_officers_write_and_publish_the_response_to_agreed_recommendations_only(ws: dict[str, Any]) -> None:
    agreed = _recommendation(ws, 1, status="agreed")
    not_agreed = _recommendation(ws, 2, status="not_agreed")
    officer = client_for(ws["people"]["officer"])
    refused = officer.get(url("response_edit", slug="stoke", pk=not_agreed.pk), follow=True).content.decode()
    assert "The council responds only to recommendations the assembly agreed" in refused
    assert client_for(ws["people"]["fay"]).get(url("response_edit", slug="stoke", pk=agreed.pk)).status_code == 403
    data = {"decision": "accepted", "response": "Six clubs will open on weekday evenings.", "progress": "in_progress"}
    assert officer.post(url("response_edit", slug="stoke", pk=agreed.pk), data).status_code == 302
    response = CouncilResponse.objects.get(recommendation=agreed)
    assert response.published_at is None
    # Members do not see a response before it is published.
    alice = client_for(ws["people"]["alice"])
    assert "Six clubs" not in alice.get(url("recommendation", slug="stoke", pk=agreed.pk)).content.decode()
    officer.post(url("response_publish", slug="stoke", pk=agreed.pk))
    response.refresh_from_db()
    assert response.published_at is not None
    assert "Six clubs" in alice.get(url("recommendation", slug="stoke", pk=agreed.pk)).content.decode()
    officer.post(url("response_edit", slug="stoke", pk=agreed.pk), {**data, "progress": "done"})
    changes = AuditEvent.objects.filter(object_type="assembly.councilresponse", action="update").values_list("changes", flat=True)
    assert any(c.get("progress") == ["in_progress", "done"] for c in changes)
    assert any("published_at" in c for c in changes)


def test_you_said_we_did_shows_published_responses_only_and_no_names(ws: dict[str, Any]) -> None:
    published = _recommendation(ws, 1, status="agreed")
    unpublished = _recommendation(ws, 2, status="agreed")
    rejected = _recommendation(ws, 3, status="not_agreed")
    _vote(ws, published, alice="support", bob="support", cara="oppose")
    _vote(ws, rejected, alice="oppose", bob="oppose")
    CouncilResponse.objects.create(recommendation=published, decision="partly", response="We opened four clubs.", progress="done", published_at=timezone.now())
    CouncilResponse.objects.create(recommendation=unpublished, decision="accepted", response="DRAFT WORDING", progress="in_progress")
    page = Client().get(url("you_said_we_did", slug="stoke"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "We opened four clubs." in text and "Partly accepted" in text and "Done" in text
    assert "2 of 3 votes cast (66.7%) supported it" in text
    assert "Recommendation 2" in text and "The council has not published its response yet." in text
    assert "DRAFT WORDING" not in text
    assert "Recommendation 3" not in text
    for user in ws["people"].values():
        assert user.username not in text
        if user.last_name:
            assert user.last_name not in text
    assert Client().get(url("you_said_we_did", slug="no-such-assembly")).status_code == 404


def test_the_response_measure_follows_the_council_responses(ws: dict[str, Any]) -> None:
    measure = MeasureFactory(slug="assembly-done", title="Assembly recommendations carried out", frequency="quarterly", baseline_value=0, target_value=80)
    assembly = ws["a"]
    assembly.response_measure = measure
    assembly.save()
    officer_user = ws["people"]["officer"]
    assert workspace.assembly_measure_update(assembly=assembly) is None  # nothing agreed yet
    first = _recommendation(ws, 1, status="agreed")
    second = _recommendation(ws, 2, status="agreed")
    _recommendation(ws, 3, status="not_agreed")

    officer = client_for(officer_user)
    data = {"decision": "accepted", "response": "Done it.", "progress": "done"}
    officer.post(url("response_edit", slug="stoke", pk=first.pk), data)
    figure = Observation.objects.get(measure=measure)
    assert (figure.value, figure.numerator, figure.denominator) == (0.0, 0.0, 2.0)  # not published yet
    today = timezone.localdate()
    assert figure.ward is None and figure.period_start <= today <= figure.period_end
    assert figure.period_label == f"{today.year} Q{(today.month - 1) // 3 + 1}"
    assert AuditEvent.objects.filter(object_type="strategy.observation", action="create", actor=officer_user).exists()

    officer.post(url("response_publish", slug="stoke", pk=first.pk))
    figure = Observation.objects.get(measure=measure)  # the same quarter's figure, changed
    assert (figure.value, figure.numerator, figure.denominator) == (50.0, 1.0, 2.0)
    update = AuditEvent.objects.get(object_type="strategy.observation", action="update")
    assert update.changes["value"] == [0.0, 50.0]
    measure.refresh_from_db()
    assert measure.latest_value == 50.0

    officer.post(url("response_edit", slug="stoke", pk=second.pk), {**data, "progress": "in_progress"})
    officer.post(url("response_publish", slug="stoke", pk=second.pk))
    assert Observation.objects.get(measure=measure).value == 50.0
    officer.post(url("response_edit", slug="stoke", pk=second.pk), data)
    assert Observation.objects.get(measure=measure).value == 100.0
    assert Observation.objects.filter(measure=measure).count() == 1


def test_closing_a_vote_updates_the_measure_denominator(ws: dict[str, Any]) -> None:
    measure = MeasureFactory(frequency="quarterly")
    ws["a"].response_measure = measure
    ws["a"].save()
    done = _recommendation(ws, 1, status="agreed")
    CouncilResponse.objects.create(recommendation=done, decision="accepted", response="x", progress="done", published_at=timezone.now())
    assert workspace.assembly_measure_update(assembly=ws["a"]).value == 100.0  # type: ignore[union-attr]
    rec = _recommendation(ws, 2, status="voting")
    _vote(ws, rec, alice="support", bob="support", cara="support")
    workspace.recommendation_close(recommendation=rec, actor=ws["people"]["fay"])
    assert Observation.objects.get(measure=measure).value == 50.0


def test_an_assembly_without_a_measure_writes_no_figure(ws: dict[str, Any]) -> None:
    rec = _recommendation(ws, 1, status="agreed")
    CouncilResponse.objects.create(recommendation=rec, decision="accepted", response="x", progress="done", published_at=timezone.now())
    assert workspace.assembly_measure_update(assembly=ws["a"]) is None
    assert not Observation.objects.exists()
