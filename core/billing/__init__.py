"""Plans, monthly image quotas and Stripe billing, per organization."""
