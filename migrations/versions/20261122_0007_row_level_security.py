"""Tenant isolation by PostgreSQL row-level security.

- batches.organization_id and images.organization_id become NOT NULL (rows written before
  every writer set it are given their owner's personal organization first).
- batches.owner_id and images.owner_id become nullable with ON DELETE SET NULL: a batch made
  in a shared organization stays with it when its author deletes their account.
- analysis_cache is namespaced by organization (part of its key); entries are kept for the
  organizations that hold an image with that content, the rest dropped (a cache).
- invitations get email_hint (what the list shows of the address; the address is not stored).
- Every tenant-owned table gets ENABLE + FORCE ROW LEVEL SECURITY and the policy
  `tenant_isolation`: a row is visible and writable only when its organization_id equals the
  transaction's `renamer.tenant_id` setting (core.db.set_tenant). An unset or empty setting
  matches nothing (NULLIF before the cast), so a forgotten tenant shows no rows rather than
  raising or leaking. FORCE applies the policy to the owner too; the owner (the role running
  this migration: migrations, maintenance) gets its own permissive policy `owner_maintenance`,
  so it keeps seeing everything even without BYPASSRLS, while the app role (core.db_roles:
  not superuser, NOBYPASSRLS, not the owner) sees only its tenant.
- Two lookups must find a row before its tenant is known: an API key by its SHA-256 (every
  API request) and an invitation by its token's SHA-256 (accepting). They are SECURITY
  DEFINER functions owned by the owner rather than queries on the maintenance connection:
  they run on the request's own connection and transaction (no second pool per API process,
  no cross-tenant role reachable from request code), and each returns at most the one row
  whose hash matches, so holding EXECUTE lists nothing. search_path is pinned against
  shadowing.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = (
    "batches",
    "images",
    "api_keys",
    "invitations",
    "payments",
    "subscriptions",
    "usage_periods",
    "analysis_cache",
)
TENANT = "NULLIF(current_setting('renamer.tenant_id', true), '')::uuid"


def _enable_row_level_security(table: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} "
        f"USING (organization_id = {TENANT}) WITH CHECK (organization_id = {TENANT})"
    )
    op.execute(f"CREATE POLICY owner_maintenance ON {table} TO CURRENT_USER USING (true) WITH CHECK (true)")


def upgrade() -> None:
    # Rows written by code that did not set organization_id yet: their owner's personal organization.
    op.execute(
        "UPDATE batches SET organization_id = o.id FROM organizations o "
        "WHERE batches.organization_id IS NULL AND o.personal AND o.created_by = batches.owner_id"
    )
    op.execute(
        "UPDATE images SET organization_id = b.organization_id FROM batches b "
        "WHERE images.organization_id IS NULL AND b.id = images.batch_id"
    )
    op.alter_column("batches", "organization_id", existing_type=sa.Uuid(), nullable=False)
    op.alter_column("images", "organization_id", existing_type=sa.Uuid(), nullable=False)

    for table in ("batches", "images"):
        op.drop_constraint(f"fk_{table}_owner_id_users", table, type_="foreignkey")
        op.alter_column(table, "owner_id", existing_type=sa.Uuid(), nullable=True)
        op.create_foreign_key(f"fk_{table}_owner_id_users", table, "users", ["owner_id"], ["id"], ondelete="SET NULL")

    op.add_column("invitations", sa.Column("email_hint", sa.String(length=120), nullable=True))

    # The analysis cache, per organization.
    op.add_column("analysis_cache", sa.Column("organization_id", sa.Uuid(), nullable=True))
    op.execute(
        """
        INSERT INTO analysis_cache (organization_id, checksum, provider, prompt_key, analysis, created_at)
        SELECT DISTINCT i.organization_id, c.checksum, c.provider, c.prompt_key, c.analysis, c.created_at
        FROM analysis_cache c JOIN images i ON i.checksum = c.checksum
        WHERE c.organization_id IS NULL
        """
    )
    op.execute("DELETE FROM analysis_cache WHERE organization_id IS NULL")
    op.drop_constraint("pk_analysis_cache", "analysis_cache", type_="primary")
    op.alter_column("analysis_cache", "organization_id", existing_type=sa.Uuid(), nullable=False)
    op.create_primary_key(
        "pk_analysis_cache", "analysis_cache", ["organization_id", "checksum", "provider", "prompt_key"]
    )
    op.create_foreign_key(
        "fk_analysis_cache_organization_id_organizations",
        "analysis_cache",
        "organizations",
        ["organization_id"],
        ["id"],
        ondelete="CASCADE",
    )

    for table in TENANT_TABLES:
        _enable_row_level_security(table)

    op.execute(
        """
        CREATE FUNCTION renamer_api_key_by_hash(key_hash_in text)
        RETURNS TABLE (id uuid, organization_id uuid, created_by uuid, last_used_at timestamptz,
                       revoked_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
            SELECT k.id, k.organization_id, k.created_by, k.last_used_at, k.revoked_at
            FROM public.api_keys k WHERE k.key_hash = key_hash_in
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION renamer_invitation_by_token_hash(token_hash_in text)
        RETURNS TABLE (id uuid, organization_id uuid, email_hash text, role text, expires_at timestamptz,
                       accepted_at timestamptz, revoked_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
            SELECT i.id, i.organization_id, i.email_hash::text, i.role::text, i.expires_at, i.accepted_at,
                   i.revoked_at
            FROM public.invitations i WHERE i.token_hash = token_hash_in
        $$
        """
    )
    # Only the app role gets EXECUTE (core.db_roles grants it after every upgrade).
    op.execute("REVOKE ALL ON FUNCTION renamer_api_key_by_hash(text) FROM PUBLIC")
    op.execute("REVOKE ALL ON FUNCTION renamer_invitation_by_token_hash(text) FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS renamer_invitation_by_token_hash(text)")
    op.execute("DROP FUNCTION IF EXISTS renamer_api_key_by_hash(text)")
    for table in TENANT_TABLES:
        op.execute(f"DROP POLICY IF EXISTS owner_maintenance ON {table}")
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")

    op.drop_constraint("fk_analysis_cache_organization_id_organizations", "analysis_cache", type_="foreignkey")
    op.drop_constraint("pk_analysis_cache", "analysis_cache", type_="primary")
    # One entry per content and prompt again: keep the oldest.
    op.execute(
        """
        DELETE FROM analysis_cache a USING analysis_cache b
        WHERE a.checksum = b.checksum AND a.provider = b.provider AND a.prompt_key = b.prompt_key
          AND (a.created_at, a.organization_id) > (b.created_at, b.organization_id)
        """
    )
    op.drop_column("analysis_cache", "organization_id")
    op.create_primary_key("pk_analysis_cache", "analysis_cache", ["checksum", "provider", "prompt_key"])

    op.drop_column("invitations", "email_hint")

    # Rows whose author is gone cannot go back under an owner: they go (as they would have before).
    op.execute("DELETE FROM images WHERE owner_id IS NULL")
    op.execute("DELETE FROM batches WHERE owner_id IS NULL")
    for table in ("images", "batches"):
        op.drop_constraint(f"fk_{table}_owner_id_users", table, type_="foreignkey")
        op.alter_column(table, "owner_id", existing_type=sa.Uuid(), nullable=False)
        op.create_foreign_key(f"fk_{table}_owner_id_users", table, "users", ["owner_id"], ["id"], ondelete="CASCADE")
    op.alter_column("images", "organization_id", existing_type=sa.Uuid(), nullable=True)
    op.alter_column("batches", "organization_id", existing_type=sa.Uuid(), nullable=True)
