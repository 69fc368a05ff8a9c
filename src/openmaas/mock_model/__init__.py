"""A small deterministic OpenAI-compatible model server (openmaas mock-model)."""
