"""Operators' document labels: one type per document, each change audited with it."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from report_pipeline.appdb.audit import AuditEvent, audit_entry
from report_pipeline.appdb.schema import DocumentLabel
from report_pipeline.appdb.store import AppStore, utcnow


def label_target(document_id: str, previous: str | None, doc_type: str) -> str:
    """The audit target of a label change: which document, from which type to which."""
    return f"document:{document_id} label:{previous or '(none)'}->{doc_type}"


def set_label(
    app: AppStore, document_id: str, doc_type: str, actor: str, audit: AuditEvent | None = None
) -> str | None:
    """Label a document (the caller checked id and type); returns the type it had before.

    With ``audit``, the change and its audit row are one transaction: no label
    without its row. The API passes none, its middleware writes the request's row.
    """
    with app.session() as session, session.begin():
        row = session.get(DocumentLabel, document_id, with_for_update=True)
        previous = row.doc_type if row else None
        if row is None:
            row = DocumentLabel(document_id=document_id)
            session.add(row)
        row.doc_type, row.labeled_by, row.labeled_at = doc_type, actor[:320], utcnow()
        if audit is not None:
            event = replace(audit, target=label_target(document_id, previous, doc_type))
            session.add(audit_entry(event))
    return previous


def get_label(app: AppStore, document_id: str) -> DocumentLabel | None:
    with app.session() as session:
        return session.get(DocumentLabel, document_id)


def all_labels(app: AppStore) -> list[tuple[str, str]]:
    """Every (document id, type), by document id: what the type model learns from."""
    with app.session() as session:
        rows = session.execute(
            select(DocumentLabel.document_id, DocumentLabel.doc_type).order_by(
                DocumentLabel.document_id
            )
        )
        return [(document_id, doc_type) for document_id, doc_type in rows]
