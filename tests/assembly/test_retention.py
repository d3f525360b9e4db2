"""Contact details are deleted on the set date after the assembly ends; the anonymous record stays."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from cohesion.assembly import services
from cohesion.assembly.models import Assembly, InvitationDraw, SelectionRun, Volunteer
from cohesion.assembly.tasks import assembly_retention_task
from cohesion.core.models import AuditEvent
from tests.assembly.test_civic_lottery_support import (
    _clear_cache,  # noqa: F401 - an autouse fixture
    make_addresses,
    make_assembly,
    make_invitations,
    make_wards,
    register_volunteers,
)


@pytest.fixture
def ended(db: None) -> Assembly:
    wards = make_wards(1)
    assembly = make_assembly(panel_size=10, ends_on=date(2026, 6, 30), contact_retention_days=30)
    make_addresses(assembly, wards, 5)
    register_volunteers(make_invitations(assembly, 5)[:3])
    InvitationDraw.objects.update(letters_pdf=b"%PDF-1.4 letters")
    SelectionRun.objects.create(assembly=assembly, marginals={"V0001": 1.0}, record={"inputs": {"volunteers": [{"label": "V0001"}]}}, fingerprint="a" * 64)
    return assembly


def test_nothing_is_deleted_before_the_date(ended: Assembly) -> None:
    assert services.contact_deletion_date(assembly=ended) == date(2026, 7, 30)
    assert services.contact_details_delete(today=date(2026, 7, 29)) == 0
    assert Volunteer.objects.filter(email="").count() == 0


def test_on_the_date_contact_details_go_and_the_anonymous_record_stays(ended: Assembly) -> None:
    answers = dict(Volunteer.objects.values_list("label", "answers"))
    assert services.contact_details_delete(today=date(2026, 7, 30)) == 3
    for volunteer in Volunteer.objects.all():
        assert (volunteer.full_name, volunteer.email, volunteer.phone) == ("", "", "")
        assert volunteer.contact_deleted_at is not None
        assert volunteer.answers == answers[volunteer.label]  # kept, without a name
    assert InvitationDraw.objects.get().letters_pdf is None
    run = SelectionRun.objects.get()
    assert run.marginals == {"V0001": 1.0} and run.fingerprint == "a" * 64
    events = [e for e in AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_type="assembly.assembly") if "contact_details_deleted" in e.changes]
    assert len(events) == 1 and events[0].changes["contact_details_deleted"] == 3 and events[0].via == "task"
    # Running it again changes nothing and records nothing.
    before = AuditEvent.objects.count()
    assert services.contact_details_delete(today=date(2026, 8, 30)) == 0
    assert AuditEvent.objects.count() == before


def test_an_assembly_without_an_end_date_keeps_its_details(db: None) -> None:
    wards = make_wards(1)
    assembly = make_assembly(panel_size=10)
    make_addresses(assembly, wards, 2)
    register_volunteers(make_invitations(assembly, 1))
    assert services.contact_details_delete(today=date(2100, 1, 1)) == 0


def test_the_command_and_the_task(ended: Assembly) -> None:
    out = io.StringIO()
    call_command("assembly_retention", "--today", "2026-07-01", stdout=out)
    assert "Deleted the contact details of 0 volunteers" in out.getvalue()
    call_command("assembly_retention", "--today", "2026-07-30", stdout=out)
    assert "Deleted the contact details of 3 volunteers" in out.getvalue()
    Assembly.objects.filter(pk=ended.pk).update(ends_on=date.today() - timedelta(days=400))
    Volunteer.objects.update(email="again@example.org", contact_deleted_at=None)
    result = assembly_retention_task.enqueue()
    assert result.return_value == 3
    assert not Volunteer.objects.exclude(email="").exists()


def test_cron_can_queue_the_task_instead(ended: Assembly) -> None:
    Assembly.objects.filter(pk=ended.pk).update(ends_on=date.today() - timedelta(days=400))
    out = io.StringIO()
    call_command("assembly_retention", "--enqueue", stdout=out)
    assert "Queued the contact-details deletion" in out.getvalue()
    assert not Volunteer.objects.exclude(email="").exists()  # tests run tasks at once
    with pytest.raises(CommandError, match="cannot be used with --enqueue"):
        call_command("assembly_retention", "--enqueue", "--today", "2026-07-30")


def test_the_officer_sees_that_details_were_deleted(ended: Assembly, officer_client: Client) -> None:
    services.contact_details_delete(today=date(2026, 7, 30))
    page = officer_client.get(reverse("assembly_staff:volunteers", kwargs={"slug": ended.slug})).content.decode()
    assert "Deleted" in page and "resident0@example.org" not in page


def test_consent_wording_says_when_details_are_deleted(ended: Assembly) -> None:
    text = services.consent_text(assembly=ended)
    assert "We delete them on 30 July 2026" in text and "Only the council officers running the assembly can see them" in text
