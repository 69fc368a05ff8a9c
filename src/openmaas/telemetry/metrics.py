"""The Prometheus metrics (``prometheus-client``), defined once per process.

Several server processes on one host (``openmaas cluster up``, any supervisor) share one view when
they share a ``PROMETHEUS_MULTIPROC_DIR``: the library then keeps every value in a file of that
folder, and any process's ``/metrics`` sums them all. The library reads that variable when it is
first imported, so it must be set before the server starts (the cluster command does)."""

from __future__ import annotations

import asyncio
import os
from bisect import bisect_left
from dataclasses import dataclass, field

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as _generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Hot listings answer in well under a millisecond; a stalled upstream can take minutes.
LATENCY_BUCKETS = (
    0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 5.0, 10.0, 30.0, 120.0,
)  # fmt: skip
# A request no route took (an unknown path): one label for all of them, never the raw path.
UNMATCHED = "<unmatched>"
# The transitions' ends that are no status: a service created, a service removed.
NEW = "NEW"
GONE = "GONE"

REQUESTS = Counter(
    "openmaas_http_requests",
    "Requests answered, by method, route template, status and the wire error code of the answer.",
    ["method", "route", "status", "code"],
)
LATENCY = Histogram(
    "openmaas_http_request_duration_seconds",
    "Time from the request's arrival to its last body byte, by method and route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
TRANSITIONS = Counter(
    "openmaas_service_transitions",
    "Inference service status changes committed to the store (from NEW: created; to GONE: deleted).",
    ["from_status", "to_status"],
)
STORE_ERRORS = Counter(
    "openmaas_store_errors",
    "Store failures (database driver errors) that ended a transaction or a read, by error class.",
    ["kind"],
)
DATA_PLANE_CALLS = Counter(
    "openmaas_data_plane_calls",
    "Data-plane calls that reached a custom endpoint, by endpoint and outcome: answered (the model "
    "server answered), failed (it did not, or not wholly), refused (a limit, or no model server to call).",
    ["endpoint_id", "outcome"],
)
DATA_PLANE_TOKENS = Counter(
    "openmaas_data_plane_tokens",
    "Tokens the model servers reported, by endpoint and kind (prompt, completion).",
    ["endpoint_id", "kind"],
)
DATA_PLANE_LIMITED = Counter(
    "openmaas_data_plane_rate_limited",
    "Data-plane calls refused with 429, by endpoint and the limit that refused them (rpm, tpm).",
    ["endpoint_id", "limit"],
)


class RequestMeter:
    """Counts and times requests in plain tallies of this process, moved into the Prometheus metrics
    in bulk: before this process answers a scrape, once a second while requests come, and as the app
    stops. A request then costs a few additions instead of the library's locked increments (which
    cost as much as a tenth of a hot listing); another process's scrape sees this one's requests at
    most ``PUBLISH_SECONDS`` late (D-62)."""

    PUBLISH_SECONDS = 1.0

    def __init__(self) -> None:
        self._tallies: dict[tuple[str, str, int, str], _Tally] = {}
        self._children: dict[tuple[str, str, int, str], tuple[Counter, Histogram]] = {}
        self._timer: asyncio.TimerHandle | None = None

    def observe(self, method: str, route: str, status: int, code: str, seconds: float) -> None:
        key = (method, route, status, code)
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = _Tally()
            if self._timer is None:
                self._timer = asyncio.get_running_loop().call_later(self.PUBLISH_SECONDS, self.publish)
        tally.count += 1
        tally.seconds += seconds
        tally.buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1

    def publish(self) -> None:
        """Moves the tallies into the metrics (this process's values, or its file in the shared folder)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        tallies, self._tallies = self._tallies, {}
        for key, tally in tallies.items():
            counter, histogram = self._children_of(key)
            counter.inc(tally.count)
            add_observations(histogram, tally.seconds, tally.buckets)
        DATA_PLANE.publish()

    def _children_of(self, key: tuple[str, str, int, str]) -> tuple[Counter, Histogram]:
        children = self._children.get(key)
        if children is None:
            method, route, status, code = key
            children = (REQUESTS.labels(method, route, str(status), code), LATENCY.labels(method, route))
            self._children[key] = children
        return children


@dataclass(slots=True)
class _Tally:
    count: int = 0
    seconds: float = 0.0
    # A count per bucket of LATENCY_BUCKETS and one for +Inf; not cumulative, as the library keeps them.
    buckets: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))


def add_observations(histogram: Histogram, total: float, buckets: list[int]) -> None:
    """What ``observe`` does for each of many observations at once: their sum, and how many fell in
    each bucket. The library has no public call for it; these are the values its ``observe`` adds to
    (a test holds this equal to ``observe``, so an upgrade that changes them fails there)."""
    histogram._sum.inc(total)
    for value, count in zip(histogram._buckets, buckets, strict=True):
        if count:
            value.inc(count)


def count_transition(before: str, after: str) -> None:
    TRANSITIONS.labels(before, after).inc()


def count_store_error(error: BaseException) -> None:
    STORE_ERRORS.labels(type(error).__name__).inc()


class DataPlaneTallies:
    """The data plane's counters (calls, tokens, 429s per endpoint) as plain tallies, moved into the
    metrics with the request meter's (``RequestMeter.publish``): a forwarded call would otherwise pay
    three of the library's locked increments, about a tenth of the gateway's own work a call. A call
    is counted before its request is observed, so the meter's timer publishes it with the request
    (D-62); a stream whose client left may be counted just after, and is published with the next
    request or scrape of this process."""

    def __init__(self) -> None:
        self._counts: dict[tuple[Counter, str, str], int] = {}

    def add(self, metric: Counter, endpoint_id: str, label: str, amount: int = 1) -> None:
        key = (metric, endpoint_id, label)
        self._counts[key] = self._counts.get(key, 0) + amount

    def publish(self) -> None:
        counts, self._counts = self._counts, {}
        # Once a second per series, so the library's own lookup of the labelled child is cheap enough.
        for (metric, endpoint_id, label), amount in counts.items():
            metric.labels(endpoint_id, label).inc(amount)


DATA_PLANE = DataPlaneTallies()


def count_call(endpoint_id: str, outcome: str, prompt_tokens: int = 0, completion_tokens: int = 0) -> None:
    DATA_PLANE.add(DATA_PLANE_CALLS, endpoint_id, outcome)
    if prompt_tokens:
        DATA_PLANE.add(DATA_PLANE_TOKENS, endpoint_id, "prompt", prompt_tokens)
    if completion_tokens:
        DATA_PLANE.add(DATA_PLANE_TOKENS, endpoint_id, "completion", completion_tokens)


def count_rate_limited(endpoint_id: str, limit: str) -> None:
    DATA_PLANE.add(DATA_PLANE_LIMITED, endpoint_id, limit)


def exposition() -> bytes:
    """The text format of every metric: this process's, or every process's sharing the folder.
    Publish the request meter's tallies first (on the loop that fills them)."""
    if MULTIPROCESS_DIR in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return _generate_latest(registry)
    return _generate_latest(REGISTRY)


CONTENT_TYPE = CONTENT_TYPE_LATEST
