"""Data-plane usage per custom endpoint and minute."""
