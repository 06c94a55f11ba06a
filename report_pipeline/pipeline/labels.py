"""Labeling a document: the checks before a label is written, and the type a label sets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from report_pipeline.classify import Taxonomy
from report_pipeline.models import FeatureResult
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


# A labeled document's type records this: an operator decided, not the rules or the model.
DECIDED_BY_LABEL = "label"
LABEL_REASON = "set by an operator's label"
_CLASSIFIED_KEYS = ("type", "label", "source", "confidence", "score", "version")


def labeled_type(found: object, doc_type: str, taxonomy: Taxonomy) -> dict[str, Any]:
    """The document type an operator's label sets, with what the classifier had said beside it.

    Never written to the content-addressed feature cache (the same bytes may be
    another, unlabeled document): applied where types are read, so a new label
    wins at the next report without re-extraction or re-classification.
    """
    classified = found if isinstance(found, Mapping) else None
    if classified and classified.get("decided_by") == DECIDED_BY_LABEL:
        classified = classified.get("classified")  # relabeled: keep the classifier's answer
    kept = {k: classified.get(k) for k in _CLASSIFIED_KEYS} if classified else None
    return {
        "type": doc_type,
        "label": taxonomy.label(doc_type),
        "confidence": 1.0,
        "score": None,
        "cues": [],
        "needs_review": None,
        "source": DECIDED_BY_LABEL,
        "decided_by": DECIDED_BY_LABEL,
        "reason": LABEL_REASON,
        "classified": kept,
        "version": kept.get("version") if kept else None,
    }


def with_labels(
    results: list[FeatureResult], labels: Mapping[str, str], taxonomy: Taxonomy
) -> list[FeatureResult]:
    """``results`` with each labeled, extracted document typed by its label (copies; pure).

    A label of a type the taxonomy no longer names is ignored (the classifier's type stays).
    """
    return list(labeled(results, labels, taxonomy))


def labeled(
    results: Iterable[FeatureResult], labels: Mapping[str, str], taxonomy: Taxonomy
) -> Iterator[FeatureResult]:
    """with_labels a result at a time (a generator over a streamed week)."""
    for result in results:
        doc_type = labels.get(result.document_id)
        if result.status != "ok" or doc_type not in taxonomy.keys:
            yield result
            continue
        features = dict(result.features or {})
        features["document_type"] = labeled_type(features.get("document_type"), doc_type, taxonomy)
        yield replace(result, features=features)
