"""audit log: SQLite refuses INSERT OR REPLACE of an existing row

REPLACE deletes the old row without firing delete triggers (unless recursive
triggers are on), so the update/delete triggers of 0002 did not stop it. A
BEFORE INSERT trigger refuses any insert whose id is already taken. PostgreSQL
has no REPLACE; its upsert is an UPDATE, which 0002's trigger refuses.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 19:30:00
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SQLITE_NO_REPLACE = """CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
   WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
   BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"""


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute(SQLITE_NO_REPLACE)


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
