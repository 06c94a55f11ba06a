"""Lay out the weekly report as a PDF with fpdf2.

DejaVu fonts shipped with matplotlib are embedded so customer names, reasons
and terms in any script DejaVu covers render instead of turning into '?'.

Text is wrapped here and placed with ``FPDF.text``: fpdf2's ``multi_cell`` and
``table`` re-measure every line per character and took seconds on a week with
a few hundred failures, far over the render budget.
"""

from __future__ import annotations

import functools
import io
import os
import struct
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import matplotlib
import polars as pl
from fpdf import FPDF
from fontTools.ttLib import TTFont

from report_pipeline.deid import sanitize_reason, showable_terms
from report_pipeline.report.aggregate import ReportData

FONT = "DejaVu"
FONT_DIR = os.path.join(matplotlib.get_data_path(), "fonts/ttf/")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MARGIN = 15.0
PT = 25.4 / 72  # mm per point
PAD = 1.2  # mm inside table cells
BREAK_AFTER = frozenset(" /-_,;")
MAX_CELL_LINES = 40  # a runaway reason must not make a row taller than a page
CUSTOMER_SECTION_MIN = 36.0  # mm; shorter remaining space would split a section awkwardly


class _ReportPDF(FPDF):
    """FPDF with a footer, the DejaVu fonts and fast wrapped text."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.c_margin = 0  # headings line up with the text placed at the margin
        self.set_auto_page_break(True, margin=MARGIN + 5)
        for style, name in FONT_FILES.items():
            self.add_font(FONT, style, os.path.join(FONT_DIR, name))
        self._widths: dict[tuple[str, float], dict[str, float]] = {}

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_font(FONT, "", 8)
        self.set_text_color(110)
        self.cell(0, 5, self.footer_text, align="L")
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    def char_width(self, char: str) -> float:
        table = self._widths.setdefault((self.font_style, self.font_size_pt), {})
        if char not in table:
            table[char] = self.get_string_width(char)
        return table[char]

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy wrap, breaking after spaces or path separators, else mid-word."""
        lines: list[str] = []
        start, used, brk = 0, 0.0, -1
        for i, char in enumerate(text):
            step = self.char_width(char)
            if used + step > width and i > start:
                cut = brk + 1 if brk >= start else i
                lines.append(text[start:cut].rstrip())
                start = cut
                used, brk = sum(self.char_width(c) for c in text[start:i]), -1
                if char == " " and start == i:
                    start = i + 1  # a space never starts a line
                    continue
            used += step
            if char in BREAK_AFTER:
                brk = i
        tail = text[start:].rstrip()
        if tail or not lines:
            lines.append(tail)
        return lines

    def ensure_space(self, height: float) -> None:
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()


def render_pdf(
    data: ReportData, charts: list[tuple[str, bytes]], generated_at: datetime
) -> tuple[bytes, int]:
    """Return the PDF bytes and its page count."""
    generated = to_utc(generated_at)
    week = data.week_start.isoformat()
    pdf = _ReportPDF(f"Weekly document report · Week of {week}")
    pdf.set_title(f"Weekly document report - week of {week}")
    pdf.set_creation_date(generated)  # fixed date => same bytes for the same inputs
    _cover(pdf, data, generated)
    _summary_tables(pdf, data)
    _charts(pdf, charts)
    _customers(pdf, data)
    _failed_appendix(pdf, data.failures)
    return bytes(pdf.output()), pdf.pages_count


