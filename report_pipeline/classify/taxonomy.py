"""The taxonomy of document types: a TOML (or YAML) file of weighted phrases and patterns.

The default ships with the package (document_types.toml); a deployment names
its own with REPORT_PIPELINE_DOCUMENT_TYPES. A file that cannot be used is a
TaxonomyError of one line naming the file and the problem.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_TAXONOMY_PATH = Path(__file__).with_name("document_types.toml")
NOT_CLASSIFIED = "(not classified)"  # failed documents: no text, no type
OTHER = "other"
_TYPE_KEY = re.compile(r"[a-z][a-z0-9_]{0,40}")


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used: one line, the file and the problem."""


@dataclass(frozen=True)
class Phrase:
    text: str  # lowercase, single-spaced: what a cue records
    weight: float
    boundary: re.Pattern[str]  # the folded phrase as a whole word or words
    folded: str = ""  # without accents (fold()): what is matched


@dataclass(frozen=True)
class Pattern:
    name: str  # what a cue records: the name, never the matched text
    regex: re.Pattern[str]
    weight: float


@dataclass(frozen=True)
class DocumentType:
    key: str
    label: str
    phrases: tuple[Phrase, ...]
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True)
class Taxonomy:
    types: tuple[DocumentType, ...]
    min_score: float
    margin: float
    weak_score: float  # from here up to min_score: the leading type, needing review
    max_weight: float  # no single cue counts for more
    key_weight: float  # a cue from this weight up is a key term of its type
    digest: str  # sha256 of the file's bytes: part of the classifier version
    source: str

    def label(self, key: str) -> str:
        return next((t.label for t in self.types if t.key == key), key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.types)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The taxonomy in ``path`` (None: the default), or TaxonomyError."""
    path = Path(path) if path else DEFAULT_TAXONOMY_PATH
    try:
        stat = path.stat()
    except OSError as error:
        raise TaxonomyError(f"{path}: cannot be read ({error.strerror or error})") from None
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _load(path: str, _mtime_ns: int, _size: int) -> Taxonomy:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise TaxonomyError(f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        return parse_taxonomy(data, path)
    except TaxonomyError:
        raise
    except ValueError as error:
        raise TaxonomyError(f"{path}: {_one_line(str(error))}") from None


def parse_taxonomy(data: bytes, source: str) -> Taxonomy:
    """Parse and check a taxonomy; TaxonomyError naming ``source`` and the problem."""
    document = _document(data, source)
    types_table = document.get("types")
    if not isinstance(types_table, dict) or not types_table:
        raise TaxonomyError(f"{source}: no [types] table (one table per document type)")
    types = tuple(_document_type(key, body, source) for key, body in types_table.items())
    if OTHER not in {t.key for t in types}:
        types += (DocumentType(OTHER, "other", (), ()),)
    min_score = _number(document.get("min_score", 4.0), "min_score", source)
    weak_score = _number(document.get("weak_score", min_score), "weak_score", source)
    if weak_score > min_score:
        raise TaxonomyError(f"{source}: weak_score {weak_score:g} is above min_score")
    return Taxonomy(
        types=types,
        min_score=min_score,
        margin=_number(document.get("margin", 0.75), "margin", source),
        weak_score=weak_score,
        max_weight=_number(document.get("max_weight", 1e9), "max_weight", source),
        key_weight=_number(document.get("key_weight", 0.0), "key_weight", source),
        digest=hashlib.sha256(data).hexdigest(),
        source=source,
    )


def _document(data: bytes, source: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TaxonomyError(f"{source}: not UTF-8 text") from None
    if source.endswith((".yaml", ".yml")):
        import yaml

        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise TaxonomyError(f"{source}: not valid YAML ({_one_line(str(error))})") from None
    else:
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise TaxonomyError(f"{source}: not valid TOML ({_one_line(str(error))})") from None
    if not isinstance(document, dict):
        raise TaxonomyError(f"{source}: expected a table of settings and [types]")
    return document


def _document_type(key: Any, body: Any, source: str) -> DocumentType:
    if not isinstance(key, str) or not _TYPE_KEY.fullmatch(key):
        raise TaxonomyError(f"{source}: type {key!r}: use lowercase letters, digits and _")
    where = f"{source}: type {key!r}"
    if not isinstance(body, dict):
        raise TaxonomyError(f"{where}: expected a table")
    label = body.get("label", key.replace("_", " "))
    if not isinstance(label, str) or not label.strip():
        raise TaxonomyError(f"{where}: label must be text")
    phrases = body.get("phrases") or {}
    patterns = body.get("patterns") or {}
    if not isinstance(phrases, dict) or not isinstance(patterns, dict):
        raise TaxonomyError(f"{where}: phrases and patterns are tables of name = weight")
    return DocumentType(
        key,
        label.strip(),
        tuple(_phrase(text, weight, where) for text, weight in phrases.items()),
        tuple(_pattern(name, spec, where) for name, spec in patterns.items()),
    )


def _phrase(text: str, weight: Any, where: str) -> Phrase:
    written = " ".join(str(text).lower().split())
    # A leading or trailing "*" lets the phrase be part of a longer word: German
    # compounds ("*arztbrief" in "Kurzarztbrief", "entlass*" in "Entlassdiagnose").
    inside_left, inside_right = written.startswith("*"), written.endswith("*")
    normal = written.strip("*").strip()
    if not normal:
        raise TaxonomyError(f"{where}: an empty phrase")
    weight = _number(weight, f"phrase {text!r}", where)
    folded = fold(normal)
    # Otherwise whole words only: "sae" must not match inside "disease".
    left, right = ("" if inside_left else r"(?<!\w)"), ("" if inside_right else r"(?!\w)")
    return Phrase(normal, weight, re.compile(rf"{left}{re.escape(folded)}{right}"), folded)


def fold(text: str) -> str:
    """Lowercase without accents: OCR with an English model and ASCII typing drop them
    ("Verdächtiges" reads "Verdachtiges", "résultats" "resultats")."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _pattern(name: str, spec: Any, where: str) -> Pattern:
    if not (isinstance(spec, list) and len(spec) == 2 and isinstance(spec[0], str)):
        raise TaxonomyError(f"{where}: pattern {name!r}: expected ['regex', weight]")
    try:
        regex = re.compile(spec[0], re.IGNORECASE | re.MULTILINE)
    except re.error as error:
        raise TaxonomyError(f"{where}: pattern {name!r} is not a regex ({error})") from None
    return Pattern(str(name), regex, _number(spec[1], f"pattern {name!r}", where))


def _number(value: Any, what: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise TaxonomyError(f"{where}: {what} must be a number from 0 up, not {value!r}")
    return float(value)


def _one_line(message: str) -> str:
    return " ".join(message.split())[:200]
