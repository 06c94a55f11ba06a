"""`email_deliveries`: one email per (week, scope, subscriber): each scope's report, never twice.

The materialization's metadata says two things apart, because the latest one is
what the asset page shows: `week_*`, where the week's emails (of its `all`
report) stand now (sent so far, pending, failed, dead, suppressed), and `run_*`,
what this run did over every scope (a re-run that finds everything sent says
`run_sent 0` but `week_sent 3`); `scopes` has one row per scope. Then the run
fails if any delivery is dead, so operators see both the numbers and a red run.
"""

from collections.abc import Iterator

from dagster import (
    AssetExecutionContext,
    Config,
    Failure,
    MetadataValue,
    Output,
)

from report_pipeline.appdb.audit import AuditEvent, record_audit
from report_pipeline.appdb.deliveries import OutboxStore, status_counts
from report_pipeline.appdb.reports import ReportNotFound, get_report
from report_pipeline.appdb.schema import Report
from report_pipeline.appdb.scopes import ALL
from report_pipeline.appdb.store import AppStore
from report_pipeline.defs.partitions import week_of, weekly_asset
from report_pipeline.delivery.dispatch import (
    DispatchOutcome,
    SendersIdle,
    await_senders,
    dispatch_report,
    prepare_outbox,
)
from report_pipeline.delivery.mailers import MailerConfigError
from report_pipeline.delivery.settings import DeliverySettings, delivery_settings
from report_pipeline.names import REQUESTED_BY_TAG
from report_pipeline.pipeline.gate import report_held
from report_pipeline.pipeline.sending import report_to_send
from report_pipeline.resources.configurable import (
    AppDatabaseResource,
    MailerResource,
    ObjectStoreResource,
)
from report_pipeline.settings import load_settings
from report_pipeline.storage.object_store import ObjectStore

COUNTS = ("recipients", "sent", "skipped", "failed", "dead", "suppressed")


class DeliveryConfig(Config):
    force: bool = False  # resend to addresses that already received this report
    replay: bool = False  # only failed and dead deliveries; nobody new is added
    report_id: int = 0  # send this report (any of the week's, even an older one); 0: every scope


@weekly_asset("email")
def email_deliveries(
    context: AssetExecutionContext,
    config: DeliveryConfig,
    object_store: ObjectStoreResource,
    app_database: AppDatabaseResource,
    mailer: MailerResource,
    weekly_report: str,
) -> Iterator[Output[dict]]:
    """Snapshot each scope's subscribers and mail each one that scope's PDF.

    Every scope of the week (`all` and each customer) is gated and sent on its
    own; `report_id` in the config sends that one report instead (any age).
    """
    week = week_of(context)
    store, app = object_store.open(), app_database.open()
    settings = delivery_settings(load_settings().delivery)
    reports = _reports_to_send(app, week, config.report_id)
    totals = {name: 0 for name in COUNTS}
    scopes, held_scopes, errors, dead = [], {}, [], 0
    for report in reports:
        if held := report_held(report, mail_empty_weeks=load_settings().mail_empty_weeks):
            context.log.warning(f"no emails for {week} ({report.scope}): {held}")
            held_scopes[report.scope] = held
            scopes.append(_scope_row(report, None, held))
            continue
        try:
            outcome = _send(store, app, report, settings, mailer, config)
        except (MailerConfigError, SendersIdle) as error:
            # No retry can help until the setting is fixed (or a worker runs); the rows
            # stay pending for the next run or the workers.
            raise Failure(str(error), allow_retries=False) from None
        if config.force:
            _audit_force(app, context, report, outcome)
        for name in COUNTS:
            totals[name] += getattr(outcome, name)
        errors += outcome.errors
        dead += outcome.dead
        scopes.append(_scope_row(report, outcome, None))
    context.log.info(f"deliveries for {week}: {totals}")
    main = reports[0]
    metadata = _metadata(app, totals, errors, main.id)
    metadata["scopes"] = MetadataValue.json(scopes)
    if held_scopes:
        metadata["held_scopes"] = MetadataValue.json(held_scopes)
    if ALL in held_scopes and main.scope == ALL:
        metadata["held"] = MetadataValue.text(held_scopes[ALL])
    yield Output({**totals, "scopes": scopes}, metadata=metadata)
    if dead:
        raise Failure(
            f"{dead} deliveries for week {week} are dead; see `report-pipeline deliveries"
            f" list --week {week} --status dead`, then `report-pipeline deliveries replay"
            f" --week {week}`",
            metadata={
                "dead": MetadataValue.int(dead),
                "errors": MetadataValue.md("\n".join(f"- {e}" for e in errors[:20])),
            },
            allow_retries=False,  # dead rows stay dead until replayed by an operator
        )


