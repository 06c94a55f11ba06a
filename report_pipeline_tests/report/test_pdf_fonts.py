"""Fonts parsed once per process, and subsets cached by glyph set, give the same bytes
as `add_font` and fpdf2's own subsetting per document."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from report_pipeline.report import fonts as fonts_module
from report_pipeline.report import pdf as pdf_module
from report_pipeline.report import render_weekly_report
from report_pipeline_tests.report.factories import WEEK, entry, text_ok

GENERATED = datetime(2024, 3, 11, 6, tzinfo=UTC)


def _week():
    entries = [entry(f"d{i}", customer=f"c{i % 3}") for i in range(12)]
    results = [text_ok(f"d{i}", terms=[["Überprüfung", 3], ["dosage", 2]]) for i in range(12)]
    return entries, results


def test_shared_fonts_render_the_same_bytes_as_add_font(monkeypatch) -> None:
    entries, results = _week()
    monkeypatch.setattr(fonts_module, "_SUBSETS", {})
    shared = render_weekly_report(WEEK, entries, results, GENERATED).pdf
    assert len(fonts_module._SUBSETS) == 2  # the regular and the bold subset, now cached
    again = render_weekly_report(WEEK, entries, results, GENERATED).pdf  # both from the cache
    assert again == shared
    fonts_module._SUBSETS.clear()  # the reference below subsets with fpdf2 alone

    def add_font_per_document(self, footer_text: str) -> None:  # the code before the cache
        pdf_module.FPDF.__init__(self, orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_margins(pdf_module.MARGIN, pdf_module.MARGIN, pdf_module.MARGIN)
        self.c_margin = 0
        self.set_auto_page_break(True, margin=pdf_module.MARGIN + 5)
        for style, name in fonts_module.FONT_FILES.items():
            self.add_font(fonts_module.FONT, style, os.path.join(fonts_module.FONT_DIR, name))

    monkeypatch.setattr(pdf_module.ReportPDF, "__init__", add_font_per_document)
    assert render_weekly_report(WEEK, entries, results, GENERATED).pdf == shared


def test_a_cached_subset_is_used_only_for_the_same_glyphs(monkeypatch) -> None:
    entries, results = _week()
    monkeypatch.setattr(fonts_module, "_SUBSETS", {})
    render_weekly_report(WEEK, entries, results, GENERATED)
    rare = [entry(f"d{i}", customer=f"Zoë {i % 3}") for i in range(12)]
    other = render_weekly_report(WEEK, rare, results, GENERATED).pdf  # one more glyph: ë
    assert len(fonts_module._SUBSETS) == 3  # the regular subset with ë is new; bold is the same
    fonts_module._SUBSETS.clear()
    assert render_weekly_report(WEEK, rare, results, GENERATED).pdf == other
