"""MaaS API keys: create (shown once), list, update, delete (data-plane facts §3)."""
