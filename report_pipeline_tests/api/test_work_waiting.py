"""GET /api/reports says in one line what emails a fault left unsent, and how to finish."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dagster import DagsterInstance

from report_pipeline.appdb.deliveries import OutboxStore
from report_pipeline.pipeline.documents import store_document
from report_pipeline.resources.connections import open_services
from report_pipeline_tests.api.conftest import auth, build_client
from report_pipeline_tests.weekly_assets import materialize_week

WEEK = date(2024, 3, 4)


def test_unsent_emails_of_a_report_are_work_waiting_with_the_command(settings) -> None:
    services = open_services(settings)
    note = b"Visit note: patient seen, vitals stable, follow up in two weeks."
    store_document(
        services, note, "note.txt", "text/plain", "acme", datetime(2024, 3, 5, 10, tzinfo=UTC)
    )
    with DagsterInstance.ephemeral() as instance:
        materialize_week(settings, instance, WEEK)
    report = services.app.latest_report(WEEK)
    with build_client(settings, services.app, None, services.catalog) as client:
        before = client.get(f"/api/reports?week={WEEK}", headers=auth("analyst")).json()
        services.app.subscribe("ann@example.com", "Ann")
        services.app.subscribe("bob@example.com")
        OutboxStore(services.app).snapshot(report.id)  # queued, as a fault would leave them
        after = client.get(f"/api/reports/{report.id}", headers=auth("operator"))
    assert [item["work_waiting"] for item in before["items"]] == [None]
    assert after.status_code == 200, after.text
    assert after.json()["work_waiting"] == (
        f"work waiting: 2 emails of week {WEEK} not sent yet — run"
        f" `report-pipeline run --week {WEEK}` (or `report-pipeline deliveries work --until-idle`)"
    )
