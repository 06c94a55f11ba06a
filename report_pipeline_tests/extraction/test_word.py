"""Word documents: paragraphs and tables in document order; broken archives are dead letters."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from report_pipeline.extraction import extract, word
from report_pipeline.models import DocumentError

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def consent_form() -> bytes:
    document = docx.Document()
    document.add_heading("Informed consent", level=1)
    document.add_paragraph("The patient agrees to the infusion schedule.")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Drug", "Dose", "Route"), strict=True):
        cell.text = text
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Methotrexate 15 mg"
    table.cell(1, 2).text = "oral"
    table.cell(1, 2).add_table(rows=1, cols=1).cell(0, 0).text = "weekly"
    document.add_paragraph("Signed at the clinic.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_paragraphs_and_tables_are_read_in_order() -> None:
    kind, features = extract(consent_form(), DOCX, "consent.docx")
    assert kind == "docx"
    assert features["excerpt"] == (
        "Informed consent\nThe patient agrees to the infusion schedule.\n"
        "Drug\tDose\tRoute\nMethotrexate 15 mg\toral weekly\nSigned at the clinic.\n"
    )
    assert (features["paragraphs"], features["tables"]) == (3, 1)
    assert features["words"] == features["word_count"] == 21


def test_a_docx_without_a_label_or_extension_is_read() -> None:
    kind, features = extract(consent_form(), "application/octet-stream", "upload")
    assert kind == "docx" and "content_type_mismatch" not in features


def test_a_zip_bomb_is_refused_before_parsing(monkeypatch) -> None:
    monkeypatch.setattr(word, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b" " * 5_000_000)  # 5 MB of spaces in ~5 KB
    with pytest.raises(DocumentError) as info:
        extract(buffer.getvalue(), DOCX, "bomb.docx")
    assert (info.value.stage, info.value.error_class) == ("decode", "ZipBomb")
    assert info.value.reason.startswith("Word document inflates to 5,000,")


def test_a_word_zip_without_its_parts_is_a_dead_letter() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not-word/>")
    with pytest.raises(DocumentError) as info:
        extract(buffer.getvalue(), DOCX, "broken.docx")
    assert info.value.stage == "decode"
    assert info.value.reason.startswith("unreadable Word document: ")
    assert "\n" not in info.value.reason
