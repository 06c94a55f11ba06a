"""Lay out the weekly report as a PDF with fpdf2.

DejaVu fonts (report/dejavu/) are embedded so customer names, reasons
and terms in any script DejaVu covers render instead of turning into '?'
(parsing and subsetting them once: report/fonts.py).

Text is wrapped here and placed with ``FPDF.text``: fpdf2's ``multi_cell`` and
``table`` re-measure every line per character and took seconds on a week with
a few hundred failures, far over the render budget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
from fpdf import FPDF

from report_pipeline.deid import sanitize_reason, showable_terms
from report_pipeline.report import types_page  # lays its page out with this module's helpers
from report_pipeline.report.aggregate import NO_TEXT_REASON, NO_TRIAL, ReportData
from report_pipeline.report.causes import CAUSES
from report_pipeline.report.fonts import (
    FONT,
    font_codepoints,
    install_fonts,
    remember_subsets,
    reserve_common_glyphs,
    use_cached_subsets,
)
from report_pipeline.report.trends import TrendPoint

MARGIN = 15.0
PT = 25.4 / 72  # mm per point
PAD = 1.2  # mm inside table cells
BREAK_AFTER = frozenset(" /-_,;")
MAX_CELL_LINES = 40  # a runaway reason must not make a row taller than a page
LANGUAGE = "en"
UP, DOWN, SAME = "\u25b2", "\u25bc", "\u25b6"  # arrows DejaVu has
GOOD, BAD, NEUTRAL = (34, 120, 60), (180, 50, 40), (90, 90, 90)
SHOW_COMMAND = "report-pipeline documents show ID"
# (style, size) -> character -> width in mm, measured once per process
_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


class ReportPDF(FPDF):
    """FPDF with a footer, the DejaVu fonts and fast wrapped text."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.c_margin = 0  # headings line up with the text placed at the margin
        self.set_auto_page_break(True, margin=MARGIN + 5)
        # Parsing the two DejaVu files costs more than laying out a small report;
        # a week renders one report per customer, so they are parsed once per process.
        install_fonts(self.fonts)

    def output(self, *args: Any, **kwargs: Any) -> Any:
        """The PDF; a font subset already made for the same glyphs is embedded from the cache.

        fontTools reads the whole ~6,000-glyph DejaVu file to subset it: most of a
        small report's cost, and a week renders one report per customer, most of
        them using the same glyphs. On a hit fpdf2 subsets the small cached
        subset again (to the same glyphs) and the cached bytes are what is
        embedded: the same bytes as without the cache (report/test_pdf_fonts.py).
        """
        made = use_cached_subsets(self.fonts)
        out = super().output(*args, **kwargs)
        remember_subsets(made)
        return out

    def reserve_glyphs(self) -> None:
        """Put the common characters in every font's subset, first and in a fixed order.

        Reports then differ in their glyph sets only when they print rarer
        characters, so most reuse a cached subset (see output); a few KB more a PDF.
        """
        reserve_common_glyphs(self.fonts)

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_font(FONT, "", 8)
        self.set_text_color(110)
        self.cell(0, 5, self.footer_text, align="L")
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    def char_width(self, char: str) -> float:
        # Shared by every document: the fonts, hence the widths, are the same.
        table = _WIDTHS.setdefault((self.font_style, self.font_size_pt), {})
        if char not in table:
            table[char] = self.get_string_width(char)
        return table[char]

    def string_width(self, text: str) -> float:
        """The text's width from the cached widths of its characters.

        fpdf2's get_string_width parses the string for bidirectional text and
        font styles on every call: the largest cost of drawing short labels.
        """
        table = _WIDTHS.get((self.font_style, self.font_size_pt), {})
        return sum(table[c] if c in table else self.char_width(c) for c in text)

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy wrap, breaking after spaces or path separators, else mid-word."""
        table = _WIDTHS.get((self.font_style, self.font_size_pt), {})
        if all(char in table for char in text) and sum(map(table.__getitem__, text)) <= width:
            return [text.rstrip()]  # most cells fit on one line: no per-character walk
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


@dataclass(frozen=True)
class Chart:
    """A chart drawn as vector shapes at the current position (report/vector_charts.py)."""

    alt_text: str  # what it shows, in words: a screen reader reads it
    height: float  # mm it takes: it is never split over two pages
    draw: Callable[[ReportPDF], None]


def render_pdf(
    data: ReportData, charts: dict[str, Chart], generated_at: datetime
) -> tuple[bytes, int]:
    """Return the PDF bytes and its page count.

    Order follows what the reader acts on: the week at a glance, how it compares,
    what to look at, what failed and why, then the breakdowns. A customer's
    report (``data.customer``) has no per-customer breakdown: no customer
    column, table or chart; its charts present are the ones drawn.
    """
    generated = to_utc(generated_at)
    week = data.week_start.isoformat()
    pdf = ReportPDF(f"Weekly document report · Week of {week}")
    pdf.reserve_glyphs()
    pdf.set_title(f"Weekly document report - week of {week}")
    pdf.set_lang(LANGUAGE)  # screen readers pick the voice from it
    pdf.set_subject("Documents received, failed and needing review, with trends")
    pdf.set_creation_date(generated)  # fixed date => same bytes for the same inputs
    _cover(pdf, data, generated)
    types_page.types_page(pdf, data)
    _trends(pdf, data.trends, charts["trends"], charts["type_trends"])
    _needs_review(pdf, data, charts["ocr"])
    _failures_section(pdf, data)
    _charts(
        pdf, [charts[name] for name in ("per_day", "content_types", "customers") if name in charts]
    )
    _summary_tables(pdf, data)  # tables last: they flow, so no page ends on a lone chart
    return bytes(pdf.output()), pdf.pages_count


def to_utc(moment: datetime) -> datetime:
    """Aware UTC datetime; naive input is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


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
    known = font_codepoints()
    return "".join(c if ord(c) in known else f"[U+{ord(c):04X}]" for c in text)


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


