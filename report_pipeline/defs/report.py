"""`weekly_report`: the week's PDF, its manifest, and the report row in the app database.

Also where the completeness gate is decided (hold, noop) and the dead letters
are shown: both land in the app database before the materialization event,
so the email sensor and the email asset never see a report without them.
"""

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from dagster import (
    AssetExecutionContext,
    AssetObservation,
    Config,
    Failure,
    MetadataValue,
    Output,
)

from report_pipeline.appdb.labels import all_labels
from report_pipeline.appdb.reports import finish_run
from report_pipeline.appdb.schema import Report
from report_pipeline.appdb.scopes import ALL
from report_pipeline.appdb.store import AppStore, ReportResult
from report_pipeline.appdb.versions import record_version
from report_pipeline.classify import load_taxonomy
from report_pipeline.defs.partitions import start_week, weekly_asset
from report_pipeline.models import FeatureResult
from report_pipeline.names import HELD_KEY
from report_pipeline.pipeline import gate
from report_pipeline.pipeline.dead_letters import (
    CountsDoNotAddUp,
    ReplayOutcome,
    checked,
    format_table,
    replay_dead_letters,
)
from report_pipeline.pipeline.features import iter_week_features
from report_pipeline.pipeline.labels import labeled
from report_pipeline.pipeline.manifest import iter_manifest
from report_pipeline.resources.configurable import AppDatabaseResource, ObjectStoreResource
from report_pipeline.settings import load_settings, set_process_variable
from report_pipeline.storage.object_store import ObjectStore

if TYPE_CHECKING:
    from report_pipeline.pipeline.scopes import ScopeReport

DEAD_LETTERS_SHOWN = 50  # the UI table; the CLI and the PDF list every one
# polars' allocator (jemalloc) keeps the pages a query frees for the next query; the
# report step runs each query once, so they were only held (at 100,000 documents about
# 180 of the step's MB). Decay 0 hands them back as soon as they are free.
POLARS_ALLOCATOR_ENV = "_RJEM_MALLOC_CONF"
POLARS_ALLOCATOR_CONF = "dirty_decay_ms:0,muzzy_decay_ms:0"


class ReportConfig(Config):
    # Re-extract only the week's dead letters before rendering
    # (`report-pipeline dead-letters replay`).
    replay_dead_letters: bool = False


# A dependency, not an input: the features are read from the object store, so
# the report can be re-rendered alone (dead-letter replay) without loading the
# upstream output through an IO manager.
@weekly_asset("pdf", deps=["document_features"])
def weekly_report(
    context: AssetExecutionContext,
    config: ReportConfig,
    object_store: ObjectStoreResource,
    app_database: AppDatabaseResource,
) -> Output[str]:
    """Aggregated features as a PDF in the object store, with a JSON manifest beside it."""
    # Before polars loads: its allocator then returns the pages a query frees.
    set_process_variable(POLARS_ALLOCATOR_ENV, POLARS_ALLOCATOR_CONF, overwrite=False)
    # Rendering pulls polars and fpdf: imported by the step that renders,
    # not by every process that loads the code location (see forkserver_preload.py).
    from report_pipeline.pipeline.scopes import entry_customer, publish_week_scopes
    from report_pipeline.pipeline.week_rows import fold_week
    from report_pipeline.report.aggregate import REPORT_FEATURES
    from report_pipeline.report.preview import preview_markdown

    store, app = object_store.open(), app_database.open()
    week = start_week(context, app)  # a report-only run (re-render) has no manifest step
    if config.replay_dead_letters:
        _replay(context, store, week)
    settings = load_settings()
    # Operators' labels win over the cached types: read now, so a new label needs no re-run.
    labels, taxonomy = dict(all_labels(app)), load_taxonomy(settings.document_types)

    def read_results() -> Iterator[FeatureResult]:
        return labeled(iter_week_features(store, week, keep=REPORT_FEATURES), labels, taxonomy)

    # Both files stream past once: the week is held as columns, never as objects.
    week_rows = fold_week(
        iter_manifest(store, week), read_results, entry_customer, settings.review_confidence
    )
    try:
        counts = checked(week_rows.counts())
    except CountsDoNotAddUp as error:  # a retry would read the same files again
        raise Failure(str(error), allow_retries=False) from None
    letters = week_rows.dead_letters()
    threshold, mail_empty_weeks = settings.max_failed_share, settings.mail_empty_weeks
    # The creation date comes from the data: an unchanged week renders the same bytes.
    scopes = publish_week_scopes(
        store,
        week,
        week_rows,
        None,
        threshold=threshold,
        empty_customers=_empty_customers(app) if mail_empty_weeks else [],
        review_confidence=settings.review_confidence,
    )
    rows = {scope.scope: _record(app, week, scope, context.run_id) for scope in scopes}
    published, row = scopes[0].published, rows[ALL]
    summary = published.summary
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
        "scopes": MetadataValue.md(_scope_table(scopes, rows)),
        "customer_reports": len(scopes) - 1,
    }
    if published.preview_png:
        metadata["preview"] = MetadataValue.md(
            preview_markdown(
                published.preview_png, f"First page of the report of the week of {week}"
            )
        )
    if letters:
        metadata["dead_letter_list"] = MetadataValue.md(format_table(letters, DEAD_LETTERS_SHOWN))
    holds = {
        scope: gate.report_held(row, mail_empty_weeks=mail_empty_weeks)
        for scope, row in rows.items()
    }
    if any(holds.values()):
        metadata["held_scopes"] = MetadataValue.json({k: v for k, v in holds.items() if v})
    held = holds[ALL]
    if held and all(holds.values()):
        # The email sensor reads this from the event log and launches no email run;
        # while any scope may go out, the run is launched and gates each scope itself.
        metadata[HELD_KEY] = held
        context.log.warning(f"emails of week {week} held: {held}")
    return Output(published.manifest_key, metadata=metadata)


