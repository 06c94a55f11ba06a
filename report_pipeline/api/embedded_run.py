"""Child process of `EmbeddedRunLauncher`: one job run for one week on the local instance."""

from __future__ import annotations

import argparse
from datetime import date

from report_pipeline.api.launcher import email_run_config, run_tags
from report_pipeline.names import EMAIL_JOB, LAUNCH_TAG, WEEKLY_REPORT_JOB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--job", choices=(WEEKLY_REPORT_JOB, EMAIL_JOB), required=True)
    parser.add_argument("--week", type=date.fromisoformat, required=True)
    parser.add_argument("--launch-id", required=True)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--report-id", type=int, default=None)
    args = parser.parse_args(argv)

    from dagster import execute_job, reconstructable

    from report_pipeline.appdb.reports import RunState, apply_run_state
    from report_pipeline.defs.runs import email_job_def, get_instance, weekly_report_job_def
    from report_pipeline.resources.connections import open_services
    from report_pipeline.settings import load_settings

    job = weekly_report_job_def if args.job == WEEKLY_REPORT_JOB else email_job_def
    tags = {**run_tags(args.week, args.force), LAUNCH_TAG: args.launch_id}
    with get_instance(load_settings().dagster_home) as instance:
        result = execute_job(
            reconstructable(job),
            instance,
            tags=tags,
            run_config=email_run_config(args.force, args.report_id)
            if args.job == EMAIL_JOB
            else None,
        )
    if not result.success and args.job == WEEKLY_REPORT_JOB:
        # No daemon may be running the run-failure sensor here: free the week
        # ourselves, or it would stay `requested` and block every new request.
        apply_run_state(
            open_services(load_settings()).app, RunState(args.week, result.run_id, "failed")
        )
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
