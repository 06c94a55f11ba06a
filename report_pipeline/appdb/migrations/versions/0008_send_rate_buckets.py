"""send-rate buckets: one shared send rate for every sender, so parallel senders
together stay under the provider's limit

A row per provider bucket (`ses`, `smtp`), updated under a row lock by every
sender when no Redis is configured.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 22:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_rate_buckets",
        sa.Column("name", sa.String(length=100), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("send_rate_buckets")
