"""Model servers every test package may use: the mock model (``openmaas mock-model``) on a loopback port,
with and without usage, one per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openmaas.mock_model import MockOptions, create_mock_app
from tests.gateway.upstreams import served


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    """The mock model server (``openmaas mock-model``), with usage."""
    with served(create_mock_app(MockOptions())) as url:
        yield url


@pytest.fixture(scope="session")
def silent_mock_url() -> Iterator[str]:
    """A mock model server that never reports usage, as some servers do (D-17)."""
    with served(create_mock_app(MockOptions(usage=False))) as url:
        yield url
