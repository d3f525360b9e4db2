"""Changing the record afterwards: edit and delete evidence papers and sessions, reopen a vote,
unpublish the council's response. Each change is audited and only facilitators and officers (or
only officers, for the response) can make it."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cohesion.assembly.models import CouncilResponse, EvidencePaper, Recommendation, Session
from cohesion.core.models import AuditEvent
from cohesion.strategy.models import Observation
from tests.assembly.test_workspace import _recommendation, _vote, client_for, url
from tests.factories import MeasureFactory


def _pdf_paper(client: Client, session: Session) -> EvidencePaper:
    upload = SimpleUploadedFile("evidence.pdf", b"%PDF-1.4\n%evidence\n")
    response = client.post(
        url("paper_add", slug="stoke", pk=session.pk),
        {"title": "Police evidence", "summary": "", "link": "", "file": upload},
    )
    assert response.status_code == 302
    return EvidencePaper.objects.get(title="Police evidence")


# ---------------------------------------------------------------------------------------------
# Evidence papers


def test_a_facilitator_changes_a_linked_paper_and_the_change_is_audited(ws: dict[str, Any]) -> None:
    paper = EvidencePaper.objects.create(
        session=ws["session"], title="Police evidnce", link="https://example.org/old"
    )
    fay = client_for(ws["people"]["fay"])
    page = fay.get(url("paper_edit", slug="stoke", pk=paper.pk))
    assert page.status_code == 200 and "Police evidnce" in page.content.decode()
    response = fay.post(
        url("paper_edit", slug="stoke", pk=paper.pk),
        {
            "title": "Police evidence",
            "summary": "Hate crime figures.",
            "link": "https://example.org/new",
        },
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert (paper.title, paper.link) == ("Police evidence", "https://example.org/new")
    event = AuditEvent.objects.get(object_type="assembly.evidencepaper", action="update")
    assert event.changes["title"] == ["Police evidnce", "Police evidence"]
    assert event.actor == ws["people"]["fay"]


def test_a_paper_change_with_mistakes_is_explained_and_nothing_is_saved(ws: dict[str, Any]) -> None:
    paper = EvidencePaper.objects.create(
        session=ws["session"], title="Evidence", link="https://example.org/a"
    )
    fay = client_for(ws["people"]["fay"])
    page = fay.post(
        url("paper_edit", slug="stoke", pk=paper.pk),
        {"title": "", "summary": "", "link": "not a link"},
    )
    text = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in text
    assert "Enter the paper’s title" in text and "full web address" in text
    paper.refresh_from_db()
    assert paper.title == "Evidence" and paper.link == "https://example.org/a"
    assert not AuditEvent.objects.filter(
        object_type="assembly.evidencepaper", action="update"
    ).exists()


def test_a_pdf_paper_keeps_its_file_when_its_title_changes(ws: dict[str, Any]) -> None:
    fay = client_for(ws["people"]["fay"])
    paper = _pdf_paper(fay, ws["session"])
    page = fay.get(url("paper_edit", slug="stoke", pk=paper.pk)).content.decode()
    assert "delete this paper and add it again" in page and 'name="link"' not in page
    fay.post(
        url("paper_edit", slug="stoke", pk=paper.pk),
        {"title": "Police evidence 2024", "summary": ""},
    )
    paper.refresh_from_db()
    assert paper.title == "Police evidence 2024" and paper.file and not paper.link


def test_deleting_a_paper_removes_it_and_its_file_and_is_audited(
    ws: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    fay = client_for(ws["people"]["fay"])
    paper = _pdf_paper(fay, ws["session"])
    name = paper.file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = fay.post(url("paper_delete", slug="stoke", pk=paper.pk))
    assert response.status_code == 302
    assert not EvidencePaper.objects.exists()
    assert not default_storage.exists(name)
    event = AuditEvent.objects.get(object_type="assembly.evidencepaper", action="delete")
    assert event.changes["title"] == "Police evidence"


def test_members_and_other_assemblies_cannot_change_or_delete_papers(ws: dict[str, Any]) -> None:
    paper = EvidencePaper.objects.create(
        session=ws["session"], title="Evidence", link="https://example.org/a"
    )
    alice = client_for(ws["people"]["alice"])
    assert alice.post(url("paper_delete", slug="stoke", pk=paper.pk)).status_code == 403
    assert (
        alice.post(
            url("paper_edit", slug="stoke", pk=paper.pk), {"title": "x", "link": "https://x.org"}
        ).status_code
        == 403
    )
    fred = client_for(ws["people"]["fred"])  # facilitator of the other assembly
    assert fred.post(url("paper_delete", slug="stoke", pk=paper.pk)).status_code == 404
    assert fred.post(url("paper_delete", slug="other", pk=paper.pk)).status_code == 404
    assert EvidencePaper.objects.filter(pk=paper.pk, title="Evidence").exists()


# ---------------------------------------------------------------------------------------------
# Sessions


def test_deleting_a_session_deletes_its_papers_and_is_audited(ws: dict[str, Any]) -> None:
    session = ws["session"]
    EvidencePaper.objects.create(session=session, title="Evidence", link="https://example.org/a")
    officer = client_for(ws["people"]["officer"])
    page = officer.get(url("session", slug="stoke", pk=session.pk)).content.decode()
    assert "Delete the session" in page
    response = officer.post(url("session_delete", slug="stoke", pk=session.pk), follow=True)
    assert "have been deleted" in response.content.decode()
    assert not Session.objects.filter(pk=session.pk).exists()
    assert not EvidencePaper.objects.exists()
    assert AuditEvent.objects.filter(object_type="assembly.session", action="delete").exists()
    assert AuditEvent.objects.filter(object_type="assembly.evidencepaper", action="delete").exists()


def test_a_session_with_recommendations_is_kept(ws: dict[str, Any]) -> None:
    session = ws["session"]
    _recommendation(ws, status="draft")
    fay = client_for(ws["people"]["fay"])
    assert (
        "Delete the session"
        not in fay.get(url("session", slug="stoke", pk=session.pk)).content.decode()
    )
    response = fay.post(url("session_delete", slug="stoke", pk=session.pk), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert Session.objects.filter(pk=session.pk).exists()
    assert not AuditEvent.objects.filter(action="delete").exists()
    alice = client_for(ws["people"]["alice"])
    assert alice.post(url("session_delete", slug="stoke", pk=session.pk)).status_code == 403


# ---------------------------------------------------------------------------------------------
# Reopening a vote


def test_a_facilitator_reopens_a_closed_vote_and_votes_still_count(ws: dict[str, Any]) -> None:
    rec = _recommendation(ws, status="not_agreed")
    _vote(ws, rec, alice="support", bob="oppose", cara="oppose")
    fay = client_for(ws["people"]["fay"])
    assert (
        "Open voting again"
        in fay.get(url("recommendation", slug="stoke", pk=rec.pk)).content.decode()
    )
    response = fay.post(url("recommendation_reopen", slug="stoke", pk=rec.pk), follow=True)
    assert "Voting is open again" in response.content.decode()
    rec.refresh_from_db()
    assert rec.status == Recommendation.Status.VOTING
    event = AuditEvent.objects.get(object_type="assembly.recommendation", action="update")
    assert event.changes["status"] == ["not_agreed", "voting"] and event.changes["reopened"] is True
    assert event.changes["votes"]["oppose"] == 2
    # Members can change their vote; closing decides again.
    alice = client_for(ws["people"]["alice"])
    assert (
        alice.post(url("vote", slug="stoke", pk=rec.pk), {"choice": "support"}).status_code == 302
    )
    client_for(ws["people"]["bob"]).post(
        url("vote", slug="stoke", pk=rec.pk), {"choice": "support"}
    )
    fay.post(url("recommendation_close", slug="stoke", pk=rec.pk))
    rec.refresh_from_db()
    assert rec.status == Recommendation.Status.AGREED


def test_only_a_closed_vote_without_a_published_response_can_be_reopened(
    ws: dict[str, Any],
) -> None:
    fay = client_for(ws["people"]["fay"])
    draft = _recommendation(ws, 1, status="draft")
    page = fay.post(
        url("recommendation_reopen", slug="stoke", pk=draft.pk), follow=True
    ).content.decode()
    assert "Only a recommendation whose vote has closed can be reopened" in page
    agreed = _recommendation(ws, 2, status="agreed")
    CouncilResponse.objects.create(
        recommendation=agreed, decision="accepted", response="x", published_at=timezone.now()
    )
    page = fay.post(
        url("recommendation_reopen", slug="stoke", pk=agreed.pk), follow=True
    ).content.decode()
    assert "Unpublish the response before you reopen the vote" in page
    agreed.refresh_from_db()
    assert agreed.status == Recommendation.Status.AGREED
    assert (
        client_for(ws["people"]["alice"])
        .post(url("recommendation_reopen", slug="stoke", pk=agreed.pk))
        .status_code
        == 403
    )


def test_reopening_a_vote_takes_it_out_of_the_measure(ws: dict[str, Any]) -> None:
    measure = MeasureFactory(frequency="quarterly")
    ws["a"].response_measure = measure
    ws["a"].save()
    done = _recommendation(ws, 1, status="agreed")
    CouncilResponse.objects.create(
        recommendation=done,
        decision="accepted",
        response="x",
        progress="done",
        published_at=timezone.now(),
    )
    other = _recommendation(ws, 2, status="agreed")
    officer = client_for(ws["people"]["officer"])
    officer.post(url("recommendation_reopen", slug="stoke", pk=other.pk))
    figure = Observation.objects.get(measure=measure)
    assert (figure.numerator, figure.denominator) == (1.0, 1.0)


# ---------------------------------------------------------------------------------------------
# Unpublishing the council's response


def test_an_officer_unpublishes_a_response_and_the_public_no_longer_sees_it(
    ws: dict[str, Any],
) -> None:
    measure = MeasureFactory(frequency="quarterly")
    ws["a"].response_measure = measure
    ws["a"].save()
    rec = _recommendation(ws, 1, status="agreed")
    response = CouncilResponse.objects.create(
        recommendation=rec,
        decision="accepted",
        response="Six clubs opened.",
        progress="done",
        published_at=timezone.now(),
    )
    assert (
        "Six clubs opened." in Client().get(url("you_said_we_did", slug="stoke")).content.decode()
    )
    officer = client_for(ws["people"]["officer"])
    assert (
        "Unpublish the response"
        in officer.get(url("recommendation", slug="stoke", pk=rec.pk)).content.decode()
    )
    page = officer.post(
        url("response_unpublish", slug="stoke", pk=rec.pk), follow=True
    ).content.decode()
    assert "taken off" in page
    response.refresh_from_db()
    assert response.published_at is None
    assert (
        "Six clubs opened."
        not in Client().get(url("you_said_we_did", slug="stoke")).content.decode()
    )
    event = AuditEvent.objects.get(object_type="assembly.councilresponse", action="update")
    assert "published_at" in event.changes and event.changes["published_at"][1] is None
    assert Observation.objects.get(measure=measure).value == 0.0  # done, but no longer published
    # It can be published again.
    officer.post(url("response_publish", slug="stoke", pk=rec.pk))
    response.refresh_from_db()
    assert response.published_at is not None


def test_only_officers_unpublish_and_only_what_is_published(ws: dict[str, Any]) -> None:
    rec = _recommendation(ws, 1, status="agreed")
    CouncilResponse.objects.create(recommendation=rec, decision="accepted", response="x")
    officer = client_for(ws["people"]["officer"])
    page = officer.post(
        url("response_unpublish", slug="stoke", pk=rec.pk), follow=True
    ).content.decode()
    assert "The response is not published." in page
    assert (
        client_for(ws["people"]["fay"])
        .post(url("response_unpublish", slug="stoke", pk=rec.pk))
        .status_code
        == 403
    )
    assert not AuditEvent.objects.filter(object_type="assembly.councilresponse").exists()
