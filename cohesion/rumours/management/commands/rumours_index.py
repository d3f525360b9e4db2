"""Build the rumour desk's claim index from the database and save it beside the embedding cache.

Optional: without it each web process builds the index on its first search (about 8-10 s for
10,000 claims once their vectors are cached). With it (run after a deploy, or nightly) a process
loads the saved file and takes in only what changed since it was saved.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cohesion.rumours.matching import index_file, index_save


class Command(BaseCommand):
    help = "Build and save the rumour desk's claim index (web processes load it on their first search)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = index_save()
        self.stdout.write(
            self.style.SUCCESS(f"Saved {count} claims and myth-busters to {index_file()}.")
        )
