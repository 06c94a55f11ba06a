"""Items 1, 2 and 6: finished results are final, only subscribers are mailed, roles are a list."""

from __future__ import annotations

import time

import jwt
from sqlalchemy import select

from report_pipeline.appdb.reports import get_report
from report_pipeline.appdb.schema import AuditEntry, Delivery
from report_pipeline.appdb.store import ReportResult
from report_pipeline.pipeline.keys import report_pdf_key
from report_pipeline_tests.api.conftest import AUDIENCE, ISSUER, SECRET, WEEK, auth

GOOD_KEY = report_pdf_key(WEEK, "a" * 64)


def _finished(api) -> int:
    return api.store.record_report(ReportResult(WEEK, "succeeded", pdf_key=GOOD_KEY)).id


def _audit_targets(api, action: str) -> list[str]:
    with api.store.session() as session:
        return [
            row.target
            for row in session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        ]


def test_finished_report_result_cannot_be_rewritten(api) -> None:
    report_id = _finished(api)
    with api.client() as client:
        for body in (
            {"pdf_key": "customers/acme/notes.pdf"},
            {"pdf_key": "../../etc/passwd"},
            {"report_uri": "https://evil.example/x.pdf"},
            {"pdf_sha256": "b" * 64},
        ):
            answer = client.patch(
                f"/api/reports/{report_id}/result", json=body, headers=auth("service")
            )
            assert answer.status_code in (409, 422), (body, answer.text)
    row = get_report(api.store, report_id)
    assert (row.pdf_key, row.report_uri, row.pdf_sha256) == (GOOD_KEY, None, None)


def test_running_report_accepts_only_its_own_pdf_key(api) -> None:
    with api.client() as client:
        report = client.post(
            "/api/reports", json={"week": WEEK.isoformat()}, headers=auth("admin")
        ).json()
        url = f"/api/reports/{report['id']}/result"
        bad = client.patch(
            url, json={"pdf_key": "reports/2020-01-06/weekly-report.pdf"}, headers=auth("service")
        )
        assert bad.status_code == 422 and bad.json()["error"] == "invalid_result"
        traversal = client.patch(
            url, json={"report_uri": f"s3://b/x/../{GOOD_KEY}"}, headers=auth("service")
        )
        assert traversal.status_code == 422
        good = client.patch(
            url,
            json={"state": "succeeded", "pdf_key": GOOD_KEY, "documents_total": 3},
            headers=auth("service"),
        )
        assert good.status_code == 200, good.text
    targets = _audit_targets(api, "PATCH /api/reports/{report_id}/result")
    assert f"report:{report['id']} result changed:documents_total,pdf_key" in targets


def test_only_active_unsuppressed_subscribers_can_be_registered(api) -> None:
    report_id = _finished(api)
    api.store.subscribe("active@example.com")
    api.store.subscribe("left@example.com")
    api.store.unsubscribe("left@example.com")
    with api.client() as client:
        for address in ("stranger@example.com", "left@example.com"):
            answer = client.post(
                "/api/reports/emails",
                json={"report_id": report_id, "email": address},
                headers=auth("service"),
            )
            assert answer.status_code == 422, answer.text
            assert answer.json()["error"] == "not_a_subscriber"
        not_admin = client.post(
            "/api/reports/emails",
            json={
                "report_id": report_id,
                "email": "stranger@example.com",
                "override_subscription": True,
            },
            headers=auth("service"),
        )
        assert not_admin.status_code == 403
        ok = client.post(
            "/api/reports/emails",
            json={"report_id": report_id, "email": "active@example.com"},
            headers=auth("service"),
        )
        assert ok.status_code == 201
        override = client.post(
            "/api/reports/emails",
            json={
                "report_id": report_id,
                "email": "stranger@example.com",
                "override_subscription": True,
            },
            headers=auth("admin"),
        )
        assert override.status_code == 201
    with api.store.session() as session:
        recorded = sorted(session.scalars(select(Delivery.email)))
    assert recorded == ["active@example.com", "stranger@example.com"]
    assert any(
        "override_subscription" in (t or "")
        for t in _audit_targets(api, "POST /api/reports/emails")
    )


def test_string_roles_claim_grants_nothing(api) -> None:
    now = int(time.time())
    token = jwt.encode(
        {
            "sub": "mallory",
            "iss": ISSUER,
            "aud": AUDIENCE,
            "exp": now + 60,
            "roles": "subscriber admin",
        },
        SECRET,
        algorithm="HS256",
    )
    with api.client() as client:
        answer = client.get("/api/audit", headers={"Authorization": f"Bearer {token}"})
        mixed = jwt.encode(
            {"sub": "m", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 60, "roles": ["admin", 1]},
            SECRET,
            algorithm="HS256",
        )
        other = client.get("/api/audit", headers={"Authorization": f"Bearer {mixed}"})
    assert answer.status_code == 401
    assert "list of strings" in answer.json()["message"]
    assert other.status_code == 401
