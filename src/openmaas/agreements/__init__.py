"""MaaS compliance: the versioned content-moderation disclaimers (CONTRACT 6.5)."""