def _record(app: AppStore, week: date, scope: "ScopeReport", run_id: str) -> Report:
    """The (week, scope) report row with its result and gate decision."""
    published = scope.published
    row = finish_run(
        app,
        ReportResult(
            week=week,
            state=scope.state,
            report_uri=published.uri,
            pdf_key=published.pdf_key,
            pdf_sha256=published.pdf_sha256,
            documents_total=scope.documents_total,
            documents_failed=scope.documents_failed,
            dagster_run_id=run_id,
            scope=scope.scope,
        ),
        scope.hold_reason,
    )
    record_version(app, row.id, published.pdf_sha256, published.pdf_key)
    return row


def _empty_customers(app: AppStore) -> list[str]:
    """Customers with subscribers: each gets a "no documents" report when empty weeks are mailed."""
    return sorted({row.customer for row in app.subscribers() if row.customer != ALL})


def _scope_table(scopes: "list[ScopeReport]", rows: dict[str, Report]) -> str:
    lines = ["| Scope | Documents | Failed | Held | PDF key |", "|---|---:|---:|---|---|"]
    for scope in scopes:
        held = "yes" if scope.hold_reason else ("no documents" if scope.state == "noop" else "no")
        lines.append(
            f"| {scope.scope} | {scope.documents_total:,} | {scope.documents_failed:,}"
            f" | {held} | {scope.published.pdf_key} |"
        )
    return "\n".join(lines) + "\n"


def _replay(context: AssetExecutionContext, store: ObjectStore, week: date) -> ReplayOutcome:
    # Imported here: engines loads pytesseract and Pillow, which the code location
    # must not import (only the step processes read pages).
    from report_pipeline.extraction.engines import engine_choice, use_engine

    settings = load_settings()
    use_engine(engine_choice(settings))
    outcome = replay_dead_letters(
        store, week, page_limit=settings.max_pages, taxonomy_path=settings.document_types
    )
    context.log.info(
        f"replayed {outcome.retried} dead letters of {week}:"
        f" {len(outcome.recovered)} recovered, {len(outcome.still_failed)} still failing"
    )
    # The features file changed outside a document_features run: say so on that asset.
    context.log_event(
        AssetObservation(
            asset_key="document_features",
            partition=context.partition_key,
            metadata={
                "replayed": outcome.retried,
                "recovered": len(outcome.recovered),
                "still_failed": len(outcome.still_failed),
                "recovered_ids": MetadataValue.json(outcome.recovered[:100]),
            },
        )
    )
    return outcome


def _share(failed: int, total: int) -> float:
    return round(failed / total, 4) if total else 0.0
