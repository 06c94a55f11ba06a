"""`weekly_report`: the week's PDF, its manifest, and the report row in the app database.

Also where the completeness gate is decided (hold, noop) and the dead letters
are shown: both land in the app database before the materialization event,
so the email sensor and the email asset never see a report without them.
"""

from datetime import date

from dagster import (
    AssetExecutionContext, AssetObservation, Config, Failure, MetadataValue, Output, asset,
)

from report_pipeline.pipeline import gate
from report_pipeline.appdb.reports import finish_run, start_run
from report_pipeline.appdb.store import ReportResult
from report_pipeline.appdb.versions import record_version
from report_pipeline.pipeline.dead_letters import (
    CountsDoNotAddUp, ReplayOutcome, check_counts, dead_letters, format_table, replay_dead_letters,
)
from report_pipeline.defs.partitions import week_of, weekly_partitions
from report_pipeline.defs.retries import STEP_RETRY
from report_pipeline.pipeline.features import read_week_features
from report_pipeline.pipeline.manifest import read_manifest
from report_pipeline.pipeline.publish import publish_report
from report_pipeline.report.preview import preview_markdown
from report_pipeline.resources.configurable import AppDatabaseResource, ObjectStoreResource
from report_pipeline.storage.object_store import ObjectStore
from report_pipeline.names import HELD_KEY
from report_pipeline.settings import load_settings

DEAD_LETTERS_SHOWN = 50  # the UI table; the CLI and the PDF list every one


class ReportConfig(Config):
    # Re-extract only the week's dead letters before rendering
    # (`report-pipeline dead-letters replay`).
    replay_dead_letters: bool = False


# A dependency, not an input: the features are read from the object store, so
# the report can be re-rendered alone (dead-letter replay) without loading the
# upstream output through an IO manager.
@asset(partitions_def=weekly_partitions, group_name="weekly_report", kinds={"pdf"},
       deps=["document_features"], retry_policy=STEP_RETRY)
def weekly_report(
    context: AssetExecutionContext, config: ReportConfig, object_store: ObjectStoreResource,
    app_database: AppDatabaseResource,
) -> Output[str]:
    """Aggregated features as a PDF in the object store, with a JSON manifest beside it."""
    week = week_of(context)
    store, app = object_store.open(), app_database.open()
    start_run(app, week, context.run_id)  # a report-only run (re-render) has no manifest step
    if config.replay_dead_letters:
        _replay(context, store, week)
    entries, results = read_manifest(store, week), read_week_features(store, week)
    try:
        counts = check_counts(entries, results)
    except CountsDoNotAddUp as error:  # a retry would read the same files again
        raise Failure(str(error), allow_retries=False) from None
    letters = dead_letters(entries, results)
    # The creation date comes from the data: an unchanged week renders the same bytes.
    published = publish_report(store, week, entries, results,
                               review_confidence=load_settings().review_confidence)
    summary = published.summary
    state = gate.report_state(summary["documents_total"])
    threshold = gate.max_failed_share()
    hold = gate.hold_reason(summary["documents_total"], summary["documents_failed"], threshold)
    row = finish_run(app, ReportResult(
        week=week, state=state, report_uri=published.uri, pdf_key=published.pdf_key,
        pdf_sha256=published.pdf_sha256, documents_total=summary["documents_total"],
        documents_failed=summary["documents_failed"], dagster_run_id=context.run_id,
    ), hold)
    record_version(app, row.id, published.pdf_sha256, published.pdf_key)
    metadata = {
        "uri": MetadataValue.path(published.uri),
        "pages": published.page_count,
        "state": row.state,
        "report_id": row.id,
        "documents_total": summary["documents_total"],
        "documents_failed": summary["documents_failed"],
        "documents_with_features": counts.with_features,
        "dead_letters": counts.dead_letters,
        "failed_share": _share(summary["documents_failed"], summary["documents_total"]),
        "max_failed_share": threshold,
        "pdf_sha256": published.pdf_sha256,
        "summary": MetadataValue.md(published.markdown),
        "needs_review": summary["needs_review"],
    }
    if published.preview_png:
        metadata["preview"] = MetadataValue.md(preview_markdown(
            published.preview_png, f"First page of the report of the week of {week}"))
    if letters:
        metadata["dead_letter_list"] = MetadataValue.md(format_table(letters, DEAD_LETTERS_SHOWN))
    held = gate.emails_held(app, week)
    if held:
        # The email sensor reads this from the event log and launches no email run.
        metadata[HELD_KEY] = held
        context.log.warning(f"emails of week {week} held: {held}")
    return Output(published.manifest_key, metadata=metadata)


def _replay(context: AssetExecutionContext, store: ObjectStore, week: date) -> ReplayOutcome:
    outcome = replay_dead_letters(store, week)
    context.log.info(f"replayed {outcome.retried} dead letters of {week}:"
                     f" {len(outcome.recovered)} recovered, {len(outcome.still_failed)} still failing")
    # The features file changed outside a document_features run: say so on that asset.
    context.log_event(AssetObservation(
        asset_key="document_features", partition=context.partition_key,
        metadata={"replayed": outcome.retried, "recovered": len(outcome.recovered),
                  "still_failed": len(outcome.still_failed),
                  "recovered_ids": MetadataValue.json(outcome.recovered[:100])},
    ))
    return outcome


def _share(failed: int, total: int) -> float:
    return round(failed / total, 4) if total else 0.0
