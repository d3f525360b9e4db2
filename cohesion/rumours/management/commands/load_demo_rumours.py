"""Load the demo rumour desk: Stoke-on-Trent-style claims, sightings over ten weeks, two myth-busters.

Everything here is made up for the demo, in the style of what the city has faced (the disorder in
Hanley in August 2024, beliefs about migrants and housing, a false "church closing" story). No
real person is named. Run ``manage.py load_demo`` first: it loads the wards and the users. Dates
are relative to today, so the desk always looks current; the same seed gives the same sightings.
"""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from typing import Any

import numpy as np
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cohesion.core.models import User, Ward
from cohesion.rumours import pictures, rules, services
from cohesion.rumours.models import Claim, Rebuttal, Sighting

BUSY = [
    "Hanley Park and Shelton",
    "Etruria and Hanley",
    "Joiner's Square",
    "Burslem Central",
    "Stoke and Trent Vale",
    "Fenton West and Mount Pleasant",
]
CHANNELS = ["whatsapp", "facebook", "tiktok", "x", "word_of_mouth", "leaflet", "other"]

CLAIMS: list[dict[str, Any]] = [
    {
        "title": "Migrants pushed up housing costs",
        "text": "Migrants and asylum seekers are the reason rents and house prices in Stoke-on-Trent have gone up.",
        "harm": 2,
        "status": "rebutted",
        "weeks": (10, 2),
        "per_week": 2.0,
        "channels": ["facebook", "word_of_mouth", "x"],
        "variants": [
            "Rents in Stoke have gone through the roof because of all the migrants",
            "Can't get a house round here cos the asylum seekers get them all and rents are up",
            "Landlords putting rents up because the council pays them more for migrants",
        ],
        "evidence": "Demo: ONS rental index for Stoke-on-Trent; housing register data; conversation with the housing team.",
        "rebuttal": {
            "slug": "migrants-did-not-push-up-housing-costs",
            "headline": "No, migrants are not the reason housing costs went up in Stoke-on-Trent",
            "verdict": "misleading",
            "what_is_said": "Migrants and asylum seekers are the reason rents and house prices in Stoke-on-Trent have gone up.",
            "the_facts": (
                "Rents have gone up in every part of the country, including towns with very few new arrivals.\n\n"
                "The main reasons are higher interest rates, which put up landlords' costs, and not enough homes being built.\n\n"
                "People seeking asylum do not choose where they live and cannot rent on the open market. They are a very small share of the people who live in the city.\n\n"
                "(Demo text: the figures behind it are not checked.)"
            ),
            "where_from": "Posts in local Facebook groups and on X, often sharing a picture of a letting agent's window.",
            "sources": "Office for National Statistics: private rent and house prices https://www.ons.gov.uk/economy/inflationandpriceindices\nStoke-on-Trent City Council housing team (demo)",
            "days_after_first": 9,
        },
    },
    {
        "title": "False story about who carried out the Southport attack",
        "text": "The person who carried out the Southport attack was an asylum seeker who arrived in a small boat.",
        "harm": 3,
        "status": "rebutted",
        "weeks": (12, 8),
        "per_week": 6.0,
        "channels": ["x", "tiktok", "whatsapp", "facebook"],
        "variants": [
            "The Southport killer came over on a boat last year, they are covering it up",
            "Share before they delete it: the Southport attacker was an illegal migrant",
            "Meet in Hanley Saturday, the Southport attacker was an asylum seeker",
        ],
        "evidence": "Demo: police statements; court reporting; the disorder in Hanley on 3 August 2024 followed these posts.",
        "rebuttal": {
            "slug": "southport-attacker-was-not-an-asylum-seeker",
            "headline": "No, the Southport attacker was not an asylum seeker",
            "verdict": "false",
            "what_is_said": "The person who carried out the Southport attack was an asylum seeker who arrived in a small boat.",
            "the_facts": (
                "The person charged was born in Cardiff, in Wales. He was not an asylum seeker and did not arrive by boat.\n\n"
                "A false name and a false story were shared online within hours of the attack. They helped to start disorder in many towns, including Hanley on 3 August 2024.\n\n"
                "If you see a post like this, do not share it. Check it with a trusted news source first."
            ),
            "where_from": "A made-up name posted on X and on a fake news website, then shared in WhatsApp groups and on TikTok.",
            "sources": "Merseyside Police statement https://www.merseyside.police.uk/\nStaffordshire Police (demo) https://www.staffordshire.police.uk/",
            "days_after_first": 3,
        },
    },
    {
        "title": "Church in Shelton closing to become a mosque",
        "text": "A church in Shelton is being closed by the council and turned into a mosque.",
        "harm": 2,
        "status": "assessing",
        "weeks": (5, 0),
        "per_week": 1.5,
        "channels": ["word_of_mouth", "facebook", "leaflet"],
        "variants": [
            "They're shutting the church in Shelton and making it a mosque",
            "Heard at the school gate the church is closing down to be a mosque",
        ],
        "evidence": "Demo: asked the diocese; the church has a planning application for a new roof only.",
    },
    {
        "title": "Another riot planned in Hanley this weekend",
        "text": "There is going to be another riot in Hanley town centre this weekend.",
        "harm": 3,
        "status": "responding",
        "weeks": (2, 0),
        "per_week": 0.5,
        "surge": 7,
        "channels": ["tiktok", "whatsapp", "x"],
        "variants": [
            "Everyone get to Hanley Saturday it's all kicking off again",
            "Shops in Hanley told to close Saturday because of a riot",
        ],
        "evidence": "Demo: police aware; no event planned; shops not told to close.",
        "draft": {
            "slug": "no-riot-planned-in-hanley",
            "headline": "No, shops in Hanley have not been told to close for a riot",
            "verdict": "false",
            "what_is_said": "There is going to be another riot in Hanley town centre this weekend and shops have been told to close.",
            "the_facts": "The police know of no plan for disorder. Shops have not been told to close. The town centre is open as usual.",
        },
    },
    {
        "title": "Refugees get council houses before local families",
        "text": "Refugees are given council houses ahead of local families on the waiting list.",
        "harm": 2,
        "status": "new",
        "weeks": (6, 1),
        "per_week": 1.0,
        "channels": ["facebook", "word_of_mouth"],
        "variants": ["Refugees jump the housing list in Stoke, locals wait years"],
    },
]

