"""Credentials, and the sessions that turn them into authenticated requests (sans I/O: the
sessions yield the requests they need, such as a login, and the client sends them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx

from openmaas_client import _signer
from openmaas_client._errors import OpenMaasError, error_from
from openmaas_client._models import Token
from openmaas_client._wire import Call, Flow, Outgoing, Wire, json_list, json_object, query

# A token this close to its expiry is replaced before use rather than risk a refusal mid-call.
EXPIRY_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class PasswordAuth:
    """A user name and password in a domain; the client obtains and refreshes tokens with them."""

    domain: str
    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class TokenAuth:
    """A token obtained elsewhere; it is used as is and cannot be refreshed."""

    token: str = field(repr=False)


@dataclass(frozen=True)
class AccessKeyAuth:
    """An access key (AK) and its secret (SK); every request is signed with SDK-HMAC-SHA256."""

    access_key: str
    secret_key: str = field(repr=False)


Credentials = PasswordAuth | TokenAuth | AccessKeyAuth


@dataclass(frozen=True)
class Target:
    """Which project calls are scoped to: an explicit id, or the project named after a region."""

    region: str
    project_id: str | None = None


class Session(Protocol):
    def project_id(self) -> Flow[str]: ...

    def user_id(self) -> Flow[str | None]: ...

    def authorize(self, outgoing: Outgoing) -> Flow[None]: ...

    def refused(self, response: httpx.Response) -> bool:
        """Whether the response refuses the credential in a way a fresh one may fix (then retried)."""
        ...


def token_from_response(response: httpx.Response) -> Token:
    body = json_object(response)
    token = Token.model_validate({**body["token"], "value": response.headers.get("x-subject-token", "")})
    token._raw = body
    return token


def password_body(credentials: PasswordAuth, scope: dict[str, Any] | None) -> dict[str, Any]:
    domain = {"name": credentials.domain}
    user = {"name": credentials.user, "password": credentials.password, "domain": domain}
    auth: dict[str, Any] = {"identity": {"methods": ["password"], "password": {"user": user}}}
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def project_scope(target: Target) -> dict[str, Any]:
    if target.project_id:
        return {"project": {"id": target.project_id}}
    return {"project": {"name": target.region}}


def login_call(credentials: PasswordAuth, scope: dict[str, Any] | None) -> Call[Token]:
    return Call(
        "POST",
        "/v3/auth/tokens",
        token_from_response,
        query=query(nocatalog=True),
        body=password_body(credentials, scope),
        authenticated=False,
    )


def _is_token_refusal(response: httpx.Response) -> bool:
    # D-5: ModelArts and IAM answer 401; MaaS answers 400 ModelArts.0104 "Invalid token.".
    if response.status_code == 401:
        return True
    return response.status_code == 400 and error_from(response).error_msg == "Invalid token."


class TokenSession:
    """Keeps one project-scoped token. With a password it is obtained and renewed before expiry or
    on refusal; a given token (:class:`TokenAuth`) is sent as is."""

    def __init__(
        self,
        wire: Wire,
        credentials: PasswordAuth | TokenAuth,
        target: Target,
        token: Token | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._wire, self._credentials, self._target, self._clock = wire, credentials, target, clock
        self.token = token

    def project_id(self) -> Flow[str]:
        if self._target.project_id:
            return self._target.project_id
        token = yield from self._described()
        if token.project is None:
            raise OpenMaasError("the token is not scoped to a project")
        return token.project.id

    def user_id(self) -> Flow[str | None]:
        token = yield from self._described()
        return token.user.id

    def authorize(self, outgoing: Outgoing) -> Flow[None]:
        if isinstance(self._credentials, TokenAuth):
            outgoing.headers["X-Auth-Token"] = self._credentials.token
            return
        token = yield from self._described()
        outgoing.headers["X-Auth-Token"] = token.value

    def refused(self, response: httpx.Response) -> bool:
        if isinstance(self._credentials, TokenAuth) or not _is_token_refusal(response):
            return False
        self.token = None
        return True

    def _described(self) -> Flow[Token]:
        """The token with its body (project, user, expiry): validated if given, else a fresh login."""
        if self.token is None or self.token.expires_at - EXPIRY_MARGIN <= self._clock():
            self.token = yield from self._obtain()
        return self.token

    def _obtain(self) -> Flow[Token]:
        credentials = self._credentials
        if isinstance(credentials, TokenAuth):
            headers = {"X-Auth-Token": credentials.token, "X-Subject-Token": credentials.token}
            call = Call("GET", "/v3/auth/tokens", token_from_response, query(nocatalog=True), headers=headers)
        else:
            call = login_call(credentials, project_scope(self._target))
        return (yield from _send_plain(self._wire, call))


class AccessKeySession:
    """Signs every request; finds the project id by region name the way the SDK does when not given."""

    def __init__(
        self, wire: Wire, credentials: AccessKeyAuth, target: Target, clock: Callable[[], datetime]
    ) -> None:
        self._wire, self._credentials, self._clock = wire, credentials, clock
        self._target = target
        self._project_id = target.project_id

    def project_id(self) -> Flow[str]:
        if self._project_id is None:
            self._project_id = yield from self._discover()
        return self._project_id

    def user_id(self) -> Flow[str | None]:
        return None
        yield  # a generator that needs no request

    def authorize(self, outgoing: Outgoing) -> Flow[None]:
        if not outgoing.path.startswith(("/v3/", "/v3.0/")) and self._project_id:
            outgoing.headers["X-Project-Id"] = self._project_id
        outgoing.headers[_signer.DATE_HEADER] = self._clock().strftime(_signer.DATE_FORMAT)
        signable = _signer.SignableRequest(
            outgoing.method, outgoing.path, outgoing.query, outgoing.headers, outgoing.body
        )
        credentials = self._credentials
        outgoing.headers["Authorization"] = _signer.authorization(
            signable, credentials.access_key, credentials.secret_key
        )
        return
        yield

    def refused(self, response: httpx.Response) -> bool:
        return False

    def _discover(self) -> Flow[str]:
        call = Call("GET", "/v3/projects", _project_ids, query(name=self._target.region))
        outgoing = self._wire.outgoing(call, None)
        yield from self.authorize(outgoing)
        response = yield self._wire.build(outgoing)
        if response.is_error:
            raise error_from(response)
        ids = call.read(response)
        if len(ids) != 1:
            raise OpenMaasError(
                f"expected exactly one project named {self._target.region!r}, the server has {len(ids)}"
            )
        return ids[0]


def _project_ids(response: httpx.Response) -> list[str]:
    return [str(project["id"]) for project in json_list(json_object(response), "projects")]


def _send_plain(wire: Wire, call: Call[Token]) -> Flow[Token]:
    response = yield wire.build(wire.outgoing(call, None))
    if response.is_error:
        raise error_from(response)
    return call.read(response)


def make_session(
    wire: Wire, credentials: Credentials, target: Target, token: Token | None
) -> TokenSession | AccessKeySession:
    def now() -> datetime:
        return datetime.now(UTC)

    if isinstance(credentials, AccessKeyAuth):
        return AccessKeySession(wire, credentials, target, now)
    return TokenSession(wire, credentials, target, token, now)
