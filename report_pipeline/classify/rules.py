"""The transparent classifier: a document's type from the taxonomy's phrases and patterns."""

from __future__ import annotations

from typing import Any

from report_pipeline.classify.taxonomy import (
    OTHER,
    DocumentType,
    Phrase,
    Taxonomy,
    fold,
    load_taxonomy,
)

# Bump when the scoring below changes: cached types are then recomputed.
CLASSIFIER_VERSION = "rules-3"
# The start of a document decides its type (titles, headers, form names); a
# long text's tail adds cost, not evidence.
CLASSIFY_CHARS = 6000
MAX_CUES = 6
# A key term in the title zone (a document's first characters: its title, form
# name or letterhead) counts this much more: a visit note's "Current medications"
# section must not outweigh its "Follow-up visit" title. Generic words get no boost.
TITLE_CHARS = 100
TITLE_BOOST = 1.5
# Weak evidence takes at least this many distinct cues: one word is a coincidence.
WEAK_MIN_CUES = 2
# Without a key term, this many terms of at least half its weight name a type.
KEY_TERMS_INSTEAD = 3


def classifier_version(taxonomy: Taxonomy) -> str:
    """Scoring version and taxonomy: a change of either recomputes cached types."""
    return f"{CLASSIFIER_VERSION}:{taxonomy.digest[:12]}"


def classify_text(text: str, taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """The type of a text with its score, confidence, the cues that decided and any doubt.

    Cues are the taxonomy's own phrases and pattern names, never the document's text.
    """
    taxonomy = taxonomy or load_taxonomy()
    normal = fold(" ".join(text[:CLASSIFY_CHARS].split()))
    scored = sorted(
        (
            type_score(doc_type, normal, taxonomy.max_weight, taxonomy.key_weight)
            for doc_type in taxonomy.types
        ),
        key=lambda item: (-item[0], item[1]),
    )
    evidenced = [item for item in scored if has_evidence(item[2], taxonomy.key_weight)]
    best, key, cues = evidenced[0] if evidenced else scored[0]
    second, runner_up = max(((s, k) for s, k, _ in scored if k != key), default=(0.0, OTHER))
    confidence = round(best / (best + second), 2) if best else 0.0
    if evidenced:
        key, review = decide(best, key, second, runner_up, taxonomy, len(cues))
    else:
        key, review = OTHER, _too_little(best, taxonomy)
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


def type_score(
    doc_type: DocumentType, normal: str, max_weight: float, key_weight: float = 0.0
) -> tuple[float, str, list[tuple[float, str]]]:
    """(score, type key, cues) of one type over a folded, single-spaced text.

    Each phrase and pattern counts once, for at most ``max_weight``; a key term in
    the title zone counts TITLE_BOOST times that.
    """
    title = normal[:TITLE_CHARS]
    cues = [
        (min(p.weight, max_weight) * _title_boost(p, title, key_weight), p.text)
        for p in doc_type.phrases
        if p.folded in normal and p.boundary.search(normal)
    ]
    cues += [
        (min(p.weight, max_weight), p.name) for p in doc_type.patterns if p.regex.search(normal)
    ]
    return sum(w for w, _ in cues), doc_type.key, cues


def _title_boost(phrase: Phrase, title: str, key_weight: float) -> float:
    if key_weight and phrase.weight >= key_weight and phrase.boundary.search(title):
        return TITLE_BOOST
    return 1.0


def has_evidence(cues: list[tuple[float, str]], key_weight: float) -> bool:
    """Whether a type's cues name it: one key term (weight from key_weight up), or
    KEY_TERMS_INSTEAD terms of at least half that weight.

    Generic words ("message", "thanks", "fee", "scan", "route") occur in any prose;
    however many of them a text has, they only support a type its own terms name.
    """
    if any(weight >= key_weight for weight, _ in cues):
        return True
    return sum(1 for weight, _ in cues if weight >= key_weight / 2) >= KEY_TERMS_INSTEAD


def decide(
    best: float, key: str, second: float, runner_up: str, taxonomy: Taxonomy, cues: int = 0
) -> tuple[str, str | None]:
    """The type and the reason it needs review (None: it does not) from the two best scores.

    At min_score the leading type is the answer. Between weak_score and min_score a
    type that clearly leads (the runner-up below margin of it) on at least
    WEAK_MIN_CUES cues is still the answer, flagged as weak evidence: a document of a
    known type in an unknown layout says some of its type's words, and a reader
    checking it beats a reader never seeing it.
    """
    clear_lead = second < taxonomy.margin * best
    if best >= taxonomy.min_score:
        if clear_lead:
            return key, None
        return key, f"close to {taxonomy.label(runner_up)} ({second:g} against {best:g})"
    if best >= taxonomy.weak_score and clear_lead and cues >= WEAK_MIN_CUES:
        return key, f"weak evidence ({best:g} < {taxonomy.min_score:g})"
    return OTHER, _too_little(best, taxonomy)


def _too_little(best: float, taxonomy: Taxonomy) -> str:
    if best >= taxonomy.min_score:
        return f"no type has a key term ({best:g} from generic words only)"
    return f"no type scored enough ({best:g} < {taxonomy.min_score:g})"


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
