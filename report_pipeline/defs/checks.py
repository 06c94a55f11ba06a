"""Asset checks on `weekly_report`: completeness gate and document accounting.

Both are blocking: in a run that also materializes downstream assets they stop
it. Emails run in their own job, so the hold itself is enforced where mail is
sent (`report_pipeline.pipeline.gate.emails_held`, the email sensor); these checks make
the decision and its reason visible on the asset in the UI.
"""

import warnings

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    MetadataValue,
    PreviewWarning,
    asset_check,
)

from report_pipeline.defs.partitions import weekly_partitions
from report_pipeline.defs.report import weekly_report
from report_pipeline.defs.retries import STEP_RETRY
from report_pipeline.names import HELD_KEY
from report_pipeline.pipeline import gate
from report_pipeline.pipeline.dead_letters import format_table, tally_week
from report_pipeline.pipeline.features import iter_week_features
from report_pipeline.pipeline.manifest import iter_manifest
from report_pipeline.resources.configurable import AppDatabaseResource, ObjectStoreResource
from report_pipeline.settings import load_settings
from report_pipeline.weeks import parse_week

# Partitioned asset checks are "preview" in Dagster 1.13; the warning would reach
# every CLI command's stderr on import. Our tests pin the behaviour we rely on.
warnings.filterwarnings(
    "ignore", message="Specifying a partitions_def on an AssetCheckSpec", category=PreviewWarning
)


@asset_check(
    asset=weekly_report,
    blocking=True,
    partitions_def=weekly_partitions,
    retry_policy=STEP_RETRY,
    description="Failed documents at most REPORT_PIPELINE_MAX_FAILED_SHARE of the week;"
    " otherwise the report's emails are held until released.",
)
def weekly_report_completeness(
    context: AssetCheckExecutionContext,
    app_database: AppDatabaseResource,
) -> AssetCheckResult:
    week = parse_week(context.partition_key)
    app = app_database.open()
    report = app.latest_report(week)
    total = (report.documents_total or 0) if report else 0
    failed = (report.documents_failed or 0) if report else 0
    settings = load_settings()
    threshold = settings.max_failed_share
    held = gate.emails_held(app, week, mail_empty_weeks=settings.mail_empty_weeks)
    metadata = {
        "documents_total": total,
        "documents_failed": failed,
        "failed_share": round(failed / total, 4) if total else 0.0,
        "max_failed_share": threshold,
        "state": report.state if report else "missing",
        HELD_KEY: held or "no",
    }
    if report and report.hold_reason:
        metadata["hold_reason"] = report.hold_reason
        metadata["released_by"] = report.released_by or "not released"
    passed = not (report and report.hold_reason and report.released_at is None)
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.ERROR,
        metadata=metadata,
        description=None if passed else report.hold_reason,
    )


@asset_check(
    asset=weekly_report,
    blocking=True,
    partitions_def=weekly_partitions,
    retry_policy=STEP_RETRY,
    description="Every manifest document has features or is a dead letter.",
)
def weekly_report_accounts_for_every_document(
    context: AssetCheckExecutionContext,
    object_store: ObjectStoreResource,
) -> AssetCheckResult:
    store = object_store.open()
    week = parse_week(context.partition_key)
    # Counts and dead letters read each result's status, never its features; both
    # files stream past (results first), so a large week is never held.
    counts, letters = tally_week(
        iter_manifest(store, week), iter_week_features(store, week, keep=())
    )
    return AssetCheckResult(
        passed=counts.adds_up,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "manifest": counts.manifest,
            "with_features": counts.with_features,
            "dead_letters": counts.dead_letters,
            "dead_letter_list": MetadataValue.md(format_table(letters, 50)),
        },
    )


asset_checks = [weekly_report_completeness, weekly_report_accounts_for_every_document]
