from __future__ import annotations

from datetime import date

import pytest

from report_pipeline.appdb.store import AppStore, ReportResult


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path) -> AppStore:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    store = AppStore(url)
    store.upgrade()
    store.upgrade()  # idempotent
    return store


WEEK = date(2024, 3, 4)


def test_subscribe_is_idempotent_and_reactivates(app: AppStore) -> None:
    first = app.subscribe("a@example.com", "Ann")
    again = app.subscribe("a@example.com")
    assert again.id == first.id
    assert app.unsubscribe("a@example.com") is True
    assert app.unsubscribe("a@example.com") is False
    assert app.subscribers() == []
    assert app.subscribers(active_only=False)[0].unsubscribed_at is not None
    back = app.subscribe("a@example.com")
    assert back.id == first.id and back.active and back.unsubscribed_at is None


def test_record_report_updates_the_weeks_row(app: AppStore) -> None:
    first = app.record_report(ReportResult(WEEK, "succeeded", pdf_key="k1", documents_total=3))
    second = app.record_report(ReportResult(WEEK, "succeeded", pdf_key="k2"))
    assert second.id == first.id
    latest = app.latest_report(WEEK)
    assert latest.pdf_key == "k2" and latest.documents_total == 3


def test_snapshot_adds_each_active_subscriber_once(app: AppStore) -> None:
    report = app.record_report(ReportResult(WEEK, "succeeded"))
    app.subscribe("a@example.com")
    app.subscribe("b@example.com")
    app.subscribe("gone@example.com")
    app.unsubscribe("gone@example.com")
    assert app.snapshot_deliveries(report.id) == 2
    assert app.snapshot_deliveries(report.id) == 0
    app.subscribe("c@example.com")
    assert app.snapshot_deliveries(report.id) == 1
    assert sorted(d.email for d in app.deliveries(report.id)) == [
        "a@example.com", "b@example.com", "c@example.com"]


def test_sent_deliveries_are_not_due_again_unless_forced(app: AppStore) -> None:
    report = app.record_report(ReportResult(WEEK, "succeeded"))
    app.subscribe("a@example.com")
    app.subscribe("b@example.com")
    app.snapshot_deliveries(report.id)
    first, second = app.deliveries(report.id)
    app.mark_sent(first.id, "<m1@example.com>")
    app.mark_failed(second.id, "451 try later")
    due = app.deliveries_to_send(report.id)
    assert [d.email for d in due] == ["b@example.com"]
    assert due[0].attempts == 1 and due[0].last_error == "451 try later"
    assert len(app.deliveries_to_send(report.id, force=True)) == 2
