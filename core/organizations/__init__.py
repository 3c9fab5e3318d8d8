"""Organizations: the tenant. Memberships with roles, invitations by email, API keys."""
