"""SIGKILL `report-pipeline run` at five points of its week, then run it again.

Each kill lands at an exact point (see kill_points.py), takes the whole process
group (CLI, forkserver, step processes) and leaves nothing marked done that is
not: no finished report before the report is recorded, no `sent` row the
server never got. The re-run, the recovery docs/operations.md states, ends
with one report version, every `sent` row carrying it, and each of the twenty
subscribers holding exactly one message at the SMTP sink.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from report_pipeline.appdb.deliveries import SENT
from report_pipeline.appdb.store import AppStore
from report_pipeline_tests.faults.kill_points import MARK, SENT_BEFORE_KILL
from report_pipeline_tests.faults.smtp_sink import SmtpSink
from report_pipeline_tests.faults.smtp_week import SUBSCRIBERS, WEEK, SmtpWeek

HOOKS = Path(__file__).parent / "kill_hooks"
# point -> `sent` rows the killed run leaves (each one a message the sink holds)
POINTS = {"manifest": 0, "features": 0, "pdf": 0, "emails": SENT_BEFORE_KILL, "done": 20}


@pytest.mark.slow
@pytest.mark.parametrize("point", list(POINTS))
def test_a_run_killed_at_any_point_is_finished_by_the_next_run(
    point: str, sink: SmtpSink, seeded_home, tmp_path: Path
) -> None:
    # A short lease: the rows the killed sender held come back by the re-run's email step.
    week = SmtpWeek(tmp_path / "home", sink, REPORT_PIPELINE_DELIVERY_LEASE_SECONDS="3")
    week.seed(seeded_home)
    mark = tmp_path / "killed-at"
    killed = week.popen(
        ["run", "--week", WEEK, "--json"],
        FAULTS_KILL_AT=point,
        **{MARK: str(mark)},
        PYTHONPATH=f"{HOOKS}:{week.env.get('PYTHONPATH', '')}",
    )
    _, err = killed.communicate(timeout=900)
    assert killed.returncode == -9, err[-2000:]
    assert mark.read_text() == point

    app = AppStore(f"sqlite:///{week.home / 'app.sqlite3'}")
    rows = app.week_reports(date.fromisoformat(WEEK))
    rendered = point in ("emails", "done")
    # `running` rows of a killed run are stale, and the next run takes them over.
    assert [r.state == "succeeded" for r in rows] == [rendered] * len(rows)
    assert rows or not rendered
    assert week.statuses()[SENT] == POINTS[point] == len(sink.accepted)
    assert succeeded_runs(week.home) == ({"weekly_report_job"} if rendered else set())

    code, summary, err = week.run_week()
    assert code == 0, err[-2000:]
    assert summary["emails_sent"] == 20 - POINTS[point]
    assert sink.per_recipient() == dict.fromkeys(SUBSCRIBERS, 1)
    assert week.statuses() == {SENT: 20}
    pdf = Path(summary["pdf_path"])
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == summary["pdf_sha256"]
    assert len(list(pdf.parent.parent.glob("*/weekly-report.pdf"))) == 1  # one version
    assert {row["pdf_sha256"] for row in week.deliveries()} == {summary["pdf_sha256"]}
    assert {r.state for r in app.week_reports(date.fromisoformat(WEEK))} == {"succeeded"}


def succeeded_runs(home: Path) -> set[str]:
    """The jobs of the week the instance records as successful."""
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
    from dagster._core.instance.ref import InstanceRef

    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home / "dagster"))) as instance:
        runs = instance.get_runs(
            RunsFilter(tags={"dagster/partition": WEEK}, statuses=[DagsterRunStatus.SUCCESS])
        )
    return {run.job_name for run in runs}