WAITING = [
    (
        "The council is stopping free school meals to pay for asylum hotels",
        "facebook",
        "Bentilee and Ubberley",
        "staff",
    ),
    (
        "my neighbour says they're closing the church on the corner to make it a mosque",
        "word_of_mouth",
        "Hanley Park and Shelton",
        "public",
    ),
    (
        "TikTok video saying everyone should go to Hanley on Saturday",
        "tiktok",
        "Etruria and Hanley",
        "staff",
    ),
    # The start of a surge: the same call to gather in Hanley, told in other words, in several
    # wards and places. The desk groups them under the claim they match best.
    (
        "Everyone meet outside the Potteries Centre on Saturday, it's going to kick off again",
        "whatsapp",
        "Etruria and Hanley",
        "public",
    ),
    (
        "Heard there's going to be another riot in Hanley this weekend like last summer",
        "word_of_mouth",
        "Joiner's Square",
        "staff",
    ),
    (
        "Lads are saying trouble is planned in Hanley town centre this Saturday",
        "x",
        "Hanley Park and Shelton",
        "public",
    ),
    (
        "Post going round saying get down to Hanley at the weekend and sort them out",
        "facebook",
        "Burslem Central",
        "staff",
    ),
    (
        "Rents in Stoke keep going up and people say it is because of the migrants",
        "facebook",
        "Penkhull and Stoke",
        "public",
    ),
    # A resident writing in Polish: the desk still suggests the English claim it repeats
    # ("Refugees get council houses before local families").
    (
        "Na grupie piszą, że uchodźcy dostają mieszkania komunalne przed miejscowymi rodzinami",
        "whatsapp",
        "Fenton East",
        "public",
    ),
]


