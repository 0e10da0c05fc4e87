"""check-in media kept: how often the download was tried, and why it was given up

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(
            sa.Column("media_tries", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("media_problem", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("media_problem")
        batch.drop_column("media_tries")
