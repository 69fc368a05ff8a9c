"""SQL for MaaS API keys. Every query is scoped to one domain, except the lookup by key hash."""
