"""Hostile and broken documents: each is a result with a reason, in bounded memory.

Complements test_text.py, test_ocr.py and test_extract.py (encodings, binary
text, truncated PNG, bombs, frame caps, CMYK/16-bit/alpha, missing tesseract,
timeouts are covered there); here the rest, mostly through `extract_entry`,
the path the pipeline takes.
"""

from __future__ import annotations

import io
import json
import os
import stat
import struct
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from report_pipeline.extraction import ocr
from report_pipeline.extraction.engines import CliEngine
from report_pipeline.extraction.text import text_features, text_features_stream
from report_pipeline.models import DocumentRecord, ManifestEntry
from report_pipeline.pipeline.features import extract_entry
from report_pipeline.storage.object_store import LocalObjectStore, sha256_of
from report_pipeline.tooling import samples

AT = datetime(2024, 3, 5, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "objects")


def run(store: LocalObjectStore, data: bytes, name: str, content_type: str):
    store.put(name, data)
    record = DocumentRecord("doc-1", name, content_type, AT, len(data))
    return extract_entry(ManifestEntry(record, sha256_of(store, name)), store)


@pytest.fixture
def fake_tesseract(monkeypatch):
    calls: list[tuple[int, int]] = []

    class Engine:
        name = "fake"
        display_name, languages, reads_any_orientation, fork_safe = name, None, False, True

        def word_table(self, image, timeout_s, lang="eng"):
            calls.append(image.size)
            return {
                "text": ["Dosage"],
                "conf": [90],
                "block_num": [1],
                "par_num": [1],
                "line_num": [1],
            }

        def orientation(self, image):
            return None

    monkeypatch.setattr(ocr, "default_engine", Engine)
    return calls


def text_frame(number: int = 5) -> Image.Image:
    # A frame with printed words: blank frames are now skipped without OCR. Frames
    # differ so the GIF encoder does not merge them.
    from report_pipeline.tooling import samples

    png = samples.scanned_page_png(f"Dosage {number} mg", width=300)
    return Image.open(io.BytesIO(png)).convert("L")


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def test_zero_byte_file_is_a_read_failure(store) -> None:
    result = run(store, b"", "empty.png", "image/png")
    assert (result.status, result.stage, result.reason) == ("failed", "read", "empty file")


def test_truncated_jpeg_is_a_decode_failure(store) -> None:
    whole = encode(
        Image.open(io.BytesIO(samples.scanned_page_png("Visit note", width=600))).convert("RGB"),
        "JPEG",
        quality=90,
    )
    result = run(store, whole[: len(whole) // 2], "scan.jpg", "image/jpeg")
    assert (result.status, result.stage) == ("failed", "decode")
    assert "truncated" in result.reason.lower() and "\n" not in result.reason


def test_an_image_labelled_as_text_is_ocrd_and_the_mismatch_noted(store, fake_tesseract) -> None:
    png = encode(Image.new("L", (300, 200), 255), "PNG")
    result = run(store, png, "notes.txt", "text/plain")
    assert (result.status, result.kind) == ("ok", "image")
    assert result.features["content_type_mismatch"] == "labelled 'text/plain', content is PNG"
    unlabelled = run(store, png, "upload.bin", "application/octet-stream")
    assert (unlabelled.status, unlabelled.kind) == ("ok", "image")


def test_text_labelled_as_an_image_is_read_as_text_and_the_mismatch_noted(store) -> None:
    # The bytes decide: a note uploaded with an image label is not lost.
    result = run(store, b"Patient visit: all fine.\n", "scan.png", "image/png")
    assert (result.status, result.kind, result.features["words"]) == ("ok", "text", 4)
    assert result.features["content_type_mismatch"] == "labelled 'image/png', content is text"


@pytest.mark.parametrize("fmt", ["TIFF", "GIF"])
def test_every_frame_is_ocrd_up_to_the_cap(fmt: str, fake_tesseract) -> None:
    frames = [text_frame(i) for i in range(ocr.MAX_FRAMES + 3)]
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:])
    features = ocr.image_features(data)
    assert features["frames"] == ocr.MAX_FRAMES == len(fake_tesseract)
    assert features["ocr_text"].count("Dosage") == ocr.MAX_FRAMES


