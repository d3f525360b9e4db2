"""Background tasks of the rumour desk (Django Tasks API). Run them daily from a scheduler."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def rumours_daily_task() -> dict[str, int]:
    """The daily round: alerts on sudden rises, the strategy measures, and redaction of personal
    data past the retention period."""
    alerts = services.alerts_sweep()
    services.rumours_measures_update(via="task")
    redacted = services.sightings_redact(via="task")
    return {"alerts": len(alerts), "redacted": redacted}
