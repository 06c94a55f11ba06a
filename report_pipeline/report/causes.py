"""Failure causes in plain language, with the next action, for the report's reader.

A failed document carries a stage (catalog, read, decode, ocr, features) and a
technical reason. The operations manager reading the report needs to know what
went wrong in their words and who does what next; this module maps one onto
the other. The first matching rule wins; anything unknown falls to "other".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    key: str
    title: str  # what happened, in the reader's words
    explanation: str
    action: str  # the next step, and who takes it


def _cause(key: str, title: str, explanation: str, action: str) -> Cause:
    return Cause(key, title, explanation, action)


TRUNCATED = _cause(
    "truncated",
    "The file is cut short",
    "The upload stopped before the end of the file, so part of the document is missing.",
    "Ask the sender to upload it again.",
)
PASSWORD = _cause(
    "password",
    "Password-protected file",
    "The file is locked with a password, so its content cannot be read.",
    "Ask the sender for a copy without a password.",
)
EMPTY = _cause(
    "empty",
    "The file is empty",
    "The file arrived with no content at all.",
    "Ask the sender to upload it again.",
)
MISSING = _cause(
    "missing",
    "The file is missing from storage",
    "The catalog lists the document, but its file was not found where it should be.",
    "Check with the sender that the upload finished; then ask operations to replay it.",
)
CHANGED = _cause(
    "changed",
    "The file changed during processing",
    "The file was replaced while the week was being processed.",
    "Ask operations to replay it (report-pipeline dead-letters replay).",
)
DUPLICATE = _cause(
    "duplicate",
    "Two uploads share one document id",
    "Two different files were recorded under the same document id; only the first was used.",
    "Ask the sending system to give the second file its own id.",
)
BAD_RECORD = _cause(
    "bad-record",
    "The catalog entry is incomplete",
    "The record describing the document is missing a field or has an invalid value.",
    "Ask the sending system to correct the catalog entry.",
)
UNSUPPORTED = _cause(
    "unsupported",
    "File type not supported",
    "The file is in a format the pipeline does not read.",
    "Ask the sender for a PDF, a text file or an image (PNG, JPEG, TIFF).",
)
TOO_LARGE = _cause(
    "too-large",
    "Image too large to process safely",
    "The image has more pixels than the pipeline accepts.",
    "Ask the sender for a scan at a lower resolution (300 dpi is enough).",
)
DAMAGED_IMAGE = _cause(
    "damaged-image",
    "The image is damaged or not an image",
    "The file says it is an image but its content cannot be opened as one.",
    "Ask the sender to export the image again and upload it.",
)
TOO_BIG_DOCUMENT = _cause(
    "too-big-document",
    "Document too large to process safely",
    "The document has more pages, larger pages or more content than the pipeline accepts.",
    "Ask the sender to split it into smaller files or send a smaller version.",
)
DAMAGED_DOCUMENT = _cause(
    "damaged-document",
    "The file is damaged",
    "The PDF or Word file cannot be opened: its content is broken.",
    "Ask the sender to save or export it again and upload it.",
)
NOT_TEXT = _cause(
    "not-text",
    "The text file is not readable text",
    "The file was sent as text but contains binary data or an unknown character encoding.",
    "Ask the sender to save it as UTF-8 text or as PDF and upload it again.",
)
OCR_TIMEOUT = _cause(
    "ocr-timeout",
    "Text recognition took too long",
    "Reading the text from the image did not finish in time.",
    "Ask operations to replay it; if it fails again, ask the sender for a clearer scan.",
)
OCR_ENGINE = _cause(
    "ocr-engine",
    "The text recognition engine failed",
    "The OCR engine on the server did not work; the file itself may be fine.",
    "Operations: run report-pipeline doctor, fix the OCR engine, then replay the week.",
)
OUT_OF_MEMORY = _cause(
    "memory",
    "The server ran out of memory",
    "The document needed more memory than the server had; the file itself may be fine.",
    "Operations: replay it with more memory available.",
)
NOT_FINISHED = _cause(
    "not-finished",
    "Processing did not finish",
    "No result was recorded for this document, for example after an interrupted run.",
    "Ask operations to replay it (report-pipeline dead-letters replay).",
)
OTHER = _cause(
    "other",
    "Other error",
    "The document could not be processed for a reason not listed above.",
    "Look at it with report-pipeline documents show ID and contact operations.",
)

# (stage or None for any stage, words of which one must occur in the reason, cause)
_RULES: tuple[tuple[str | None, tuple[str, ...], Cause], ...] = (
    (None, ("password", "encrypted"), PASSWORD),
    (None, ("truncated", "ends in the middle", "unexpected eof", "cut short"), TRUNCATED),
    (None, ("empty file", "has no pages"), EMPTY),
    ("catalog", ("duplicate document id",), DUPLICATE),
    ("catalog", ("",), BAD_RECORD),
    ("read", ("changed after",), CHANGED),
    ("read", ("",), MISSING),
    (None, ("unsupported content type", "not a word document"), UNSUPPORTED),
    (None, ("over the limit", "inflates", "too large to ocr"), TOO_BIG_DOCUMENT),
    (None, ("too large", "decompression bomb"), TOO_LARGE),
    (None, ("image",), DAMAGED_IMAGE),
    (None, ("corrupt", "unreadable"), DAMAGED_DOCUMENT),
    ("decode", ("text", "binary", "encoding", "printable"), NOT_TEXT),
    ("ocr", ("timed out", "time budget"), OCR_TIMEOUT),
    ("ocr", ("tesseract",), OCR_ENGINE),
    (None, ("out of memory",), OUT_OF_MEMORY),
    (None, ("no result",), NOT_FINISHED),
)
CAUSES: dict[str, Cause] = {rule[2].key: rule[2] for rule in _RULES} | {OTHER.key: OTHER}


def classify(stage: str | None, reason: str | None) -> Cause:
    """The plain-language cause of one failure."""
    text = (reason or "").lower()
    for rule_stage, words, cause in _RULES:
        if rule_stage is not None and rule_stage != stage:
            continue
        if any(word in text for word in words):
            return cause
    return OTHER
