"""Many items written a chunk at a time read back the same, a line at a time or whole."""

from __future__ import annotations

import json

import pytest

from report_pipeline.pipeline import streamed_json
from report_pipeline.pipeline.streamed_json import iter_items, write_items
from report_pipeline.resources.connections import open_services


@pytest.mark.parametrize("count", [0, 1, 997])
def test_items_across_write_chunks_read_back_in_order(settings, monkeypatch, count) -> None:
    monkeypatch.setattr(streamed_json, "WRITE_CHUNK_BYTES", 256)  # many chunks, one odd tail
    store = open_services(settings).store
    items = [{"n": n, "text": "é" * (n % 40)} for n in range(count)]
    write_items(store, "weeks/w/items.json", {"week": "2024-03-04"}, "items", iter(items))
    assert list(iter_items(store, "weeks/w/items.json", "items")) == items
    whole = json.loads(b"".join(store.iter_chunks("weeks/w/items.json")))
    assert whole == {"week": "2024-03-04", "items": items}
