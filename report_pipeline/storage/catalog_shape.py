"""How another team's catalog records map onto ours, and where a record's customer comes from.

A DocumentDB collection written by another system has its own field names
(the design's shape: `_id`, `FileLocation` as a key or an `s3://bucket/key`
URI, `CreatedAt`/`createdAt`, `ContentType`, `Size`). It is read as it is:
an explicit mapping (REPORT_PIPELINE_CATALOG_FIELDS) wins, else built-in
aliases are tried in order. The customer is carried by the object key and
found with a pattern (REPORT_PIPELINE_CUSTOMER_PATTERN); a record whose
customer cannot be derived is a dead letter, never an `unknown` customer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

FIELDS = (
    "document_id",
    "file_location",
    "content_type",
    "created_at",
    "size",
    "trial_id",
    "language",
)
# First present wins. `_id` names the document only when no document-id field
# exists at all: a record with `document_id: null` is broken, not another shape.
ALIASES: dict[str, tuple[str, ...]] = {
    "document_id": ("document_id", "DocumentId", "documentId", "_id"),
    "file_location": ("file_location", "FileLocation", "fileLocation"),
    "content_type": ("content_type", "ContentType", "contentType"),
    "created_at": ("created_at", "CreatedAt", "createdAt"),
    "size": ("size", "Size"),
    "trial_id": ("trial_id", "TrialId", "trialId"),
    "language": ("language", "Language"),
}
DEFAULT_CUSTOMER_PATTERN = r"customers/(?P<customer>[^/]+)/"
_CUSTOMER_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def parse_field_mapping(text: str) -> dict[str, str]:
    """`document_id=_id,file_location=FileLocation` -> {ours: theirs}; ValueError saying why."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        ours, sep, theirs = (s.strip() for s in part.partition("="))
        if not sep or not ours or not theirs:
            raise ValueError(f"{part!r} is not name=field (e.g. document_id=_id)")
        if ours not in FIELDS:
            raise ValueError(f"unknown field {ours!r}; expected one of {', '.join(FIELDS)}")
        if ours in mapping:
            raise ValueError(f"{ours!r} is mapped twice")
        mapping[ours] = theirs
    return mapping


def compile_customer_pattern(text: str) -> re.Pattern[str]:
    """The pattern, which must have a named group `customer`; ValueError saying why."""
    try:
        pattern = re.compile(text)
    except re.error as error:
        raise ValueError(f"not a regular expression: {error}") from None
    if "customer" not in pattern.groupindex:
        raise ValueError("the pattern needs a named group (?P<customer>...)")
    return pattern


@dataclass(frozen=True)
class CatalogShape:
    fields: Mapping[str, str] = field(default_factory=dict)  # ours -> the collection's name
    customer_pattern: str = DEFAULT_CUSTOMER_PATTERN

    @classmethod
    def from_settings(cls, fields: str = "", customer_pattern: str | None = None) -> CatalogShape:
        return cls(parse_field_mapping(fields or ""), customer_pattern or DEFAULT_CUSTOMER_PATTERN)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return compile_customer_pattern(self.customer_pattern)

    def sources(self, name: str) -> tuple[str, ...]:
        return (self.fields[name],) if name in self.fields else ALIASES[name]

    def projection(self) -> dict[str, int]:
        return {"_id": 1, **{source: 1 for name in FIELDS for source in self.sources(name)}}

    def canonical(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The record under our field names; an s3:// location becomes its object key."""
        out: dict[str, Any] = {}
        for name in FIELDS:
            source = next((s for s in self.sources(name) if s in raw), None)
            if source is not None:
                value = raw[source]
                if source == "_id" and value is not None and not isinstance(value, (str, int)):
                    value = str(value)  # an ObjectId names the document by its hex
                out[name] = value
        location = out.get("file_location")
        if isinstance(location, str) and location.startswith("s3://"):
            out["file_location"] = location[5:].partition("/")[2]
        if "_id" in raw:
            out.setdefault("_id", raw["_id"])
        return out

    def customer_of(self, file_location: str) -> str | None:
        """The customer id the key carries, or None (no match, or not a valid id)."""
        match = self.pattern.search(file_location)
        customer = match.group("customer") if match else None
        if not customer or not _CUSTOMER_ID.fullmatch(customer) or customer in (".", ".."):
            return None
        return customer

    def customer_problem(self, file_location: str) -> str:
        return (
            f"no customer can be derived from file_location {file_location[:200]!r}"
            f" with REPORT_PIPELINE_CUSTOMER_PATTERN {self.customer_pattern!r}"
        )


DEFAULT_SHAPE = CatalogShape()
