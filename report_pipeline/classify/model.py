"""The learned classifier: TF-IDF and a logistic regression trained on operators' labels.

Pure code: examples in, a model out; a model to bytes and back. Where the
model is stored and which labels it learns from is the caller's business
(pipeline/type_model.py). The bytes are a NumPy archive read without pickle,
so a model object in a shared store cannot run code when it is loaded.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from report_pipeline.classify.taxonomy import Taxonomy

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

# NumPy and scikit-learn are imported where a model is trained, read or applied: the
# code location imports this package and must stay free of them (test_process_memory).

# Bump when the features or the estimator below change: every model is then another version.
MODEL_SCHEME = "tfidf-logreg-1"
DEFAULT_THRESHOLD = 0.8
MAX_FEATURES = 50_000
_VECTORIZER = {
    "lowercase": True,
    "ngram_range": (1, 2),
    "sublinear_tf": True,
    "max_features": MAX_FEATURES,
    # Whole words of letters only: digits are ids, dates and amounts (patient data, no type).
    "token_pattern": r"(?u)\b[^\W\d_]{2,}\b",
}


class ModelError(ValueError):
    """Labels that cannot train a model, or model bytes that cannot be read: one line."""


@dataclass(frozen=True)
class TypeModel:
    """A trained model and its version (labels, taxonomy, scheme and scikit-learn)."""

    version: str
    vectorizer: TfidfVectorizer
    estimator: LogisticRegression
    examples: int  # labeled documents it learned from (the taxonomy's phrases not counted)

    def predict(self, text: str) -> tuple[str, float]:
        """The most probable type of ``text`` and its probability."""
        import numpy as np

        probabilities = self.estimator.predict_proba(self.vectorizer.transform([text]))[0]
        best = int(np.argmax(probabilities))
        return str(self.estimator.classes_[best]), float(probabilities[best])

    def to_bytes(self) -> bytes:
        """A compressed NumPy archive (no pickled objects) of everything predict needs."""
        import numpy as np

        terms = sorted(self.vectorizer.vocabulary_, key=self.vectorizer.vocabulary_.get)
        meta = {"version": self.version, "scheme": MODEL_SCHEME, "examples": self.examples}
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            terms=np.array(terms, dtype=str),
            idf=self.vectorizer.idf_.astype(np.float32),
            coef=self.estimator.coef_.astype(np.float32),
            intercept=self.estimator.intercept_.astype(np.float32),
            classes=np.array(self.estimator.classes_, dtype=str),
            meta=np.array(json.dumps(meta)),
        )
        return buffer.getvalue()


def model_version(labels: Iterable[tuple[str, str]], taxonomy: Taxonomy) -> str:
    """A hash of the label set (document id, type), the taxonomy and the software that trains."""
    digest = hashlib.sha256()
    for pair in sorted(set(labels)):
        digest.update(json.dumps(pair).encode() + b"\n")
    import sklearn

    digest.update(f"{MODEL_SCHEME}|sklearn-{sklearn.__version__}|{taxonomy.digest}".encode())
    return digest.hexdigest()[:16]


def taxonomy_examples(taxonomy: Taxonomy) -> list[tuple[str, str]]:
    """One example per type made of its phrases: every type is known even before it is labeled."""
    return [
        (" ".join(p.text for p in doc_type.phrases), doc_type.key)
        for doc_type in taxonomy.types
        if doc_type.phrases
    ]


def train_model(
    examples: list[tuple[str, str]], taxonomy: Taxonomy, version: str, seed: int = 0
) -> TypeModel:
    """A model from (text, type) examples; ModelError for a type the taxonomy does not know."""
    unknown = sorted({kind for _, kind in examples} - set(taxonomy.keys))
    if unknown:
        raise ModelError(f"labels of types the taxonomy does not know: {', '.join(unknown)}")
    if not examples:
        raise ModelError("no labeled document has cached text to learn from")
    every = examples + taxonomy_examples(taxonomy)
    if len({kind for _, kind in every}) < 2:
        raise ModelError("labels and taxonomy name one type only: nothing to tell apart")
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(**_VECTORIZER, dtype=np.float32)
    matrix = vectorizer.fit_transform([text for text, _ in every])
    # Strong fit (C): a handful of labels must be able to overrule the rules.
    estimator = LogisticRegression(C=20.0, max_iter=300, random_state=seed)
    estimator.fit(matrix, [kind for _, kind in every])
    return TypeModel(version, vectorizer, estimator, len(examples))


def model_from_bytes(data: bytes) -> TypeModel:
    """A model written by TypeModel.to_bytes; ModelError when the bytes are not one."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            parts = {name: archive[name] for name in archive.files}
        meta = json.loads(str(parts["meta"]))
        terms = [str(term) for term in parts["terms"]]
        vectorizer = TfidfVectorizer(
            **_VECTORIZER, dtype=np.float32, vocabulary={t: i for i, t in enumerate(terms)}
        )
        vectorizer.idf_ = parts["idf"]
        estimator = LogisticRegression()
        estimator.classes_ = parts["classes"]
        estimator.coef_, estimator.intercept_ = parts["coef"], parts["intercept"]
    except (OSError, KeyError, ValueError, TypeError) as error:
        raise ModelError(f"not a document-type model ({type(error).__name__})") from None
    if meta.get("scheme") != MODEL_SCHEME:
        scheme = meta.get("scheme")
        raise ModelError(f"a model of scheme {scheme!r}, this code reads {MODEL_SCHEME}")
    return TypeModel(str(meta["version"]), vectorizer, estimator, int(meta["examples"]))


def apply_model(
    found: dict[str, Any], text: str, model: TypeModel, taxonomy: Taxonomy, threshold: float
) -> dict[str, Any]:
    """The rules' answer ``found``, overruled by the model where it is confident.

    A confident model decides (source "model"); a doubtful one that disagrees
    with the rules leaves the rules' type and marks the document for review.
    Cues stay the taxonomy's phrases the rules found, never words of the text.
    """
    kind, probability = model.predict(text)
    probability = round(probability, 2)
    rules = {"type": found["type"], "score": found["score"], "cues": found["cues"]}
    found = {**found, "model": {"type": kind, "probability": probability, "version": model.version}}
    if probability >= threshold:
        agrees = kind == rules["type"]
        return {
            **found,
            "type": kind,
            "label": taxonomy.label(kind),
            "confidence": probability,
            "cues": rules["cues"] if agrees else [],
            "needs_review": None,
            "source": "model",
            "rules": rules,
        }
    if kind != rules["type"]:
        doubt = (
            f"the model says {taxonomy.label(kind)} at {probability:g} (below {threshold:g}),"
            f" the rules {found['label']}"
        )
        earlier = found["needs_review"]
        found["needs_review"] = f"{earlier}; {doubt}" if earlier else doubt
    return found
