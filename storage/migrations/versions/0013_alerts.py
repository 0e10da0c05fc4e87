"""alerts: who resolved a flag and how, who took it on, and each organisation's alert rules

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("low_mood", sa.Boolean(), nullable=False),
        sa.Column("no_home", sa.Boolean(), nullable=False),
        sa.Column("wants_contact", sa.Boolean(), nullable=False),
        sa.Column("escalate_hours", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("organisation_id"),
    )
    with op.batch_alter_table("flags") as batch_op:
        batch_op.add_column(sa.Column("resolved_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_at", WHEN, nullable=True))
        batch_op.add_column(sa.Column("acknowledged_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_flags_resolved_by_id_staff", "staff", ["resolved_by_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            "fk_flags_acknowledged_by_id_staff",
            "staff",
            ["acknowledged_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("flags") as batch_op:
        batch_op.drop_constraint("fk_flags_acknowledged_by_id_staff", type_="foreignkey")
        batch_op.drop_constraint("fk_flags_resolved_by_id_staff", type_="foreignkey")
        batch_op.drop_column("acknowledged_by_id")
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("outcome")
        batch_op.drop_column("resolved_by_id")
    op.drop_table("alert_rules")
