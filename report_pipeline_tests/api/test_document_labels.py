"""PUT/GET /api/documents/{id}/label: roles, audit rows and one clear message for bad input."""

from __future__ import annotations

from datetime import UTC, datetime

from report_pipeline.appdb.audit import audit_page
from report_pipeline.appdb.labels import get_label
from report_pipeline.models import DocumentRecord
from report_pipeline_tests.api.conftest import auth

URL = "/api/documents/{}/label"


def _document(client, document_id: str = "doc-1") -> str:
    record = DocumentRecord(
        document_id,
        f"customers/acme/2024/03/{document_id}/note.txt",
        "text/plain",
        datetime(2024, 3, 5, tzinfo=UTC),
        10,
    )
    client.app.state.context.catalog.add(record)
    return document_id


def _rows(client, action: str) -> list:
    store = client.app.state.context.store
    return audit_page(store, after=None, limit=50, action=action).items


def test_an_operator_labels_and_every_change_is_audited(client) -> None:
    doc = _document(client)
    first = client.put(URL.format(doc), json={"type": "lab_result"}, headers=auth("operator"))
    assert first.status_code == 200, first.text
    assert first.json()["type"] == "lab_result" and first.json()["previous"] is None
    second = client.put(URL.format(doc), json={"type": "visit_note"}, headers=auth("admin"))
    assert second.json()["previous"] == "lab_result"
    assert get_label(client.app.state.context.store, doc).doc_type == "visit_note"
    targets = [row.target for row in _rows(client, "PUT /api/documents/{document_id}/label")]
    assert targets == [
        f"document:{doc} label:lab_result->visit_note",
        f"document:{doc} label:(none)->lab_result",
    ]


def test_reading_a_label_is_an_audited_read(client) -> None:
    doc = _document(client)
    unlabeled = client.get(URL.format(doc), headers=auth("analyst"))
    assert unlabeled.status_code == 200 and unlabeled.json()["type"] is None
    client.put(URL.format(doc), json={"type": "consent_form"}, headers=auth("operator"))
    labeled = client.get(URL.format(doc), headers=auth("analyst")).json()
    assert labeled["label"] == "consent form" and labeled["labeled_by"]
    rows = _rows(client, "GET /api/documents/{document_id}/label")
    assert len(rows) == 2 and all(row.outcome == "success" for row in rows)


def test_a_viewer_role_may_read_but_not_label(client) -> None:
    doc = _document(client)
    denied = client.put(URL.format(doc), json={"type": "lab_result"}, headers=auth("analyst"))
    assert denied.status_code == 403 and denied.json()["error"] == "forbidden"
    assert get_label(client.app.state.context.store, doc) is None
    assert client.get(URL.format(doc), headers=auth("subscriber")).status_code == 403
    rows = _rows(client, "PUT /api/documents/{document_id}/label")
    assert [row.outcome for row in rows] == ["denied"]


def test_unknown_type_document_or_malformed_body_is_a_4xx_with_a_message(client) -> None:
    doc = _document(client)
    headers = auth("operator")
    bad_type = client.put(URL.format(doc), json={"type": "horoscope"}, headers=headers)
    assert bad_type.status_code == 422 and bad_type.json()["error"] == "unknown_type"
    assert "unknown document type 'horoscope'" in bad_type.json()["message"]
    missing = client.put(URL.format("nope"), json={"type": "lab_result"}, headers=headers)
    assert missing.status_code == 404 and "unknown document id 'nope'" in missing.json()["message"]
    assert client.get(URL.format("nope"), headers=headers).status_code == 404
    for body in ({}, {"type": ""}, {"type": 3}, {"type": "lab_result", "extra": 1}, []):
        response = client.put(URL.format(doc), json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["message"]
    long_id = client.put(URL.format("x" * 200), json={"type": "lab_result"}, headers=headers)
    assert long_id.status_code == 422
    assert get_label(client.app.state.context.store, doc) is None
