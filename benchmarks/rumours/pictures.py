"""How well the rumour desk finds the same picture sent again (``cohesion/rumours/pictures.py``).

No public set of rumour screenshots can be used here, so the benchmark draws its own: ``--count``
made-up phone screenshots in four app styles (WhatsApp, Facebook, X, TikTok colours), each with
chat bubbles of random words and, in some, a picture. Screenshots in the same style share their
layout, which is what makes different screenshots look alike to a perceptual hash.

Each screenshot is then changed as it would be on its way to the desk, and the fingerprint of the
changed copy is compared with the original's:

- forwarded: saved again as JPEG at quality 50; shrunk to 40% and saved as JPEG 70
- lighter or darker: brightness 0.8 to 1.2
- cut: the status bar cut off (3-8% of the top), or the bottom (3-10%)
- framed: shown inside a dark frame (a screenshot of the picture on another screen)

Each file is a PNG, as uploaded; the time per picture includes reading it.

For each, the share found (within the threshold) is reported, and for every pair of different
screenshots whether it would wrongly be called the same picture. The shipped fingerprint (pHash,
256 bits, threshold ``SAME_PICTURE``) runs side by side with the usual 64-bit pHash at a
threshold often used with it (10 bits).

    .venv/bin/python benchmarks/rumours/pictures.py            # 300 screenshots, about 2 minutes
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cohesion.rumours import pictures  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
WORDS = [
    "council",
    "migrants",
    "houses",
    "hanley",
    "riot",
    "weekend",
    "school",
    "meals",
    "asylum",
    "hotel",
    "mosque",
    "church",
    "closing",
    "park",
    "police",
    "said",
    "video",
    "share",
    "before",
    "deleted",
    "they",
    "want",
    "nobody",
    "telling",
    "truth",
    "families",
    "local",
    "jobs",
    "money",
    "rent",
    "stoke",
    "tunstall",
    "longton",
    "burslem",
    "fenton",
    "attack",
    "leaflet",
    "march",
    "protest",
]
# (top bar, bubble, background) colours of four app styles
STYLES = {
    "whatsapp": ((7, 94, 84), (220, 248, 198), (236, 229, 221)),
    "facebook": ((24, 119, 242), (255, 255, 255), (240, 242, 245)),
    "x": ((0, 0, 0), (255, 255, 255), (255, 255, 255)),
    "tiktok": ((18, 18, 18), (40, 40, 40), (0, 0, 0)),
}


def draw_screenshot(seed: int) -> Image.Image:
    rng = random.Random(seed)
    style = rng.choice(list(STYLES))
    bar, bubble, background = STYLES[style]
    ink = (240, 240, 240) if style == "tiktok" else (20, 20, 20)
    image = Image.new("RGB", (720, 1280), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 720, 60], fill=(0, 0, 0))
    clock = f"{rng.randint(7, 22)}:{rng.randint(10, 59)}"
    draw.text((20, 18), clock, fill="white", font=ImageFont.load_default(size=24))
    draw.rectangle([0, 60, 720, 170], fill=bar)
    title = " ".join(rng.choice(WORDS).title() for _ in range(2))
    draw.text((110, 95), title, fill="white", font=ImageFont.load_default(size=34))
    y = 200
    for _ in range(rng.randint(1, 4)):
        lines = textwrap.wrap(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60))), 32)
        height = len(lines) * 36 + 30
        x = rng.choice([30, 150])
        draw.rounded_rectangle([x, y, x + 540, y + height], radius=18, fill=bubble)
        for number, line in enumerate(lines):
            draw.text(
                (x + 18, y + 15 + number * 36), line, fill=ink, font=ImageFont.load_default(size=28)
            )
        y += height + 30
        if rng.random() < 0.3 and y < 900:
            draw.rectangle(
                [x, y, x + 540, y + 300], fill=tuple(rng.randint(0, 255) for _ in range(3))
            )
            for _ in range(6):
                left, top = x + rng.randint(0, 400), y + rng.randint(0, 200)
                box = [left, top, left + rng.randint(20, 140), top + rng.randint(20, 100)]
                draw.ellipse(box, fill=tuple(rng.randint(0, 255) for _ in range(3)))
            y += 330
        if y > 1150:
            break
    return image


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def changes(image: Image.Image, rng: random.Random) -> dict[str, Image.Image]:
    width, height = image.size
    frame = Image.new("RGB", (width + 80, height + 160), (30, 30, 30))
    frame.paste(image, (40, 80))
    top, bottom = rng.uniform(0.03, 0.08), rng.uniform(0.03, 0.10)
    return {
        "forwarded: JPEG 50": jpeg(image, 50),
        "forwarded: shrunk to 40%, JPEG 70": jpeg(
            image.resize((width * 2 // 5, height * 2 // 5)), 70
        ),
        "lighter or darker": jpeg(
            ImageEnhance.Brightness(image).enhance(rng.uniform(0.8, 1.2)), 75
        ),
        "status bar cut off": jpeg(image.crop((0, int(height * top), width, height)), 75),
        "bottom cut off": jpeg(image.crop((0, 0, width, int(height * (1 - bottom)))), 75),
        "framed": jpeg(frame, 75),
    }


def png(image: Image.Image) -> io.BytesIO:
    """The picture as the file a phone would upload."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer


