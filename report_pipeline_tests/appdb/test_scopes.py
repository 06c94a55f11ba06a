"""Subscription scopes: one address may hold several; each is removed on its own."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from report_pipeline.appdb.scopes import ALL, InvalidCustomer, validate_customer, validate_scope
from report_pipeline.appdb.store import AppStore, ReportResult


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


WEEK = date(2024, 3, 4)


def test_one_address_holds_several_scopes(app: AppStore) -> None:
    everything = app.subscribe("a@example.com", "Ann")
    acme = app.subscribe("a@example.com", "Ann", customer="acme")
    assert everything.id != acme.id and everything.customer == ALL and acme.customer == "acme"
    assert app.subscribe("a@example.com", customer="acme").id == acme.id  # idempotent
    assert [row.customer for row in app.subscribers(customer="acme")] == ["acme"]
    assert app.unsubscribe("a@example.com", customer="acme") is True
    assert [row.customer for row in app.subscribers()] == [ALL]
    app.subscribe("a@example.com", customer="acme")
    assert app.unsubscribe("a@example.com") is True  # every scope of the address
    assert app.subscribers() == []


def test_report_rows_are_per_week_and_scope(app: AppStore) -> None:
    whole = app.record_report(ReportResult(WEEK, "succeeded", pdf_key="all.pdf"))
    acme = app.record_report(ReportResult(WEEK, "succeeded", pdf_key="acme.pdf", scope="acme"))
    assert whole.id != acme.id
    assert app.latest_report(WEEK).pdf_key == "all.pdf"
    assert app.latest_report(WEEK, "acme").pdf_key == "acme.pdf"
    again = app.record_report(ReportResult(WEEK, "succeeded", pdf_key="acme2.pdf", scope="acme"))
    assert again.id == acme.id
    assert [r.scope for r in app.week_reports(WEEK)] == [ALL, "acme"]


def test_existing_subscribers_become_all_after_the_migration(tmp_path) -> None:
    from alembic import command

    from report_pipeline.appdb.store import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    store = AppStore(url)
    config = alembic_config()
    config.set_main_option("sqlalchemy.url", url)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO subscribers (email, active, subscribed_at)"
                " VALUES ('old@example.com', 1, '2024-01-01')"
            )
        )
    store.upgrade()
    assert [(r.email, r.customer) for r in store.subscribers()] == [("old@example.com", ALL)]
    store.subscribe("old@example.com", customer="acme")
    assert len(store.subscribers()) == 2


@pytest.mark.parametrize("bad", ["", "a/b", "../etc", "x" * 65, "a b", "é", ".."])
def test_invalid_customer_ids_are_refused(bad: str) -> None:
    with pytest.raises(InvalidCustomer, match="invalid customer id"):
        validate_customer(bad)


def test_valid_scopes() -> None:
    assert validate_scope(None) == ALL and validate_scope("all") == ALL
    assert validate_customer("Acme-1_2.x") == "Acme-1_2.x" and validate_customer("x" * 64)
