"""Background tasks of the rumour desk (Django Tasks API). Run them daily from a scheduler."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task

from . import services


@task()
def rumours_daily_task() -> dict[str, int]:
    """The daily round: alerts on sudden rises, the strategy measures, redaction of personal
    data past the retention period, and each waiting report's best match worked out again
    (reports confirmed since may have taught the index new wordings)."""
    alerts = services.alerts_sweep()
    services.rumours_measures_update(via="task")
    redacted = services.sightings_redact(via="task")
    suggested = services.sightings_suggest()
    return {"alerts": len(alerts), "redacted": redacted, "suggested": suggested}


@task()
def rumours_suggest_task(pks: list[int] | None = None, before: str | None = None) -> int:
    """Work out the best match of waiting reports again (those in ``pks``, or all), skipping
    any looked at since ``before`` (an ISO time: when the change that asked for this was made,
    so that several changes in a row cost one pass)."""
    return services.sightings_suggest(
        pks=pks, before=datetime.fromisoformat(before) if before else None
    )
