from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from cohesion.core.models import Job


class AssemblyConfig(AppConfig):
    name = "cohesion.assembly"
    label = "assembly"
    verbose_name = "Citizens' Assembly"

    def ready(self) -> None:
        from cohesion.core.jobs import job_result_url_register

        job_result_url_register(kind="assembly_letters", resolver=_letters_url)
        job_result_url_register(kind="assembly_selection", resolver=_selection_url)


def _letters_url(job: Job) -> str | None:
    from django.urls import reverse

    from .models import InvitationDraw

    draw_id = job.result.get("draw_id")
    draw = (
        InvitationDraw.objects.select_related("assembly").filter(pk=draw_id).first()
        if draw_id
        else None
    )
    if draw is None:
        return None
    return reverse("assembly_staff:draw_detail", kwargs={"slug": draw.assembly.slug, "pk": draw.pk})


def _selection_url(job: Job) -> str | None:
    from django.urls import reverse

    if not hasattr(job, "selection_run"):
        return None
    run = job.selection_run
    return reverse("assembly_staff:run_detail", kwargs={"slug": run.assembly.slug, "pk": run.pk})
