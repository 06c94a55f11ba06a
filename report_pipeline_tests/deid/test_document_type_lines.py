"""No document text reaches the report's document-type page or the email's "what changed" lines.

Notes full of Faker identifiers (nine locales) are classified by the real
classifier, some as adverse-event reports; the type page, the cover's
attention lines and the email lines print only type labels, counts and ids.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

from pypdf import PdfReader

from report_pipeline.classify.rules import classify_text
from report_pipeline.delivery.message import ReportContent, build_report_email, what_changed
from report_pipeline.models import DocumentRecord, FeatureResult, ManifestEntry
from report_pipeline.report import build_report_data, render_report
from report_pipeline_tests.deid.corpus import identifier_tokens, make_notes

WEEK = date(2024, 3, 4)
AE_TEXT = "Serious adverse event. Date of onset: see above. Causality: possible. MedWatch."


def _week(notes):
    entries, results = [], []
    for number, note in enumerate(notes):
        text = note.text + (AE_TEXT if number % 3 == 0 else "")
        doc = f"doc-{number:03d}"
        record = DocumentRecord(
            doc,
            f"customers/clinic/{note.names[0]}.txt",
            "text/plain",
            datetime(2024, 3, 5, tzinfo=UTC),
            len(text),
            trial_id=f"T-{number % 2}",
        )
        entries.append(ManifestEntry(record, sha256="0" * 64))
        features = {"words": len(text.split()), "excerpt": text[:200], "top_terms": []}
        features["document_type"] = classify_text(text)
        results.append(FeatureResult(doc, "ok", kind="text", features=features))
    history = {
        WEEK - timedelta(weeks=b): {"by_trial": {"T-0": 40, "T-1": 9, "T-7": 4}} for b in (1, 2)
    }
    return build_report_data(WEEK, entries, results, history)


def _identifiers_in(text: str, tokens: set[str]) -> list[str]:
    lowered = text.lower()
    return sorted(
        t
        for t in tokens
        if not (t.isdigit() and len(t) < 5)  # short numbers print as counts
        and re.search(rf"(?<![^\W_]){re.escape(t)}(?![^\W_])", lowered)
    )


def test_the_type_page_attention_and_email_lines_carry_no_identifier():
    notes = make_notes(36)
    data = _week(notes)
    assert data.summary["read_today"] == 12  # the classifier found the adverse events
    assert [q.trial_id for q in data.gone_quiet] == ["T-7", "T-0"]
    pdf = render_report(data, datetime(2024, 3, 11, tzinfo=UTC)).pdf
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages[:2]]
    message = build_report_email(
        sender="r@example.com",
        recipient="ops@example.com",
        recipient_name=None,
        message_id="<x@example.com>",
        report=ReportContent(
            week_start=WEEK,
            summary=data.summary,
            pdf=None,
            pdf_filename="r.pdf",
            download_url="https://example.com/r",
        ),
    )
    body = "\n".join(
        part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
    )
    lines = what_changed(data.summary)

    assert "Read today" in pages[0] and "Gone quiet" in pages[0]
    assert lines[0].startswith("12 adverse-event reports; trial T-7 sent nothing this week")
    assert lines[1].startswith("By document type: ")
    tokens = identifier_tokens(notes)
    assert _identifiers_in("\n".join(pages + lines + [body]), tokens) == []
