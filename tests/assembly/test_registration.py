"""Registration with the code from a letter: mistyped codes, used codes, consent, contact, paper forms."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cohesion.assembly import services
from cohesion.assembly.models import Assembly, Invitation, Volunteer
from cohesion.core.models import AuditEvent, Role
from tests.assembly.test_civic_lottery_support import (
    _clear_cache,  # noqa: F401 - an autouse fixture
    make_addresses,
    make_assembly,
    make_invitations,
    make_wards,
)


@pytest.fixture
def setup(db: None) -> dict[str, Any]:
    wards = make_wards(2)
    assembly = make_assembly(panel_size=10)
    make_addresses(assembly, wards, 10)
    invitations = make_invitations(assembly, 6)
    return {"assembly": assembly, "invitations": invitations, "wards": wards}


def _details(assembly: Assembly, **overrides: str) -> dict[str, str]:
    data = {"full_name": "Sam Resident", "email": "sam@example.org", "phone": "", "consent": "on"}
    for question in assembly.questions.all():
        data[f"q_{question.key}"] = question.options[0]
    data.update(overrides)
    return data


def _start(client: Client, assembly: Assembly, code: str) -> Any:
    return client.post(reverse("assembly_public:register", kwargs={"slug": assembly.slug}), {"code": code})


def test_codes_look_like_xxxx_xxxx_and_are_unique(setup: dict) -> None:
    codes = [inv.code for inv in setup["invitations"]]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert set(code.replace("-", "")) <= set(services.CODE_ALPHABET)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("7k3q-m9tx", "7K3Q-M9TX"),
        (" 7K3Q M9TX ", "7K3Q-M9TX"),
        ("7K3QM9TX", "7K3Q-M9TX"),
        ("7k3q–m9tx", "7K3Q-M9TX"),  # an en dash from a word processor
        ("O1IL-0000", "0111-0000"),  # O read as 0, I and L as 1
    ],
)
def test_mistyped_codes_are_read_the_way_they_were_meant(typed: str, stored: str) -> None:
    assert services.code_normalise(typed) == stored


def test_a_resident_signs_up_with_a_mistyped_code(setup: dict) -> None:
    assembly, invitation = setup["assembly"], setup["invitations"][0]
    client = Client()
    page = client.get(reverse("assembly_public:register", kwargs={"slug": assembly.slug}))
    assert "Enter the code from your letter" in page.content.decode()
    typed = invitation.code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    response = _start(client, assembly, typed)
    assert response.status_code == 302
    assert response["Location"] == reverse("assembly_public:register_details", kwargs={"slug": assembly.slug})
    form = client.get(response["Location"]).content.decode()
    assert "How old are you?" in form and "How much do you trust the council to listen?" in form
    assert "Test Ward A" in form  # the ward question lists the wards
    assert "We delete them" in form  # the consent says when contact details go
    done = client.post(response["Location"], _details(assembly), follow=True)
    page = done.content.decode()
    assert "You have signed up" in page and "V0001" in page
    volunteer = Volunteer.objects.get()
    assert volunteer.invitation == invitation and volunteer.email == "sam@example.org"
    assert volunteer.answers["age_band"] == "16 to 24" and volunteer.entered_by is None
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="assembly.volunteer")
    assert "sam@example.org" not in str(event.changes) and "Sam Resident" not in str(event.changes)


def test_an_unknown_code_gets_a_clear_message(setup: dict) -> None:
    response = _start(Client(), setup["assembly"], "ZZZZ-ZZZZ")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "We cannot find that code. Check the letter and type it again" in page


def test_a_code_from_another_assembly_is_unknown(setup: dict) -> None:
    other = make_assembly(slug="other", panel_size=10)
    Assembly.objects.filter(pk=other.pk).update(stage=Assembly.Stage.REGISTERING)
    response = _start(Client(), other, setup["invitations"][0].code)
    assert services.CODE_UNKNOWN in response.content.decode()


def test_a_code_can_be_used_only_once(setup: dict) -> None:
    assembly, invitation = setup["assembly"], setup["invitations"][0]
    first = Client()
    _start(first, assembly, invitation.code)
    first.post(reverse("assembly_public:register_details", kwargs={"slug": assembly.slug}), _details(assembly))
    response = _start(Client(), assembly, invitation.code)
    assert "This code has already been used. Each letter can be used once." in response.content.decode()
    assert Volunteer.objects.count() == 1


def test_two_tabs_with_one_code_save_one_registration(setup: dict) -> None:
    """Both tabs passed step 1 before either finished: the second one is told the code is used."""
    assembly, invitation = setup["assembly"], setup["invitations"][0]
    a, b = Client(), Client()
    _start(a, assembly, invitation.code)
    _start(b, assembly, invitation.code)
    url = reverse("assembly_public:register_details", kwargs={"slug": assembly.slug})
    a.post(url, _details(assembly))
    response = b.post(url, _details(assembly, full_name="Someone Else"), follow=True)
    assert services.CODE_USED in response.content.decode()
    assert Volunteer.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "", "phone": ""}, "Enter an email address or a phone number"),
        ({"consent": ""}, "Tick “I agree” to sign up"),
        ({"full_name": ""}, "Enter your name"),
        ({"email": "not-an-email"}, "Enter an email address like name@example.com"),
        ({"phone": "12", "email": ""}, "Enter a phone number like"),
        ({"q_gender": ""}, "Answer “What is your gender?”"),
        ({"q_gender": "Robot"}, "Choose one of the answers to “What is your gender?”"),
    ],
)
def test_step_two_says_what_to_fix(setup: dict, overrides: dict, message: str) -> None:
    assembly = setup["assembly"]
    client = Client()
    _start(client, assembly, setup["invitations"][0].code)
    response = client.post(reverse("assembly_public:register_details", kwargs={"slug": assembly.slug}), _details(assembly, **overrides))
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not Volunteer.objects.exists()
    assert Invitation.objects.filter(used_at__isnull=False).count() == 0


def test_a_phone_number_alone_is_enough(setup: dict) -> None:
    assembly = setup["assembly"]
    client = Client()
    _start(client, assembly, setup["invitations"][0].code)
    client.post(reverse("assembly_public:register_details", kwargs={"slug": assembly.slug}), _details(assembly, email="", phone="07700 900982"))
    assert Volunteer.objects.get().phone == "07700 900982"


def test_step_two_without_a_code_goes_back_to_step_one(setup: dict) -> None:
    assembly = setup["assembly"]
    response = Client().get(reverse("assembly_public:register_details", kwargs={"slug": assembly.slug}))
    assert response.status_code == 302 and response["Location"].endswith("/register/")


def test_too_many_code_attempts_from_one_address_are_refused(setup: dict) -> None:
    assembly = setup["assembly"]
    client = Client()
    for _ in range(20):
        assert _start(client, assembly, "AAAA-AAAA").status_code == 200
    response = _start(client, assembly, setup["invitations"][0].code)
    assert response.status_code == 429
    assert "You have typed too many codes. Wait 10 minutes" in response.content.decode()
    # Another computer is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _start(other, assembly, setup["invitations"][0].code).status_code == 302


def test_registration_is_closed_outside_the_registration_stage(setup: dict) -> None:
    assembly = setup["assembly"]
    Assembly.objects.filter(pk=assembly.pk).update(stage=Assembly.Stage.SELECTING)
    page = Client().get(reverse("assembly_public:register", kwargs={"slug": assembly.slug})).content.decode()
    assert "You cannot sign up now" in page
    response = _start(Client(), assembly, setup["invitations"][0].code)
    assert "You cannot sign up now" in response.content.decode()


def test_an_officer_enters_a_paper_form(setup: dict, officer_client: Client, officer: Any) -> None:
    assembly, invitation = setup["assembly"], setup["invitations"][1]
    url = reverse("assembly_staff:volunteer_paper", kwargs={"slug": assembly.slug})
    assert "Enter a paper form" in officer_client.get(url).content.decode()
    response = officer_client.post(url, {**_details(assembly, email="", phone="01782 232323"), "code": invitation.code.lower()}, follow=True)
    assert "The paper form has been saved" in response.content.decode()
    volunteer = Volunteer.objects.get()
    assert volunteer.entered_by == officer and volunteer.phone == "01782 232323"
    # The same letter cannot be used again, on paper or online.
    again = officer_client.post(url, {**_details(assembly), "code": invitation.code})
    assert services.CODE_USED in again.content.decode()
    assert services.CODE_USED in _start(Client(), assembly, invitation.code).content.decode()


def test_residents_cannot_use_the_paper_form(setup: dict, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user(Role.PARTNER))
    assert client.get(reverse("assembly_staff:volunteer_paper", kwargs={"slug": setup["assembly"].slug})).status_code == 403
