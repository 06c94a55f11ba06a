"""Keyset pages: every row exactly once, also while rows change between pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from report_pipeline.appdb.schema import Subscriber
from report_pipeline.models import DocumentRecord
from report_pipeline_tests.api.conftest import WEEK, auth

USERS = "/api/reports/registered-users"


def _walk(client, path: str, limit: int, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        page = client.get(path, params=query, headers=auth("admin"))
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


def test_ten_thousand_subscribers_each_exactly_once(client) -> None:
    store = client.app.state.context.store
    now = datetime.now(UTC)
    rows = [
        {"email": f"user{n:05d}@example.com", "active": n % 7 != 0, "subscribed_at": now}
        for n in range(10_000)
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(Subscriber), rows)
    everyone = _walk(client, USERS, 500)
    assert len(everyone) == 10_000
    assert sorted(r["email"] for r in everyone) == sorted(r["email"] for r in rows)
    assert [r["id"] for r in everyone] == sorted(r["id"] for r in everyone)
    active = _walk(client, USERS, 333, active="true")
    assert len(active) == len({r["id"] for r in active}) == sum(r["active"] for r in rows)


def test_rows_added_or_removed_between_pages_never_repeat_or_vanish(client) -> None:
    store = client.app.state.context.store
    for n in range(10):
        store.subscribe(f"a{n}@example.com")
    first = client.get(USERS, params={"limit": 4}, headers=auth("admin")).json()
    store.unsubscribe("a0@example.com")  # already seen
    store.subscribe("late@example.com")  # after the cursor
    rest = _walk(client, USERS, 4, cursor=first["next_cursor"])
    emails = [r["email"] for r in first["items"] + rest]
    assert len(emails) == len(set(emails)) == 11


def test_documents_page_by_time_then_id_with_filters(client, catalog) -> None:
    start = datetime.combine(WEEK, datetime.min.time(), tzinfo=UTC)
    for n in range(25):
        customer = "acme" if n % 2 else "globex"
        catalog.add(
            DocumentRecord(
                f"doc{n:03d}",
                f"customers/{customer}/2024/03/doc{n:03d}/f.txt",
                "text/plain" if n % 3 else "image/png",
                start + timedelta(hours=n // 4),
                10,
            )
        )
    catalog.add(
        DocumentRecord(
            "next-week", "customers/acme/x/y.txt", "text/plain", start + timedelta(days=8), 1
        )
    )
    week = _walk(client, "/api/documents", 4, week=WEEK.isoformat())
    assert [d["document_id"] for d in week] == [f"doc{n:03d}" for n in range(25)]
    acme_text = _walk(client, "/api/documents", 3, customer="acme", content_type="text/plain")
    expected = {f"doc{n:03d}" for n in range(25) if n % 2 and n % 3} | {"next-week"}
    assert [d["document_id"] for d in acme_text] == sorted(expected)
    assert all(d["customer_id"] == "acme" for d in acme_text)
