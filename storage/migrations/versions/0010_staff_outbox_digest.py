"""staff members as outbox recipients (and staff notices); the morning digest's settings on the
staff row, and what each digest reported

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_RECIPIENT = "(participant_id IS NULL) <> (staff_id IS NULL)"


def upgrade() -> None:
    with op.batch_alter_table("scheduled_messages") as batch_op:
        batch_op.alter_column("participant_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("data", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("about_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_scheduled_messages_staff_id", "staff", ["staff_id"], ["id"])
        batch_op.create_foreign_key(
            "fk_scheduled_messages_about_id", "participants", ["about_id"], ["id"]
        )
        batch_op.create_index("ix_scheduled_messages_staff_id", ["staff_id"], unique=False)
        batch_op.create_index("ix_scheduled_messages_about_id", ["about_id"], unique=False)
        batch_op.create_check_constraint("ck_scheduled_one_recipient", ONE_RECIPIENT)
    with op.batch_alter_table("staff") as batch_op:
        batch_op.add_column(
            sa.Column("digest_hour", sa.Integer(), server_default="7", nullable=False)
        )
        batch_op.add_column(
            sa.Column("digest_on", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("digest_quiet_line", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.create_table(
        "digest_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("section", sa.String(length=24), nullable=False),
        sa.Column("scheduled_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["scheduled_id"], ["scheduled_messages.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("staff_id", "key", name="uq_digest_items"),
    )


def downgrade() -> None:
    op.drop_table("digest_items")
    with op.batch_alter_table("staff") as batch_op:
        batch_op.drop_column("digest_quiet_line")
        batch_op.drop_column("digest_on")
        batch_op.drop_column("digest_hour")
    op.execute("DELETE FROM scheduled_messages WHERE participant_id IS NULL")
    with op.batch_alter_table("scheduled_messages") as batch_op:
        batch_op.drop_constraint("ck_scheduled_one_recipient", type_="check")
        batch_op.drop_index("ix_scheduled_messages_about_id")
        batch_op.drop_index("ix_scheduled_messages_staff_id")
        batch_op.drop_constraint("fk_scheduled_messages_about_id", type_="foreignkey")
        batch_op.drop_constraint("fk_scheduled_messages_staff_id", type_="foreignkey")
        batch_op.drop_column("about_id")
        batch_op.drop_column("data")
        batch_op.drop_column("staff_id")
        batch_op.alter_column("participant_id", existing_type=sa.Integer(), nullable=False)
