"""report scopes: a subscription's customer, a report row's scope, so one customer's
recipients get only that customer's report

A subscription is one (address, scope) pair, scope being a customer id or
`all`; a report row belongs to one (week, scope). Existing rows become `all`,
which is what they were.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# SQLite's copy-and-move needs a name for the unnamed UNIQUE(email) of 0001.
_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _email_unique_name() -> str:
    return (
        "subscribers_email_key"
        if op.get_bind().dialect.name == "postgresql"
        else "uq_subscribers_email"
    )


def upgrade() -> None:
    with op.batch_alter_table("subscribers", naming_convention=_NAMES) as batch_op:
        batch_op.add_column(
            sa.Column("customer", sa.String(length=64), nullable=False, server_default="all")
        )
        batch_op.drop_constraint(_email_unique_name(), type_="unique")
        batch_op.create_unique_constraint("uq_subscribers_email_customer", ["email", "customer"])
        batch_op.create_index("ix_subscribers_email", ["email"])
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=64), nullable=False, server_default="all")
        )
        batch_op.create_index("ix_reports_week_scope", ["week", "scope"])


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_week_scope")
        batch_op.drop_column("scope")
    op.execute("DELETE FROM subscribers WHERE customer <> 'all'")
    with op.batch_alter_table("subscribers", naming_convention=_NAMES) as batch_op:
        batch_op.drop_index("ix_subscribers_email")
        batch_op.drop_constraint("uq_subscribers_email_customer", type_="unique")
        batch_op.drop_column("customer")
        batch_op.create_unique_constraint(_email_unique_name(), ["email"])
