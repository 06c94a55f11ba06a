"""document labels: operators' document types, what the type model learns from

One row per labeled document (the newest label); the history of changes is
the audit log's.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_labels",
        sa.Column("document_id", sa.String(length=128), primary_key=True),
        sa.Column("doc_type", sa.String(length=64), nullable=False),
        sa.Column("labeled_by", sa.String(length=320), nullable=False),
        sa.Column("labeled_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("document_labels")
