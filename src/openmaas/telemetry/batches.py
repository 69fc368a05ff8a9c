"""What every answered request leaves for the telemetry, handed on in batches.

Made in the middle of each request, a few microseconds of tallying and line making cost several times
their own instructions: the code and data they touch have been pushed out of the CPU's caches by the
request's own work. So a request leaves one record (and its time) and nothing more; the request
metrics and the access lines are both made from the batch, on the event loop, at most
``FLUSH_SECONDS`` later or at once when ``BATCH`` records wait. A batch is small enough that making it
stalls the loop for about a tenth of a millisecond."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

# The observer's record of one answered request.
R = TypeVar("R")
# Records with the time their request was answered.
Batch = list[tuple[float, R]]


class Answers(Generic[R]):
    BATCH = 64
    FLUSH_SECONDS = 0.05

    def __init__(self, consumers: Sequence[Callable[[Batch[R]], None]]) -> None:
        self._consumers = tuple(consumers)
        self._pending: Batch[R] = []
        self._timer: asyncio.TimerHandle | None = None

    def add(self, record: R) -> None:
        pending = self._pending
        if not pending:
            self._timer = asyncio.get_running_loop().call_later(self.FLUSH_SECONDS, self.flush)
        pending.append((time.time(), record))
        if len(pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Hands on what is pending: before a scrape, and as the server stops (a SIGTERM loses no
        record; a kill -9 the last ``FLUSH_SECONDS``)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        if pending:
            for consume in self._consumers:
                consume(pending)
