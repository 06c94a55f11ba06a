"""The week both fault tests run: notes, one scanned page, one broken image."""

from __future__ import annotations

from datetime import UTC, date, datetime

from report_pipeline.pipeline.documents import store_document
from report_pipeline.resources.connections import Services
from report_pipeline.tooling.samples import broken_png, scanned_page_png

WEEK = date(2024, 3, 4)
AT = datetime(2024, 3, 5, 9, tzinfo=UTC)


def seed_fault_week(services: Services, notes: int) -> None:
    for number in range(notes):
        store_document(
            services,
            f"Visit {number}: stable, no adverse events.".encode(),
            f"note-{number}.txt",
            "text/plain",
            "acme",
            AT,
            document_id=f"n{number}",
        )
    store_document(
        services,
        scanned_page_png("Randomized trial enrollment completed"),
        "scan.png",
        "image/png",
        "globex",
        AT,
        document_id="scan",
    )
    store_document(
        services, broken_png(), "broken.png", "image/png", "acme", AT, document_id="broken"
    )
