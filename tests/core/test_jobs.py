"""Long jobs: a task that fails leaves a message the person can act on."""

from __future__ import annotations

import pytest

from cohesion.core.jobs import job_create, job_fails_with
from cohesion.core.models import Job


@pytest.mark.django_db
def test_a_failing_block_marks_the_job_failed_and_the_error_still_reaches_the_worker() -> None:
    job = job_create(kind="test", title="Test", started_by=None)
    with (
        pytest.raises(RuntimeError),
        job_fails_with(job_id=str(job.pk), message="It stopped. Try again."),
    ):
        raise RuntimeError("boom")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "It stopped. Try again."
    assert job.finished_at is not None


@pytest.mark.django_db
def test_a_block_that_succeeds_leaves_the_job_alone() -> None:
    job = job_create(kind="test", title="Test", started_by=None)
    with job_fails_with(job_id=str(job.pk), message="It stopped."):
        pass
    job.refresh_from_db()
    assert job.status != Job.Status.FAILED and job.message == ""