def _demo_poster(*, forwarded: bool) -> bytes:
    """A made-up screenshot of a call to gather in Hanley (demo only); ``forwarded``: shrunk
    and saved again as a JPEG, as a messaging app passes it on."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (540, 960), (236, 229, 221))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 540, 110], fill=(7, 94, 84))
    draw.text((24, 40), "Hanley lads", fill="white", font=ImageFont.load_default(size=30))
    draw.rounded_rectangle([30, 160, 510, 700], radius=16, fill=(20, 20, 20))
    for line, words in enumerate(["ENOUGH IS ENOUGH", "HANLEY", "SATURDAY 2PM", "BRING EVERYONE"]):
        draw.text(
            (60, 210 + 110 * line), words, fill=(255, 214, 0), font=ImageFont.load_default(size=40)
        )
    draw.rounded_rectangle([30, 740, 510, 830], radius=16, fill=(220, 248, 198))
    draw.text((50, 770), "pass it on", fill=(20, 20, 20), font=ImageFont.load_default(size=28))
    buffer = io.BytesIO()
    if forwarded:
        image.resize((270, 480)).save(buffer, format="JPEG", quality=60)
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue()


def _with_screenshot(sighting: Sighting, *, forwarded: bool) -> None:
    data = _demo_poster(forwarded=forwarded)
    sighting.picture_hash = pictures.fingerprint(io.BytesIO(data))
    sighting.screenshot_type = "image/jpeg" if forwarded else "image/png"
    name = "demo-poster-forwarded.jpg" if forwarded else "demo-poster.png"
    sighting.screenshot.save(name, ContentFile(data), save=True)


class Command(BaseCommand):
    help = "Load the demo rumour desk (after load_demo): claims, sightings, two published myth-busters."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the rumour desk already has claims",
        )

    def handle(self, *args: Any, seed: int, if_empty: bool, **options: Any) -> None:
        if Claim.objects.exists():
            if if_empty:
                self.stdout.write("The demo rumour desk is already loaded.")
                return
            raise CommandError(
                "The rumour desk already has claims. Use a fresh database to load the demo again."
            )
        wards = list(Ward.objects.order_by("code"))
        if not wards:
            raise CommandError("Load the wards first: manage.py load_demo")
        by_name = {w.name: w for w in wards}
        busy = [by_name[n] for n in BUSY if n in by_name] or wards[:6]
        officer = User.objects.filter(username="officer").first()
        police = User.objects.filter(username="police").first()
        rng = np.random.default_rng(seed)
        today = timezone.localdate()
        now = timezone.now()
        made = 0
        with transaction.atomic():
            for spec in CLAIMS:
                claim = Claim.objects.create(
                    title=spec["title"],
                    text=spec["text"],
                    harm=spec["harm"],
                    status=spec["status"],
                    owner=officer if spec["status"] != "new" else None,
                    evidence=spec.get("evidence", ""),
                    created_by=officer,
                    updated_at=now,
                )
                start_week, end_week = spec["weeks"]
                first_seen = None
                texts = [spec["text"], *spec["variants"]]
                for week in range(start_week, end_week - 1, -1):
                    count = int(
                        rng.poisson(spec["per_week"] * (3 if week == start_week - 1 else 1))
                    )
                    if week == 0 and spec.get("surge"):
                        count = spec["surge"]
                    for _ in range(count):
                        day = today - timedelta(days=7 * week + int(rng.integers(0, 7)))
                        if day > today:
                            day = today
                        ward = (
                            busy[int(rng.integers(0, len(busy)))]
                            if rng.random() < 0.75
                            else wards[int(rng.integers(0, len(wards)))]
                        )
                        if spec.get("surge") and week == 0:
                            ward = by_name.get("Etruria and Hanley", busy[0])
                        text = texts[int(rng.integers(0, len(texts)))]
                        channel = spec["channels"][int(rng.integers(0, len(spec["channels"])))]
                        Sighting.objects.create(
                            text=text,
                            ward=ward,
                            channel=channel,
                            seen_on=day,
                            reach=int(rng.integers(1, 5)),
                            source="staff",
                            reported_by=police,
                            organisation=police.organisation if police else None,
                            fingerprint=rules.report_fingerprint(
                                text=f"{text} {made}", ward_code=ward.code, channel=channel
                            ),
                            state="matched",
                            claim=claim,
                            confirmed_by=officer,
                            confirmed_at=now,
                            match_score=round(float(rng.uniform(0.45, 0.95)), 3),
                        )
                        made += 1
                        first_seen = min(first_seen, day) if first_seen else day
                for key, published in (("rebuttal", True), ("draft", False)):
                    if key not in spec:
                        continue
                    r = spec[key]
                    published_at = None
                    if published and first_seen:
                        published_at = timezone.make_aware(
                            datetime.combine(
                                first_seen + timedelta(days=r["days_after_first"]), time(10)
                            )
                        )
                        published_at = min(published_at, now)
                    Rebuttal.objects.create(
                        claim=claim,
                        slug=r["slug"],
                        headline=r["headline"],
                        verdict=r["verdict"],
                        what_is_said=r["what_is_said"],
                        the_facts=r["the_facts"],
                        where_from=r.get("where_from", ""),
                        sources=r.get("sources", ""),
                        author=officer,
                        published_at=published_at,
                        updated_at=published_at or now,
                    )
            for text, channel, ward_name, source in WAITING:
                place = by_name.get(ward_name)
                Sighting.objects.create(
                    text=text,
                    ward=place,
                    channel=channel,
                    seen_on=today - timedelta(days=1),
                    reach=2,
                    source=source,
                    reported_by=police if source == "staff" else None,
                    organisation=police.organisation if police and source == "staff" else None,
                    fingerprint=rules.report_fingerprint(
                        text=text, ward_code=place.code if place else None, channel=channel
                    ),
                )
                made += 1
            # The same picture twice: with a confirmed sighting of the Hanley claim, and
            # forwarded with a waiting report whose words say nothing of it. The report page
            # lists the first and offers its claim.
            riot = Claim.objects.filter(title="Another riot planned in Hanley this weekend").first()
            first = riot.sightings.order_by("-seen_on", "pk").first() if riot else None
            if first is not None:
                _with_screenshot(first, forwarded=False)
                hanley = by_name.get("Etruria and Hanley")
                text = "Look what is going round the school parents group now"
                again = Sighting.objects.create(
                    text=text,
                    ward=hanley,
                    channel="whatsapp",
                    seen_on=today,
                    reach=3,
                    source="staff",
                    reported_by=police,
                    organisation=police.organisation if police else None,
                    fingerprint=rules.report_fingerprint(
                        text=text, ward_code=hanley.code if hanley else None, channel="whatsapp"
                    ),
                )
                _with_screenshot(again, forwarded=True)
                made += 1
        alerts = services.alerts_sweep(today=today)
        # Each waiting report's best match, as the worker works it out for a report sent in.
        services.sightings_suggest()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(CLAIMS)} demo claims, {made} reports, 2 published myth-busters and {len(alerts)} alert{'s' if len(alerts) != 1 else ''}."
            )
        )