def to_utc(moment: datetime) -> datetime:
    """Aware UTC datetime; naive input is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def clean(value: Any) -> str:
    """One-line, displayable text: reasons may carry newlines or tabs from tracebacks."""
    return displayable(" ".join(str(value).split())) if value is not None else "-"


def displayable(text: str) -> str:
    """Spell out characters DejaVu lacks (CJK, emoji) as [U+XXXX].

    Without this they would render as blanks, and a customer name or a reason
    would silently read differently from what was stored.
    """
    if text.isascii():
        return text
    known = _font_codepoints()
    return "".join(c if ord(c) in known else f"[U+{ord(c):04X}]" for c in text)


@functools.lru_cache(maxsize=1)
def _font_codepoints() -> frozenset[int]:
    sets = []
    for name in FONT_FILES.values():
        with TTFont(os.path.join(FONT_DIR, name), lazy=True) as font:
            sets.append(set(font["cmap"].getBestCmap()))
    return frozenset(set.intersection(*sets))


def fmt_int(value: Any) -> str:
    return "-" if value is None else f"{int(value):,}"


def fmt_conf(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def fmt_bytes(value: int) -> str:
    size, unit = float(value), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            break
        size /= 1024
    human = f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
    return f"{value:,} bytes ({human})"


def _heading(pdf: _ReportPDF, text: str, size: float = 14) -> None:
    pdf.ensure_space(size * PT * 1.4 + 20)  # never leave a heading alone at a page bottom
    _lines(pdf, clean(text), size, "B")
    pdf.ln(2)
    pdf.set_font(FONT, "", 10)


def _para(pdf: _ReportPDF, text: str, size: float = 10) -> None:
    _lines(pdf, text, size, "")


def _lines(pdf: _ReportPDF, text: str, size: float, style: str) -> None:
    # FPDF.text, unlike cell, never substitutes the "{nb}" page alias, so stored
    # text that happens to contain it is printed as is.
    pdf.set_font(FONT, style, size)
    height = size * PT * 1.35
    for line in pdf.wrap(text, pdf.epw):
        pdf.ensure_space(height)
        pdf.text(pdf.l_margin, pdf.get_y() + size * PT, line)
        pdf.set_y(pdf.get_y() + height)


def _table(
    pdf: _ReportPDF,
    header: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    align: Sequence[str],
    size: float = 9,
) -> None:
    """Rows with wrapped cells, a rule under each, the header repeated on new pages."""
    pdf.set_draw_color(200)
    pdf.set_line_width(0.2)
    if header:
        pdf.ensure_space(4 * size * PT * 1.3)
        _table_row(pdf, header, widths, align, size, header=True)
    for row in rows:
        pdf.set_font(FONT, "", size)
        cells = [_cell_lines(pdf, text, width - 2 * PAD) for text, width in zip(row, widths)]
        if pdf.get_y() + _row_height(cells, size) > pdf.page_break_trigger:
            pdf.add_page()
            if header:
                _table_row(pdf, header, widths, align, size, header=True)
        _draw_row(pdf, cells, widths, align, size)
    pdf.ln(5)
    pdf.set_font(FONT, "", 10)


def _table_row(pdf: _ReportPDF, row: Sequence[str], widths: Sequence[float],
               align: Sequence[str], size: float, header: bool = False) -> None:
    pdf.set_font(FONT, "B" if header else "", size)
    cells = [_cell_lines(pdf, text, width - 2 * PAD) for text, width in zip(row, widths)]
    if header:
        pdf.set_fill_color(232)
        pdf.rect(pdf.l_margin, pdf.get_y(), sum(widths), _row_height(cells, size), style="F")
    _draw_row(pdf, cells, widths, align, size)
    pdf.set_font(FONT, "", size)


def _cell_lines(pdf: _ReportPDF, text: str, width: float) -> list[str]:
    lines = pdf.wrap(text, width)
    if len(lines) > MAX_CELL_LINES:
        lines = lines[: MAX_CELL_LINES - 1] + [f"… (truncated, {len(text):,} characters)"]
    return lines


def _row_height(cells: list[list[str]], size: float) -> float:
    return max(len(lines) for lines in cells) * size * PT * 1.3 + 2 * PAD


def _draw_row(pdf: _ReportPDF, cells: list[list[str]], widths: Sequence[float],
              align: Sequence[str], size: float) -> None:
    top, x = pdf.get_y(), pdf.l_margin
    line_height = size * PT * 1.3
    for lines, width, side in zip(cells, widths, align):
        for k, line in enumerate(lines):
            offset = width - PAD - pdf.get_string_width(line) if side == "R" else PAD
            pdf.text(x + offset, top + PAD + size * PT + k * line_height, line)
        x += width
    bottom = top + _row_height(cells, size)
    pdf.line(pdf.l_margin, bottom, pdf.l_margin + sum(widths), bottom)
    pdf.set_y(bottom)


def _cover(pdf: _ReportPDF, data: ReportData, generated: datetime) -> None:
    pdf.add_page()
    pdf.ln(40)
    _lines(pdf, "Weekly document report", 26, "B")
    pdf.ln(2)
    _lines(pdf, f"Week of {data.week_start.isoformat()}", 16, "")
    pdf.ln(2)
    span = f"Monday {data.week_start.isoformat()} to Sunday {data.week_end.isoformat()} (UTC)"
    _lines(pdf, span, 11, "")
    _lines(pdf, f"Generated {generated.strftime('%Y-%m-%d %H:%M:%S')} UTC", 11, "")
    pdf.ln(12)
    s = data.summary
    _table(pdf, None, [
        ("Documents received", fmt_int(s["documents_total"])),
        ("Processed", fmt_int(s["documents_ok"])),
        ("Failed", fmt_int(s["documents_failed"])),
    ], (90, 40), ("L", "R"), size=13)
    if data.outside_week:
        _para(pdf, f"Note: {data.outside_week:,} document(s) were listed for this week but "
                   "created outside it; they are counted everywhere except per day.")


def _summary_tables(pdf: _ReportPDF, data: ReportData) -> None:
    pdf.add_page()
    _heading(pdf, "Summary")
    s = data.summary
    stages = ", ".join(f"{clean(k)}: {v:,}" for k, v in s["failed_by_stage"].items()) or "-"
    _table(pdf, None, [
        ("Documents received", fmt_int(s["documents_total"])),
        ("Processed", fmt_int(s["documents_ok"])),
        ("Failed", fmt_int(s["documents_failed"])),
        ("Failed by stage", stages),
        ("Text documents (processed)", fmt_int(s["text_documents"])),
        ("Image documents (processed)", fmt_int(s["image_documents"])),
        ("Total size", fmt_bytes(s["total_bytes"])),
        ("Words (processed documents)", fmt_int(s["words_total"])),
        ("Mean OCR confidence (images, 0-100)", fmt_conf(s["mean_ocr_confidence"])),
    ], (75, 105), ("L", "R"), size=10)
    _heading(pdf, "By content type", 12)
    types = [(clean(t), fmt_int(n), fmt_int(f))
             for t, n, f in data.per_content_type.select(
                 "content_type", "documents", "failed").iter_rows()]
    _table(pdf, ("Content type", "Documents", "Failed"), types or [("-", "0", "0")],
           (110, 35, 35), ("L", "R", "R"))
    _heading(pdf, "By customer", 12)
    _table(pdf, ("Customer", "Documents", "Processed", "Failed", "Words", "Mean OCR"),
           _customer_rows(data.per_customer) or [("-", "0", "0", "0", "0", "-")],
           (60, 24, 24, 22, 26, 24), ("L", "R", "R", "R", "R", "R"))


def _customer_rows(per_customer: pl.DataFrame) -> list[tuple[str, ...]]:
    return [
        (clean(r["customer"]), fmt_int(r["documents"]), fmt_int(r["ok"]), fmt_int(r["failed"]),
         fmt_int(r["words"]), fmt_conf(r["mean_ocr_confidence"]))
        for r in per_customer.iter_rows(named=True)
    ]


def _charts(pdf: _ReportPDF, charts: list[tuple[str, bytes]]) -> None:
    pdf.add_page()
    _heading(pdf, "Charts")
    for caption, png in charts:
        width_px, height_px = struct.unpack(">II", png[16:24])  # PNG IHDR
        pdf.ensure_space(pdf.epw * height_px / width_px)
        pdf.image(io.BytesIO(png), x=MARGIN, w=pdf.epw, alt_text=caption)
        pdf.ln(4)


def _customers(pdf: _ReportPDF, data: ReportData) -> None:
    pdf.add_page()
    _heading(pdf, "Customers")
    if data.per_customer.is_empty():
        _para(pdf, "No documents this week.")
        return
    types = _grouped(data.customer_content_types, "content_type", "documents")
    terms = _grouped(data.customer_top_terms, "term", "count")
    for row in data.per_customer.iter_rows(named=True):
        pdf.ensure_space(CUSTOMER_SECTION_MIN)
        name = row["customer"]
        _customer_section(pdf, row, types.get(name, []), terms.get(name, []))


def _grouped(frame: pl.DataFrame, label: str, value: str) -> dict[str, list[tuple[str, int]]]:
    grouped: dict[str, list[tuple[str, int]]] = {}
    for customer, key, count in frame.select("customer", label, value).iter_rows():
        grouped.setdefault(customer, []).append((key, count))
    return grouped


def _customer_section(pdf: _ReportPDF, row: dict[str, Any], types: list[tuple[str, int]],
                      terms: list[tuple[str, int]]) -> None:
    _heading(pdf, row["customer"], 12)
    _para(pdf, (
        f"Documents: {fmt_int(row['documents'])}    Processed: {fmt_int(row['ok'])}    "
        f"Failed: {fmt_int(row['failed'])}    Words: {fmt_int(row['words'])}    "
        f"Mean OCR confidence: {fmt_conf(row['mean_ocr_confidence'])}"
    ))
    _para(pdf, f"Size: {fmt_bytes(row['bytes'])}")
    _para(pdf, "Content types: " + (", ".join(f"{clean(t)} ({n:,})" for t, n in types) or "-"))
    shown = showable_terms(terms)  # de-identified at aggregation; checked again where shown
    _para(pdf, "Top terms: " + (", ".join(f"{clean(t)} ({n:,})" for t, n in shown) or "-"))
    if row["failed"]:
        _para(pdf, f"{row['failed']:,} failed document(s), listed in the appendix.")
    pdf.ln(5)


def _failed_appendix(pdf: _ReportPDF, failures: pl.DataFrame) -> None:
    pdf.add_page()
    _heading(pdf, "Appendix: Failed documents")
    if failures.is_empty():
        _para(pdf, "No documents failed this week.")
        return
    _para(pdf, f"{len(failures):,} document(s) failed. Every one is listed below.", 9)
    pdf.ln(2)
    # By id, customer and content type, never object key or file name; the
    # reason is sanitized again here so no caller can bring content into a PDF.
    rows = [
        (clean(doc), clean(customer), clean(ctype), clean(stage), clean(sanitize_reason(reason)))
        for doc, customer, ctype, stage, reason in failures.select(
            "document_id", "customer", "content_type", "stage", "reason").iter_rows()
    ]
    _table(pdf, ("Document id", "Customer", "Content type", "Stage", "Reason"), rows,
           (32, 34, 30, 18, 66), ("L", "L", "L", "L", "L"), size=8)
