"""Billing: usage can never go below zero (refunds of failed images subtract from it).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE usage_periods SET images_used = 0 WHERE images_used < 0")
    op.create_check_constraint(op.f("ck_usage_periods_images_used_not_negative"), "usage_periods", "images_used >= 0")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_usage_periods_images_used_not_negative"), "usage_periods", type_="check")
