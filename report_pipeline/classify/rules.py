"""The transparent classifier: a document's type from the taxonomy's phrases and patterns."""

from __future__ import annotations

from typing import Any

from report_pipeline.classify.taxonomy import OTHER, Taxonomy, fold, load_taxonomy

# Bump when the scoring below changes: cached types are then recomputed.
CLASSIFIER_VERSION = "rules-2"
# The start of a document decides its type (titles, headers, form names); a
# long text's tail adds cost, not evidence.
CLASSIFY_CHARS = 6000
MAX_CUES = 6


def classifier_version(taxonomy: Taxonomy) -> str:
    """Scoring version and taxonomy: a change of either recomputes cached types."""
    return f"{CLASSIFIER_VERSION}:{taxonomy.digest[:12]}"


def classify_text(text: str, taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """The type of a text with its score, confidence, the cues that decided and any doubt.

    Cues are the taxonomy's own phrases and pattern names, never the document's text.
    """
    taxonomy = taxonomy or load_taxonomy()
    normal = fold(" ".join(text[:CLASSIFY_CHARS].split()))
    scored: list[tuple[float, str, list[tuple[float, str]]]] = []
    for doc_type in taxonomy.types:
        cues = [
            (p.weight, p.text)
            for p in doc_type.phrases
            if p.folded in normal and p.boundary.search(normal)
        ]
        cues += [(p.weight, p.name) for p in doc_type.patterns if p.regex.search(normal)]
        scored.append((sum(w for w, _ in cues), doc_type.key, cues))
    scored.sort(key=lambda item: (-item[0], item[1]))
    (best, key, cues), (second, runner_up, _) = scored[0], scored[1]
    confidence = round(best / (best + second), 2) if best else 0.0
    review = None
    if best < taxonomy.min_score:
        key, review = OTHER, f"no type scored enough ({best:g} < {taxonomy.min_score:g})"
    elif second >= taxonomy.margin * best:
        review = f"close to {taxonomy.label(runner_up)} ({second:g} against {best:g})"
    top = sorted(cues, key=lambda cue: (-cue[0], cue[1]))[:MAX_CUES]
    return {
        "type": key,
        "label": taxonomy.label(key),
        "score": round(best, 2),
        "confidence": confidence,
        "cues": [text for _, text in top] if key != OTHER or best else [],
        "needs_review": review,
        "source": "rules",
        "version": classifier_version(taxonomy),
    }


def text_of(features: dict[str, Any]) -> str:
    """The text a document's features carry: OCR text, else the excerpt, and its top terms."""
    text = features.get("ocr_text") or features.get("excerpt") or ""
    terms = " ".join(
        str(pair[0]) for pair in features.get("top_terms") or [] if isinstance(pair, list)
    )
    return f"{str(text)[:CLASSIFY_CHARS]}\n{terms}"


def classify_features(features: dict[str, Any], taxonomy: Taxonomy | None = None) -> dict:
    """classify_text over what extraction kept of a document (cached features suffice)."""
    return classify_text(text_of(features), taxonomy)
