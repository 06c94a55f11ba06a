"""The shared send rate in the app database, for deployments without Redis.

One `send_rate_buckets` row per bucket, read and written in one short
transaction under a row lock (`SELECT ... FOR UPDATE` on PostgreSQL, `BEGIN
IMMEDIATE` on SQLite), with `delivery.rate.reserve` deciding the wait. On
PostgreSQL the clock is the database's, so senders on several machines agree.
It costs one transaction per message; Redis (storage/redis_send_rate.py) is the
cheaper home when it is there.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from report_pipeline.appdb.schema import SendRateBucket
from report_pipeline.appdb.store import AppStore
from report_pipeline.delivery.rate import (
    BucketState,
    SendRateConfig,
    SendRateFactory,
    SharedBucket,
    default_burst,
    reserve,
)

if TYPE_CHECKING:
    from report_pipeline.health import Health
    from report_pipeline.settings import Settings

_ROWS = SendRateBucket.__table__


class DatabaseSendRate(SharedBucket):
    """`rate` messages per second for every sender using bucket `name` in this database."""

    def __init__(self, app: AppStore, name: str, rate: float, burst: float | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.app, self.name = app, name
        self.rate, self.burst = float(rate), float(burst or default_burst(rate))
        self.is_postgres = app.engine.dialect.name == "postgresql"
        self._row_exists = False
        super().__init__(self._reserve)

    def _reserve(self) -> float:
        with self.app.engine.connect() as connection:
            if not self._row_exists:
                self._create_row(connection)
            try:
                wait = self._reserve_in(connection)
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
        return wait

    def _create_row(self, connection: Connection) -> None:
        # A full bucket: `updated` 0 refills it to `burst` on the first reservation.
        insert = pg_insert if self.is_postgres else sqlite_insert
        connection.execute(
            insert(_ROWS)
            .values(name=self.name, tokens=self.burst, updated=0.0)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        connection.commit()
        self._row_exists = True

    def _reserve_in(self, connection: Connection) -> float:
        if self.is_postgres:
            now_column = func.extract("epoch", func.clock_timestamp())
            row = connection.execute(
                select(_ROWS.c.tokens, _ROWS.c.updated, now_column)
                .where(_ROWS.c.name == self.name)
                .with_for_update()
            ).one()
            tokens, updated, now = float(row[0]), float(row[1]), float(row[2])
        else:
            # SQLite has one writer: IMMEDIATE takes the lock before the read.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            tokens, updated = connection.execute(
                select(_ROWS.c.tokens, _ROWS.c.updated).where(_ROWS.c.name == self.name)
            ).one()
            now = time.time()
        state, wait = reserve(BucketState(tokens, updated), now, self.rate, self.burst)
        connection.execute(
            update(_ROWS)
            .where(_ROWS.c.name == self.name)
            .values(tokens=state.tokens, updated=state.updated)
        )
        return wait


def database_send_rates(config: SendRateConfig) -> SendRateFactory:
    app = config.app
    assert isinstance(app, AppStore)
    return lambda name, rate: DatabaseSendRate(app, name, rate)


def check_database_send_rate(settings: Settings) -> Health | None:
    """Nothing of its own: the bucket is a row of the app database, which the doctor checks."""
    return None
