"""Step retry policy for transient infrastructure faults (object store, catalog, database).

Every step is idempotent (content-addressed features, upserted report row, an
outbox that never resends a sent row), so retrying a whole step is safe. A
failure a retry cannot fix raises `Failure(allow_retries=False)` instead.
"""

from dagster import Backoff, Jitter, RetryPolicy

STEP_RETRY = RetryPolicy(
    max_retries=3,
    delay=2,
    backoff=Backoff.EXPONENTIAL,
    jitter=Jitter.PLUS_MINUS,
)
