"""participants.contact_time holds "afternoon" (9 characters): widen it to 16

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participants") as batch_op:
        batch_op.alter_column(
            "contact_time", existing_type=sa.String(length=8), type_=sa.String(length=16)
        )


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch_op:
        batch_op.alter_column(
            "contact_time", existing_type=sa.String(length=16), type_=sa.String(length=8)
        )
