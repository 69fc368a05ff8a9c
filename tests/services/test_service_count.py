"""The per-workspace ``service_count`` that answers ``total`` never drifts from a full COUNT(*)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import Account, count_rows, service_body
from tests.services.conftest import listing, services_url

STEPS = 80
DOCUMENTED = {(200, None), (400, "ModelArts.0105"), (400, "ModelArts.0103")}


class _Run:
    """Random wire actions on two workspaces; remembers the ids the server handed out."""

    def __init__(self, client: TestClient, admin: Account, settle: Callable[[], int], seed: int) -> None:
        self.client, self.admin, self.settle = client, admin, settle
        self.random = random.Random(seed)
        self.ids: list[str] = []
        self.created = 0
        response = client.post(
            f"/v1/{admin.project()}/workspaces", json={"name": "second-ws"}, headers=admin.headers()
        )
        self.workspaces = ["0", response.json()["id"]]

    def step(self) -> None:
        actions: list[Callable[[], Any]] = [self.create, self.settle_once]
        if self.ids:
            actions += [self.update, self.describe, self.stop, self.start, self.delete]
        response = self.random.choice(actions)()
        if response is not None:
            answer = (response.status_code, response.json().get("error_code"))
            assert answer in DOCUMENTED, response.text

    def create(self) -> Any:
        self.created += 1
        name = f"svc-{self.random.randrange(self.created + 3)}"
        body = service_body(name, workspace_id=self.random.choice(self.workspaces))
        response = self.client.post(services_url(self.admin), json=body, headers=self.admin.headers())
        if response.status_code == 200:
            self.ids.append(response.json()["id"])
        return response

    def _target(self) -> str:
        return self.random.choice(self.ids)

    def update(self) -> Any:
        body = {"group_configs": [{"count": self.random.randint(1, 4)}]}
        return self.client.put(
            services_url(self.admin, f"/{self._target()}"), json=body, headers=self.admin.headers()
        )

    def describe(self) -> Any:
        body = {"description": f"d{self.random.random()}"}
        return self.client.put(
            services_url(self.admin, f"/{self._target()}"), json=body, headers=self.admin.headers()
        )

    def stop(self) -> Any:
        return self.client.post(
            services_url(self.admin, f"/{self._target()}/stop"), headers=self.admin.headers()
        )

    def start(self) -> Any:
        return self.client.post(
            services_url(self.admin, f"/{self._target()}/start"), headers=self.admin.headers()
        )

    def delete(self) -> Any:
        body = {"service_ids": self.random.sample(self.ids, k=min(len(self.ids), self.random.randint(1, 2)))}
        response = self.client.post(
            services_url(self.admin, "/delete"), json=body, headers=self.admin.headers()
        )
        return response

    def settle_once(self) -> None:
        self.settle()
        # Ids of services that are gone answer ModelArts.0102 from now on: forget them.
        self.ids = [i for i in self.ids if self._exists(i)]

    def _exists(self, service_id: str) -> bool:
        response = self.client.get(services_url(self.admin, f"/{service_id}"), headers=self.admin.headers())
        return response.status_code == 200


def _assert_counts_agree(engine: Engine, client: TestClient, admin: Account, workspaces: list[str]) -> None:
    project = admin.project()
    for workspace in workspaces:
        counted = count_rows(
            engine,
            "SELECT count(*) FROM services WHERE project_id = :p AND workspace_id = :w",
            p=project,
            w=workspace,
        )
        kept = count_rows(
            engine,
            "SELECT service_count FROM workspaces WHERE project_id = :p AND id = :w",
            p=project,
            w=workspace,
        )
        assert kept == counted, f"workspace {workspace}: service_count {kept} != COUNT(*) {counted}"
        assert listing(client, admin, workspace_id=workspace)["total"] == counted
    everything = count_rows(engine, "SELECT count(*) FROM services WHERE project_id = :p", p=project)
    assert listing(client, admin)["total"] == everything
    assert listing(client, admin, limit=500)["size"] == everything


@pytest.mark.parametrize("seed", [7, 2024])
def test_service_count_never_drifts(
    client: TestClient, admin: Account, settle: Callable[[], int], engine: Engine, seed: int
) -> None:
    run = _Run(client, admin, settle, seed)
    for _ in range(STEPS):
        run.step()
        _assert_counts_agree(engine, client, admin, run.workspaces)
    for _ in range(3):
        run.settle_once()
    _assert_counts_agree(engine, client, admin, run.workspaces)
    assert run.created > 0
