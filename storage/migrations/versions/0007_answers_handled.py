"""a "Tidak bisa" answer or a reschedule request handled by staff: when, and by whom

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("enrolments", "occurrences")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("handled_at", storage.types.UTCDateTime(timezone=True), nullable=True)
            )
            batch_op.add_column(sa.Column("handled_by", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                f"fk_{table}_handled_by_staff", "staff", ["handled_by"], ["id"]
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_handled_by_staff", type_="foreignkey")
            batch_op.drop_column("handled_by")
            batch_op.drop_column("handled_at")
