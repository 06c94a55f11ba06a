"""Step retry policy for transient infrastructure faults (object store, catalog, database).

Every step is idempotent (content-addressed features, upserted report row, an
outbox that never resends a sent row), so retrying a whole step is safe. A
failure a retry cannot fix raises `Failure(allow_retries=False)` instead.
"""

from dagster import Backoff, Jitter, RetryPolicy

from report_pipeline.settings import load_settings

STEP_RETRY = RetryPolicy(
    max_retries=3,
    # 2 s by default: 2 + 4 + 8 s rides out a restart of a store; the fault tests wait less.
    delay=load_settings().step_retry_delay_seconds,
    backoff=Backoff.EXPONENTIAL,
    jitter=Jitter.PLUS_MINUS,
)
