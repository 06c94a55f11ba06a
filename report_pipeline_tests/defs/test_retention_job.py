"""The weekly retention schedule and the job it runs."""

from __future__ import annotations

import os
import time

from dagster import build_schedule_context

from report_pipeline.defs.retention import retention_job, weekly_retention_schedule
from report_pipeline.resources.configurable import ObjectStoreResource


def test_retention_job_deletes_what_the_policy_says(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_HOME", str(tmp_path))
    monkeypatch.setenv("REPORT_PIPELINE_RETENTION_DAYS", "10")
    old, new = tmp_path / "objects/features/weeks/x.json", tmp_path / "objects/reports/y.pdf"
    for path in (old, new):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"{}")
    moment = time.time() - 11 * 86400
    os.utime(old, (moment, moment))
    result = retention_job.execute_in_process(
        resources={
            "object_store": ObjectStoreResource(kind="local", root=str(tmp_path / "objects"))
        }
    )
    assert result.success and result.output_for_node("apply_retention_policy") == 1
    assert not old.exists() and new.exists()


def test_retention_runs_weekly_on_sunday_morning() -> None:
    assert weekly_retention_schedule.cron_schedule == "0 5 * * 0"
    assert weekly_retention_schedule.job_name == "retention_job"
    assert weekly_retention_schedule.evaluate_tick(build_schedule_context()).run_requests
