"""check-ins: their answers, the needs asked for, schedules per organisation or program, and the
check-in a flag came from

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("mood", sa.Integer(), nullable=True),
        sa.Column("activity", sa.String(length=16), nullable=True),
        sa.Column("housing", sa.String(length=12), nullable=True),
        sa.Column("help_answered", sa.Boolean(), nullable=False),
        sa.Column("wants_contact", sa.Boolean(), nullable=True),
        sa.Column("note_answered", sa.Boolean(), nullable=False),
        sa.Column("free_text", sa.Text(), nullable=True),
        sa.Column("media_kind", sa.String(length=16), nullable=True),
        sa.Column("media_ref", sa.String(length=256), nullable=True),
        sa.Column("media_stored", sa.Boolean(), nullable=False),
        sa.Column("prompt_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["prompt_id"], ["scheduled_messages.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_checkins_participant_started", "checkins", ["participant_id", "started_at"])
    op.create_index(op.f("ix_checkins_organisation_id"), "checkins", ["organisation_id"])
    op.create_index(op.f("ix_checkins_prompt_id"), "checkins", ["prompt_id"])
    op.create_table(
        "checkin_help",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("need", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["checkin_id"], ["checkins.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("checkin_id", "need", name="uq_checkin_help"),
    )
    op.create_index(op.f("ix_checkin_help_checkin_id"), "checkin_help", ["checkin_id"])
    op.create_table(
        "checkin_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "program_id", name="uq_checkin_schedules"),
    )
    op.create_index(
        op.f("ix_checkin_schedules_organisation_id"), "checkin_schedules", ["organisation_id"]
    )
    with op.batch_alter_table("flags") as batch_op:
        batch_op.add_column(sa.Column("checkin_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_flags_checkin_id"), ["checkin_id"])
        batch_op.create_foreign_key(
            "fk_flags_checkin_id_checkins", "checkins", ["checkin_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("flags") as batch_op:
        batch_op.drop_constraint("fk_flags_checkin_id_checkins", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_flags_checkin_id"))
        batch_op.drop_column("checkin_id")
    op.drop_table("checkin_schedules")
    op.drop_table("checkin_help")
    op.drop_table("checkins")
