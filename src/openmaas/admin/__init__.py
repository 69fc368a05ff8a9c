"""The openmaas admin API (issue 11): domains, reset and snapshots, lifecycle control and fault rules,
behind an operator credential of its own."""
