"""Exact per-window rpm/tpm counters: in this process, or shared by every process through Redis."""
