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

__all__ = [
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
