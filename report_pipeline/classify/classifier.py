"""The classifier a run uses: the taxonomy's rules, and the learned model when there is one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from report_pipeline.classify.model import DEFAULT_THRESHOLD, TypeModel, apply_model
from report_pipeline.classify.rules import classifier_version, classify_text, text_of
from report_pipeline.classify.taxonomy import Taxonomy


@dataclass(frozen=True)
class Classifier:
    taxonomy: Taxonomy
    model: TypeModel | None = None
    threshold: float = DEFAULT_THRESHOLD  # the model's probability from which it decides

    @property
    def version(self) -> str:
        """Rules, taxonomy, model and threshold: a change of any recomputes cached types."""
        rules = classifier_version(self.taxonomy)
        if self.model is None:
            return rules
        return f"{rules}+model-{self.model.version}@{self.threshold:g}"

    def classify_text(self, text: str) -> dict[str, Any]:
        found = classify_text(text, self.taxonomy)
        if self.model is not None:
            found = apply_model(found, text, self.model, self.taxonomy, self.threshold)
        return {**found, "version": self.version}

    def classify_features(self, features: dict[str, Any]) -> dict[str, Any]:
        """The type of a document from what extraction kept of it (cached features suffice)."""
        return self.classify_text(text_of(features))
