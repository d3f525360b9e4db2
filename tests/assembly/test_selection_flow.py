"""The whole civic lottery, officer to published draw, and the check anyone can run without us."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cohesion.assembly import selectors, services
from cohesion.assembly.models import Assembly, Invitation, SelectionRun, Volunteer
from cohesion.core.models import AuditEvent, Job, Role
from tests.assembly.test_civic_lottery_support import (
    _clear_cache,  # noqa: F401 - an autouse fixture
    make_addresses,
    make_assembly,
    make_invitations,
    make_wards,
    register_volunteers,
    simple_quotas,
)

PUBLIC_RANDOM = "12 24 31 38 45 49"


def _answers(assembly: Assembly, i: int) -> dict[str, str]:
    """A full set of answers for resident i, with a skewed mix like real volunteers."""
    out = {}
    for question in assembly.questions.all():
        if question.key == "gender":
            out[f"q_{question.key}"] = ["Woman", "Man", "Woman"][i % 3]
        elif question.key == "age_band":
            out[f"q_{question.key}"] = question.options[i % 4]
        else:
            out[f"q_{question.key}"] = question.options[i % len(question.options)]
    return out


def _stem(assembly: Assembly, key: str, option: str) -> str:
    question = assembly.questions.get(key=key)
    return f"{question.pk}-{question.options.index(option)}"


def test_officer_to_published_draw_and_the_check_gives_the_same_panel(
    officer_client: Client, officer: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    wards = make_wards(3, populations=[5000, 3000, 2000])
    # 1. The officer sets up the assembly.
    officer_client.post(
        reverse("assembly_staff:create"),
        {
            "name": "Flow Assembly",
            "slug": "flow",
            "summary": "Testing the whole flow.",
            "panel_size": "10",
            "contact_retention_days": "90",
        },
    )
    assembly = Assembly.objects.get(slug="flow")
    # 2. The address list.
    rows = ["uprn,address,postcode,ward"] + [
        f"{200000 + i},{i} Flow Road,ST4 1AB,{wards[i % 3].code}" for i in range(90)
    ]
    upload = SimpleUploadedFile("addresses.csv", "\n".join(rows).encode(), content_type="text/csv")
    page = officer_client.post(
        reverse("assembly_staff:addresses", kwargs={"slug": "flow"}), {"file": upload}
    ).content.decode()
    assert "90 addresses saved" in page
    # 3. The invitation draw: 60 letters with codes.
    officer_client.post(
        reverse("assembly_staff:draw_new", kwargs={"slug": "flow"}),
        {"invitations": "60", "seed": "2026", "deprivation_boost": "1"},
    )
    codes = list(
        Invitation.objects.filter(assembly=assembly).order_by("pk").values_list("code", flat=True)
    )
    assert len(codes) == 60
    # 4. 36 residents sign up online.
    for i, code in enumerate(codes[:36]):
        resident = Client(REMOTE_ADDR=f"10.1.0.{i}")
        resident.post(reverse("assembly_public:register", kwargs={"slug": "flow"}), {"code": code})
        details = {
            "full_name": f"Resident Number{i}",
            "email": f"resident{i}@example.org",
            "phone": "",
            "consent": "on",
            **_answers(assembly, i),
        }
        done = resident.post(
            reverse("assembly_public:register_details", kwargs={"slug": "flow"}), details
        )
        assert done.status_code == 302, done.content.decode()[:2000]
    assert Volunteer.objects.filter(assembly=assembly).count() == 36
    # 5. Quotas on gender and age band from census shares.
    data: dict[str, str] = {"action": "calculate", "slack": "1"}
    for question in assembly.questions.all():
        for i in range(len(question.options)):
            for kind in ("share", "min", "max"):
                data[f"{kind}-{question.pk}-{i}"] = ""
    data[f"share-{_stem(assembly, 'gender', 'Woman')}"] = "51"
    data[f"share-{_stem(assembly, 'gender', 'Man')}"] = "48"
    data[f"share-{_stem(assembly, 'gender', 'In another way')}"] = "1"
    age = assembly.questions.get(key="age_band")
    for option, share in zip(age.options, ["20", "20", "20", "20", "10", "5", "5"], strict=True):
        data[f"share-{_stem(assembly, 'age_band', option)}"] = share
    page = officer_client.post(
        reverse("assembly_staff:quotas", kwargs={"slug": "flow"}), data
    ).content.decode()
    assert "We worked out the quotas from the shares" in page
    values = dict(
        re.findall(
            r'name="((?:share|min|max)-\d+-\d+)" type="text" inputmode="\w+" spellcheck="false" value="([^"]*)"',
            page,
        )
    )
    data.update(values)
    data["action"] = "save"
    saved = officer_client.post(reverse("assembly_staff:quotas", kwargs={"slug": "flow"}), data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert "These quotas can be met" in officer_client.get(saved["Location"]).content.decode()
    # 6. The selection runs as a task and makes a lottery.
    with django_capture_on_commit_callbacks(execute=True):
        started = officer_client.post(
            reverse("assembly_staff:run_new", kwargs={"slug": "flow"}),
            {"method": "leximin", "lottery_size": "1000"},
        )
    assert started.status_code == 302
    run = SelectionRun.objects.get()
    job = Job.objects.get(kind="assembly_selection")
    assert job.status == Job.Status.DONE, job.message
    run.refresh_from_db()
    assert len(run.fingerprint) == 64 and run.lottery_file
    assert set(run.marginals) == set(Volunteer.objects.values_list("label", flat=True))
    assert abs(sum(run.marginals.values()) - 10) < 1e-6
    # The lottery is rounded by groups of interchangeable volunteers, and the smallest
    # probability loses less than 1/m to the rounding.
    assert run.record["stats"]["lottery"]["by_groups"] is True
    assert run.record["stats"]["lottery_min_loss"] < 1 / 1000
    record = run.record
    assert (
        record["inputs"]["panel_size"] == 10
        and record["inputs"]["method"] == "leximin"
        and record["inputs"]["lottery_size"] == 1000
    )
    assert {"cohesion", "numpy", "highspy", "python"} <= set(record["versions"])
    assert len(record["lottery_panels"]) == 1000
    # The record and the published file are anonymous.
    for blob in (json.dumps(record), bytes(run.lottery_file).decode()):
        assert (
            "Resident Number" not in blob
            and "@example.org" not in blob
            and "Flow Road" not in blob
            and "200001" not in blob
        )
    run_page = officer_client.get(started["Location"]).content.decode()
    assert run.fingerprint in run_page and "Publish the fingerprint" in run_page
    # The draw is refused before the fingerprint is published.
    refused = officer_client.post(
        reverse("assembly_staff:run_draw", kwargs={"slug": "flow", "pk": run.pk}),
        {"public_random": PUBLIC_RANDOM},
    )
    assert "Publish the fingerprint first" in refused.content.decode()
    assert (
        Client().get(reverse("assembly_public:lottery_file", kwargs={"slug": "flow"})).status_code
        == 404
    )
    # 7. Publish the fingerprint; then enter the public random number.
    officer_client.post(
        reverse("assembly_staff:run_publish", kwargs={"slug": "flow", "pk": run.pk})
    )
    run.refresh_from_db()
    assert run.fingerprint_published_at is not None
    public_page = (
        Client().get(reverse("assembly_public:selection", kwargs={"slug": "flow"})).content.decode()
    )
    assert run.fingerprint in public_page and "Not drawn yet" in public_page
    drawn = officer_client.post(
        reverse("assembly_staff:run_draw", kwargs={"slug": "flow", "pk": run.pk}),
        {"public_random": PUBLIC_RANDOM},
        follow=True,
    )
    assert "volunteers are now selected" in drawn.content.decode()
    run.refresh_from_db()
    assert (
        run.drawn_panel is not None
        and run.public_random == PUBLIC_RANDOM
        and run.drawn_at >= run.fingerprint_published_at
    )
    selected = set(
        Volunteer.objects.filter(status=Volunteer.Status.SELECTED).values_list("label", flat=True)
    )
    assert len(selected) == 10
    assert selected == set(selectors.drawn_labels(run=run))
    # One person per household (each volunteer came from a different address) and every quota met.
    for quota in assembly.quotas.all():
        count = Volunteer.objects.filter(
            status=Volunteer.Status.SELECTED, **{f"answers__{quota.category}": quota.value}
        ).count()
        assert quota.min <= count <= quota.max, quota
    # A lottery is drawn once.
    again = officer_client.post(
        reverse("assembly_staff:run_draw", kwargs={"slug": "flow", "pk": run.pk}),
        {"public_random": "1 2 3"},
    )
    assert "already been drawn" in again.content.decode()
    run.refresh_from_db()
    assert run.public_random == PUBLIC_RANDOM
    # 8. The public page shows the panel, the probabilities and the draw record.
    anonymous = Client()
    page = anonymous.get(
        reverse("assembly_public:selection", kwargs={"slug": "flow"})
    ).content.decode()
    assert f"Number {run.drawn_panel} of 1000" in page
    assert PUBLIC_RANDOM in page and run.fingerprint in page
    assert "Smallest chance" in page and "Geometric mean" in page and "Gini coefficient" in page
    assert "What the panel had to have, and what it has" in page
    for label in selected:
        assert f'<th scope="row" class="govuk-table__header">{label}</th>' in page
    assert "Resident Number" not in page and "@example.org" not in page
    assert f'python verify.py lottery.json "{PUBLIC_RANDOM}"' in page
    lottery = anonymous.get(reverse("assembly_public:lottery_file", kwargs={"slug": "flow"}))
    assert lottery.content == bytes(run.lottery_file)
    import hashlib

    assert hashlib.sha256(lottery.content).hexdigest() == run.fingerprint
    probabilities = list(
        csv.reader(
            io.StringIO(
                anonymous.get(
                    reverse("assembly_public:probabilities_csv", kwargs={"slug": "flow"})
                ).content.decode()
            )
        )
    )
    assert probabilities[0] == ["label", "probability", "panels_of_lottery", "on_chosen_panel"]
    assert {row[0] for row in probabilities[1:] if row[3] == "yes"} == selected
    # 9. Anyone can check the draw with the two published files, without the platform.
    script = anonymous.get(reverse("assembly_public:verify_script"))
    assert script["Content-Disposition"] == 'attachment; filename="verify.py"'
    (tmp_path / "verify.py").write_bytes(script.content)
    (tmp_path / "lottery.json").write_bytes(lottery.content)
    result = subprocess.run(  # noqa: S603 - our own script, our own file
        [
            sys.executable,
            "verify.py",
            "lottery.json",
            PUBLIC_RANDOM,
            "--expect-fingerprint",
            run.fingerprint,
            "--expect-panel",
            str(run.drawn_panel),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    chosen = re.search(r"Chosen panel:\s+(\d+)", result.stdout)
    members = re.search(r"Members:\s+(.+)", result.stdout)
    assert chosen and int(chosen.group(1)) == run.drawn_panel
    assert members and set(members.group(1).split()) == selected
    # Every step was audited.
    actions = set(
        AuditEvent.objects.filter(object_type="assembly.selectionrun").values_list(
            "action", flat=True
        )
    )
    assert actions == {AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE}


# ---------------------------------------------------------------------------------------------
# Shorter checks on a pool built directly


@pytest.fixture
def pool(db: None) -> Assembly:
    wards = make_wards(2)
    assembly = make_assembly(panel_size=10)
    make_addresses(assembly, wards, 20)
    register_volunteers(make_invitations(assembly, 30)[:24])
    simple_quotas(assembly)
    return assembly


def _run(officer_client: Client, assembly: Assembly, capture: Any, **data: str) -> Any:
    with capture(execute=True):
        return officer_client.post(
            reverse("assembly_staff:run_new", kwargs={"slug": assembly.slug}),
            {"method": "leximin", "lottery_size": "1000", **data},
        )


def test_a_panel_larger_than_the_pool_cannot_be_run(
    officer_client: Client, pool: Assembly, django_capture_on_commit_callbacks: Any
) -> None:
    Assembly.objects.filter(pk=pool.pk).update(panel_size=30)
    response = _run(officer_client, pool, django_capture_on_commit_callbacks)
    page = response.content.decode()
    assert (
        "There is a problem" in page
        and "The panel needs 30 people but only 24 volunteers are in the pool" in page
    )
    assert not SelectionRun.objects.exists() and not Job.objects.exists()


def test_no_quotas_no_run(
    officer_client: Client, pool: Assembly, django_capture_on_commit_callbacks: Any
) -> None:
    pool.quotas.all().delete()
    assert (
        "Set the quotas first"
        in _run(officer_client, pool, django_capture_on_commit_callbacks).content.decode()
    )


def test_a_distribution_that_fails_the_independent_check_fails_the_job_loudly(
    officer_client: Client,
    pool: Assembly,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
    caplog: Any,
) -> None:
    from cohesion.assembly.selection import check

    monkeypatch.setattr(
        check, "check_distribution", lambda **kwargs: ["Panel 3 has 11 people, not 10."]
    )
    _run(officer_client, pool, django_capture_on_commit_callbacks)
    # Loudly: logged as an error, and the task itself fails (the worker records it as FAILED).
    assert any(
        r.levelname == "ERROR" and "failed its independent check" in r.getMessage()
        for r in caplog.records
    )
    assert any(
        "SelectionCheckError" in (r.exc_text or "")
        or (r.exc_info and r.exc_info[0] is services.SelectionCheckError)
        for r in caplog.records
    )
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and "Panel 3 has 11 people" in job.message
    run = SelectionRun.objects.get()
    assert not run.fingerprint and not run.lottery_file
    page = officer_client.get(
        reverse("assembly_staff:run_detail", kwargs={"slug": pool.slug, "pk": run.pk})
    ).content.decode()
    assert "The selection did not finish" in page and "Panel 3 has 11 people" in page


def test_kept_members_are_on_the_drawn_panel(
    officer_client: Client, pool: Assembly, django_capture_on_commit_callbacks: Any
) -> None:
    Volunteer.objects.filter(assembly=pool, label__in=["V0001", "V0002"]).update(
        status=Volunteer.Status.SELECTED
    )
    page = officer_client.get(
        reverse("assembly_staff:run_new", kwargs={"slug": pool.slug})
    ).content.decode()
    assert "Members to keep" in page and "V0001" in page
    _run(officer_client, pool, django_capture_on_commit_callbacks, keep=["V0001", "V0002"])  # type: ignore[arg-type]
    run = SelectionRun.objects.get()
    assert run.job.status == Job.Status.DONE, run.job.message
    assert set(run.kept.values_list("label", flat=True)) == {"V0001", "V0002"}
    assert run.marginals["V0001"] == pytest.approx(1.0) and run.marginals["V0002"] == pytest.approx(
        1.0
    )
    services.fingerprint_publish(run=run, actor=None)
    labels = services.panel_draw(run=run, public_random="7", actor=None)
    assert {"V0001", "V0002"} <= set(labels)


def test_withdrawn_volunteers_are_left_out(
    officer_client: Client, pool: Assembly, django_capture_on_commit_callbacks: Any
) -> None:
    volunteer = Volunteer.objects.get(assembly=pool, label="V0003")
    officer_client.post(
        reverse("assembly_staff:volunteer_withdraw", kwargs={"slug": pool.slug, "pk": volunteer.pk})
    )
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.WITHDRAWN
    _run(officer_client, pool, django_capture_on_commit_callbacks)
    run = SelectionRun.objects.get()
    assert "V0003" not in run.marginals and len(run.marginals) == 23


def test_a_second_run_cannot_start_while_one_is_running(
    officer_client: Client, officer: Any, pool: Assembly
) -> None:
    job = Job.objects.create(
        kind="assembly_selection", title="Running", started_by=officer, status=Job.Status.RUNNING
    )
    SelectionRun.objects.create(assembly=pool, job=job, started_by=officer)
    response = officer_client.post(
        reverse("assembly_staff:run_new", kwargs={"slug": pool.slug}),
        {"method": "leximin", "lottery_size": "1000"},
    )
    assert "A selection is already running" in response.content.decode()


def test_a_running_selection_shows_its_progress(
    officer_client: Client, officer: Any, pool: Assembly
) -> None:
    job = Job.objects.create(
        kind="assembly_selection",
        title="Choosing",
        started_by=officer,
        status=Job.Status.RUNNING,
        done=40,
        total=100,
        message="LEXIMIN: stage 3",
    )
    run = SelectionRun.objects.create(assembly=pool, job=job, started_by=officer)
    page = officer_client.get(
        reverse("assembly_staff:run_detail", kwargs={"slug": pool.slug, "pk": run.pk})
    ).content.decode()
    assert 'value="40"' in page and "LEXIMIN: stage 3" in page and "Check progress" in page
    assert reverse("core:job_status", kwargs={"pk": job.pk}) in page


def test_a_finished_selection_job_leads_to_its_run(
    officer_client: Client, officer: Any, pool: Assembly
) -> None:
    job = Job.objects.create(
        kind="assembly_selection", title="Chosen", started_by=officer, status=Job.Status.DONE
    )
    run = SelectionRun.objects.create(assembly=pool, job=job, started_by=officer)
    run_url = reverse("assembly_staff:run_detail", kwargs={"slug": pool.slug, "pk": run.pk})
    assert (
        officer_client.get(reverse("core:job_detail", kwargs={"pk": job.pk}))["Location"] == run_url
    )
    assert (
        officer_client.get(reverse("core:job_status", kwargs={"pk": job.pk})).json()["next_url"]
        == run_url
    )


def test_the_public_random_number_must_have_letters_or_digits(
    officer_client: Client, pool: Assembly, django_capture_on_commit_callbacks: Any
) -> None:
    _run(officer_client, pool, django_capture_on_commit_callbacks)
    run = SelectionRun.objects.get()
    services.fingerprint_publish(run=run, actor=None)
    response = officer_client.post(
        reverse("assembly_staff:run_draw", kwargs={"slug": pool.slug, "pk": run.pk}),
        {"public_random": " - , "},
    )
    assert "The public random number is empty" in response.content.decode()
    run.refresh_from_db()
    assert run.drawn_panel is None
    with pytest.raises(services.AssemblyError, match="already published"):
        services.fingerprint_publish(run=run, actor=None)


def test_before_anything_is_published_the_public_page_says_so(pool: Assembly) -> None:
    client = Client()
    page = client.get(
        reverse("assembly_public:selection", kwargs={"slug": pool.slug})
    ).content.decode()
    assert "The members have not been picked yet" in page
    assert (
        client.get(reverse("assembly_public:lottery_file", kwargs={"slug": pool.slug})).status_code
        == 404
    )
    assert (
        client.get(
            reverse("assembly_public:probabilities_csv", kwargs={"slug": pool.slug})
        ).status_code
        == 404
    )


# ---------------------------------------------------------------------------------------------
# Personal data


def test_contact_details_are_for_officers_and_each_look_is_recorded(
    officer_client: Client, officer: Any, pool: Assembly, make_user: Any
) -> None:
    url = reverse("assembly_staff:volunteers", kwargs={"slug": pool.slug})
    page = officer_client.get(url).content.decode()
    assert "resident0@example.org" in page and "Resident 0" in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert (
        event.actor == officer
        and event.object_type == "assembly.assembly"
        and event.changes == {"volunteers_shown": 24}
    )
    for role in (Role.COUNCILLOR, Role.PARTNER):
        client = Client()
        client.force_login(make_user(role))
        assert client.get(url).status_code == 403
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count() == 1


def test_the_public_pages_never_show_contact_details(pool: Assembly) -> None:
    client = Client()
    for name in ("assembly_public:detail", "assembly_public:selection"):
        page = client.get(reverse(name, kwargs={"slug": pool.slug})).content.decode()
        assert "@example.org" not in page and "Resident 0" not in page


def test_probability_summary() -> None:
    summary = selectors.probability_summary([0.25, 0.25, 0.25, 0.25])
    assert (
        summary.smallest == 0.25
        and summary.geometric_mean == pytest.approx(0.25)
        and summary.gini == pytest.approx(0.0)
    )
    summary = selectors.probability_summary([0.0, 0.0, 0.0, 1.0])
    assert (
        summary.smallest == 0.0
        and summary.geometric_mean == 0.0
        and summary.gini == pytest.approx(0.75)
    )
    summary = selectors.probability_summary([0.1, 0.4])
    assert summary.geometric_mean == pytest.approx(0.2) and summary.gini == pytest.approx(0.3)


def test_the_household_is_the_address_and_one_address_has_one_letter(pool: Assembly) -> None:
    """Two people at one address cannot both volunteer: one letter per address, one person per letter.

    The engine is also given the address (UPRN) as each volunteer's household, so at most one
    person per home could be chosen even if that ever changed; the public record has anonymous
    household numbers instead of UPRNs.
    """
    from django.db import IntegrityError, transaction

    built = services.pool_build(assembly=pool)
    volunteers = {
        v.label: v
        for v in Volunteer.objects.filter(assembly=pool).select_related("invitation__address")
    }
    for person in built.instance.people:
        assert person.household == volunteers[person.id].invitation.address.uprn
    assert all(re.fullmatch(r"H\d{4}", v["household"]) for v in built.volunteers)
    first = Invitation.objects.filter(assembly=pool).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            assembly=pool, draw=first.draw, address=first.address, code="ZZZZ-ZZZZ"
        )
