"""Time the consultation theme task and an officer's edit through the Django services.

Runs against a database that already has the demo consultation (``load_demo`` then
``load_demo_consultations``); it changes that database (re-runs the themes and merges two), so
use a scratch copy:

    DATABASE_URL=sqlite:////tmp/cdemo.sqlite3 DJANGO_SETTINGS_MODULE=cohesion.settings.local \
        .venv/bin/python benchmarks/consultations/themes_django.py --embeddings /tmp/bench-embeddings
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--embeddings", type=Path, required=True, help="embedding cache folder (emptied first)"
    )
    parser.add_argument("--slug", default="cohesion-strategy-have-your-say")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from cohesion.consultations import services
    from cohesion.consultations.models import Consultation, Theme
    from cohesion.core.jobs import job_create

    shutil.rmtree(args.embeddings, ignore_errors=True)
    settings.COHESION_EMBEDDINGS_DIR = args.embeddings
    services._embedder = None
    question = Consultation.objects.get(slug=args.slug).questions.get(kind="text")
    answers = len(services.theme_answers(question=question))
    out: dict[str, object] = {"answers": answers}
    for name in ("cold_cache_seconds", "warm_cache_seconds"):
        job = job_create(kind="bench", title="bench", started_by=None, total=100)
        start = time.perf_counter()
        services.theme_analysis_run(job_id=str(job.pk), question_id=question.pk, user_id=None)
        out[name] = round(time.perf_counter() - start, 2)
        if name == "cold_cache_seconds":
            services._embedder = None  # a new process: only the disk cache is left
    themes = list(Theme.objects.filter(question=question)[:2])
    start = time.perf_counter()
    services.theme_merge(themes=themes, actor=None)
    out["merge_and_refresh_seconds"] = round(time.perf_counter() - start, 2)
    out["themes"] = Theme.objects.filter(question=question).count()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
