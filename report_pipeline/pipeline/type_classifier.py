"""The classifier of a run: the taxonomy's rules and the deployment's current type model.

Runs load the pointer (classifier/current.json) once per batch and the model
once per version and process; training is pipeline/type_model.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from report_pipeline.classify import Classifier, ModelError, Taxonomy, TypeModel, model_from_bytes
from report_pipeline.pipeline.keys import TYPE_MODEL_POINTER_KEY, type_model_key
from report_pipeline.storage.object_store import ObjectNotFound, ObjectStore

_LOADED: dict[str, TypeModel] = {}  # version -> model: a version's bytes never change


@dataclass(frozen=True)
class ActiveModel:
    """The model the pointer names, read and loaded: what `doctor` says of it."""

    version: str
    key: str
    examples: int  # labeled documents it learned from
    trained_at: str | None


def model_pointer(store: ObjectStore) -> dict | None:
    """The pointer to the current model; None when none was trained, ModelError when unreadable."""
    try:
        raw = store.get(TYPE_MODEL_POINTER_KEY)
    except ObjectNotFound:
        return None
    try:
        pointer = json.loads(raw)
        pointer["version"] = str(pointer["version"])
    except (ValueError, KeyError, TypeError):
        raise ModelError(f"{TYPE_MODEL_POINTER_KEY} is not a model pointer") from None
    return pointer


def pointed_model_key(pointer: dict) -> str:
    return str(pointer.get("key") or type_model_key(pointer["version"]))


def active_model(store: ObjectStore) -> ActiveModel | None:
    """The current model, read in full; None when none; ModelError naming what is unreadable."""
    pointer = model_pointer(store)
    if pointer is None:
        return None
    version, key = pointer["version"], pointed_model_key(pointer)
    try:
        model = model_from_bytes(store.get(key))
    except ObjectNotFound:
        raise ModelError(f"model {version} is missing: {key}") from None
    except ModelError as error:
        raise ModelError(f"model {version} at {key} cannot be read: {error}") from None
    return ActiveModel(version, key, model.examples, pointer.get("trained_at"))


def load_model(store: ObjectStore, taxonomy: Taxonomy) -> TypeModel | None:
    """The deployment's current model, or None (never trained, or of types no longer known)."""
    pointer = model_pointer(store)
    if pointer is None:
        return None
    if not set(pointer.get("classes", ())) <= set(taxonomy.keys):
        return None  # the taxonomy dropped a type it learned: rules only until trained again
    version = str(pointer["version"])
    if version not in _LOADED:
        _LOADED.clear()  # one model per process at a time
        _LOADED[version] = model_from_bytes(store.get(pointed_model_key(pointer)))
    return _LOADED[version]


def load_classifier(store: ObjectStore | None, taxonomy: Taxonomy, threshold: float) -> Classifier:
    """The rules of ``taxonomy`` and, when the store has one, the model over them."""
    model = load_model(store, taxonomy) if store is not None else None
    return Classifier(taxonomy, model, threshold)
