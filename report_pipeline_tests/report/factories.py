"""Builders for manifest entries and feature results used by the report tests."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from report_pipeline.models import DocumentRecord, FeatureResult, ManifestEntry

WEEK = date(2024, 3, 4)  # a Monday
MONDAY_NOON = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)
GENERATED_AT = datetime(2024, 3, 11, 6, 30, tzinfo=UTC)


def entry(
    document_id: str,
    customer: str = "acme",
    content_type: str = "text/plain",
    created_at: datetime = MONDAY_NOON,
    size: int = 100,
    error: str | None = None,
) -> ManifestEntry:
    key = f"customers/{customer}/2024/03/{document_id}.bin"
    record = DocumentRecord(document_id, key, content_type, created_at, size)
    return ManifestEntry(record, sha256="0" * 64, error=error)


def text_ok(
    document_id: str, words: int = 10, terms: list[list[Any]] | None = None
) -> FeatureResult:
    features = {
        "encoding": "utf-8",
        "characters": words * 5,
        "words": words,
        "lines": 1,
        "top_terms": terms or [],
        "excerpt": "...",
    }
    return FeatureResult(document_id, "ok", kind="text", features=features)


def image_ok(
    document_id: str,
    confidence: float | None = 90.0,
    words: int = 5,
    terms: list[list[Any]] | None = None,
) -> FeatureResult:
    features = {
        "ocr_text": "...",
        "ocr_confidence": confidence,
        "word_count": words,
        "width": 100,
        "height": 100,
        "mode": "L",
        "frames": 1,
        "top_terms": terms or [],
    }
    return FeatureResult(document_id, "ok", kind="image", features=features)


def failed(document_id: str, stage: str = "decode", reason: str = "bad bytes") -> FeatureResult:
    return FeatureResult(document_id, "failed", stage=stage, reason=reason)


def synthetic_week(n: int, seed: int = 3) -> tuple[list[ManifestEntry], list[FeatureResult]]:
    """n documents over 50 customers; about 5% failed and 1% without any result."""
    rng = random.Random(seed)
    entries: list[ManifestEntry] = []
    results: list[FeatureResult] = []
    for i in range(n):
        doc_id = f"doc-{i:05d}"
        is_image = i % 3 == 0
        created = MONDAY_NOON + timedelta(minutes=rng.randrange(-12 * 60, 6 * 24 * 60))
        entries.append(
            entry(
                doc_id,
                f"customer-{i % 50:02d}",
                "image/png" if is_image else "text/plain",
                created,
                rng.randrange(1, 10_000),
            )
        )
        roll = rng.random()
        terms = [[f"term{rng.randrange(300)}", rng.randrange(1, 20)] for _ in range(8)]
        if roll < 0.01:
            continue
        if roll < 0.06:
            results.append(failed(doc_id, rng.choice(["read", "decode", "ocr"]), f"err {i}"))
        elif is_image:
            results.append(image_ok(doc_id, rng.choice([None, rng.uniform(0, 100)]), 30, terms))
        else:
            results.append(text_ok(doc_id, rng.randrange(1, 900), terms))
    return entries, results
