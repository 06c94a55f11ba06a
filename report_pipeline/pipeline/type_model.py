"""Training the document-type model of a deployment on its labels (loading: type_classifier).

Training reads each labeled document's text from what extraction cached (the
week's features, else the content-addressed cache entry): nothing is
extracted again. The model is stored once per version under
classifier/models/ and named by a small pointer object; runs load the
pointer once per batch and the model once per version and process.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from report_pipeline.appdb.labels import all_labels
from report_pipeline.classify import (
    ModelError,
    Taxonomy,
    model_version,
    text_of,
    train_model,
)
from report_pipeline.classify.model import TypeModel
from report_pipeline.pipeline.features import read_week_features
from report_pipeline.pipeline.keys import TYPE_MODEL_POINTER_KEY, type_model_key
from report_pipeline.pipeline.type_classifier import model_pointer
from report_pipeline.resources.connections import Services
from report_pipeline.storage.object_store import ObjectNotFound, ObjectStore
from report_pipeline.weeks import week_start_of


@dataclass(frozen=True)
class Training:
    """What `documents train` did."""

    version: str
    labels: int
    learned: int  # labeled documents whose cached text was found
    skipped: list[str]  # labeled document ids with no cached text (not processed yet, failed)
    per_type: dict[str, int]
    seconds: float
    trained: bool  # False: the model of this label set was already current


def labeled_texts(services: Services, labels: list[tuple[str, str]]) -> dict[str, str]:
    """Document id -> the text extraction cached of it, for the labeled documents that have one."""
    by_week: dict = defaultdict(list)
    for document_id, _ in labels:
        record = services.catalog.get(document_id)
        if record is not None:
            by_week[week_start_of(record.created_at.date())].append(document_id)
    texts: dict[str, str] = {}
    for week, wanted in by_week.items():
        try:
            results = read_week_features(services.store, week)
        except ObjectNotFound:
            results = []
        found = {r.document_id: r for r in results if r.status == "ok"}
        for document_id in wanted:
            features = found[document_id].features if document_id in found else None
            features = features or _cached_features(services, document_id)
            if features:
                texts[document_id] = text_of(features)
    return texts


def _cached_features(services: Services, document_id: str) -> dict | None:
    """A document processed after its week's features were written: its cache entry."""
    from report_pipeline.pipeline.documents import describe_document

    view = describe_document(services, document_id)
    return view.get("features") if view else None


def train_deployment(services: Services, taxonomy: Taxonomy, *, force: bool = False) -> Training:
    """Train on every label (unless this label set's model is current) and make it current."""
    started = time.perf_counter()
    labels = [(d, t) for d, t in all_labels(services.app) if t in taxonomy.keys]
    if not labels:
        raise ModelError("no document is labeled yet: `report-pipeline documents label ID TYPE`")
    texts = labeled_texts(services, labels)
    learned = [(d, t) for d, t in labels if d in texts]
    # The version names what was learned: a label whose text is cached later is a new model.
    version = model_version(learned, taxonomy)
    examples = [(texts[d], t) for d, t in learned]
    per_type: dict[str, int] = defaultdict(int)
    for _, doc_type in examples:
        per_type[doc_type] += 1
    skipped = [d for d, _ in labels if d not in texts]
    current = _pointer_version(services.store)
    if current != version or force:
        model = train_model(examples, taxonomy, version)
        save_model(services.store, model)
    return Training(
        version,
        len(labels),
        len(examples),
        skipped,
        dict(sorted(per_type.items())),
        round(time.perf_counter() - started, 2),
        current != version or force,
    )


def _pointer_version(store: ObjectStore) -> str | None:
    try:
        pointer = model_pointer(store)
    except ModelError:
        return None  # an unreadable pointer is replaced by the one training writes
    return pointer["version"] if pointer else None


def save_model(store: ObjectStore, model: TypeModel) -> None:
    """The model first, the pointer second: the pointer never names a missing model."""
    key = type_model_key(model.version)
    store.put(key, model.to_bytes(), "application/octet-stream")
    pointer = {
        "version": model.version,
        "key": key,
        "classes": [str(c) for c in model.estimator.classes_],
        "examples": model.examples,
        "trained_at": datetime.now(UTC).isoformat(),
    }
    store.put(TYPE_MODEL_POINTER_KEY, json.dumps(pointer).encode(), "application/json")
