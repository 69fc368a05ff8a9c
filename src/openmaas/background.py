"""Periodic jobs each server process runs in its own threads (lifecycle worker, revocation poll)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("openmaas.background")


class Periodic:
    def __init__(self, name: str, interval: float, job: Callable[[], object]) -> None:
        self._name = name
        self._interval = interval
        self._job = job
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"openmaas-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._job()
            except Exception:
                # A failed round (store briefly away, say) is retried on the next tick.
                log.exception("background job %s failed", self._name)
