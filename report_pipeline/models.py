"""Plain data shapes shared by every layer. No Dagster, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Literal

DocumentKind = Literal["text", "image", "pdf", "docx"]


class DocumentError(Exception):
    """A single document could not be used; the week goes on without it.

    `stage` says where it failed (read, decode, ocr, features), `reason` is a
    one-line message an operator can act on.
    """

    def __init__(self, stage: str, reason: str, error_class: str | None = None) -> None:
        super().__init__(f"{stage}: {reason}")
        self.stage = stage
        self.reason = reason
        # The underlying exception's class (e.g. UnidentifiedImageError) so dead
        # letters can be grouped by cause; this class's own name when there is none.
        self.error_class = error_class or type(self).__name__


def customer_of(file_location: str) -> str:
    """Customer id carried by an object key like ``customers/<id>/...``."""
    parts = file_location.split("/")
    if len(parts) >= 3 and parts[0] == "customers" and parts[1]:
        return parts[1]
    return "unknown"


# Slotted: a week holds one record, entry and result per document (no per-object dict).
@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """One document as the catalog knows it."""

    document_id: str
    file_location: str
    content_type: str
    created_at: datetime
    size: int
    trial_id: str | None = None
    language: str | None = None  # OCR languages for this document ("deu", "eng+fra")
    # Derived by the catalog with REPORT_PIPELINE_CUSTOMER_PATTERN; None: the default layout.
    customer: str | None = field(default=None, compare=False)

    @property
    def customer_id(self) -> str:
        return self.customer or customer_of(self.file_location)

    def to_json(self) -> dict[str, Any]:
        # Not asdict: it deep-copies created_at, a third of a 100,000-entry manifest's writing.
        data = {
            "document_id": self.document_id,
            "file_location": self.file_location,
            "content_type": self.content_type,
            "created_at": self.created_at.astimezone(UTC).isoformat(),
            "size": self.size,
            "trial_id": self.trial_id,
        }
        if self.language is not None:  # most records carry none; keep manifests as they were
            data["language"] = self.language
        data["customer_id"] = self.customer_id
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocumentRecord:
        return cls(
            document_id=data["document_id"],
            file_location=data["file_location"],
            content_type=data["content_type"],
            created_at=datetime.fromisoformat(data["created_at"]),
            size=int(data["size"]),
            trial_id=data.get("trial_id"),
            language=data.get("language"),
            customer=data.get("customer_id"),
        )


@dataclass(slots=True)
class ManifestEntry:
    """A document of the week with the hash of the bytes it had when listed."""

    record: DocumentRecord
    sha256: str | None
    error: str | None = None  # set when the object could not be read at listing time
    # Where a listing-time error belongs: "read" (object missing, bad key) or
    # "catalog" (the record itself is invalid or a duplicate id).
    error_stage: str | None = None
    # What the bytes are (their signature first, the label when they say nothing):
    # the extractor, hence the feature cache key. None in manifests written before.
    kind: str | None = None
    # A PDF's page count and its pages that need OCR, as [first, stop) ranges
    # (0-based), from a cheap look at each page: batches are planned by pages.
    pages: int | None = None
    scanned: list[list[int]] | None = None
    # A late arrival: created in this earlier week (ISO Monday), whose report was already
    # published without it; counted in the week whose manifest lists it (see manifest.py).
    late_for: str | None = None
    # The object store's token of the bytes that were hashed (ObjectStore.version): an
    # object whose token is unchanged since need not be downloaded and hashed again.
    etag: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = {**self.record.to_json(), "sha256": self.sha256, "error": self.error}
        if self.error_stage:
            data["error_stage"] = self.error_stage
        for name in ("kind", "pages", "scanned", "late_for", "etag"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ManifestEntry:
        return cls(
            DocumentRecord.from_json(data),
            data.get("sha256"),
            data.get("error"),
            data.get("error_stage"),
            data.get("kind"),
            data.get("pages"),
            data.get("scanned"),
            data.get("late_for"),
            data.get("etag"),
        )


@dataclass(slots=True)
class FeatureResult:
    """Outcome of extracting one document: features, or a failure with its stage."""

    document_id: str
    status: Literal["ok", "failed"]
    kind: DocumentKind | None = None
    features: dict[str, Any] = field(default_factory=dict)
    stage: str | None = None
    reason: str | None = None
    cache_key: str | None = None
    cached: bool = False
    seconds: float = 0.0  # extraction time of this run (0 when served from the cache)
    error_class: str | None = None  # set with status "failed": what raised
    attempts: int = 1  # extraction attempts of this document for its week (replays add one)

    def to_json(self) -> dict[str, Any]:
        # Not asdict: it deep-copies the features (about 80 values a document), which was
        # half of writing a week's features file. Nested values are shared, as from_json
        # shares them; the features dict itself is a copy.
        data = {name: getattr(self, name) for name in _RESULT_FIELDS}
        data["features"] = dict(self.features)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureResult:
        return cls(**data)


_RESULT_FIELDS = tuple(item.name for item in fields(FeatureResult))
