"""Item 8: altered cursors are a 400; the inputs that gave 500s are 4xx."""

from __future__ import annotations

import base64
import json

from report_pipeline_tests.api.conftest import auth


def _forge(cursor: str, key: object) -> str:
    payload, _, mac = cursor.partition(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["k"] = key
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{forged}.{mac}"


def _first_page(client, path: str) -> str:
    page = client.get(path, params={"limit": 1}, headers=auth("admin"))
    assert page.status_code == 200
    return page.json()["next_cursor"]


def test_altered_cursor_is_refused(api) -> None:
    for n in range(3):
        api.store.subscribe(f"user{n}@example.com")
    with api.client() as client:
        cursor = _first_page(client, "/api/reports/registered-users")
        ok = client.get(
            "/api/reports/registered-users",
            params={"limit": 1, "cursor": cursor},
            headers=auth("admin"),
        )
        assert ok.status_code == 200
        for key in (1, 0, 2**63, -1, "x", [1]):
            forged = client.get(
                "/api/reports/registered-users",
                params={"limit": 1, "cursor": _forge(cursor, key)},
                headers=auth("admin"),
            )
            assert forged.status_code == 400, key
            assert forged.json()["error"] == "bad_cursor"
        unsigned = cursor.partition(".")[0]
        assert (
            client.get(
                "/api/reports/registered-users", params={"cursor": unsigned}, headers=auth("admin")
            ).status_code
            == 400
        )


def test_old_unsigned_cursor_shape_with_huge_key_is_400(api) -> None:
    raw = json.dumps({"k": 2**63, "s": "0" * 16}).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    with api.client() as client:
        for path in (
            "/api/audit",
            "/api/reports",
            "/api/reports/registered-users",
            "/api/documents",
        ):
            answer = client.get(path, params={"cursor": cursor}, headers=auth("admin"))
            assert answer.status_code == 400, path


def test_documents_cursor_with_naive_date_is_400(api) -> None:
    from report_pipeline.api.pagination import encode_cursor

    # Even a correctly signed cursor with a naive timestamp is refused, not a 500.
    cursor = encode_cursor(
        ["2024-03-04T00:00:00", "doc"],
        "documents",
        {"week": None, "customer": None, "content_type": None},
    )
    with api.client() as client:
        answer = client.get("/api/documents", params={"cursor": cursor}, headers=auth("admin"))
    assert answer.status_code == 400


def test_last_week_of_year_9999_is_422(api) -> None:
    with api.client() as client:
        for path in ("/api/documents", "/api/reports"):
            answer = client.get(path, params={"week": "9999-12-31"}, headers=auth("admin"))
            assert answer.status_code == 422, path


def test_deeply_nested_sns_body_is_4xx(start_api) -> None:
    running = start_api(REPORT_PIPELINE_SES_SNS_TOPIC_ARNS="arn:aws:sns:eu-west-1:123456789012:ses")
    with running.client() as client:
        answer = client.post(
            "/api/ses/notifications", content=b"[" * 100_000, headers={"Content-Type": "text/plain"}
        )
    assert 400 <= answer.status_code < 500
