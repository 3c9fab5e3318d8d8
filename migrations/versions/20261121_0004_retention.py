"""Retention and deletion: batches.purged_at and storage tombstones

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("batches", sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_batches_completed_at_unpurged",
        "batches",
        ["completed_at"],
        unique=False,
        postgresql_where=sa.text("purged_at IS NULL"),
    )
    op.create_table(
        "storage_tombstones",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("settle_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_storage_tombstones_next_attempt_at", "storage_tombstones", ["next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_storage_tombstones_next_attempt_at", table_name="storage_tombstones")
    op.drop_table("storage_tombstones")
    op.drop_index("ix_batches_completed_at_unpurged", table_name="batches")
    op.drop_column("batches", "purged_at")
