"""report versions: immutable PDFs per report, and the version each delivery carried

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id", "pdf_sha256", name="uq_report_version"),
    )
    op.create_index(
        op.f("ix_report_versions_report_id"), "report_versions", ["report_id"], unique=False
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pdf_sha256", sa.String(length=64), nullable=True))
    # Rows already sent carried the report's PDF as recorded then.
    op.execute(
        "UPDATE deliveries SET pdf_sha256 = (SELECT pdf_sha256 FROM reports"
        " WHERE reports.id = deliveries.report_id) WHERE status = 'sent'"
    )
    op.execute(
        "INSERT INTO report_versions (report_id, pdf_sha256, pdf_key, created_at)"
        " SELECT id, pdf_sha256, pdf_key, updated_at FROM reports"
        " WHERE pdf_sha256 IS NOT NULL AND pdf_key IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("pdf_sha256")
    op.drop_index(op.f("ix_report_versions_report_id"), table_name="report_versions")
    op.drop_table("report_versions")
