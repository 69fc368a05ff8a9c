"""Usage of a custom endpoint: GET .../custom-endpoint/endpoint/{id}/usage (issue 10)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from openmaas.http.responses import json_response
from openmaas.http.scopes import MaasScope
from openmaas.http.state import DbConnection
from openmaas.usage import service
from openmaas.usage.schemas import EndpointUsage, UsageQuery

router = APIRouter(prefix="/v1/{project_id}/maas/services/custom-endpoint", tags=["MaaS"])


@router.get("/endpoint/{custom_endpoint_id}/usage", response_model=EndpointUsage)
def endpoint_usage(
    scope: MaasScope, connection: DbConnection, custom_endpoint_id: str, query: Annotated[UsageQuery, Query()]
) -> Response:
    """Calls, errors and tokens of one endpoint per minute, in a time range (ms)."""
    return json_response(service.endpoint_usage(connection, scope, custom_endpoint_id, query))
