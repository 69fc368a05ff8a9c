"""The app's typed state: everything a request needs that lives as long as the app, built once at
start-up (``app.build_state``) and reached through ``app_state`` or the ``State`` dependency, and the
request's own transaction (``DbConnection``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection
from starlette.applications import Starlette

from openmaas.admin.service import AdminTools
from openmaas.api_keys.service import ApiKeyRules
from openmaas.auth.revocation import RevocationList
from openmaas.auth.tokens import TokenSigner
from openmaas.config import Settings
from openmaas.crypto import SecretBox
from openmaas.custom_endpoints.service import EndpointRules
from openmaas.db.session import READ_METHODS
from openmaas.db.store import Store
from openmaas.faults.service import FaultBook
from openmaas.gateway.service import Gateway
from openmaas.http.existence import ExistenceCache
from openmaas.iam.directory import ProjectDirectory
from openmaas.iam.service import LoginPolicy, LoginTurns
from openmaas.iam.users import UserManagement
from openmaas.services.service import Runtime
from openmaas.usage.service import UsageRecorder


@dataclass
class AuthState:
    """What checking a credential needs: the token key, the revocations, the existence memo."""

    signer: TokenSigner
    revocations: RevocationList = field(default_factory=RevocationList)
    existence: ExistenceCache = field(default_factory=ExistenceCache)


@dataclass(frozen=True, slots=True)
class AppState:
    settings: Settings
    store: Store
    auth: AuthState
    secret_box: SecretBox
    directory: ProjectDirectory
    runtime: Runtime
    endpoint_rules: EndpointRules
    api_keys: ApiKeyRules
    gateway: Gateway
    usage: UsageRecorder
    faults: FaultBook
    admin: AdminTools
    login_policy: LoginPolicy
    login_turns: LoginTurns
    users: UserManagement


def forget_cached(state: AppState) -> None:
    """Forget what this process remembers of the store, after the operator replaced part of it (a
    reset, a restore, a deleted account): token subjects, projects by region, resolved models,
    usage not yet written. Other processes forget within 5 s (their bounds)."""
    state.auth.existence.forget()
    state.directory.forget()
    state.gateway.forget()
    state.usage.discard()


STATE_KEY = "openmaas"


def attach_state(app: Starlette, state: AppState | None) -> None:
    setattr(app.state, STATE_KEY, state)


def state_of(app: Starlette) -> AppState | None:
    """The app's state, None before start-up has built it (or after it stopped)."""
    state: AppState | None = getattr(app.state, STATE_KEY, None)
    return state


def app_state(app: Starlette) -> AppState:
    state = state_of(app)
    if state is None:
        raise RuntimeError("the app is not started: its state is built in the lifespan")
    return state


async def _state(request: Request) -> AppState:
    return app_state(request.app)


State = Annotated[AppState, Depends(_state)]


def _request_connection(request: Request, state: State) -> Iterator[Connection]:
    with state.store.transaction(write=request.method not in READ_METHODS) as connection:
        yield connection


# scope="function": the commit happens before the response is sent, so a failed commit is
# still an error answer and a success is durable when the client sees it.
DbConnection = Annotated[Connection, Depends(_request_connection, scope="function")]
