"""Vision providers and naming options: batch options, image cost/safety/similarity, analysis cache

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("batches", sa.Column("providers", postgresql.ARRAY(sa.Text()), nullable=True))
    op.add_column("batches", sa.Column("brand", sa.String(length=100), nullable=True))
    op.add_column("batches", sa.Column("name_template", sa.String(length=200), nullable=True))
    op.add_column("batches", sa.Column("case_style", sa.String(length=8), server_default="kebab", nullable=False))
    op.add_column("batches", sa.Column("keep_pattern", sa.String(length=200), nullable=True))
    for flag in ("unicode_names", "allow_unsafe_names", "write_metadata", "strip_gps"):
        op.add_column("batches", sa.Column(flag, sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("batches", sa.Column("cost_usd", sa.Float(), server_default="0", nullable=False))

    op.add_column("images", sa.Column("provider", sa.String(length=32), nullable=True))
    op.add_column("images", sa.Column("cost_usd", sa.Float(), server_default="0", nullable=False))
    op.add_column("images", sa.Column("unsafe", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("images", sa.Column("phash", sa.String(length=16), nullable=True))
    op.add_column("images", sa.Column("near_duplicate_of", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        "images_near_duplicate_of_fkey", "images", "images", ["near_duplicate_of"], ["id"], ondelete="SET NULL"
    )

    op.create_table(
        "analysis_cache",
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("prompt_key", sa.String(length=80), nullable=False),
        sa.Column("analysis", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("checksum", "provider", "prompt_key"),
    )


def downgrade() -> None:
    op.drop_table("analysis_cache")
    op.drop_constraint("images_near_duplicate_of_fkey", "images", type_="foreignkey")
    for column in ("near_duplicate_of", "phash", "unsafe", "cost_usd", "provider"):
        op.drop_column("images", column)
    for column in (
        "cost_usd", "strip_gps", "write_metadata", "allow_unsafe_names", "unicode_names",
        "keep_pattern", "case_style", "name_template", "brand", "providers",
    ):  # fmt: skip
        op.drop_column("batches", column)
