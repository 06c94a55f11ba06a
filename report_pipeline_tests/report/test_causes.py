"""Each failure the extractors raise gets a plain-language cause with a next action."""

from __future__ import annotations

import pytest

from report_pipeline.report.causes import CAUSES, OTHER, classify


@pytest.mark.parametrize(
    ("stage", "reason", "title"),
    [
        ("decode", "corrupt image: OSError: image file is truncated", "The file is cut short"),
        ("decode", "encrypted PDF: a password is needed to open it", "Password-protected file"),
        ("read", "empty file", "The file is empty"),
        ("decode", "PDF has no pages", "The file is empty"),
        ("read", "object 'customers/a/x.png' does not exist", "The file is missing from storage"),
        (
            "read",
            "object changed after the manifest was written",
            "The file changed during processing",
        ),
        (
            "catalog",
            "duplicate document id 'a': already used by 'x'",
            "Two uploads share one document id",
        ),
        ("catalog", "created_at is missing", "The catalog entry is incomplete"),
        ("decode", "unsupported content type 'x/y' for file 'a.xyz'", "File type not supported"),
        (
            "decode",
            "PDF has 5,000 pages, over the limit of 2,000 (REPORT_PIPELINE_MAX_PAGES)",
            "Document too large to process safely",
        ),
        (
            "decode",
            "image too large: over 89,478,485 pixels (possible decompression bomb)",
            "Image too large to process safely",
        ),
        ("decode", "not a recognised image format", "The image is damaged or not an image"),
        ("decode", "corrupt or unreadable PDF: no trailer", "The file is damaged"),
        (
            "decode",
            "binary content (NUL bytes) in a text document",
            "The text file is not readable text",
        ),
        ("ocr", "timed out after 120 s", "Text recognition took too long"),
        ("ocr", "tesseract failed: exit 1", "The text recognition engine failed"),
        ("features", "out of memory while extracting", "The server ran out of memory"),
        ("features", "no result", "Processing did not finish"),
    ],
)
def test_known_failures_are_explained(stage: str, reason: str, title: str) -> None:
    cause = classify(stage, reason)
    assert cause.title == title
    assert cause.explanation and cause.action.endswith(".")


def test_anything_else_is_other_with_a_way_to_look_at_it() -> None:
    assert classify("features", "KeyError: 'x'") is OTHER
    assert "report-pipeline documents show" in OTHER.action
    assert classify(None, None) is OTHER
    assert len({cause.key for cause in CAUSES.values()}) == len(CAUSES)
