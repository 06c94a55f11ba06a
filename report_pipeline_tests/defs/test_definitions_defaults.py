"""What the README promises about a fresh deployment: the schedule and every sensor start
on their own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dagster import DefaultScheduleStatus, DefaultSensorStatus

from report_pipeline.settings import SettingsError, load_settings

ROOT = Path(__file__).parents[2]
MANUAL = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _manual() -> str:
    return "\n".join(page.read_text() for page in MANUAL)


def test_the_schedule_and_every_sensor_are_on_by_default() -> None:
    from report_pipeline.definitions import defs

    schedule, retention, read_ahead = defs.schedules
    assert schedule.name == "weekly_report_schedule"
    assert schedule.default_status == DefaultScheduleStatus.RUNNING
    assert schedule.cron_schedule == "0 6 * * 1"
    # Patient data past the retention period is deleted weekly (issue 13).
    assert retention.name == "weekly_retention_schedule"
    assert retention.default_status == DefaultScheduleStatus.RUNNING
    # Documents are read during the week, so Monday's run only aggregates.
    assert read_ahead.name == "read_ahead_schedule"
    assert read_ahead.default_status == DefaultScheduleStatus.RUNNING
    sensors = {sensor.name: sensor.default_status for sensor in defs.sensors}
    assert sensors == dict.fromkeys(
        [
            "email_on_report_sensor",
            "report_state_on_run_failure",
            "report_state_on_run_canceled",
            "operator_alert_on_run_failure",
            "report_deadline_sensor",
        ],
        DefaultSensorStatus.RUNNING,
    )
    readme = _manual()
    for name in [schedule.name, retention.name, read_ahead.name, *sensors]:
        assert f"`{name}`" in readme, f"the README does not tell operators about {name}"
    assert "REPORT_PIPELINE_SCHEDULE_ENABLED" in readme
    assert "REPORT_PIPELINE_READ_AHEAD" in readme


def test_schedule_enabled_0_leaves_the_schedule_stopped(settings) -> None:
    # The schedule is built when the code location is imported: a fresh interpreter.
    code = (
        "from report_pipeline.definitions import defs;print(defs.schedules[0].default_status.value)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "REPORT_PIPELINE_HOME": str(settings.home),
        "DAGSTER_HOME": str(settings.dagster_home),
        "REPORT_PIPELINE_SCHEDULE_ENABLED": "0",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "STOPPED"


def test_a_bad_schedule_flag_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="REPORT_PIPELINE_SCHEDULE_ENABLED"):
        load_settings({"REPORT_PIPELINE_SCHEDULE_ENABLED": "maybe"})
    assert load_settings({}).schedule_enabled is True


def test_the_first_week_defaults_to_a_recent_documented_monday() -> None:
    first = load_settings({}).first_week
    assert first.isoformat() == "2026-01-05" and first.weekday() == 0
    assert "`2026-01-05`" in _manual()


def test_the_step_retry_delay_comes_from_the_environment() -> None:
    """Every step retries three times, 2 s then doubling unless the variable says otherwise."""
    from report_pipeline.defs.retries import STEP_RETRY

    assert load_settings({}).step_retry_delay_seconds == 2.0
    assert STEP_RETRY.max_retries == 3
    script = "from report_pipeline.defs.retries import STEP_RETRY; print(STEP_RETRY.delay)"
    env = {"PYTHONPATH": str(ROOT), "REPORT_PIPELINE_STEP_RETRY_DELAY_SECONDS": "0.25"}
    shown = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == "0.25"
    with pytest.raises(SettingsError, match="REPORT_PIPELINE_STEP_RETRY_DELAY_SECONDS"):
        load_settings({"REPORT_PIPELINE_STEP_RETRY_DELAY_SECONDS": "-1"})
