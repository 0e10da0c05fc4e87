"""broadcast_replies: what participants wrote back soon after a broadcast

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "broadcast_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["broadcast_id"], ["broadcasts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_broadcast_replies_broadcast_id", "broadcast_replies", ["broadcast_id"])
    op.create_index(
        "ix_broadcast_replies_participant", "broadcast_replies", ["participant_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_broadcast_replies_participant", table_name="broadcast_replies")
    op.drop_index("ix_broadcast_replies_broadcast_id", table_name="broadcast_replies")
    op.drop_table("broadcast_replies")