def _reports_to_send(app: AppStore, week, report_id: int) -> list[Report]:
    """The week's latest report of every scope (`all` first), or the one report asked for."""
    if report_id:
        try:
            report = get_report(app, report_id)
        except ReportNotFound as error:
            raise Failure(str(error), allow_retries=False) from None
        if report.week != week or report.pdf_key is None:
            raise Failure(
                f"report {report_id} is not a rendered report of week {week}", allow_retries=False
            )
        return [report]
    reports = [r for r in app.week_reports(week) if r.pdf_key is not None]
    if not reports or reports[0].scope != ALL:
        raise Failure(
            f"no rendered report recorded for week {week}; materialize weekly_report",
            allow_retries=False,
        )
    return reports


def _send(
    store: ObjectStore,
    app: AppStore,
    report: Report,
    settings: DeliverySettings,
    mailer: MailerResource,
    config: DeliveryConfig,
) -> DispatchOutcome:
    mode = "replay" if config.replay else "snapshot"
    app_settings = load_settings()
    if app_settings.delivery.senders == "workers":
        # The sender workers (`report-pipeline deliveries work`) send; this run
        # snapshots the list and waits until they have settled it.
        skipped = prepare_outbox(OutboxStore(app), report.id, force=config.force, mode=mode)
        return await_senders(
            app,
            report.id,
            skipped,
            wait_for_retries=settings.sender.wait_for_retries,
            idle_timeout=app_settings.delivery.workers_idle_timeout_seconds,
        )
    return dispatch_report(
        app,
        report_to_send(store, report, settings, app_settings),
        mailer.open(),
        mailer.sender,
        force=config.force,
        mode=mode,
        settings=settings,
    )


def _scope_row(report: Report, outcome: DispatchOutcome | None, held: str | None) -> dict:
    return {
        "customer": report.scope,
        "report_id": report.id,
        "pdf_key": report.pdf_key,
        "documents_total": report.documents_total or 0,
        "documents_failed": report.documents_failed or 0,
        "emails_sent": outcome.sent if outcome else 0,
        "emails_skipped": outcome.skipped if outcome else 0,
        "emails_held": held,
    }


def _audit_force(
    app: AppStore, context: AssetExecutionContext, report: Report, outcome: DispatchOutcome
) -> None:
    """A forced send breaks the one-email-per-(week, scope, address) rule: on record."""
    requested_by = context.run.tags.get(REQUESTED_BY_TAG, "pipeline")
    record_audit(
        app,
        AuditEvent(
            action="emails.force_send",
            request_id=context.run_id[:64],
            actor=f"run:{requested_by}",
            target=f"report:{report.id} week:{report.week} scope:{report.scope}",
            outcome=f"{outcome.sent} sent",
            status_code=0,
        ),
    )


WEEK_TOTALS = {  # metadata key -> delivery statuses counted
    "week_sent": ("sent",),
    "week_pending": ("pending", "sending"),
    "week_failed": ("failed",),
    "week_dead": ("dead",),
    "week_suppressed": ("suppressed",),
}


def _week_totals(app: AppStore, report_id: int) -> dict:
    """Where the week's (latest report's) emails stand, whichever run sent them."""
    counts = status_counts(app, report_id)
    totals = {
        key: sum(counts[status] for status in statuses) for key, statuses in WEEK_TOTALS.items()
    }
    metadata: dict = {key: MetadataValue.int(value) for key, value in totals.items()}
    metadata["week_recipients"] = MetadataValue.int(sum(counts.values()))
    metadata["status"] = MetadataValue.text(
        f"{totals['week_sent']} of {sum(counts.values())} recipients sent so far;"
        f" {totals['week_pending']} pending, {totals['week_failed']} failed,"
        f" {totals['week_dead']} dead, {totals['week_suppressed']} suppressed"
    )
    return metadata


def _metadata(app: AppStore, totals: dict, errors: list[str], report_id: int) -> dict:
    metadata = _week_totals(app, report_id)
    metadata.update(
        {
            f"run_{name}": MetadataValue.int(totals[name])
            for name in COUNTS
            if name not in ("recipients", "dead")
        }
    )
    metadata["report_id"] = report_id
    if errors:
        metadata["errors"] = MetadataValue.md("\n".join(f"- {e}" for e in errors[:20]))
    return metadata
