"""Labeling a document: the checks the CLI and the API share before a label is written."""

from __future__ import annotations

from report_pipeline.classify import Taxonomy
from report_pipeline.storage.catalog import DocumentCatalog

MAX_DOCUMENT_ID_CHARS = 128


class UnknownDocument(ValueError):
    """No document of that id in the catalog."""


class UnknownType(ValueError):
    """A type the deployment's taxonomy does not name."""


def check_label(
    catalog: DocumentCatalog, taxonomy: Taxonomy, document_id: str, doc_type: str
) -> None:
    """Raise UnknownType or UnknownDocument (one line each) unless the label can be written."""
    if doc_type not in taxonomy.keys:
        raise UnknownType(
            f"unknown document type {doc_type!r}: use one of {', '.join(taxonomy.keys)}"
        )
    check_document(catalog, document_id)


def check_document(catalog: DocumentCatalog, document_id: str) -> None:
    if len(document_id) > MAX_DOCUMENT_ID_CHARS or catalog.get(document_id) is None:
        raise UnknownDocument(f"unknown document id {document_id!r}")
