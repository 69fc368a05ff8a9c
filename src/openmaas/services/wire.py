"""The wire objects of services (CONTRACT 5.4, 6.3), built from store rows: pure functions, no reads.

The list items are built by name, the names being their answer model's fields (``schemas``): the
repository selects exactly those columns in that order (``LISTING_COLUMNS``), and the builders are
generated from the same names (``openmaas.wire.row_builder``), so the keys are written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from openmaas.services.schemas import InferServerInfo, ServiceItem
from openmaas.wire import fields_of, paged_list, pages, row_builder

LISTING_FIELDS = fields_of(InferServerInfo)
# ServiceItem's stored fields; frozen_infos, its last, is always empty.
ITEM_FIELDS = fields_of(ServiceItem)[:-1]

# InferServerInfo (6.3) from a row of LISTING_COLUMNS, ServiceItem (5.2) from one of ITEM_COLUMNS.
listing_item = row_builder(LISTING_FIELDS)
list_item = row_builder(ITEM_FIELDS, empty_lists=["frozen_infos"])


def listing_body(rows: Sequence[Sequence[Any]], total: int, limit: int) -> dict[str, Any]:
    """InferServerList (6.3)."""
    return {"data": [listing_item(row) for row in rows], "pages": pages(total, limit), "total": total}


def list_body(rows: Sequence[Sequence[Any]], total: int, limit: int, offset: int) -> dict[str, Any]:
    """ServiceList (5.2)."""
    return paged_list([list_item(row) for row in rows], total, limit, offset)


def predict_url(public_url: str, service_id: str) -> str:
    return f"{public_url.rstrip('/')}/v1/infers/{service_id}"


def service_object(row: Row[Any], version: Row[Any] | None, public_url: str) -> dict[str, Any]:
    """ServiceObject: ``version`` is the row of the service's current version."""
    url = predict_url(public_url, row.id)
    return {
        "id": row.id,
        "name": row.name,
        "workspace_id": row.workspace_id,
        "type": row.type,
        "deploy_type": row.deploy_type,
        "status": row.status,
        "failure_reason": row.failure_reason or "",
        "version": _version_object(row, version, url),
        "predict_url": [{"type": "REAL_TIME", "urls": [url]}],
        "tags": row.tags,
        "deploy_timeout_minutes": row.deploy_timeout_minutes,
        "schedule": row.schedule,
        # The SDK types these two as strings here (CONTRACT 5.4).
        "create_at": str(row.create_at),
        "update_at": str(row.update_at),
        "task_type": row.task_type,
        "frozen_infos": [],
    }


def _version_object(row: Row[Any], version: Row[Any] | None, url: str) -> dict[str, Any]:
    config = version.config if version else {}
    groups = [
        {
            **group,
            "version": row.version,
            "status": row.status,
            "deploy_type": row.deploy_type,
            "workload_type": row.workload_type,
            "version_count": row.version_count,
        }
        for group in config.get("group_configs", [])
    ]
    return {
        "id": version.id if version else "",
        "version": row.version,
        "description": version.description if version else "",
        "predict_url": url,
        "runtime_config": config.get("runtime_config", {}),
        "upgrade_config": config.get("upgrade_config"),
        "instance_groups": groups,
        "deploy_timeout_minutes": row.deploy_timeout_minutes,
    }


def deployment_item(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.deployment_id,
        "name": row.name,
        "infer_name": row.name,
        "service_group_name": "default",
        "status": row.status,
        "lts_state": "",
        "mirror_traffic_enable": False,
        "mirror_traffic_weight": "0",
        "weight": 100,
        "traffic_ratio": "100",
        "pool_id": "",
        "version": row.version,
        "deploy_type": row.deploy_type,
        "create_at": row.create_at,
        "update_at": row.update_at,
        "frozen_infos": [],
    }


def deployment_detail(row: Row[Any], version: Row[Any] | None) -> dict[str, Any]:
    group = ((version.config if version else {}).get("group_configs") or [{}])[0]
    return {
        "id": row.deployment_id,
        "name": row.name,
        "deployment_name": row.name,
        "infer_name": row.name,
        "description": version.description if version else row.description,
        "pool_id": "",
        "framework": group.get("framework", "COMMON"),
        "version": row.version,
        "version_id": version.id if version else "",
        "version_count": row.version_count,
        "count": group.get("count", 1),
        "weight": group.get("weight", 100),
        "priority": group.get("priority", 1),
        "status": row.status,
        "deploy_type": row.deploy_type,
        "workload_type": row.workload_type or "DEPLOYMENT",
        "user_name": row.user_name,
        "frozen_infos": [],
        "create_at": iso_time(row.create_at),
        "update_at": iso_time(row.update_at),
    }


def version_item(service: Row[Any], version: Row[Any]) -> dict[str, Any]:
    current = version.number == service.version_count
    return {
        "infer_name": service.name,
        "version": version.version,
        "version_status": service.status if current else "HISTORY",
        "description": version.description,
        "deploy_type": service.deploy_type,
        "create_at": iso_time(version.create_at),
        "update_at": iso_time(version.update_at),
    }


def iso_time(ms: int) -> str:
    """The SDK types deployment and version times as datetimes: ISO 8601 in UTC."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
