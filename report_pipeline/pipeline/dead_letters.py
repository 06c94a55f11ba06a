"""Dead letters: every document of a week that produced no features, and why.

A document fails at one stage (catalog, read, decode, ocr, features); its
dead letter names the document, its object key, the stage, the error class,
the message and how many times it was tried. Replaying re-extracts only those
documents. Counts always add up: manifest = features + dead letters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from report_pipeline.extraction.cost import DEFAULT_MAX_PAGES
from report_pipeline.models import FeatureResult, ManifestEntry
from report_pipeline.pipeline.features import extract_entry, read_week_features, write_week_features
from report_pipeline.pipeline.manifest import read_manifest, write_manifest
from report_pipeline.storage.object_store import InvalidKey, ObjectNotFound, ObjectStore, sha256_of


@dataclass(frozen=True)
class DeadLetter:
    document_id: str
    object_key: str
    stage: str
    error_class: str
    message: str
    attempts: int

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class WeekCounts:
    manifest: int
    with_features: int
    dead_letters: int

    @property
    def adds_up(self) -> bool:
        return self.manifest == self.with_features + self.dead_letters


class CountsDoNotAddUp(RuntimeError):
    """A document is neither in the features nor a dead letter: something was lost."""


def unique_entries(entries: list[ManifestEntry]) -> list[ManifestEntry]:
    """One entry per document id, first wins (as the report counts them)."""
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry.record.document_id not in seen:
            seen.add(entry.record.document_id)
            unique.append(entry)
    return unique


def dead_letters(entries: list[ManifestEntry], results: list[FeatureResult]) -> list[DeadLetter]:
    """A dead letter per manifest document without an ok result (a missing result included)."""
    return tally_week(entries, results)[1]


def tally_week(
    entries: Iterable[ManifestEntry], results: Iterable[FeatureResult]
) -> tuple[WeekCounts, list[DeadLetter]]:
    """The week's counts and dead letters, each item consumed once (the results first).

    Holds a flag a document and the few failed results, never every entry or result:
    the completeness check streams a large week's two files through it.
    """
    last: dict[str, FeatureResult | None] = {}  # later results win; None: the last one is ok
    ever_ok: set[str] = set()  # an earlier ok result still counts as features
    for result in results:
        ok = result.status == "ok"
        last[result.document_id] = None if ok else result
        if ok:
            ever_ok.add(result.document_id)
    seen: set[str] = set()
    letters: list[DeadLetter] = []
    for entry in entries:
        document_id = entry.record.document_id
        if document_id in seen:  # one entry per document id, first wins
            continue
        seen.add(document_id)
        if document_id in last and last[document_id] is None:
            continue
        letters.append(_letter(entry, last.get(document_id)))
    return WeekCounts(len(seen), len(seen & ever_ok), len(letters)), letters


def _letter(entry: ManifestEntry, result: FeatureResult | None) -> DeadLetter:
    record = entry.record
    if result is None:
        return DeadLetter(
            record.document_id,
            record.file_location,
            "features",
            "MissingResult",
            "no feature result was recorded for this document",
            0,
        )
    return DeadLetter(
        record.document_id,
        record.file_location,
        result.stage or "features",
        result.error_class or "DocumentError",
        result.reason or "unknown error",
        result.attempts,
    )


def week_counts(entries: list[ManifestEntry], results: list[FeatureResult]) -> WeekCounts:
    return tally_week(entries, results)[0]


def check_counts(entries: list[ManifestEntry], results: list[FeatureResult]) -> WeekCounts:
    return checked(week_counts(entries, results))


def checked(counts: WeekCounts) -> WeekCounts:
    """``counts``, or CountsDoNotAddUp saying what is missing."""
    if not counts.adds_up:
        raise CountsDoNotAddUp(
            f"{counts.manifest} documents in the manifest but {counts.with_features} with features"
            f" and {counts.dead_letters} dead letters"
        )
    return counts


def read_dead_letters(store: ObjectStore, week: date) -> list[DeadLetter]:
    return dead_letters(read_manifest(store, week), read_week_features(store, week))


# --- replay -----------------------------------------------------------------


@dataclass(frozen=True)
class ReplayOutcome:
    retried: int
    recovered: list[str]  # document ids that now have features
    still_failed: list[DeadLetter]


def replay_dead_letters(
    store: ObjectStore,
    week: date,
    *,
    page_limit: int = DEFAULT_MAX_PAGES,
    taxonomy_path: str | None = None,
) -> ReplayOutcome:
    """Re-extract only the week's dead letters; the features file keeps everything else.

    An object that was missing when the manifest was written is looked up
    again (it may have been uploaded since): the manifest entry gets its hash.
    Catalog-stage letters (invalid record, duplicate id) need the catalog fixed
    and a new manifest (re-run the week); replaying them only counts an attempt.
    """
    entries, results = read_manifest(store, week), read_week_features(store, week)
    letters = {letter.document_id: letter for letter in dead_letters(entries, results)}
    if not letters:
        return ReplayOutcome(0, [], [])
    entries, relisted = _relist_missing_objects(store, entries, set(letters))
    if relisted:
        write_manifest(store, week, entries)
    by_id = {entry.record.document_id: entry for entry in unique_entries(entries)}
    retried = [
        extract_entry(
            by_id[doc_id],
            store,
            attempts=letter.attempts + 1,
            page_limit=page_limit,
            taxonomy_path=taxonomy_path,
        )
        for doc_id, letter in letters.items()
    ]
    merged = [r for r in results if r.document_id not in letters] + retried
    write_week_features(store, week, merged)
    still = dead_letters(entries, merged)
    recovered = [r.document_id for r in retried if r.status == "ok"]
    return ReplayOutcome(len(retried), recovered, still)


def _relist_missing_objects(
    store: ObjectStore, entries: list[ManifestEntry], ids: set[str]
) -> tuple[list[ManifestEntry], bool]:
    changed = False
    relisted = []
    for entry in entries:
        if entry.record.document_id in ids and entry.error_stage in (None, "read") and entry.error:
            try:
                entry = ManifestEntry(entry.record, sha256_of(store, entry.record.file_location))
                changed = True
            except (ObjectNotFound, InvalidKey):
                pass
        relisted.append(entry)
    return relisted, changed


def format_table(letters: list[DeadLetter], limit: int | None = None) -> str:
    """Markdown table for the UI (asset metadata)."""
    shown = letters if limit is None else letters[:limit]
    lines = [
        "| document | object key | stage | error | message | attempts |",
        "|---|---|---|---|---|---:|",
    ]
    lines += [
        f"| {_cell(d.document_id)} | {_cell(d.object_key)} | {d.stage} |"
        f" {_cell(d.error_class)} | {_cell(d.message)} | {d.attempts} |"
        for d in shown
    ]
    if len(shown) < len(letters):
        lines.append(
            f"| and {len(letters) - len(shown):,} more: `report-pipeline dead-letters"
            " list` | | | | | |"
        )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")[:200]