def test_a_png_with_alpha_and_16_bit_depth_is_read(fake_tesseract) -> None:
    features = ocr.image_features(encode(Image.new("I;16", (40, 30), 300), "PNG"))
    assert features["mode"] == "I;16" and features["frames"] == 1
    features = ocr.image_features(encode(Image.new("LA", (40, 30), (0, 0)), "PNG"))
    assert features["mode"] == "LA"


def test_binary_garbage_labelled_text_plain_is_a_decode_failure(store) -> None:
    garbage = bytes(range(256)) * 64
    result = run(store, garbage, "notes.txt", "text/plain")
    assert (result.status, result.stage) == ("failed", "decode")


@pytest.mark.parametrize("codec", ["latin-1", "utf-16", "utf-8"])
def test_streamed_text_equals_in_memory_text(codec: str) -> None:
    text = "Fièvre élevée, traitée à domicile.\r\nDr Müller\tBesançon " * 3000 + "end"
    data = text.encode(codec)
    chunks = lambda: (data[i : i + 4093] for i in range(0, len(data), 4093))  # noqa: E731
    assert text_features_stream(chunks) == text_features(data)


class ListCatalog:
    """A catalog without a unique index (as a Mongo collection may be)."""

    def __init__(self, records: list[DocumentRecord]) -> None:
        self.records = records

    def iter_items_between(self, start, end):
        return iter(self.records)


def test_duplicate_ids_odd_keys_and_missing_objects_become_dead_letters(tmp_path) -> None:
    from report_pipeline.pipeline.manifest import iter_manifest_entries

    store = LocalObjectStore(tmp_path / "o")
    odd_key = "customers/a/with space/r\u00e9sum\u00e9 \u6587.txt"
    store.put("customers/a/first.txt", b"first note")
    store.put(odd_key, b"unicode key note")
    d4 = DocumentRecord("d4", odd_key, "text/plain", AT, 16)
    catalog = ListCatalog(
        [
            DocumentRecord("d1", "customers/a/first.txt", "text/plain", AT, 10),
            DocumentRecord("d2", "customers/a/missing.txt", "text/plain", AT, 5),
            DocumentRecord("d3", "customers/a/../../etc/passwd", "text/plain", AT, 5),
            d4,
            d4,  # an exact repeat is the same document
            DocumentRecord("d1", "customers/b/other.txt", "text/plain", AT, 3),
        ]
    )
    entries = list(iter_manifest_entries(catalog, store, AT.date()))
    by_id = {e.record.document_id: e for e in entries}
    assert sorted(by_id) == ["d1", "d1#duplicate-1", "d2", "d3", "d4"]
    assert by_id["d1#duplicate-1"].error_stage == "catalog"
    assert "already used by 'customers/a/first.txt'" in by_id["d1#duplicate-1"].error
    assert "does not exist" in by_id["d2"].error and "invalid object key" in by_id["d3"].error
    results = {e.record.document_id: extract_entry(e, store) for e in entries}
    assert results["d4"].status == "ok" and results["d1"].status == "ok"
    assert [results[i].stage for i in ("d1#duplicate-1", "d2", "d3")] == ["catalog", "read", "read"]


