"""Document types: which kind of clinical document a text is, and why.

Pure code, no I/O beyond reading the taxonomy file: the transparent classifier
scores the taxonomy's weighted phrases and patterns (:mod:`.taxonomy`,
:mod:`.rules`) and records the phrases that decided, never document text; a
model trained on operators' labels (:mod:`.model`) overrules it where it is
confident (:mod:`.classifier`).
"""

from report_pipeline.classify.classifier import Classifier
from report_pipeline.classify.model import (
    DEFAULT_THRESHOLD,
    ModelError,
    TypeModel,
    model_from_bytes,
    model_version,
    train_model,
)
from report_pipeline.classify.rules import (
    CLASSIFIER_VERSION,
    classifier_version,
    classify_features,
    classify_text,
    text_of,
)
from report_pipeline.classify.taxonomy import (
    DEFAULT_TAXONOMY_PATH,
    Taxonomy,
    TaxonomyError,
    load_taxonomy,
)


def current_taxonomy() -> Taxonomy:
    """The deployment's taxonomy (REPORT_PIPELINE_DOCUMENT_TYPES), else the packaged one."""
    from report_pipeline.settings import load_settings

    return load_taxonomy(load_settings().document_types)


def current_threshold() -> float:
    """REPORT_PIPELINE_TYPE_MODEL_THRESHOLD: from which probability the model decides."""
    from report_pipeline.settings import load_settings

    return load_settings().type_model_threshold


__all__ = [
    "current_taxonomy",
    "current_threshold",
    "CLASSIFIER_VERSION",
    "Classifier",
    "DEFAULT_TAXONOMY_PATH",
    "DEFAULT_THRESHOLD",
    "ModelError",
    "Taxonomy",
    "TaxonomyError",
    "TypeModel",
    "classifier_version",
    "classify_features",
    "classify_text",
    "load_taxonomy",
    "model_from_bytes",
    "model_version",
    "text_of",
    "train_model",
]
