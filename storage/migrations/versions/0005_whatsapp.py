"""WhatsApp: addresses.alias, stored webhook deliveries, delivered/read on messages, wider
message ids, a reply's buttons kept until it is sent, scheduled_messages.template_only

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("failed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_webhook_deliveries_status_id", "webhook_deliveries", ["status", "id"]
    )
    with op.batch_alter_table("addresses") as batch_op:
        batch_op.add_column(sa.Column("alias", sa.String(length=140), nullable=True))
        batch_op.alter_column(  # a BSUID: a country code, a period and up to 128 characters
            "value", existing_type=sa.String(length=64), type_=sa.String(length=140)
        )
        batch_op.create_unique_constraint("uq_addresses_channel_alias", ["channel", "alias"])
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(
            sa.Column("delivered_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("read_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("pending_reply", sa.JSON(), nullable=True))
        batch_op.alter_column(
            "external_id", existing_type=sa.String(length=64), type_=sa.String(length=128)
        )
        batch_op.alter_column(
            "dedupe_key", existing_type=sa.String(length=96), type_=sa.String(length=160)
        )
        batch_op.create_index("ix_messages_channel_external", ["channel", "external_id"])
    with op.batch_alter_table("scheduled_messages") as batch_op:
        batch_op.add_column(
            sa.Column(
                "template_only", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_messages") as batch_op:
        batch_op.drop_column("template_only")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_index("ix_messages_channel_external")
        batch_op.alter_column(
            "dedupe_key", existing_type=sa.String(length=160), type_=sa.String(length=96)
        )
        batch_op.alter_column(
            "external_id", existing_type=sa.String(length=128), type_=sa.String(length=64)
        )
        batch_op.drop_column("pending_reply")
        batch_op.drop_column("read_at")
        batch_op.drop_column("delivered_at")
    with op.batch_alter_table("addresses") as batch_op:
        batch_op.drop_constraint("uq_addresses_channel_alias", type_="unique")
        batch_op.alter_column(
            "value", existing_type=sa.String(length=140), type_=sa.String(length=64)
        )
        batch_op.drop_column("alias")
    op.drop_index("ix_webhook_deliveries_status_id", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
