"""Report versions: every PDF a report was rendered to, and how many deliveries carried each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from report_pipeline.appdb.schema import Delivery, Report, ReportVersion
from report_pipeline.appdb.store import AppStore, utcnow


@dataclass(frozen=True)
class VersionInfo:
    pdf_sha256: str
    pdf_key: str
    created_at: datetime
    latest: bool  # the one the report row (UI, API, next email run) points at
    deliveries_sent: int  # messages that carried this version


def record_version(app: AppStore, report_id: int, pdf_sha256: str, pdf_key: str) -> None:
    """Remember a rendering; rendering the same bytes again adds nothing."""
    insert = pg_insert if app.engine.dialect.name == "postgresql" else sqlite_insert
    with app.session() as session, session.begin():
        session.execute(
            insert(ReportVersion)
            .values(
                report_id=report_id,
                pdf_sha256=pdf_sha256,
                pdf_key=pdf_key,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["report_id", "pdf_sha256"])
        )


def list_versions(app: AppStore, report_id: int) -> list[VersionInfo]:
    """Oldest first."""
    with app.session() as session:
        current = session.scalar(select(Report.pdf_sha256).where(Report.id == report_id))
        carried = dict(
            session.execute(
                select(Delivery.pdf_sha256, func.count())
                .where(Delivery.report_id == report_id, Delivery.pdf_sha256.is_not(None))
                .group_by(Delivery.pdf_sha256)
            ).all()
        )
        rows = session.scalars(
            select(ReportVersion)
            .where(ReportVersion.report_id == report_id)
            .order_by(ReportVersion.id)
        ).all()
        return [
            VersionInfo(
                row.pdf_sha256,
                row.pdf_key,
                row.created_at,
                row.pdf_sha256 == current,
                carried.get(row.pdf_sha256, 0),
            )
            for row in rows
        ]
