"""The same picture sent again with another report: found, shown on the report page and offered
as evidence for the claim its earlier sighting belongs to."""

from __future__ import annotations

import importlib
import io
import random
from datetime import timedelta

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from cohesion.core.models import AuditEvent
from cohesion.rumours import pictures
from cohesion.rumours.models import Sighting

from .conftest import sighting


def screenshot(seed: int) -> Image.Image:
    """A made-up phone screenshot: the app's bars, then chat bubbles of words that depend on
    ``seed`` (so that two seeds give the same layout with other words)."""
    rng = random.Random(seed)
    words = ["council", "houses", "hanley", "riot", "weekend", "school", "asylum", "hotel", "mosque", "park", "police", "video"]
    image = Image.new("RGB", (360, 640), (236, 229, 221))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 360, 80], fill=(7, 94, 84))
    draw.text((20, 30), "Family group", fill="white", font=ImageFont.load_default(size=20))
    y = 100
    while y < 560:
        lines = rng.randint(1, 4)
        draw.rounded_rectangle([20, y, 340, y + 26 * lines + 16], radius=10, fill=(220, 248, 198))
        for line in range(lines):
            text = " ".join(rng.choice(words) for _ in range(4))
            draw.text((30, y + 8 + 26 * line), text, fill=(20, 20, 20), font=ImageFont.load_default(size=18))
        y += 26 * lines + 40
    return image


def encoded(image: Image.Image, *, forwarded: bool = False) -> bytes:
    """The picture as a PNG; or, ``forwarded``, shrunk to half and saved as a low-quality JPEG,
    as a messaging app does when it is passed on."""
    buffer = io.BytesIO()
    if forwarded:
        image.resize((image.width // 2, image.height // 2)).save(buffer, format="JPEG", quality=55)
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue()


def fingerprint_of(data: bytes) -> str:
    return pictures.fingerprint(io.BytesIO(data))


def test_a_forwarded_copy_is_the_same_picture_and_other_words_are_not() -> None:
    original = fingerprint_of(encoded(screenshot(1)))
    assert len(original) == pictures.HASH_HEX_LENGTH == 64
    assert pictures.distance(original, fingerprint_of(encoded(screenshot(1), forwarded=True))) <= pictures.SAME_PICTURE
    for other in range(2, 8):  # the same app, the same layout, other words
        assert pictures.distance(original, fingerprint_of(encoded(screenshot(other)))) > pictures.SAME_PICTURE


def test_the_index_keeps_close_fingerprints_closest_first_and_skips_empty_ones() -> None:
    base = "0" * 64
    one_bit, far = "0" * 63 + "1", "f" * 64
    on_file = pictures.PictureIndex([(1, far), (2, one_bit), (3, base), (4, ""), (5, "abc"), (6, one_bit)])
    assert on_file.alike(base) == [(3, 0), (6, 1), (2, 1)]  # equally close: the newest first
    assert on_file.alike(base, leave_out=3) == [(6, 1), (2, 1)]  # not the report itself
    assert on_file.alike("") == []


def log_with_picture(client, data: bytes, text: str, name: str = "shot.png") -> Sighting:
    kind = "image/jpeg" if data.startswith(b"\xff\xd8") else "image/png"
    response = client.post(
        reverse("rumours_staff:log"),
        {
            "text": text,
            "channel": "whatsapp",
            "reach": "2",
            "submit": "Send the report",
            "screenshot": SimpleUploadedFile(name, data, content_type=kind),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Sighting.objects.latest("pk")


def test_the_report_page_shows_the_same_picture_and_offers_its_claim(officer_client, partner_client, claims):
    first = log_with_picture(partner_client, encoded(screenshot(1)), "Heard they are closing the mosque in Hanley")
    assert len(first.picture_hash) == 64
    created = AuditEvent.objects.get(action="create", object_id=str(first.pk))
    assert "picture_hash" not in created.changes  # derived from a screenshot: kept out of the log
    officer_client.post(reverse("rumours_staff:report", kwargs={"pk": first.pk}), {"choice": claims["mosque"].pk})
    first.refresh_from_db()
    assert first.claim == claims["mosque"]

    # The same picture, forwarded, with words that say nothing of what it shows.
    again = log_with_picture(partner_client, encoded(screenshot(1), forwarded=True), "look what is going round now!!", "fwd.jpg")
    other = log_with_picture(partner_client, encoded(screenshot(9)), "another picture going round the group")

    page = officer_client.get(reverse("rumours_staff:report", kwargs={"pk": again.pk})).content.decode()
    assert "Reports with the same picture" in page
    assert f">Report {first.pk}</a>" in page and "A sighting of" in page
    assert f"The same picture came with report {first.pk}, one of its sightings." in page
    assert f'value="{claims["mosque"].pk}"' in page

    # The desk says it too, beside the report in the list of waiting reports.
    desk = officer_client.get(reverse("rumours_staff:desk")).content.decode()
    line = f'Same picture as <a class="govuk-link" href="{reverse("rumours_staff:report", kwargs={"pk": first.pk})}">report {first.pk}</a>, a sighting of “{claims["mosque"].title}”'
    assert desk.count(line) == 1  # beside the forwarded report only, not beside the other picture

    response = officer_client.post(reverse("rumours_staff:report", kwargs={"pk": again.pk}), {"choice": claims["mosque"].pk})
    assert response.status_code == 302
    again.refresh_from_db()
    assert (again.claim, again.match_score) == (claims["mosque"], None)  # no words' score to keep

    unrelated = officer_client.get(reverse("rumours_staff:report", kwargs={"pk": other.pk})).content.decode()
    assert "Reports with the same picture" not in unrelated


def test_retention_removes_the_fingerprint_with_the_screenshot(officer, claims):
    old = sighting(text="Old rumour with a picture", picture_hash="a" * 64)
    old.screenshot.save("old.png", ContentFile(encoded(screenshot(3))), save=True)
    Sighting.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    call_command("rumours_retention")
    old.refresh_from_db()
    assert (old.screenshot.name, old.picture_hash) == ("", "")


def test_screenshots_already_on_file_are_fingerprinted_when_the_migration_runs(claims):
    migration = importlib.import_module("cohesion.rumours.migrations.0007_sighting_picture_hash")
    good = sighting(text="Has a picture")
    good.screenshot.save("good.png", ContentFile(encoded(screenshot(4))), save=True)
    damaged = sighting(text="Has a damaged picture", fingerprint="d")
    damaged.screenshot.save("bad.png", ContentFile(b"\x89PNG\r\n\x1a\nnot really"), save=True)
    migration.fingerprint_screenshots(apps, None)
    good.refresh_from_db()
    damaged.refresh_from_db()
    assert good.picture_hash == fingerprint_of(encoded(screenshot(4)))
    assert damaged.picture_hash == ""
