"""The rumour desk's rows of the URL permission table (see tests/url_roles.py)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from cohesion.core.models import Role
from tests.url_roles import API_READ, EVERYONE, ROLES, STAFF, STAFF_POST_ONLY

# Partners and officers log rumours; councillors read reports but do not log rumours.
LOG = {
    "anonymous": 302,
    Role.PARTNER: 200,
    Role.COUNCILLOR: 403,
    Role.OFFICER: 200,
    Role.ADMIN: 200,
}

EXPECTED: dict[str, dict[str, int]] = {
    "rumours_public:index": EVERYONE,
    "rumours_public:detail": EVERYONE,  # a published myth-buster
    "rumours_public:report": EVERYONE,
    "rumours_public:report_thanks": dict.fromkeys(
        ROLES, 302
    ),  # without a report sent: back to the form
    "rumours_staff:desk": STAFF,
    "rumours_staff:log": LOG,
    "rumours_staff:suggest": LOG,
    "rumours_staff:report": STAFF,  # personal data: officers only, each look audited
    "rumours_staff:report_new_claim": STAFF,
    "rumours_staff:report_dismiss": STAFF_POST_ONLY,
    "rumours_staff:report_reopen": STAFF_POST_ONLY,
    "rumours_staff:report_language": STAFF,
    "rumours_staff:reports_decide": STAFF_POST_ONLY,
    "rumours_staff:report_screenshot": STAFF,
    "rumours_staff:claim_list": STAFF,
    "rumours_staff:claim": STAFF,
    "rumours_staff:claim_edit": STAFF,
    "rumours_staff:claim_merge": STAFF,
    "rumours_staff:rebuttal_edit": STAFF,
    "rumours_staff:rebuttal_publish": STAFF_POST_ONLY,
    "rumours_staff:rebuttal_withdraw": STAFF_POST_ONLY,
    "rumours_staff:alert_acknowledge": STAFF_POST_ONLY,
    # POST only: a GET is refused before any sign-in check (posting is tested in test_api.py).
    "api:rumour_report_create": dict.fromkeys(ROLES, 405),
    "api:rumour_mythbusters": API_READ,
}


def world_kwargs(
    strategy_data: dict[str, Any], users: dict[str, Any], make_user: Any
) -> dict[str, dict[str, Any]]:
    from cohesion.rumours.models import Alert, Claim, Rebuttal, Sighting

    ward = strategy_data["wards"][0]
    claim = Claim.objects.create(
        title="Mosque closing", text="The mosque on the high street is closing down"
    )
    waiting = Sighting.objects.create(
        text="I heard the mosque is closing",
        ward=ward,
        channel="whatsapp",
        seen_on=timezone.localdate(),
        fingerprint="url-table",
        people_named="A Person",
        screenshot_type="image/png",
    )
    waiting.screenshot.save("shot.png", ContentFile(b"\x89PNG\r\n\x1a\nfake"), save=True)
    rebuttal = Rebuttal.objects.create(
        claim=claim,
        slug="mosque-not-closing",
        headline="No, the mosque is not closing",
        what_is_said="The mosque is closing",
        the_facts="It is open.",
        published_at=timezone.now(),
    )
    alert = Alert.objects.create(
        kind="claim",
        claim=claim,
        window_end=timezone.localdate(),
        observed=5,
        expected=0.5,
        p_value=0.001,
        message="Rise",
    )
    on_report = {"pk": waiting.pk}
    on_claim = {"pk": claim.pk}
    return {
        "rumours_public:detail": {"slug": rebuttal.slug},
        "rumours_staff:report": on_report,
        "rumours_staff:report_new_claim": on_report,
        "rumours_staff:report_dismiss": on_report,
        "rumours_staff:report_reopen": on_report,
        "rumours_staff:report_language": on_report,
        "rumours_staff:report_screenshot": on_report,
        "rumours_staff:claim": on_claim,
        "rumours_staff:claim_edit": on_claim,
        "rumours_staff:claim_merge": on_claim,
        "rumours_staff:rebuttal_edit": on_claim,
        "rumours_staff:rebuttal_publish": on_claim,
        "rumours_staff:rebuttal_withdraw": on_claim,
        "rumours_staff:alert_acknowledge": {"pk": alert.pk},
    }
