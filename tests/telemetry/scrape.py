"""Reading ``/metrics`` as Prometheus does: its text format parsed by prometheus-client's own parser.
The metrics belong to the process, which the tests share, so tests compare two scrapes."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from openmaas.telemetry.metrics import RequestMeter

Key = tuple[str, frozenset[tuple[str, str]]]


@dataclass(frozen=True)
class Scrape:
    samples: dict[Key, float]
    text: str

    @classmethod
    def of(cls, text: str) -> Scrape:
        samples = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }
        return cls(samples, text)

    def value(self, name: str, **labels: str) -> float:
        """The sample's value; 0 for a series not (yet) exported, as for a counter never incremented."""
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def delta(self, before: Scrape, name: str, **labels: str) -> float:
        return self.value(name, **labels) - before.value(name, **labels)


def scrape(client: httpx.Client) -> Scrape:
    """``GET /metrics`` of the in-process app or a live server, as Prometheus reads it."""
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == CONTENT_TYPE_LATEST
    return Scrape.of(answer.text)


def settled_scrape(client: httpx.Client) -> Scrape:
    """A scrape once every process has published what it counted until now (D-62: within a second)."""
    time.sleep(RequestMeter.PUBLISH_SECONDS * 1.5)
    return scrape(client)


def settled_delta(client: httpx.Client, before: Scrape, expected: float, name: str, **labels: str) -> float:
    """A series' delta once scrapes show ``expected``, read again a publishing period and a half later
    (so that too many shows too). Another process's requests reach a scrape at most a second late
    (D-62); five periods without ``expected`` give what the scrape shows then."""
    deadline = time.monotonic() + RequestMeter.PUBLISH_SECONDS * 5
    value = scrape(client).delta(before, name, **labels)
    while value != expected and time.monotonic() < deadline:
        time.sleep(0.05)
        value = scrape(client).delta(before, name, **labels)
    if value != expected:
        return value
    time.sleep(RequestMeter.PUBLISH_SECONDS * 1.5)
    return scrape(client).delta(before, name, **labels)
