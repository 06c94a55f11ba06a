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
