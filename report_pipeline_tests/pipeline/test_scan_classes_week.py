"""One week through Dagster with a file of each hard-scan class: each takes its own path.

The files are made at test time from a real page (a Debian-shipped manual, rendered by
poppler; its text layer is the ground truth) and degraded as a scanner, a fax gateway or
a phone would: clean 300 dpi, a standard-mode fax (G4 TIFF, 204 x 98 dpi), upside down,
a phone photo, a 100 dpi scan, and a photo without text (scikit-image's coffee cup).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from dagster import DagsterInstance
from PIL import Image
from pypdf import PdfReader

from report_pipeline.pipeline.documents import store_document
from report_pipeline.pipeline.features import read_week_features
from report_pipeline.pipeline.keys import report_pdf_key
from report_pipeline.resources.connections import open_services
from report_pipeline_tests.extraction import real_pages as rp
from report_pipeline_tests.weekly_assets import materialize_week

WEEK = date(2024, 3, 4)
AT = datetime(2024, 3, 5, 9, tzinfo=UTC)

pytestmark = [
    pytest.mark.slow,  # six OCR'd pages
    pytest.mark.skipif(
        not (rp.tools_present() and rp.available_pdfs()),
        reason="needs poppler-utils and Debian doc PDFs (make bench-corpus)",
    ),
]


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _files(tmp_path) -> dict[str, tuple[bytes, str, str, float]]:
    """name -> (bytes, content type, the path it must take, word recall floor)."""
    skimage_data = pytest.importorskip("skimage.data")
    [(pdf, page, truth)] = rp.text_pages(1, workdir=tmp_path)
    at_200 = rp.render(pdf, page, 200)
    fax = rp.file_bytes(rp.fax_204(at_200, 98))[0]
    files = {
        "clean.png": (rp.png_bytes(rp.render(pdf, page, 300)), "image/png", "untouched", 0.99),
        "fax.tif": (fax, "image/tiff", "bilevel", 0.90),
        "upside-down.png": (rp.png_bytes(at_200.rotate(180)), "image/png", "untouched+180", 0.97),
        "phone.jpg": (_jpeg(rp.phone_photo(at_200)), "image/jpeg", "flattened", 0.90),
        "lowres.png": (
            rp.png_bytes(rp.render(pdf, page, 100)),
            "image/png",
            "untouched+enlarged",
            0.95,
        ),
        "coffee.jpg": (_jpeg(Image.fromarray(skimage_data.coffee())), "image/jpeg", "no text", 0),
    }
    return {name: (*spec, truth) for name, spec in files.items()}


def test_each_scan_class_takes_its_path_and_the_photo_is_no_text_found(settings, tmp_path):
    services = open_services(settings)
    files = _files(tmp_path)
    ids = {}
    for name, (data, content_type, *_) in files.items():
        record = store_document(services, data, name, content_type, "acme", AT)
        ids[record.document_id] = name
    with DagsterInstance.ephemeral() as instance:
        result = materialize_week(settings, instance, WEEK)

    results = {ids[r.document_id]: r for r in read_week_features(services.store, WEEK)}
    assert set(results) == set(files)
    for name, (_, _, path, floor, truth) in files.items():
        features = results[name].features
        assert results[name].status == "ok", name
        assert features["page_paths"] == [path], name
        assert rp.recall(truth, features["ocr_text"]) >= floor, name
    assert results["coffee.jpg"].features["no_text_found"] is True
    assert sum(bool(r.features["no_text_found"]) for r in results.values()) == 1

    [event] = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "weekly_report"
    ]
    sha256 = event.materialization.metadata["pdf_sha256"].value
    pdf = services.store.get(report_pdf_key(WEEK, sha256))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Images with no text found 1" in text
