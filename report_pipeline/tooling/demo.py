"""The demo's sample week: realistic documents for three customers and three subscribers."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from report_pipeline.pipeline.documents import store_document
from report_pipeline.resources.connections import Services, open_services
from report_pipeline.settings import Settings
from report_pipeline.tooling.samples import sample_week
from report_pipeline.weeks import week_start_of

DEMO_SUBSCRIBERS = (
    ("dr.ada.lovelace@example.com", "Dr. Ada Lovelace"),
    ("trial.monitor@example.com", "Trial Monitor"),
    ("qa-lead@example.com", None),
)


def last_closed_week() -> date:
    return week_start_of(datetime.now(timezone.utc).date()) - timedelta(days=7)


def seed_week(services: Services, week: date) -> int:
    """Store the sample documents once; a second demo run adds nothing. Returns added."""
    added = 0
    for number, sample in enumerate(sample_week(week)):
        document_id = f"demo-{week.isoformat()}-{number:03d}"
        if services.catalog.get(document_id) is not None:
            continue
        store_document(
            services, sample.data, sample.filename, sample.content_type, sample.customer_id,
            sample.created_at, document_id=document_id, trial_id=f"TRIAL-{number % 3 + 101}",
        )
        added += 1
    return added


def seed_demo(settings: Settings, week: date | None = None) -> date:
    """Fill the week (default: the last closed one) and subscribe the demo's readers."""
    week = week or last_closed_week()
    services = open_services(settings)
    seed_week(services, week)
    for email, name in DEMO_SUBSCRIBERS:
        services.app.subscribe(email, name)
    return week
