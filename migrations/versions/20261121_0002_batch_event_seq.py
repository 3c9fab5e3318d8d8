"""batches.event_seq: per-batch sequence of realtime events

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("batches", sa.Column("event_seq", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("batches", "event_seq")
