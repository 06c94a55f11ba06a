"""The demo's sample week: realistic documents for three customers and three subscribers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from report_pipeline.extraction.engines import engine_choice, use_engine
from report_pipeline.pipeline.documents import store_document
from report_pipeline.pipeline.features import extract_entries, write_week_features
from report_pipeline.pipeline.manifest import iter_manifest_entries, write_manifest
from report_pipeline.pipeline.scopes import publish_scopes
from report_pipeline.resources.connections import Services, open_services
from report_pipeline.settings import Settings
from report_pipeline.tooling.samples import sample_week
from report_pipeline.weeks import last_closed_week

DEMO_SUBSCRIBERS = (
    ("dr.ada.lovelace@example.com", "Dr. Ada Lovelace"),
    ("trial.monitor@example.com", "Trial Monitor"),
    ("qa-lead@example.com", None),
)


HISTORY_WEEKS = 2  # earlier weeks published so the report's trend section has a line
# Every n-th sample left out of each earlier week, so the weeks differ (None: all kept).
HISTORY_SKIP = (4, 6)


def seed_week(services: Services, week: date, skip_every: int | None = None) -> int:
    """Store the sample documents once; a second demo run adds nothing. Returns added."""
    added = 0
    for number, sample in enumerate(sample_week(week)):
        if skip_every and number % skip_every == skip_every - 1:
            continue
        document_id = f"demo-{week.isoformat()}-{number:03d}"
        if services.catalog.get(document_id) is not None:
            continue
        store_document(
            services,
            sample.data,
            sample.filename,
            sample.content_type,
            sample.customer_id,
            sample.created_at,
            document_id=document_id,
            trial_id=f"TRIAL-{number % 3 + 101}",
        )
        added += 1
    return added


def publish_history(settings: Settings, week: date) -> list[date]:
    """Seed and publish the weeks before ``week`` (every scope) in this process: no run, no emails.

    Their samples are the same bytes as the demo week's, so extraction is all
    cache hits once one week is done; only their published summaries matter
    (the trend section reads them).
    """
    use_engine(engine_choice(settings))
    services = open_services(settings)
    published = []
    for back, skip in zip(range(HISTORY_WEEKS, 0, -1), HISTORY_SKIP, strict=False):
        earlier = week - timedelta(weeks=back)
        if earlier < settings.first_week:
            continue
        seed_week(services, earlier, skip)
        entries = list(
            iter_manifest_entries(
                services.catalog, services.store, earlier, page_limit=settings.max_pages
            )
        )
        write_manifest(services.store, earlier, entries)
        results = extract_entries(
            entries,
            services.store,
            page_limit=settings.max_pages,
            taxonomy_path=settings.document_types,
        )
        write_week_features(services.store, earlier, results)
        # Every scope, as the weekly run does: each customer's report has its own trends.
        publish_scopes(
            services.store,
            earlier,
            entries,
            results,
            datetime.combine(earlier + timedelta(days=7), time(6), UTC),
            threshold=settings.max_failed_share,
            review_confidence=settings.review_confidence,
        )
        published.append(earlier)
    return published


def seed_demo(settings: Settings, week: date | None = None) -> date:
    """Fill the week (default: the last closed one) and subscribe the demo's readers."""
    week = week or last_closed_week()
    services = open_services(settings)
    seed_week(services, week)
    for email, name in DEMO_SUBSCRIBERS:
        services.app.subscribe(email, name)
    return week
