"""Bulk seeding for the benchmark: Core executemany straight into the store (not the HTTP API),
keeping the per-workspace service count exactly as the API would."""

from __future__ import annotations

import random
import uuid
from typing import Any

from sqlalchemy import Engine, select, update

from openmaas.db.session import transaction
from openmaas.iam.tables import projects
from openmaas.services.tables import service_versions, services
from openmaas.workspaces.tables import workspaces

BATCH = 20_000
STATUSES = ["RUNNING"] * 8 + ["STOPPED", "DEPLOYING"]


def home_project(engine: Engine, region: str) -> str:
    with transaction(engine, write=False) as connection:
        return str(connection.execute(select(projects.c.id).where(projects.c.name == region)).scalar_one())


def seed_services(engine: Engine, project_id: str, workspace_id: str, count: int, *, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = 1_760_000_000_000
    for offset in range(0, count, BATCH):
        size = min(BATCH, count - offset)
        rows = [_service_row(project_id, workspace_id, offset + i, start, rng) for i in range(size)]
        with transaction(engine, write=True) as connection:
            connection.execute(services.insert(), rows)
            connection.execute(service_versions.insert(), [_version_row(row) for row in rows])
            connection.execute(
                update(workspaces)
                .where(workspaces.c.project_id == project_id, workspaces.c.id == workspace_id)
                .values(service_count=workspaces.c.service_count + size)
            )


def _service_row(
    project_id: str, workspace_id: str, index: int, start: int, rng: random.Random
) -> dict[str, Any]:
    stamp = start + index * 1000 + rng.randrange(1000)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "project_id": project_id,
        "workspace_id": workspace_id,
        "name": f"bench-svc-{index:07d}",
        "status": rng.choice(STATUSES),
        "description": f"benchmark service {index}",
        "type": "REAL_TIME",
        "deploy_type": "SINGLE",
        "task_type": "TEXT_GENERATION",
        "workload_type": "DEPLOYMENT",
        "auth_type": "NONE",
        "user_name": "admin",
        "version": "1.0.0",
        "version_count": 1,
        "deploy_timeout_minutes": 20,
        "deployment_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "tags": [],
        "schedule": [],
        "upstream_url": None,
        "failure_reason": None,
        "create_at": stamp,
        "update_at": stamp,
        "transition_due_at": None,
        "transition_started_at": None,
        "row_version": 1,
    }


def _version_row(service: dict[str, Any]) -> dict[str, Any]:
    return {
        "service_id": service["id"],
        "number": 1,
        "id": str(uuid.uuid4()),
        "version": "1.0.0",
        "description": "",
        "config": {"group_configs": [{"count": 1}]},
        "create_at": service["create_at"],
        "update_at": service["update_at"],
    }
