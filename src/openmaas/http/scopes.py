"""Which project (and so region) a request acts in: D-3 and D-4 as pure rules, which the routes and
the fast lane share, and the dependencies that apply them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from openmaas.auth.tokens import TokenClaims
from openmaas.db.scope import Scope
from openmaas.errors import ApiNotFound, NotScoped
from openmaas.http.caller import Caller
from openmaas.http.state import State


def modelarts_scope(claims: TokenClaims, project_id: str) -> Scope:
    """D-4: the path's project must be the credential's."""
    if claims.project_id != project_id or claims.project_name is None:
        raise NotScoped(project_id)
    return Scope(project_id=project_id, region_id=claims.project_name)


def maas_scope(claims: TokenClaims, project_id: str, home_region: str) -> Scope:
    """D-3 and D-4 for the MaaS API."""
    if claims.project_id is None:
        # A domain-scoped token is in no region: D-4 applies before D-3's region rule.
        raise NotScoped(project_id)
    # D-3: outside the home region the MaaS API behaves as if it were not published.
    if claims.project_name != home_region:
        raise ApiNotFound()
    if claims.project_id != project_id:
        raise NotScoped(project_id)
    return Scope(project_id=project_id, region_id=home_region)


async def _project_scope(project_id: str, caller: Caller) -> Scope:
    return modelarts_scope(caller.claims, project_id)


async def _home_scope(project_id: str, caller: Caller, state: State) -> Scope:
    return maas_scope(caller.claims, project_id, state.settings.maas_home_region)


# A ModelArts path's project (D-4), and a MaaS path's home-region project (D-3, D-4).
ProjectScope = Annotated[Scope, Depends(_project_scope)]
MaasScope = Annotated[Scope, Depends(_home_scope)]
