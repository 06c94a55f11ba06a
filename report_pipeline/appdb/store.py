"""AppStore: every read and write of the app database goes through here."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from report_pipeline.appdb.schema import Delivery, Report, Subscriber
from report_pipeline.appdb.scopes import ALL
from report_pipeline.private_files import private_file
from report_pipeline.storage.first_use import first_use_lock, sqlite_directory

MIGRATIONS = Path(__file__).with_name("migrations")
DELIVERY_SENT = "sent"
MIGRATION_LOCK = 0x5265706F7274  # the advisory lock key of the app schema's migration


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ReportResult:
    """What the pipeline knows about a week's report once it is rendered."""

    week: date
    state: str
    report_uri: str | None = None
    pdf_key: str | None = None
    pdf_sha256: str | None = None
    documents_total: int | None = None
    documents_failed: int | None = None
    dagster_run_id: str | None = None
    scope: str = ALL  # a customer id, or `all`


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if "///" in url and path and path != ":memory:":
            private_file(Path(path))  # subscribers' addresses: owner-only (0600)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            # WAL lets the API read while a run writes; FKs are off by default in SQLite.
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

        return engine
    return create_engine(url, pool_pre_ping=True)


class SchemaOutdated(RuntimeError):
    """The app database needs `report-pipeline db upgrade`."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def schema_head() -> str | None:
    """The newest migration this code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def database_revision(engine: Engine) -> str | None:
    """The database's migration (None: never migrated); raises when it does not answer."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        return MigrationContext.configure(connection).get_current_revision()


def open_app_store(url: str, *, auto_upgrade: bool) -> AppStore:
    """The store at `url`, migrated (auto_upgrade) or checked to be current (SchemaOutdated)."""
    store = AppStore(url)
    if auto_upgrade:
        store.upgrade()
    else:
        store.require_current_schema()
    return store


class AppStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (idempotent)."""
        config = alembic_config()
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        directory = sqlite_directory(self.url)
        with first_use_lock(directory) if directory else nullcontext():
            with self.engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    # Two first starts at once migrate one after the other, not interleaved.
                    lock = text("SELECT pg_advisory_xact_lock(:key)")
                    connection.execute(lock, {"key": MIGRATION_LOCK})
                config.attributes["connection"] = connection
                command.upgrade(config, "head")

    def require_current_schema(self) -> None:
        """Raise SchemaOutdated unless the database is at this code's newest migration."""
        revision, head = database_revision(self.engine), schema_head()
        if revision != head:
            raise SchemaOutdated(
                f"the app database schema is at {revision or 'nothing'}, this code expects"
                f" {head}: run `report-pipeline db upgrade` with the same"
                " REPORT_PIPELINE_DATABASE_URL"
            )

    def session(self) -> Session:
        return self._sessions()

    # --- subscribers -------------------------------------------------------

    def subscribe(self, email: str, name: str | None = None, customer: str = ALL) -> Subscriber:
        """Idempotent per (address, scope): an active one is returned as is, a removed one
        reactivated. `customer` must be validated (report_pipeline.appdb.scopes)."""
        with self.session() as session, session.begin():
            row = session.scalar(
                select(Subscriber).where(Subscriber.email == email, Subscriber.customer == customer)
            )
            if row is None:
                row = Subscriber(
                    email=email, name=name, active=True, subscribed_at=utcnow(), customer=customer
                )
                session.add(row)
            elif not row.active:
                row.active, row.subscribed_at, row.unsubscribed_at = True, utcnow(), None
                row.name = name or row.name
            return row

    def unsubscribe(self, email: str, customer: str | None = None) -> bool:
        """Soft removal from one scope, or (None) from every scope of the address;
        returns False when nothing was subscribed."""
        query = update(Subscriber).where(Subscriber.email == email, Subscriber.active.is_(True))
        if customer is not None:
            query = query.where(Subscriber.customer == customer)
        with self.session() as session, session.begin():
            result = session.execute(query.values(active=False, unsubscribed_at=utcnow()))
            return result.rowcount >= 1

    def subscribers(
        self, active_only: bool = True, customer: str | None = None
    ) -> list[Subscriber]:
        query = select(Subscriber).order_by(Subscriber.id)
        if active_only:
            query = query.where(Subscriber.active.is_(True))
        if customer is not None:
            query = query.where(Subscriber.customer == customer)
        with self.session() as session:
            return list(session.scalars(query))

    # --- reports -----------------------------------------------------------

    def latest_report(self, week: date, scope: str = ALL) -> Report | None:
        with self.session() as session:
            return session.scalar(
                select(Report)
                .where(Report.week == week, Report.scope == scope)
                .order_by(Report.id.desc())
                .limit(1)
            )

    def week_reports(self, week: date) -> list[Report]:
        """The latest report of each scope of the week: `all` first, then customers by id."""
        with self.session() as session:
            rows = list(
                session.scalars(
                    select(Report).where(Report.week == week).order_by(Report.id.desc())
                )
            )
        latest: dict[str, Report] = {}
        for row in rows:
            latest.setdefault(row.scope, row)
        return sorted(latest.values(), key=lambda r: (r.scope != ALL, r.scope))

    def record_report(self, result: ReportResult) -> Report:
        """Update the week's latest report row, or create the first one."""
        with self.session() as session, session.begin():
            row = session.scalar(
                select(Report)
                .where(Report.week == result.week, Report.scope == result.scope)
                .order_by(Report.id.desc())
                .limit(1)
                .with_for_update()
            )
            if row is None:
                row = Report(week=result.week, scope=result.scope, created_at=utcnow())
                session.add(row)
            for name, value in vars(result).items():
                if name not in ("week", "scope") and value is not None:
                    setattr(row, name, value)
            row.state, row.updated_at = result.state, utcnow()
            return row

    # --- deliveries --------------------------------------------------------

    def deliveries(self, report_id: int) -> list[Delivery]:
        with self.session() as session:
            return list(
                session.scalars(
                    select(Delivery).where(Delivery.report_id == report_id).order_by(Delivery.id)
                )
            )
