"""GET /v1/{project_id}/maas/compliance/agreements: the latest disclaimer (CONTRACT 6.5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from openmaas.agreements.catalogue import DEFAULT_LANGUAGE
from openmaas.agreements.schemas import Agreement
from openmaas.http.responses import json_response
from openmaas.http.scopes import MaasScope
from openmaas.http.state import State

router = APIRouter(prefix="/v1/{project_id}/maas/compliance", tags=["MaaS"])


@router.get("/agreements", response_model=Agreement)
def latest_agreement(
    _scope: MaasScope, state: State, lang: Annotated[str, Query(max_length=16)] = DEFAULT_LANGUAGE
) -> Response:
    """The latest content-moderation disclaimer in English or Chinese."""
    return json_response(state.endpoint_rules.agreements.latest_body(lang))
