"""Document types: which kind of clinical document a text is, and why.

Pure code, no I/O beyond reading the taxonomy file: the transparent classifier
scores the taxonomy's weighted phrases and patterns (:mod:`.taxonomy`,
:mod:`.rules`) and records the phrases that decided, never document text.
"""

from report_pipeline.classify.rules import (
    CLASSIFIER_VERSION,
    classifier_version,
    classify_features,
    classify_text,
)
from report_pipeline.classify.taxonomy import (
    DEFAULT_TAXONOMY_PATH,
    Taxonomy,
    TaxonomyError,
    load_taxonomy,
)

__all__ = [
    "CLASSIFIER_VERSION",
    "DEFAULT_TAXONOMY_PATH",
    "Taxonomy",
    "TaxonomyError",
    "classifier_version",
    "classify_features",
    "classify_text",
    "load_taxonomy",
]
