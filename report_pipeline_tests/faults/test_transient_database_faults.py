"""A week whose PostgreSQL app database drops connections mid-session ends as a clean week does."""

from __future__ import annotations

import json

import pytest
from dagster import DagsterEventType, DagsterInstance, materialize
from sqlalchemy.engine import make_url

from report_pipeline.appdb.store import AppStore
from report_pipeline.defs.checks import asset_checks
from report_pipeline.defs.features import document_features
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.report import weekly_report
from report_pipeline.resources.build import build_resources
from report_pipeline.resources.connections import open_services
from report_pipeline.settings import load_settings
from report_pipeline_tests.faults.tcp_fault_proxy import TcpFaultProxy
from report_pipeline_tests.faults.weeks import WEEK, seed_fault_week


def _week(monkeypatch, tmp_path, name: str, database_url: str, proxy: TcpFaultProxy | None):
    monkeypatch.setenv("REPORT_PIPELINE_HOME", str(tmp_path / name))
    monkeypatch.setenv("REPORT_PIPELINE_DATABASE_URL", database_url)
    settings = load_settings()
    services = open_services(settings)
    seed_fault_week(services, notes=4)
    if proxy:
        proxy.armed = True  # faults for the run, not for the set-up
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [document_manifest, document_features, weekly_report, *asset_checks],
            partition_key=WEEK.isoformat(),
            instance=instance,
            resources=build_resources(settings),
        )
    if proxy:
        proxy.armed = False
    assert result.success
    published = json.loads(services.store.get(f"reports/{WEEK}/manifest.json"))
    report = services.app.latest_report(WEEK)
    retries = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY]
    return (
        {
            "summary": published["summary"],
            "documents": published["documents"],
            "row": (
                report.state,
                report.documents_total,
                report.documents_failed,
                report.hold_reason,
            ),
        },
        retries,
    )


@pytest.mark.slow
def test_a_week_through_a_database_that_drops_connections_equals_a_clean_week(
    postgres_url, settings, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("REPORT_PIPELINE_MAX_FAILED_SHARE", "0.5")
    url = make_url(postgres_url)
    AppStore(postgres_url).upgrade()  # the deployment migrates; steps never do
    clean, _ = _week(monkeypatch, tmp_path, "clean", postgres_url, None)

    proxy = TcpFaultProxy((url.host or "127.0.0.1", url.port or 5432), cut_after=600, budget=2)
    try:
        proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
        faulty, retries = _week(monkeypatch, tmp_path, "faulty", proxied, proxy)
    finally:
        proxy.close()
    assert proxy.cuts == 2, "both connection cuts must have happened during the run"
    assert retries, "a cut mid-step must show as a step retry"
    assert faulty == clean
    assert clean["row"] == ("succeeded", 6, 1, None)
