"""Dead letters, the completeness gate and empty weeks, through real Dagster runs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from dagster import DagsterInstance, build_sensor_context, materialize

from report_pipeline.defs.checks import asset_checks
from report_pipeline.defs.features import document_features
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.defs.sensors import email_on_report_sensor
from report_pipeline.models import DocumentRecord
from report_pipeline.pipeline import gate
from report_pipeline.pipeline.dead_letters import read_dead_letters, week_counts
from report_pipeline.pipeline.documents import object_key_for, store_document
from report_pipeline.pipeline.features import read_week_features
from report_pipeline.pipeline.manifest import read_manifest
from report_pipeline.resources.build import build_resources
from report_pipeline.resources.connections import open_services
from report_pipeline.settings import load_settings
from report_pipeline.tooling.samples import broken_png

WEEK = date(2024, 3, 4)
AT = datetime(2024, 3, 5, 9, tzinfo=UTC)
ASSETS = [document_manifest, document_features, weekly_report]


def _note(number: int) -> bytes:
    return f"Visit {number}: patient stable, dosage unchanged, no adverse events.".encode()


@pytest.fixture
def week_with_failures(settings):
    """7 good notes, a corrupt PNG, an empty file, and a record whose object is missing."""
    services = open_services(settings)
    for number in range(7):
        store_document(services, _note(number), f"note-{number}.txt", "text/plain", "acme", AT)
    store_document(services, broken_png(), "broken.png", "image/png", "acme", AT)
    store_document(services, b"", "empty.txt", "text/plain", "globex", AT)
    key = object_key_for("globex", "late-upload", "late.txt", AT)
    services.catalog.add(DocumentRecord("late-upload", key, "text/plain", AT, 10))
    return services


def _run(settings, instance, selection=None, **config):
    run_config = {"ops": {"weekly_report": {"config": config}}} if config else None
    return materialize(
        [*ASSETS, *asset_checks],
        partition_key=WEEK.isoformat(),
        instance=instance,
        resources=build_resources(settings),
        run_config=run_config,
        selection=selection,
        raise_on_error=False,
    )


def _metadata(result, name: str) -> dict:
    [event] = [
        e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == name
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _checks(result) -> dict:
    return {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def _assert_counts_add_up(store) -> None:
    entries, results = read_manifest(store, WEEK), read_week_features(store, WEEK)
    counts = week_counts(entries, results)
    assert counts.manifest == counts.with_features + counts.dead_letters


def test_every_failure_is_a_dead_letter_and_the_report_is_held(settings, week_with_failures):
    services = week_with_failures
    with DagsterInstance.ephemeral() as instance:
        result = _run(settings, instance)
        sensor = email_on_report_sensor(build_sensor_context(instance=instance))

    letters = {d.document_id: d for d in read_dead_letters(services.store, WEEK)}
    assert len(letters) == 3
    by_stage = sorted((d.stage, d.error_class) for d in letters.values())
    assert by_stage == [
        ("decode", "OSError"),
        ("read", "DocumentError"),
        ("read", "ObjectNotReadable"),
    ]
    assert letters["late-upload"].object_key.endswith("late.txt")
    assert all(d.attempts == 1 and d.message for d in letters.values())
    _assert_counts_add_up(services.store)

    report = _metadata(result, "weekly_report")
    assert (
        report["documents_total"],
        report["documents_with_features"],
        report["dead_letters"],
    ) == (10, 7, 3)
    assert "broken.png" in report["dead_letter_list"]
    assert "3 of 10 documents failed (30.0%)" in report["emails_held"]

    checks = _checks(result)
    assert not checks["weekly_report_completeness"].passed
    assert "over the 10% limit" in checks["weekly_report_completeness"].description
    assert checks["weekly_report_accounts_for_every_document"].passed

    row = services.app.latest_report(WEEK)
    assert row.state == "held" and row.hold_reason.startswith("3 of 10")
    assert "reports release --week 2024-03-04" in gate.emails_held(
        services.app, WEEK, mail_empty_weeks=False
    )
    assert sensor.run_requests == []  # no email run for a held week


def test_replay_re_extracts_only_dead_letters_and_recovered_ones_leave(
    settings, week_with_failures
):
    services = week_with_failures
    with DagsterInstance.ephemeral() as instance:
        _run(settings, instance)
        ok_before = {
            r.document_id: r for r in read_week_features(services.store, WEEK) if r.status == "ok"
        }
        # The missing object arrives; the others are still broken.
        services.store.put(
            object_key_for("globex", "late-upload", "late.txt", AT),
            b"Late upload, read fine.",
            "text/plain",
        )
        replay = _run(settings, instance, selection=[weekly_report], replay_dead_letters=True)
    assert replay.success is False  # 2 of 10 failed: still over 10%, so still held
    letters = {d.document_id: d for d in read_dead_letters(services.store, WEEK)}
    assert "late-upload" not in letters and len(letters) == 2
    assert {d.attempts for d in letters.values()} == {2}
    after = {r.document_id: r for r in read_week_features(services.store, WEEK)}
    assert after["late-upload"].status == "ok" and after["late-upload"].attempts == 2
    assert all(after[i] == r for i, r in ok_before.items())  # the others were not redone
    _assert_counts_add_up(services.store)
    observed = [e for e in replay.all_events if e.event_type_value == "ASSET_OBSERVATION"]
    assert (
        observed
        and observed[0].event_specific_data.asset_observation.metadata["recovered"].value == 1
    )
    assert services.app.latest_report(WEEK).documents_failed == 2


def test_a_complete_enough_week_is_not_held(settings, week_with_failures, monkeypatch):
    monkeypatch.setenv("REPORT_PIPELINE_MAX_FAILED_SHARE", "0.5")
    with DagsterInstance.ephemeral() as instance:
        result = _run(settings, instance)
        sensor = email_on_report_sensor(build_sensor_context(instance=instance))
    assert result.success
    assert _checks(result)["weekly_report_completeness"].passed
    assert gate.emails_held(week_with_failures.app, WEEK, mail_empty_weeks=False) is None
    assert [r.partition_key for r in sensor.run_requests] == [WEEK.isoformat()]


def test_an_empty_week_is_noop_and_not_mailed_unless_configured(settings):
    services = open_services(settings)
    with DagsterInstance.ephemeral() as instance:
        result = _run(settings, instance)
        sensor = email_on_report_sensor(build_sensor_context(instance=instance))
    assert result.success
    assert services.app.latest_report(WEEK).state == "noop"
    assert "no documents (noop)" in gate.emails_held(services.app, WEEK, mail_empty_weeks=False)
    assert sensor.run_requests == []
    assert gate.emails_held(services.app, WEEK, mail_empty_weeks=True) is None


@pytest.mark.parametrize(
    ("total", "failed", "held"),
    [(10, 1, False), (10, 2, True), (0, 0, False), (3, 3, True), (1000, 100, False)],
)
def test_hold_reason_threshold(total: int, failed: int, held: bool) -> None:
    assert (gate.hold_reason(total, failed, 0.10) is not None) is held


def test_the_threshold_must_be_a_fraction(monkeypatch) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_MAX_FAILED_SHARE", "15")
    with pytest.raises(ValueError, match="fraction"):
        load_settings()
