"""GET /v1/{project_id}/maas/compliance/agreements: the latest disclaimer (CONTRACT 6.5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from openmaas.agreements.catalogue import DEFAULT_LANGUAGE, agreement_book
from openmaas.auth.principal import MaasScope
from openmaas.errors import json_response

router = APIRouter(prefix="/v1/{project_id}/maas/compliance", tags=["MaaS"])


@router.get("/agreements")
def latest_agreement(
    _scope: MaasScope, lang: Annotated[str, Query(max_length=16)] = DEFAULT_LANGUAGE
) -> Response:
    """The latest content-moderation disclaimer in English or Chinese."""
    return json_response(agreement_book().latest_body(lang))
