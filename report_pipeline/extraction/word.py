"""Features of Word documents (.docx): the text of paragraphs and tables, in document order."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import IO

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from report_pipeline.extraction.text import TextStats
from report_pipeline.models import DocumentError

# The XML is parsed whole: refuse archives that inflate past this (zip bombs)
# before python-docx reads a byte of them. A 500-page report is ~5 MB of XML.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024


def docx_features(source: IO[bytes]) -> dict:
    """Text statistics of a .docx; raises DocumentError when it cannot be read."""
    _check_archive(source)
    source.seek(0)
    try:
        document = docx.Document(source)
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors...
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        raise DocumentError(
            "decode", f"unreadable Word document: {reason}", type(exc).__name__
        ) from None
    stats, paragraphs, tables = TextStats(), 0, 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            tables += 1
            stats.feed("\n".join(_table_lines(block)) + "\n")
        else:
            paragraphs += 1
            stats.feed(block.text + "\n")
    features = stats.features("docx")
    del features["encoding"]
    return {**features, "word_count": features["words"], "paragraphs": paragraphs, "tables": tables}


def _check_archive(source: IO[bytes]) -> None:
    source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise DocumentError("decode", f"corrupt Word document (ZIP): {exc}", "BadZipFile") from None
    if inflated > MAX_UNCOMPRESSED_BYTES:
        raise DocumentError(
            "decode",
            f"Word document inflates to {inflated:,} bytes, over the "
            f"{MAX_UNCOMPRESSED_BYTES:,} limit (possible ZIP bomb)",
            "ZipBomb",
        )


def _table_lines(table: Table) -> Iterator[str]:
    """One line per row, cells tab-separated; a merged cell is read once, nested tables too."""
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a horizontally merged cell repeats in row.cells
                continue
            previous = cell._tc
            cells.append(" ".join(text for text in _cell_text(cell) if text))
        yield "\t".join(cells)


def _cell_text(cell) -> Iterator[str]:
    for block in cell.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        else:
            yield from _table_lines(block)
