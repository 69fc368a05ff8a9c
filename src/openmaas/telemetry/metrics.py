"""The Prometheus metrics (``prometheus-client``), defined once per process.

Several server processes on one host (``openmaas cluster up``, any supervisor) share one view when
they share a ``PROMETHEUS_MULTIPROC_DIR``: the library then keeps every value in a file of that
folder, and any process's ``/metrics`` sums them all. The library reads that variable when it is
first imported, so it must be set before the server starts (the cluster command does)."""

from __future__ import annotations

import os

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
    """Counts a request and times it. The labelled children are kept, so a request costs two
    increments and no label lookup; their number is bounded by routes x statuses x codes."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int, str], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, code: str, seconds: float) -> None:
        key = (method, route, status, code)
        children = self._children.get(key)
        if children is None:
            children = (REQUESTS.labels(method, route, str(status), code), LATENCY.labels(method, route))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


def count_transition(before: str, after: str) -> None:
    TRANSITIONS.labels(before, after).inc()


def count_store_error(error: BaseException) -> None:
    STORE_ERRORS.labels(type(error).__name__).inc()


def count_call(endpoint_id: str, outcome: str, prompt_tokens: int = 0, completion_tokens: int = 0) -> None:
    DATA_PLANE_CALLS.labels(endpoint_id, outcome).inc()
    if prompt_tokens:
        DATA_PLANE_TOKENS.labels(endpoint_id, "prompt").inc(prompt_tokens)
    if completion_tokens:
        DATA_PLANE_TOKENS.labels(endpoint_id, "completion").inc(completion_tokens)


def count_rate_limited(endpoint_id: str, limit: str) -> None:
    DATA_PLANE_LIMITED.labels(endpoint_id, limit).inc()


def exposition() -> bytes:
    """The text format of every metric: this process's, or every process's sharing the folder."""
    if MULTIPROCESS_DIR in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return _generate_latest(registry)
    return _generate_latest(REGISTRY)


CONTENT_TYPE = CONTENT_TYPE_LATEST
