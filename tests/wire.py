"""Response shapes from the contract, shared by the tests that assert them."""

from __future__ import annotations

# InferServerInfo, CONTRACT 6.3: exactly these keys.
INFER_SERVER_INFO_KEYS = frozenset(
    {
        "id",
        "name",
        "status",
        "version",
        "version_count",
        "description",
        "type",
        "deploy_type",
        "user_name",
        "workspace_id",
        "create_at",
        "update_at",
        "auth_type",
    }
)

# ServiceItem of the v2 list, CONTRACT 5.4: the listing's keys and these.
SERVICE_ITEM_KEYS = INFER_SERVER_INFO_KEYS | {"task_type", "tags", "schedule", "frozen_infos"}
