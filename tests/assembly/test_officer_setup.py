"""The officer sets up an assembly, imports addresses, draws the letters and makes them."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from cohesion.assembly.models import Address, Assembly, Invitation, InvitationDraw, Question, Quota
from cohesion.core.models import AuditEvent, Job
from tests.assembly.test_civic_lottery_support import (
    _clear_cache,  # noqa: F401 - an autouse fixture
    make_addresses,
    make_assembly,
    make_wards,
)

HEADER = "uprn,address,postcode,ward\n"


@pytest.fixture
def wards(db: None) -> list:
    return make_wards(3, populations=[6000, 3000, 1000])


@pytest.fixture
def assembly(wards: list) -> Assembly:
    return make_assembly(panel_size=12)


def test_an_officer_sets_up_an_assembly_with_the_usual_questions(officer_client: Client, wards: list) -> None:
    page = officer_client.get(reverse("assembly_staff:create")).content.decode()
    assert "Set up a Citizens’ Assembly" in page
    response = officer_client.post(
        reverse("assembly_staff:create"),
        {"name": "Stoke Assembly", "slug": "stoke-assembly", "summary": "What should we do?", "panel_size": "45", "contact_retention_days": "90"},
    )
    assert response.status_code == 302
    assembly = Assembly.objects.get(slug="stoke-assembly")
    assert assembly.panel_size == 45 and assembly.stage == Assembly.Stage.PLANNING
    keys = list(assembly.questions.order_by("order").values_list("key", flat=True))
    assert keys == ["age_band", "gender", "ethnicity", "disability", "ward", "housing_tenure", "qualification", "trust"]
    assert assembly.questions.get(key="ward").options == [w.name for w in sorted(wards, key=lambda w: w.name)]
    assert len(assembly.questions.get(key="ethnicity").options) == 5
    assert assembly.questions.get(key="trust").label == "How much do you trust the council to listen?"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="assembly.assembly").exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="assembly.question").count() == 8
    detail = officer_client.get(response["Location"]).content.decode()
    assert "Stoke Assembly" in detail and "Import addresses" in detail


@pytest.mark.parametrize(
    ("size", "ok"), [("9", False), ("10", True), ("200", True), ("201", False), ("forty", False)]
)
def test_the_panel_size_must_be_from_10_to_200(officer_client: Client, db: None, size: str, ok: bool) -> None:
    response = officer_client.post(
        reverse("assembly_staff:create"),
        {"name": "A", "slug": f"a-{size}", "summary": "S", "panel_size": size, "contact_retention_days": "90"},
    )
    assert (response.status_code == 302) is ok
    if not ok:
        page = response.content.decode()
        assert "There is a problem" in page
        assert "from 10 to 200 members" in page or "as a whole number" in page


def test_the_web_address_name_new_is_refused(officer_client: Client, db: None) -> None:
    response = officer_client.post(
        reverse("assembly_staff:create"), {"name": "A", "slug": "new", "summary": "S", "panel_size": "45", "contact_retention_days": "90"}
    )
    assert "is used by the platform" in response.content.decode()


def test_an_officer_changes_the_stage(officer_client: Client, assembly: Assembly) -> None:
    url = reverse("assembly_staff:edit", kwargs={"slug": assembly.slug})
    response = officer_client.post(url, {"name": assembly.name, "slug": assembly.slug, "summary": "New summary", "panel_size": "12", "stage": "registering", "contact_retention_days": "30", "ends_on": "2026-12-31"})
    assert response.status_code == 302
    assembly.refresh_from_db()
    assert assembly.stage == "registering" and assembly.contact_retention_days == 30
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_type="assembly.assembly").exists()


# ---------------------------------------------------------------------------------------------
# The address list


def _upload(client: Client, assembly: Assembly, content: bytes | str, name: str = "addresses.csv") -> Any:
    data = content.encode() if isinstance(content, str) else content
    return client.post(reverse("assembly_staff:addresses", kwargs={"slug": assembly.slug}), {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def test_good_addresses_are_saved_and_every_bad_row_is_reported(officer_client: Client, assembly: Assembly, wards: list) -> None:
    make_addresses(assembly, wards[:1], 0)
    Address.objects.create(assembly=assembly, uprn="999", address="1 Old Road", postcode="ST1 1AA", ward=wards[0])
    rows = [
        f"100001,\"1 High Street, Hanley\",st1 1aa,{wards[0].code}",  # 2: good (ward by code, postcode tidied)
        f"100002,2 High Street,ST1 1AB,{wards[1].name}",  # 3: good (ward by exact name)
        "100003,3 High Street,ST1 1AC,Nowhere",  # 4: unknown ward
        f"100001,1 High Street again,ST1 1AA,{wards[0].code}",  # 5: repeats line 2
        f"999,1 Old Road,ST1 1AA,{wards[0].code}",  # 6: already saved
        f",4 High Street,ST1 1AD,{wards[0].code}",  # 7: empty uprn
        f"100005,,ST1 1AE,{wards[0].code}",  # 8: empty address
        f"100006,6 High Street,,{wards[0].code}",  # 9: empty postcode
        "100007,7 High Street,ST1 1AF,",  # 10: empty ward
        f"ABC,8 High Street,ST1 1AG,{wards[0].code}",  # 11: not a number
        f"100009,9 High Street,NOT A CODE,{wards[0].code}",  # 12: not a postcode
        f"100010,10 High Street,ST1 1AH,{wards[0].code},extra",  # 13: too many cells
        "",  # an empty line is skipped
        f"100011,11 High Street,ST4 2BB,{wards[2].code.lower()}",  # 15: good (code in lower case)
    ]
    response = _upload(officer_client, assembly, HEADER + "\n".join(rows) + "\n")
    page = response.content.decode()
    assert response.status_code == 200
    assert "3 addresses saved" in page
    assert set(Address.objects.filter(assembly=assembly).values_list("uprn", flat=True)) == {"999", "100001", "100002", "100011"}
    assert Address.objects.get(uprn="100001").postcode == "ST1 1AA"
    assert Address.objects.get(uprn="100002").ward == wards[1]
    for line, reason in [
        (4, "There is no ward called “Nowhere”"),
        (5, "repeats the uprn 100001 from line 2"),
        (6, "uprn 999 is already saved"),
        (7, "The uprn is empty"),
        (8, "The address is empty"),
        (9, "The postcode is empty"),
        (10, "The ward is empty"),
        (11, "must be a number of up to 12 digits"),
        (12, "is not a UK postcode"),
        (13, "more cells than the first row"),
    ]:
        assert f'<td class="govuk-table__cell">{line}</td><td class="govuk-table__cell">' in page
        assert reason in page
    assert Address.objects.get(uprn="999").address == "1 Old Road"  # nothing saved before is changed
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.changes["addresses_saved"] == 3 and event.changes["rows_rejected"] == 10


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("uprn,address,ward\n1,2 Road,E05990000\n", "a.csv", "no column called “postcode”"),
        ("address\n1 Road\n", "a.csv", "no column called “uprn”, “postcode”, “ward”"),
        ("", "a.csv", "The file is empty"),
        (b"PK\x03\x04binary", "a.csv", "looks like an Excel file"),
        (b"\x00\x01\x02\xff\xfe\x00", "a.csv", "not a CSV"),
        ("uprn,address,postcode,ward\n", "a.xlsx", "must be a CSV file"),
        ("uprn,uprn,address,postcode,ward\n", "a.csv", "names the same column twice"),
    ],
)
def test_an_address_file_that_cannot_be_read_is_refused(officer_client: Client, assembly: Assembly, content: Any, name: str, message: str) -> None:
    response = _upload(officer_client, assembly, content, name)
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not Address.objects.exists()


def test_a_huge_address_file_is_refused_before_it_is_read(officer_client: Client, assembly: Assembly, settings: Any) -> None:
    settings.COHESION_MAX_UPLOAD_BYTES = 10_000
    response = _upload(officer_client, assembly, HEADER + "1,1 Road,ST1 1AA,E05990000\n" * 5000)
    assert response.status_code == 413
    assert "must be smaller than" in response.content.decode()
    assert not Address.objects.exists()


def test_extra_columns_are_ignored_and_said(officer_client: Client, assembly: Assembly, wards: list) -> None:
    response = _upload(officer_client, assembly, f"uprn,address,postcode,ward,owner\n5,5 Road,ST1 1AA,{wards[0].code},Jo\n")
    page = response.content.decode()
    assert "1 address saved" in page and "We did not use these columns: owner" in page


def test_a_windows_spreadsheet_file_is_read(officer_client: Client, assembly: Assembly, wards: list) -> None:
    _upload(officer_client, assembly, (HEADER + f"5,5 Rue Café,ST1 1AA,{wards[0].code}\n").encode("cp1252"))
    assert Address.objects.get().address == "5 Rue Café"


# ---------------------------------------------------------------------------------------------
# The invitation draw


def test_the_officer_draws_letters_in_proportion_to_ward_population(officer_client: Client, assembly: Assembly, wards: list) -> None:
    make_addresses(assembly, wards, 100)  # the same number of addresses in each ward
    page = officer_client.get(reverse("assembly_staff:draw_new", kwargs={"slug": assembly.slug})).content.decode()
    assert "300 addresses can be drawn" in page
    assert 'name="seed"' in page  # prefilled with a random seed
    response = officer_client.post(reverse("assembly_staff:draw_new", kwargs={"slug": assembly.slug}), {"invitations": "50", "seed": "2026", "deprivation_boost": "1"})
    assert response.status_code == 302
    draw = InvitationDraw.objects.get()
    per_ward = {w["code"]: w["letters"] for w in draw.record["inputs"]["wards"]}
    assert per_ward == {wards[0].code: 30, wards[1].code: 15, wards[2].code: 5}
    assert draw.record["inputs"]["seed"] == 2026
    assert {"numpy", "python", "cohesion"} <= set(draw.record["versions"])
    assert len(draw.record["result"]["uprns"]) == 50
    assert Invitation.objects.count() == 50
    assembly.refresh_from_db()
    assert assembly.stage == Assembly.Stage.INVITING
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="assembly.invitationdraw").exists()
    detail = officer_client.get(response["Location"]).content.decode()
    assert "Letters in each ward" in detail and "2026" in detail


def test_the_same_seed_draws_the_same_addresses_again(assembly: Assembly, wards: list) -> None:
    from cohesion.assembly import services

    make_addresses(assembly, wards, 50)
    first = services.invitations_draw(assembly=assembly, n=20, seed=42, boost_factor=1.0, boosted_wards=[], actor=None)
    uprns = first.record["result"]["uprns"]
    Invitation.objects.all().delete()
    again = services.invitations_draw(assembly=assembly, n=20, seed=42, boost_factor=1.0, boosted_wards=[], actor=None)
    assert again.record["result"]["uprns"] == uprns
    Invitation.objects.all().delete()
    other = services.invitations_draw(assembly=assembly, n=20, seed=43, boost_factor=1.0, boosted_wards=[], actor=None)
    assert other.record["result"]["uprns"] != uprns


def test_a_second_draw_leaves_out_addresses_that_had_a_letter(assembly: Assembly, wards: list) -> None:
    from cohesion.assembly import services

    make_addresses(assembly, wards, 10)
    services.invitations_draw(assembly=assembly, n=20, seed=1, boost_factor=1.0, boosted_wards=[], actor=None)
    services.invitations_draw(assembly=assembly, n=10, seed=1, boost_factor=1.0, boosted_wards=[], actor=None)
    assert Invitation.objects.count() == 30
    assert Invitation.objects.values("address").distinct().count() == 30


def test_a_boost_sends_more_letters_to_the_ticked_wards(officer_client: Client, assembly: Assembly, wards: list) -> None:
    make_addresses(assembly, wards, 100)
    officer_client.post(
        reverse("assembly_staff:draw_new", kwargs={"slug": assembly.slug}),
        {"invitations": "50", "seed": "1", "deprivation_boost": "2", "boosted_wards": [wards[2].pk]},
    )
    draw = InvitationDraw.objects.get()
    per_ward = {w["code"]: w["letters"] for w in draw.record["inputs"]["wards"]}
    # Weights 6000, 3000 and 2 x 1000 = 2000, out of 11000.
    assert per_ward == {wards[0].code: 27, wards[1].code: 14, wards[2].code: 9}
    assert draw.record["inputs"]["boost"] == {wards[2].code: 2.0}
    assert list(draw.boosted_wards.all()) == [wards[2]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"invitations": "500", "seed": "1"}, "There are only 300 addresses"),
        ({"invitations": "0", "seed": "1"}, "Send at least 1 letter"),
        ({"invitations": "ten", "seed": "1"}, "Enter the number of letters as a whole number"),
        ({"invitations": "5", "seed": "-1"}, "The seed must be 0 or more"),
        ({"invitations": "5", "seed": "1", "deprivation_boost": "2"}, "Tick the wards to boost"),
        ({"invitations": "5", "seed": "1", "deprivation_boost": "0.5"}, "The boost must be 1 or more"),
    ],
)
def test_a_draw_that_cannot_be_made_says_why(officer_client: Client, assembly: Assembly, wards: list, data: dict, message: str) -> None:
    make_addresses(assembly, wards, 100)
    response = officer_client.post(reverse("assembly_staff:draw_new", kwargs={"slug": assembly.slug}), data)
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not InvitationDraw.objects.exists() and not Invitation.objects.exists()


def test_a_ward_without_a_population_stops_the_draw(officer_client: Client, assembly: Assembly, wards: list) -> None:
    make_addresses(assembly, wards, 10)
    wards[1].population = None
    wards[1].save()
    response = officer_client.post(reverse("assembly_staff:draw_new", kwargs={"slug": assembly.slug}), {"invitations": "5", "seed": "1"})
    assert "We do not know how many people live in Test Ward B" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Letters and the print house file


def test_the_letters_are_a_pdf_with_one_page_for_each_address(officer_client: Client, officer: Any, assembly: Assembly, wards: list, django_capture_on_commit_callbacks: Any) -> None:
    from cohesion.assembly import services

    make_addresses(assembly, wards, 3)
    draw = services.invitations_draw(assembly=assembly, n=4, seed=3, boost_factor=1.0, boosted_wards=[], actor=officer)
    url = reverse("assembly_staff:letters_start", kwargs={"slug": assembly.slug, "pk": draw.pk})
    assert officer_client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(url)
    assert response.status_code == 302
    job = Job.objects.get(kind="assembly_letters")
    assert job.status == Job.Status.DONE and job.percent == 100
    page = officer_client.get(response["Location"]).content.decode()
    assert "Download the letters" in page
    download = officer_client.get(reverse("assembly_staff:letters_download", kwargs={"slug": assembly.slug, "pk": draw.pk}))
    assert download["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(download.content))
    assert len(reader.pages) == 4
    texts = [page.extract_text() for page in reader.pages]
    codes = set(draw.invitations.values_list("code", flat=True))
    assert {next(c for c in codes if c in text) for text in texts} == codes  # each page has its own code
    assert "http://testserver/assemblies/test-assembly/register/" in texts[0]
    assert "Test Street" in texts[0] and "ST1 1AA" in texts[0]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="assembly.invitationdraw").exists()


def test_the_print_house_gets_a_csv_of_addresses_and_codes(officer_client: Client, assembly: Assembly, wards: list) -> None:
    from cohesion.assembly import services

    make_addresses(assembly, wards, 3)
    draw = services.invitations_draw(assembly=assembly, n=5, seed=3, boost_factor=1.0, boosted_wards=[], actor=None)
    response = officer_client.get(reverse("assembly_staff:codes_csv", kwargs={"slug": assembly.slug, "pk": draw.pk}))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["code", "uprn", "address", "postcode", "ward"]
    assert {r[0] for r in rows[1:]} == set(draw.invitations.values_list("code", flat=True))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, changes__file="addresses-and-codes.csv").exists()


def test_no_letters_yet_is_not_found(officer_client: Client, assembly: Assembly, wards: list) -> None:
    from cohesion.assembly import services

    make_addresses(assembly, wards, 1)
    draw = services.invitations_draw(assembly=assembly, n=1, seed=3, boost_factor=1.0, boosted_wards=[], actor=None)
    assert officer_client.get(reverse("assembly_staff:letters_download", kwargs={"slug": assembly.slug, "pk": draw.pk})).status_code == 404


# ---------------------------------------------------------------------------------------------
# Questions


def test_an_officer_adds_changes_and_deletes_a_question(officer_client: Client, assembly: Assembly) -> None:
    url = reverse("assembly_staff:question_add", kwargs={"slug": assembly.slug})
    response = officer_client.post(url, {"label": "Do you have children?", "key": "children", "options_text": "Yes\n\nNo\n", "order": "9"})
    assert response.status_code == 302
    question = Question.objects.get(assembly=assembly, key="children")
    assert question.options == ["Yes", "No"]
    edit = reverse("assembly_staff:question_edit", kwargs={"slug": assembly.slug, "pk": question.pk})
    assert "Yes\nNo" in officer_client.get(edit).content.decode()
    officer_client.post(edit, {"label": "Do you have children under 16?", "key": "children", "options_text": "Yes\nNo\nPrefer not to say", "order": "9"})
    question.refresh_from_db()
    assert question.options == ["Yes", "No", "Prefer not to say"]
    Quota.objects.create(assembly=assembly, category="children", value="Yes", min=1, max=5)
    officer_client.post(reverse("assembly_staff:question_delete", kwargs={"slug": assembly.slug, "pk": question.pk}))
    assert not Question.objects.filter(pk=question.pk).exists()
    assert not Quota.objects.filter(category="children").exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_type="assembly.quota").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"options_text": "Only one"}, "Enter at least 2 answers"),
        ({"options_text": "Yes\nyes"}, "is there twice"),
        ({"key": "Age Band"}, "Use only lower-case letters, numbers and underscores"),
        ({"key": "gender"}, "Another question has this short name"),
        ({"label": ""}, "Enter the question"),
    ],
)
def test_a_bad_question_says_what_to_fix(officer_client: Client, assembly: Assembly, data: dict, message: str) -> None:
    before = Question.objects.count()
    response = officer_client.post(
        reverse("assembly_staff:question_add", kwargs={"slug": assembly.slug}),
        {"label": "Q?", "key": "new_q", "options_text": "A\nB", "order": "1", **data},
    )
    assert message in response.content.decode()
    assert Question.objects.count() == before


def test_the_admin_pages_for_the_lottery_open_for_platform_admins(make_user: Any, assembly: Assembly, wards: list) -> None:
    from cohesion.assembly import services
    from cohesion.core.models import Role

    make_addresses(assembly, wards, 2)
    draw = services.invitations_draw(assembly=assembly, n=2, seed=1, boost_factor=1.0, boosted_wards=[], actor=None)
    services.volunteer_register(invitation=draw.invitations.first(), full_name="A", email="a@example.org", phone="", answers={})
    client = Client()
    client.force_login(make_user(Role.ADMIN))
    for model in ["assembly", "address", "invitationdraw", "question", "quota", "volunteer", "selectionrun"]:
        assert client.get(f"/django-admin/assembly/{model}/").status_code == 200, model
    volunteer = assembly.volunteers.get()
    assert client.get(f"/django-admin/assembly/volunteer/{volunteer.pk}/change/").status_code == 200
    assert client.get(f"/django-admin/assembly/invitationdraw/{draw.pk}/change/").status_code == 200

