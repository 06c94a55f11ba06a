"""The classifier of a run: the taxonomy's rules and the deployment's current type model.

Runs load the pointer (classifier/current.json) once per batch and the model
once per version and process; training is pipeline/type_model.py.
"""

from __future__ import annotations

import json

from report_pipeline.classify import Classifier, Taxonomy, TypeModel, model_from_bytes
from report_pipeline.pipeline.keys import TYPE_MODEL_POINTER_KEY, type_model_key
from report_pipeline.storage.object_store import ObjectNotFound, ObjectStore

_LOADED: dict[str, TypeModel] = {}  # version -> model: a version's bytes never change


def load_model(store: ObjectStore, taxonomy: Taxonomy) -> TypeModel | None:
    """The deployment's current model, or None (never trained, or of types no longer known)."""
    try:
        pointer = json.loads(store.get(TYPE_MODEL_POINTER_KEY))
    except ObjectNotFound:
        return None
    if not set(pointer.get("classes", ())) <= set(taxonomy.keys):
        return None  # the taxonomy dropped a type it learned: rules only until trained again
    version = str(pointer["version"])
    if version not in _LOADED:
        _LOADED.clear()  # one model per process at a time
        _LOADED[version] = model_from_bytes(store.get(type_model_key(version)))
    return _LOADED[version]


def load_classifier(store: ObjectStore | None, taxonomy: Taxonomy, threshold: float) -> Classifier:
    """The rules of ``taxonomy`` and, when the store has one, the model over them."""
    model = load_model(store, taxonomy) if store is not None else None
    return Classifier(taxonomy, model, threshold)