def shipped(file: io.BytesIO) -> str:
    return pictures.fingerprint(file)


def phash64(file: io.BytesIO) -> str:
    file.seek(0)
    with Image.open(file) as image:
        return str(imagehash.phash(image.convert("RGB"), hash_size=8))


def measure(
    name: str,
    fingerprint: Callable[[io.BytesIO], str],
    originals: list,
    changed: list,
    threshold: int,
) -> dict:
    started = time.perf_counter()
    base = [fingerprint(image) for image in originals]
    per_picture = (time.perf_counter() - started) / len(originals)
    copies: dict[str, list[int]] = {}
    for index, variants in enumerate(changed):
        for kind, image in variants.items():
            copies.setdefault(kind, []).append(pictures.distance(base[index], fingerprint(image)))
    different = np.array(
        [
            pictures.distance(base[i], base[j])
            for i in range(len(base))
            for j in range(i + 1, len(base))
        ]
    )
    return {
        "fingerprint": name,
        "threshold": threshold,
        "ms_per_picture": round(per_picture * 1000, 1),
        "found": {
            kind: round(float(np.mean(np.array(d) <= threshold)), 3) for kind, d in copies.items()
        },
        "copies_max_bits": {kind: int(max(d)) for kind, d in copies.items()},
        "different_pairs": int(different.size),
        "false_matches": int((different <= threshold).sum()),
        "different_min_bits": int(different.min()),
        "different_within_twice_the_threshold": int((different <= 2 * threshold).sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    drawn = [draw_screenshot(seed) for seed in range(args.count)]
    rng = random.Random(args.seed)
    changed = [{kind: png(image) for kind, image in changes(image, rng).items()} for image in drawn]
    originals = [png(image) for image in drawn]
    rows = [
        measure(
            f"shipped: pHash {pictures.HASH_SIZE**2} bits",
            shipped,
            originals,
            changed,
            pictures.SAME_PICTURE,
        ),
        # the usual size, at a threshold often used with it (10 of 64 bits)
        measure("pHash 64 bits", phash64, originals, changed, 10),
    ]
    kinds = list(changed[0])
    print(f"{args.count} screenshots, {rows[0]['different_pairs']:,} pairs of different ones\n")
    print(
        "| fingerprint | threshold (bits) | "
        + " | ".join(kinds)
        + " | false matches | ms a picture |"
    )
    print("| --- " * (len(kinds) + 4) + "|")
    for row in rows:
        found = " | ".join(f"{100 * row['found'][k]:.0f}%" for k in kinds)
        print(
            f"| {row['fingerprint']} | {row['threshold']} | {found} | {row['false_matches']} "
            f"(closest {row['different_min_bits']} bits) | {row['ms_per_picture']} |"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"pictures-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({"count": args.count, "seed": args.seed, "rows": rows}, indent=2))
    print(f"\nsaved {out}")


if __name__ == "__main__":
    main()
