"""`email_deliveries` in Dagster: counts as metadata, a red run when any delivery is dead,
then the operator's way out through the CLI (list the dead, replay them)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime

from click.testing import CliRunner
from dagster import DagsterEventType, DagsterInstance, materialize

from report_pipeline.cli.deliveries import deliveries
from report_pipeline.defs.deliveries import email_deliveries
from report_pipeline.defs.features import document_features
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.pipeline.documents import store_document
from report_pipeline.resources.build import build_resources
from report_pipeline.resources.configurable import MailerResource
from report_pipeline.resources.connections import open_services

WEEK = date(2024, 3, 4)
ASSETS = [document_manifest, document_features, weekly_report, email_deliveries]


def test_dead_delivery_fails_the_run_after_recording_counts_then_replay_fixes_it(
    settings, smtp_server
) -> None:
    services = open_services(settings)
    store_document(
        services,
        b"Visit note: stable.",
        "note.txt",
        "text/plain",
        "acme",
        datetime(2024, 3, 5, 9, tzinfo=UTC),
    )
    for address in ("ann@example.com", "bob@example.com", "cid@example.com"):
        services.app.subscribe(address)
    # A permanent refusal that is not a bounce (5.1.x / 5.2.1 would suppress the address).
    smtp_server.refuse("bob@example.com", "550 5.7.1 Rejected by policy")
    resources = {
        **build_resources(settings),
        "mailer": MailerResource(
            kind="smtp",
            smtp_host=smtp_server.host,
            smtp_port=smtp_server.port,
            smtp_security="none",
        ),
    }
    with DagsterInstance.get() as instance:  # the CLI replay below runs on it too
        result = materialize(
            ASSETS,
            partition_key=WEEK.isoformat(),
            instance=instance,
            resources=resources,
            raise_on_error=False,
        )
    assert not result.success
    [event] = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "email_deliveries"
    ]
    metadata = {k: v.value for k, v in event.materialization.metadata.items()}
    assert {k: metadata[k] for k in ("run_sent", "week_sent", "week_failed", "week_dead")} == {
        "run_sent": 2,
        "week_sent": 2,
        "week_failed": 0,
        "week_dead": 1,
    }
    assert "bob@example.com" in metadata["errors"]
    failure = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    assert "1 deliveries for week 2024-03-04 are dead" in (
        failure[0].step_failure_data.error.message
    )

    runner = CliRunner()
    listed = runner.invoke(deliveries, ["list", "--week", "2024-03-05", "--status", "dead"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("\n") == 1 and "bob@example.com" in listed.output
    assert "550" in listed.output

    # Replay through the email job in a fresh process, as an operator would (the
    # Definitions read the environment once; the default mailer is the outbox).
    replayed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from report_pipeline.cli.deliveries import deliveries; deliveries()",
            "replay",
            "--week",
            "2024-03-04",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )
    assert replayed.returncode == 0, replayed.stderr[-3000:]
    assert "3 sent" in replayed.stdout
    assert [p.name.split("__")[0] for p in settings.outbox_dir.glob("*.eml")] == ["bob@example.com"]
    assert len(smtp_server.messages) == 2  # the two sent the first time were not resent

    bad = runner.invoke(deliveries, ["replay", "--week", "2031-13-01"])
    assert bad.exit_code == 1 and bad.output.startswith("error:")
