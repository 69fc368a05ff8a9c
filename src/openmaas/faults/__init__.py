"""Fault injection (issue 11): admin-defined rules that make matching requests slow or fail, obeyed by
every process sharing the store."""
