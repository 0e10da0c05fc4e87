"""broadcasts: an admin's announcement and its recipients' outbox rows

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("neutral_text", sa.Text(), nullable=True),
        sa.Column("neutral_text_en", sa.Text(), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=True),
        sa.Column("local_time", sa.Time(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("left_out", sa.JSON(), nullable=False),
        sa.Column("progress_address_id", sa.Integer(), nullable=True),
        sa.Column("progress_external_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("confirmed_at", WHEN, nullable=True),
        sa.Column("cancelled_at", WHEN, nullable=True),
        sa.Column("cancelled_by", sa.Integer(), nullable=True),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["staff.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["cancelled_by"], ["staff.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["progress_address_id"], ["addresses.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_broadcasts_organisation_id", "broadcasts", ["organisation_id"])
    op.create_index("ix_broadcasts_status", "broadcasts", ["status"])
    with op.batch_alter_table("scheduled_messages") as batch_op:
        batch_op.add_column(sa.Column("broadcast_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_scheduled_messages_broadcast_id_broadcasts", "broadcasts", ["broadcast_id"], ["id"]
        )
        batch_op.create_index("ix_scheduled_broadcast", ["broadcast_id", "status"])


def downgrade() -> None:
    with op.batch_alter_table("scheduled_messages") as batch_op:
        batch_op.drop_index("ix_scheduled_broadcast")
        batch_op.drop_constraint("fk_scheduled_messages_broadcast_id_broadcasts", type_="foreignkey")
        batch_op.drop_column("broadcast_id")
    op.drop_index("ix_broadcasts_status", table_name="broadcasts")
    op.drop_index("ix_broadcasts_organisation_id", table_name="broadcasts")
    op.drop_table("broadcasts")