def test_catalog_records_with_missing_fields_or_wrong_types_are_listed_not_fatal() -> None:
    import mongomock

    from report_pipeline.pipeline.manifest import iter_manifest_entries
    from report_pipeline.storage.catalog import MongoCatalog

    collection = mongomock.MongoClient(tz_aware=True)["db"]["documents"]
    good = {
        "document_id": "ok",
        "file_location": "customers/k/ok.txt",
        "content_type": "text/plain",
        "created_at": AT,
        "size": 2,
    }
    collection.insert_many(
        [
            good,
            {**good, "document_id": None},
            {**good, "document_id": "no-key", "file_location": None},
            {**good, "document_id": "bad-size", "size": "twelve"},
            {**good, "document_id": "bad-type", "content_type": ["text/plain"]},
            {**good, "document_id": 42, "file_location": "customers/k/int-id.txt"},
        ]
    )

    class Store:
        def iter_chunks(self, key):
            yield b"hi"

        def version(self, key):
            return "1"

    week = AT.date().fromordinal(AT.date().toordinal() - AT.weekday())
    entries = list(iter_manifest_entries(MongoCatalog(collection), Store(), week))
    assert len(entries) == 6
    errors = {e.record.document_id: e.error for e in entries}
    assert errors["ok"] is None and errors["42"] is None
    assert errors["no-key"] == "invalid catalog record: file_location is missing"
    assert errors["bad-size"] == "invalid catalog record: size 'twelve' is not an integer"
    assert "content_type has type list" in errors["bad-type"]
    [missing_id] = [i for i in errors if i.startswith("catalog-")]
    assert errors[missing_id] == "invalid catalog record: document_id is missing"
    assert all(e.error_stage == "catalog" for e in entries if e.error)


def test_a_hanging_tesseract_is_killed_at_the_timeout(tmp_path, monkeypatch) -> None:
    fake = tmp_path / "tesseract"
    # Answers the version probe pytesseract makes first, then hangs on the image.
    fake.write_text(
        '#!/bin/sh\n[ "$1" = "--version" ] && echo "tesseract 5.3.0" && exit 0\nexec sleep 600\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(fake))
    monkeypatch.setattr(ocr, "default_engine", CliEngine)
    from report_pipeline.models import DocumentError

    with pytest.raises(DocumentError) as info:
        ocr.image_features(encode(text_frame(), "PNG"), timeout_s=1)
    assert (info.value.stage, info.value.reason, info.value.error_class) == (
        "ocr",
        "timed out after 1 s",
        "OcrTimeout",
    )


# --- memory bounds, measured in a fresh process ------------------------------


def _peak(path: Path, content_type: str) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "report_pipeline_tests.extraction.rss_child",
            str(path),
            content_type,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    outcome = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{path.name}: peak RSS {outcome['peak_mb']} MB (baseline {outcome['baseline_mb']} MB)")
    return outcome


def _huge_white_png(path: Path, side: int) -> None:
    """A side x side grayscale PNG written row by row (never in memory)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    with path.open("wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n")
        handle.write(chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)))
        compressor, row = zlib.compressobj(9), b"\x00" + b"\xff" * side
        for _ in range(side):
            if data := compressor.compress(row):
                handle.write(chunk(b"IDAT", data))
        handle.write(chunk(b"IDAT", compressor.flush()))
        handle.write(chunk(b"IEND", b""))


def test_a_20000_by_20000_image_is_rejected_in_bounded_memory(tmp_path) -> None:
    path = tmp_path / "huge.png"
    _huge_white_png(path, 20_000)
    outcome = _peak(path, "image/png")
    assert (outcome["status"], outcome["stage"]) == ("failed", "decode")
    assert "decompression bomb" in outcome["reason"]
    # Decoded it would be 400 MB; refused from the header, it costs next to nothing.
    assert outcome["peak_mb"] - outcome["baseline_mb"] < 50


def test_a_200_mb_text_file_is_streamed_in_bounded_memory(tmp_path) -> None:
    path = tmp_path / "big.txt"
    line = "Patient 0042 reported mild nausea after the second dose; no action taken.\n"
    block = (line * (1024 * 1024 // len(line) + 1)).encode()[: 1024 * 1024]
    with path.open("wb") as handle:
        for _ in range(200):
            handle.write(block)
    outcome = _peak(path, "text/plain")
    assert outcome["status"] == "ok"
    assert outcome["features"]["characters"] == 200 * 1024 * 1024
    assert outcome["features"]["top_terms"][0][0] == "action"  # all tie: alphabetical
    assert outcome["peak_mb"] - outcome["baseline_mb"] < 100  # the file alone is 200 MB
