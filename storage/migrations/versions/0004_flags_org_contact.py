"""flags (participant messages waiting for staff) and organisations.contact

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_flags_participant_status", "flags", ["participant_id", "status"])
    op.create_index(op.f("ix_flags_message_id"), "flags", ["message_id"])
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.add_column(sa.Column("contact", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.drop_column("contact")
    op.drop_index(op.f("ix_flags_message_id"), table_name="flags")
    op.drop_index("ix_flags_participant_status", table_name="flags")
    op.drop_table("flags")
