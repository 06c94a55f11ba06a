"""Documents read during the week are not read again by the weekly run (OCR calls counted)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from dagster import DagsterInstance, materialize

from report_pipeline.defs.features import document_features
from report_pipeline.defs.manifest import document_manifest
from report_pipeline.defs.read_ahead import documents_read_ahead, read_ahead_days
from report_pipeline.extraction import engines
from report_pipeline.pipeline.documents import store_document
from report_pipeline.pipeline.features import IN_CACHE, extract_batch, read_week_features
from report_pipeline.pipeline.keys import read_ahead_manifest_key
from report_pipeline.pipeline.manifest import iter_entries_between, write_manifest_at
from report_pipeline.resources.build import build_resources
from report_pipeline.resources.connections import open_services
from report_pipeline.tooling.samples import scanned_page_png
from report_pipeline.weeks import day_bounds

WEEK = date(2024, 3, 4)
TUESDAY, THURSDAY = date(2024, 3, 5), date(2024, 3, 7)


class CountingEngine:
    """The real engine, counting the pages it is asked to read."""

    def __init__(self, inner) -> None:
        self._inner, self.pages = inner, 0

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def word_table(self, image, timeout_s, lang="eng"):
        self.pages += 1
        return self._inner.word_table(image, timeout_s, lang)


class DyingStore:
    """The object store of a pass whose machine goes away after its first stored features."""

    def __init__(self, inner) -> None:
        self._inner, self.stored = inner, set()

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def put(self, key, data, content_type):
        if key.startswith("features/cache/"):  # a document's features may be written twice
            if key not in self.stored and len(self.stored) == 1:
                raise ConnectionError("the machine went away mid-pass")
            self.stored.add(key)
        return self._inner.put(key, data, content_type)


@pytest.fixture
def counting(monkeypatch):
    real_open = engines.open_engine
    holder: dict[str, CountingEngine] = {}

    def open_counting(choice):
        holder["engine"] = CountingEngine(real_open(choice))
        return holder["engine"]

    monkeypatch.setattr(engines, "open_engine", open_counting)
    engines.forget_engine()
    yield holder
    engines.forget_engine()


def _scan(services, text: str, day: date, hour: int = 9, document_id: str | None = None):
    at = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return store_document(
        services, scanned_page_png(text), f"{text[:8]}.png", "image/png", "acme", at, document_id
    )


def _pages(holder) -> int:
    engine = holder.get("engine")
    return engine.pages if engine else 0


def _read_ahead(settings, instance, day: date):
    result = materialize(
        [documents_read_ahead],
        partition_key=day.isoformat(),
        instance=instance,
        resources=build_resources(settings),
    )
    assert result.success
    return result


def _weekly_features(settings, instance) -> dict:
    result = materialize(
        [document_manifest, document_features],
        partition_key=WEEK.isoformat(),
        instance=instance,
        resources=build_resources(settings),
    )
    assert result.success
    [event] = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "document_features"
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _reset(holder) -> None:
    holder["engine"].pages = 0


def test_read_ahead_documents_are_not_read_again_and_later_ones_are(settings, counting) -> None:
    services = open_services(settings)
    _scan(services, "Randomized trial enrollment completed", TUESDAY)
    _scan(services, "Serum potassium within reference range", THURSDAY)
    with DagsterInstance.ephemeral() as instance:
        _read_ahead(settings, instance, TUESDAY)
        _read_ahead(settings, instance, THURSDAY)
        assert _pages(counting) >= 2
        # Arrives after Thursday's pass, before the week closes: read on Monday.
        _scan(services, "Discharge summary signed by attending", THURSDAY, hour=22)
        _reset(counting)
        features = _weekly_features(settings, instance)
    assert features["documents"] == 3
    assert (features["from_cache"], features["read_on_the_day"]) == (2, 1)
    assert _pages(counting) == 1  # one page of OCR on Monday: the late-evening scan
    # The documents read ahead reach the week's features file with their text, from the cache.
    results = read_week_features(services.store, WEEK)
    assert all(IN_CACHE not in r.features and r.features["ocr_text"] for r in results)


def test_a_week_read_ahead_reaches_no_batch_step_on_monday(settings, counting) -> None:
    services = open_services(settings)
    _scan(services, "Randomized trial enrollment completed", TUESDAY)
    _scan(services, "Serum potassium within reference range", THURSDAY)
    with DagsterInstance.ephemeral() as instance:
        _read_ahead(settings, instance, TUESDAY)
        _read_ahead(settings, instance, THURSDAY)
        again = _read_ahead(settings, instance, THURSDAY)  # nothing new since the last pass
        _reset(counting)
        features = _weekly_features(settings, instance)
    succeeded = {e.step_key for e in again.all_events if e.is_step_success}
    assert not any("extract_feature_batch" in key for key in succeeded)
    [event] = again.get_asset_materialization_events()
    assert event.materialization.metadata["already_read"].value == 1
    # Monday looks the week's documents up in the collecting step: no batch, no OCR.
    assert (features["batches"], features["documents"], features["from_cache"]) == (0, 2, 2)
    assert _pages(counting) == 0
    results = read_week_features(services.store, WEEK)
    assert sorted(r.features["ocr_text"].split()[0] for r in results) == ["Randomized", "Serum"]


def test_a_document_replaced_after_read_ahead_is_read_again(settings, counting) -> None:
    services = open_services(settings)
    record = _scan(services, "Adverse event reported by site", TUESDAY, document_id="doc-1")
    with DagsterInstance.ephemeral() as instance:
        _read_ahead(settings, instance, TUESDAY)
        # New bytes under the same id and key: the manifest hashes them, the cache misses.
        services.store.put(
            record.file_location, scanned_page_png("Adverse event resolved"), "image/png"
        )
        _reset(counting)
        features = _weekly_features(settings, instance)
    assert (features["from_cache"], features["read_on_the_day"]) == (0, 1)
    assert _pages(counting) == 1


def test_a_pass_that_crashed_is_resumed_by_the_next(settings, counting) -> None:
    services = open_services(settings)
    for text in ("Consent form signed", "Visit note follow up", "Lab panel results"):
        _scan(services, text, TUESDAY)
    entries = list(iter_entries_between(services.catalog, services.store, *day_bounds(TUESDAY)))
    write_manifest_at(services.store, read_ahead_manifest_key(TUESDAY), {}, entries)
    with pytest.raises(ConnectionError):  # the pass dies after reading two pages
        extract_batch(tuple(range(len(entries))), entries, DyingStore(services.store))
    assert _pages(counting) == 2
    _reset(counting)
    with DagsterInstance.ephemeral() as instance:
        result = _read_ahead(settings, instance, TUESDAY)
    [event] = result.get_asset_materialization_events()
    metadata = {k: v.value for k, v in event.materialization.metadata.items()}
    assert (metadata["already_read"], metadata["read_now"]) == (1, 2)
    assert _pages(counting) == 2


def test_passes_take_today_and_after_midnight_yesterday_too() -> None:
    assert read_ahead_days(datetime(2024, 3, 5, 15, 5, tzinfo=UTC)) == ["2024-03-05"]
    assert read_ahead_days(datetime(2024, 3, 6, 0, 5, tzinfo=UTC)) == ["2024-03-05", "2024-03-06"]
