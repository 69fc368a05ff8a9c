"""Reading ``/metrics`` as Prometheus does: its text format parsed by prometheus-client's own parser.
The metrics belong to the process, which the tests share, so tests compare two scrapes."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

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


def scrape(client: TestClient) -> Scrape:
    """``GET /metrics`` of the in-process app, as Prometheus reads it."""
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == CONTENT_TYPE_LATEST
    return Scrape.of(answer.text)
