"""What an operator watches: the request being served (``exchange``), Prometheus metrics
(``metrics``) and the log lines (``logs``). Shared ground: it imports nothing of the rest."""
