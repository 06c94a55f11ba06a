"""A week of the formats clinics send (text PDF, scanned PDF, Word, text without extension)."""

from __future__ import annotations

import io
import json
import shutil

import docx
import pytest
from PIL import Image

from report_pipeline.tooling.samples import scanned_page_png
from report_pipeline_tests.extraction.pdf_files import scanned_pdf

SPEC_PDF = "/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"


@pytest.mark.slow
def test_a_week_of_pdfs_word_files_and_unnamed_text_goes_through(cli, tmp_path) -> None:
    text_pdf = tmp_path / "spec.pdf"
    shutil.copy(SPEC_PDF, text_pdf)
    words = "Adverse event reported by the site coordinator"
    scan = Image.open(io.BytesIO(scanned_page_png(words)))
    fax = tmp_path / "fax.pdf"
    fax.write_bytes(scanned_pdf(scan, dpi=150))
    consent = tmp_path / "consent.docx"
    document = docx.Document()
    document.add_paragraph("The patient consents to the infusion schedule.")
    document.save(str(consent))
    notes = tmp_path / "GPL-2"  # no extension: uploaded as application/octet-stream
    shutil.copy("/usr/share/common-licenses/GPL-2", notes)

    added = cli(
        "documents",
        "add",
        str(text_pdf),
        str(fax),
        str(consent),
        str(notes),
        "--customer",
        "acme",
        "--created-at",
        "2024-03-05T10:00:00Z",
    )
    assert added.returncode == 0, added.stderr
    ids = added.stdout.split()
    assert cli("subscribers", "add", "ann@example.com").returncode == 0

    run = cli("run", "--week", "2024-03-04", "--json")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert (summary["documents_total"], summary["documents_failed"]) == (4, 0)
    assert summary["emails_sent"] == 1

    shown = [json.loads(cli("documents", "show", doc_id, "--json").stdout) for doc_id in ids]
    assert [view["kind"] for view in shown] == ["pdf", "pdf", "docx", "text"]
    spec, scanned, word, text = (view["features"] for view in shown)
    assert (spec["pages"], spec["pages_text_layer"], spec["pages_ocr"]) == (17, 17, 0)
    assert (scanned["pages"], scanned["pages_ocr"]) == (1, 1)
    assert "coordinator" in scanned["excerpt"].lower()
    assert "infusion" in word["excerpt"] and text["words"] > 2000