def _heading(pdf: ReportPDF, text: str, size: float = 14) -> None:
    pdf.ensure_space(size * PT * 1.4 + 20)  # never leave a heading alone at a page bottom
    if size >= 14:  # top-level sections become bookmarks a reader can jump to
        pdf.start_section(clean(text))
    _lines(pdf, clean(text), size, "B")
    pdf.ln(2)
    pdf.set_font(FONT, "", 10)


def _para(pdf: ReportPDF, text: str, size: float = 10) -> None:
    _lines(pdf, text, size, "")


def _lines(pdf: ReportPDF, text: str, size: float, style: str) -> None:
    # FPDF.text, unlike cell, never substitutes the "{nb}" page alias, so stored
    # text that happens to contain it is printed as is.
    pdf.set_font(FONT, style, size)
    height = size * PT * 1.35
    for line in pdf.wrap(text, pdf.epw):
        pdf.ensure_space(height)
        pdf.text(pdf.l_margin, pdf.get_y() + size * PT, line)
        pdf.set_y(pdf.get_y() + height)


def _table(
    pdf: ReportPDF,
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
        cells = [
            _cell_lines(pdf, text, width - 2 * PAD)
            for text, width in zip(row, widths, strict=False)
        ]
        if pdf.get_y() + _row_height(cells, size) > pdf.page_break_trigger:
            pdf.add_page()
            if header:
                _table_row(pdf, header, widths, align, size, header=True)
        _draw_row(pdf, cells, widths, align, size)
    pdf.ln(5)
    pdf.set_font(FONT, "", 10)


def _count_table(
    pdf: ReportPDF, frame: pl.DataFrame, header: Sequence[str], widths: Sequence[float]
) -> None:
    """A label column, then counts; a row of zeros when the frame is empty."""
    rows = [(clean(label), *map(fmt_int, counts)) for label, *counts in frame.iter_rows()]
    counts = len(header) - 1
    empty = ("-",) + ("0",) * counts
    _table(pdf, header, rows or [empty], widths, ("L",) + ("R",) * counts)


def _table_row(
    pdf: ReportPDF,
    row: Sequence[str],
    widths: Sequence[float],
    align: Sequence[str],
    size: float,
    header: bool = False,
) -> None:
    pdf.set_font(FONT, "B" if header else "", size)
    cells = [
        _cell_lines(pdf, text, width - 2 * PAD) for text, width in zip(row, widths, strict=False)
    ]
    if header:
        pdf.set_fill_color(232)
        pdf.rect(pdf.l_margin, pdf.get_y(), sum(widths), _row_height(cells, size), style="F")
    _draw_row(pdf, cells, widths, align, size)
    pdf.set_font(FONT, "", size)


def _cell_lines(pdf: ReportPDF, text: str, width: float) -> list[str]:
    lines = pdf.wrap(text, width)
    if len(lines) > MAX_CELL_LINES:
        lines = lines[: MAX_CELL_LINES - 1] + [f"… (truncated, {len(text):,} characters)"]
    return lines


def _row_height(cells: list[list[str]], size: float) -> float:
    return max(len(lines) for lines in cells) * size * PT * 1.3 + 2 * PAD


def _draw_row(
    pdf: ReportPDF,
    cells: list[list[str]],
    widths: Sequence[float],
    align: Sequence[str],
    size: float,
) -> None:
    top, x = pdf.get_y(), pdf.l_margin
    line_height = size * PT * 1.3
    for lines, width, side in zip(cells, widths, align, strict=False):
        for k, line in enumerate(lines):
            offset = width - PAD - pdf.string_width(line) if side == "R" else PAD
            pdf.text(x + offset, top + PAD + size * PT + k * line_height, line)
        x += width
    bottom = top + _row_height(cells, size)
    pdf.line(pdf.l_margin, bottom, pdf.l_margin + sum(widths), bottom)
    pdf.set_y(bottom)


def _cover(pdf: ReportPDF, data: ReportData, generated: datetime) -> None:
    pdf.add_page()
    pdf.ln(22)
    _lines(pdf, "Weekly document report", 26, "B")
    pdf.ln(2)
    _lines(pdf, f"Week of {data.week_start.isoformat()}", 16, "")
    if data.customer is not None:
        pdf.ln(1)
        _lines(pdf, f"Customer: {clean(data.customer)}", 13, "")
    pdf.ln(2)
    span = f"Monday {data.week_start.isoformat()} to Sunday {data.week_end.isoformat()} (UTC)"
    _lines(pdf, span, 11, "")
    _lines(pdf, f"Generated {generated.strftime('%Y-%m-%d %H:%M:%S')} UTC", 11, "")
    pdf.ln(12)
    _key_numbers(pdf, data)
    pdf.ln(6)
    _attention(pdf, data)
    if data.outside_week:
        _para(
            pdf,
            f"Note: {data.outside_week:,} document(s) were listed for this week but "
            "created outside it; they are counted everywhere except per day.",
        )


def _key_numbers(pdf: ReportPDF, data: ReportData) -> None:
    """This week's three numbers, each with its change against the previous week."""
    previous = data.trends[-2] if len(data.trends) > 1 else None
    s = data.summary
    _lines(pdf, "This week at a glance", 13, "B")
    pdf.ln(2)
    rows = (
        ("Documents received", s["documents_total"], previous and previous.documents, False),
        ("Failed", s["documents_failed"], previous and previous.failed, True),
        ("Need review", s["needs_review"], previous and previous.needs_review, True),
    )
    for label, now, before, up_is_bad in rows:
        top = pdf.get_y()
        pdf.set_font(FONT, "", 12)
        pdf.text(pdf.l_margin, top + 9, label)
        pdf.set_font(FONT, "B", 22)
        value = fmt_int(now)
        pdf.text(pdf.l_margin + 80 - pdf.string_width(value), top + 10, value)
        arrow, words, color = change_words(now, before, up_is_bad)
        pdf.set_text_color(*color)
        pdf.set_font(FONT, "B", 14)
        pdf.text(pdf.l_margin + 88, top + 9.5, arrow)
        pdf.set_font(FONT, "", 11)
        pdf.text(pdf.l_margin + 96, top + 9, words)
        pdf.set_text_color(0)
        pdf.set_draw_color(220)
        pdf.line(pdf.l_margin, top + 14, pdf.l_margin + pdf.epw, top + 14)
        pdf.set_y(top + 15)
    if previous is not None and previous.documents is not None:
        _para(pdf, f"Compared with the week of {previous.week.isoformat()}.", 9)
    elif previous is not None:  # the column above says why there is nothing to compare
        _para(pdf, f"No report was published for the week of {previous.week.isoformat()}.", 9)


def change_words(
    now: int | None, before: int | None, up_is_bad: bool
) -> tuple[str, str, tuple[int, int, int]]:
    """(arrow, words, colour) for a change a reader takes in at a glance."""
    if now is None or before is None:
        return "", "no earlier week to compare with", NEUTRAL
    diff = now - before
    if diff == 0:
        return SAME, f"same as last week ({before:,})", NEUTRAL
    pct = f", {abs(diff) / before:.0%}" if before else ""
    direction = "up" if diff > 0 else "down"
    worse = (diff > 0) == up_is_bad
    color = NEUTRAL if not up_is_bad else (BAD if worse else GOOD)
    return (
        UP if diff > 0 else DOWN,
        f"{direction} {abs(diff):,} from {before:,} last week{pct}",
        color,
    )


def _attention(pdf: ReportPDF, data: ReportData) -> None:
    """What a person has to do this week, one line each."""
    s = data.summary
    _lines(pdf, "What needs attention", 13, "B")
    pdf.ln(1)
    items = types_page.attention_items(data)  # adverse-event reports first
    if s["needs_review"]:
        items.append(
            f"{s['needs_review']:,} document(s) should be checked by a person: "
            'see "Needs review" for the list and the reason of each.'
        )
    for cause, count in data.failure_causes.select("cause", "documents").rows()[:3]:
        info = CAUSES[cause]
        items.append(f"{count:,} failed: {info.title.lower()}. {info.action}")
    if not items:
        items.append("Nothing: every document was processed and none needs review.")
    for item in items:
        _para(pdf, "\u2022 " + item, 11)
        pdf.ln(1)


def _section(pdf: ReportPDF, needs: float = 60.0) -> None:
    """Start a section below the last one, or on a new page when little room is left.

    Sections flow rather than each taking a page: on a quiet week a page per
    section would be mostly white paper.
    """
    if pdf.get_y() + needs > pdf.page_break_trigger:
        pdf.add_page()
    else:
        pdf.ln(8)


def _trends(pdf: ReportPDF, points: list[TrendPoint], chart: Chart, type_chart: Chart) -> None:
    pdf.add_page()
    _heading(pdf, "Trends: the last 12 weeks")
    _para(
        pdf,
        "From the reports published for earlier weeks. A week without a published "
        "report is a gap in the lines and a dash in the table, not a zero.",
        9,
    )
    pdf.ln(2)
    _chart(pdf, chart)
    _chart(pdf, type_chart)
    rows = [
        (
            f"{p.week.isoformat()} to {p.week_end.isoformat()}",
            fmt_int(p.documents),
            fmt_int(p.failed),
            "-" if p.failed_share is None else f"{100 * p.failed_share:.1f}%",
            fmt_int(p.needs_review),
            fmt_conf(p.mean_ocr_confidence),
        )
        for p in reversed(points)  # this week first: the row a reader looks for
    ]
    _table(
        pdf,
        (
            "Week (Monday to Sunday)",
            "Documents",
            "Failed",
            "Failed share",
            "Need review",
            "Mean OCR",
        ),
        rows,
        (52, 24, 22, 26, 28, 28),
        ("L", "R", "R", "R", "R", "R"),
        size=8.5,
    )


def _needs_review(pdf: ReportPDF, data: ReportData, chart: Chart) -> None:
    _section(pdf, 110)  # the text and the chart together
    _heading(pdf, "Needs review")
    review = data.needs_review
    _para(
        pdf,
        (
            f"Images whose text recognition (OCR) confidence is below {data.review_confidence:g} "
            "out of 100 may have been misread; images where no text was found at all may be "
            "photos or unreadable scans. A person should look at each one. Find a document "
            f"with: {SHOW_COMMAND}"
        ),
    )
    pdf.ln(2)
    _chart(pdf, chart)
    no_text = int((review.get_column("reason") == NO_TEXT_REASON).sum())
    if no_text:
        _para(
            pdf,
            f"{no_text:,} image(s) with no text found are not in the chart above "
            "(they have no confidence) but are listed below.",
            9,
        )
        pdf.ln(2)
    if review.is_empty():
        _para(pdf, "No document needs review this week.")
        return
    _para(pdf, f"{len(review):,} document(s) to review:", 10)
    pdf.ln(1)
    if data.customer is None:
        columns = ("document_id", "customer", "trial_id", "reason")
        header, widths = ("Document id", "Customer", "Trial", "Reason"), (50, 36, 24, 70)
    else:  # every row is the customer's own: no customer column
        columns = ("document_id", "trial_id", "reason")
        header, widths = ("Document id", "Trial", "Reason"), (60, 36, 84)
    rows = [tuple(clean(v) for v in row) for row in review.select(columns).iter_rows()]
    _table(pdf, header, rows, widths, ("L",) * len(header), size=8)


def _failures_section(pdf: ReportPDF, data: ReportData) -> None:
    _section(pdf)
    _heading(pdf, "Failed documents")
    failures = data.failures
    if failures.is_empty():
        _para(pdf, "No documents failed this week.")
        return
    _para(
        pdf,
        f"{len(failures):,} document(s) could not be processed. Causes, most "
        "frequent first, with what to do next:",
    )
    pdf.ln(2)
    for cause, count in data.failure_causes.select("cause", "documents").rows():
        info = CAUSES[cause]
        pdf.ensure_space(22)
        _lines(pdf, f"{info.title}: {count:,} document(s)", 11, "B")
        _para(pdf, info.explanation, 9.5)
        _lines(pdf, f"Next: {info.action}", 9.5, "B")
        pdf.ln(3)
    _heading(pdf, "Failed documents by id", 12)
    _para(pdf, f"Look at any of them with: {SHOW_COMMAND}", 9)
    pdf.ln(1)
    # By id, never object key or file name; the reason is sanitized again here
    # so no caller can bring document content into a PDF.
    rows = [
        (
            clean(doc),
            clean(customer),
            CAUSES[cause].title,
            clean(stage),
            clean(sanitize_reason(reason)),
        )
        for doc, customer, cause, stage, reason in failures.select(
            "document_id", "customer", "cause", "stage", "reason"
        ).iter_rows()
    ]
    header, widths = ("Document id", "Customer", "Cause", "Stage", "Detail"), (38, 32, 36, 16, 58)
    if data.customer is not None:  # every row is the customer's own: no customer column
        rows = [row[:1] + row[2:] for row in rows]
        header, widths = header[:1] + header[2:], (44, 42, 18, 76)
    _table(pdf, header, rows, widths, ("L",) * len(header), size=8)


def _chart(pdf: ReportPDF, chart: Chart) -> None:
    pdf.ensure_space(chart.height + 3)
    # A tagged /Figure with the alt text, as fpdf2 tags an image; its labels stay
    # real text inside it. No page may start within: the space is made above.
    with pdf._marked_sequence(alt_text=chart.alt_text):
        chart.draw(pdf)


def _summary_tables(pdf: ReportPDF, data: ReportData) -> None:
    _section(pdf, 85)  # the key-value table is read as one block: never split it
    _heading(pdf, "Summary")
    s = data.summary
    stages = ", ".join(f"{clean(k)}: {v:,}" for k, v in s["failed_by_stage"].items()) or "-"
    _table(
        pdf,
        None,
        [
            ("Documents received", fmt_int(s["documents_total"])),
            ("Processed", fmt_int(s["documents_ok"])),
            ("Failed", fmt_int(s["documents_failed"])),
            ("Failed by stage", stages),
            ("Text documents (processed)", fmt_int(s["text_documents"])),
            ("Image documents (processed)", fmt_int(s["image_documents"])),
            ("Images with no text found", fmt_int(s["images_no_text"])),
            ("Total size", fmt_bytes(s["total_bytes"])),
            ("Words (processed documents)", fmt_int(s["words_total"])),
            ("Mean OCR confidence (images, 0-100)", fmt_conf(s["mean_ocr_confidence"])),
            ("Need review", fmt_int(s["needs_review"])),
        ],
        (75, 105),
        ("L", "R"),
        size=10,
    )
    _heading(pdf, "By trial", 12)
    _count_table(
        pdf,
        data.per_trial.select("trial_id", "documents", "failed", "needs_review"),
        ("Trial", "Documents", "Failed", "Need review"),
        (90, 30, 30, 30),
    )
    if data.per_trial.get_column("trial_id").to_list() == [NO_TRIAL]:
        _para(pdf, "No document this week carries a trial id.", 9)
        pdf.ln(4)
    _heading(pdf, "By content type", 12)
    types = data.per_content_type.select("content_type", "documents", "failed")
    _count_table(pdf, types, ("Content type", "Documents", "Failed"), (110, 35, 35))
    if data.customer is not None:
        _own_terms(pdf, data)
        return
    _heading(pdf, "By customer", 12)
    _table(
        pdf,
        ("Customer", "Documents", "Processed", "Failed", "Words", "Mean OCR"),
        _customer_rows(data.per_customer) or [("-", "0", "0", "0", "0", "-")],
        (60, 24, 24, 22, 26, 24),
        ("L", "R", "R", "R", "R", "R"),
    )
    _customers(pdf, data)


def _customer_rows(per_customer: pl.DataFrame) -> list[tuple[str, ...]]:
    return [
        (
            clean(r["customer"]),
            fmt_int(r["documents"]),
            fmt_int(r["ok"]),
            fmt_int(r["failed"]),
            fmt_int(r["words"]),
            fmt_conf(r["mean_ocr_confidence"]),
        )
        for r in per_customer.iter_rows(named=True)
    ]


def _charts(pdf: ReportPDF, charts: list[Chart]) -> None:
    _section(pdf, 90)
    _heading(pdf, "Charts")
    for chart in charts:
        _chart(pdf, chart)
        pdf.ln(1)


def _customers(pdf: ReportPDF, data: ReportData) -> None:
    """Per customer, what the summary table lacks: size and content types.

    A table rather than a block per customer: blocks left pages mostly white.
    No raw terms here: a line of each customer's terms read as noise
    to operators; a customer's own report still lists its de-identified terms.
    """
    _heading(pdf, "Customers: size and content types", 12)
    types = _grouped(data.customer_content_types, "content_type", "documents")
    rows = [
        (
            clean(row["customer"]),
            fmt_bytes(row["bytes"]),
            ", ".join(f"{clean(t)} ({n:,})" for t, n in types.get(row["customer"], [])) or "-",
        )
        for row in data.per_customer.iter_rows(named=True)
    ]
    _table(
        pdf,
        ("Customer", "Size", "Content types (documents)"),
        rows or [("-", "-", "-")],
        (45, 55, 80),
        ("L", "L", "L"),
        size=8.5,
    )
    pdf.ln(2)


def _own_terms(pdf: ReportPDF, data: ReportData) -> None:
    """A customer's report: its frequent terms, de-identified (size and types are above)."""
    _heading(pdf, "Frequent terms", 12)
    pairs = data.customer_top_terms.select("term", "count").rows()
    shown = showable_terms(pairs)
    _para(pdf, ", ".join(f"{clean(t)} ({n:,})" for t, n in shown) or "-", 9)


def _grouped(frame: pl.DataFrame, label: str, value: str) -> dict[str, list[tuple[str, int]]]:
    grouped: dict[str, list[tuple[str, int]]] = {}
    for customer, key, count in frame.select("customer", label, value).iter_rows():
        grouped.setdefault(customer, []).append((key, count))
    return grouped
