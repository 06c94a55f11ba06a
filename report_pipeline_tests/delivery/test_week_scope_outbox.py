"""One email per (week, scope, address): regenerating a week mails nobody twice."""

from __future__ import annotations

from datetime import date

import pytest

from report_pipeline.appdb.store import AppStore, ReportResult
from report_pipeline.delivery.dispatch import ReportToSend, dispatch_report
from report_pipeline.delivery.mailers import OutboxMailer
from report_pipeline.delivery.outbox import SenderSettings
from report_pipeline.delivery.settings import DeliverySettings

WEEK = date(2024, 3, 4)
SETTINGS = DeliverySettings(sender=SenderSettings(wait_for_retries=False))


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path) -> AppStore:
    url = (
        f"sqlite:///{tmp_path / 'app.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    store = AppStore(url)
    store.upgrade()
    return store


def _new_report(app: AppStore, scope: str = "all") -> int:
    """A report row of its own, as `POST /api/reports` with force makes for a regeneration."""
    from report_pipeline.appdb.schema import Report
    from report_pipeline.appdb.store import utcnow

    with app.session() as session, session.begin():
        row = Report(
            week=WEEK,
            scope=scope,
            state="succeeded",
            pdf_key="k.pdf",
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        session.add(row)
        session.flush()
        return row.id


def _send(app: AppStore, report_id: int, tmp_path, force: bool = False):
    report = ReportToSend(
        report_id=report_id,
        week=WEEK,
        summary={"documents_total": 1, "documents_ok": 1, "documents_failed": 0},
        pdf=b"%PDF-1.4 x",
        pdf_filename="weekly-report.pdf",
    )
    return dispatch_report(
        app,
        report,
        OutboxMailer(tmp_path / "outbox"),
        "r@example.com",
        force=force,
        settings=SETTINGS,
    )


def test_a_regenerated_week_mails_nobody_twice_unless_forced(app: AppStore, tmp_path) -> None:
    app.subscribe("ann@example.com")
    app.subscribe("bob@example.com")
    app.subscribe("ann@example.com", customer="acme")  # another scope: its own email
    first = _new_report(app)
    assert _send(app, first, tmp_path).sent == 2
    second = _new_report(app)  # the week regenerated: a new report row
    outcome = _send(app, second, tmp_path)
    assert (outcome.recipients, outcome.sent) == (0, 0)
    app.subscribe("cyd@example.com")  # a new subscriber still gets the week's report once
    assert _send(app, second, tmp_path).sent == 1
    forced = _send(app, second, tmp_path, force=True)
    assert forced.sent == 3  # ann, bob again, and cyd again: explicitly forced


def test_each_scope_mails_only_its_subscribers(app: AppStore, tmp_path) -> None:
    app.subscribe("ops@example.com")
    app.subscribe("ann@acme.example", customer="acme")
    app.subscribe("gus@globex.example", customer="globex")
    acme = app.record_report(ReportResult(WEEK, "succeeded", pdf_key="a.pdf", scope="acme"))
    assert _send(app, acme.id, tmp_path).sent == 1
    assert [d.email for d in app.deliveries(acme.id)] == ["ann@acme.example"]
