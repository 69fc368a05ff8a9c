"""MaaS custom endpoints (CONTRACT 6.4): named, throttled entry points in front of a model."""
