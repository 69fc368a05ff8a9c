"""The data plane (issue 10): an OpenAI-compatible call of a custom endpoint, forwarded to the model
server behind it.

A call is checked in the order the public error table implies: the API key (81002, 81003) and its
IP allowlist (81015), the body (81001), the model (81009), the key's model and endpoint allowlists
(81015), the endpoint's switch (81004, D-15), whether anything can answer (81010, D-16), and the
endpoint's rpm and tpm (81101, 81103; D-18). Then the body goes to the model server unchanged but for
``model`` (and, when streaming, ``stream_options.include_usage``), and the answer comes back as the
server sent it; a stream is relayed event by event. Every call that names an endpoint is counted in
its usage, and its tokens settle the tpm reservation.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from sqlalchemy import Connection
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse

from openmaas.api_keys import service as api_keys
from openmaas.api_keys.service import ApiKeyHasher, CallerKey
from openmaas.asgi import first_header, read_body
from openmaas.custom_endpoints import service as endpoints
from openmaas.custom_endpoints.service import CallableEndpoint
from openmaas.db.scope import Scope
from openmaas.db.store import Store
from openmaas.errors import ApiError
from openmaas.gateway import tokens
from openmaas.gateway.connections import Exchange
from openmaas.gateway.errors import (
    BadRequestBody,
    EndpointNotEnabled,
    InvalidAuthorization,
    LimitsUnavailable,
    MissingAuthorization,
    ModelNotFound,
    NoServiceInstance,
    RejectedByAllowlist,
    RpmExceeded,
    TpmExceeded,
)
from openmaas.gateway.upstream import Counted, StreamRelay, Upstreams, answer_json, failure_of
from openmaas.iam.directory import ProjectDirectory
from openmaas.iam.errors import InvalidRegion
from openmaas.presets import PresetCatalogue
from openmaas.ratelimit import Admission, Limiter, LimiterUnavailable, Limits
from openmaas.services import service as services
from openmaas.services.states import Status
from openmaas.telemetry.exchange import note_caller, note_endpoint
from openmaas.telemetry.metrics import count_call, count_rate_limited
from openmaas.usage.service import UsageRecorder

log = logging.getLogger("openmaas.gateway")

Kind = Literal["chat/completions", "embeddings"]
PRESET_SOURCE = "custom_from_maas"
SSE_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a ``model`` names for an account: its endpoint, and where the endpoint's calls go or
    why none can be made now."""

    endpoint: CallableEndpoint | None
    base_url: str = ""
    upstream_model: str = ""
    problem: Callable[[], ApiError] | None = None


@dataclass(slots=True)
class Call:
    """One admitted call: its endpoint, its admission, and its tokens as they are counted."""

    endpoint: CallableEndpoint
    admission: Admission
    counted: Counted


class Gateway:
    # How long a resolved model is reused: an endpoint switched off or a service stopped is seen by
    # every process within this (D-15).
    RESOLVE_SECONDS = 1.0
    RESOLVED_KEPT = 10_000

    def __init__(
        self,
        *,
        store: Store,
        directory: ProjectDirectory,
        presets: PresetCatalogue,
        home_region: str,
        hasher: ApiKeyHasher,
        limiter: Limiter,
        recorder: UsageRecorder,
        upstreams: Upstreams,
    ) -> None:
        self._store = store
        self._directory = directory
        self._presets = presets
        self._home_region = home_region
        self._hasher = hasher
        self._limiter = limiter
        self._recorder = recorder
        self._upstreams = upstreams
        self._resolved: dict[tuple[str, str], tuple[Resolution, float]] = {}
        self._resolving: dict[tuple[str, str], asyncio.Future[Resolution]] = {}

    def forget(self) -> None:
        """Resolve every model afresh (the operator replaced the store)."""
        self._resolved = {}
        self._resolving = {}  # what they read goes to the old dict, not to this one

    async def call(self, request: Request, kind: Kind) -> Response:
        """Forward one chat completion or embeddings call."""
        key = await self._caller(request)
        raw = await read_body(request.receive)
        if raw is None:
            raise ClientDisconnect()  # as Request.body does
        body = _checked_body(raw, kind)
        endpoint, base_url, upstream_model = await self._target(key, body["model"])
        counted = Counted(prompt_estimate=_prompt_estimate(body, kind))
        admission = await self._admit(endpoint, counted.prompt_estimate + tokens.completion_cap(body))
        call = Call(endpoint, admission, counted)
        stream = kind == "chat/completions" and body.get("stream") is True
        payload = orjson.dumps(_upstream_body(body, upstream_model, stream))
        url = f"{base_url}/{kind}"
        if stream:
            return await self._stream(call, url, payload, _wants_usage(body))
        return await self._whole(call, url, payload)

    async def models(self, request: Request) -> Response:
        """The account's callable endpoints, as the OpenAI model list."""
        key = await self._caller(request)
        scope = Scope(key.project_id, self._home_region)
        listed = await self._store.run(endpoints.callable_endpoints, scope)
        data = [_model_item(endpoint) for endpoint in listed if endpoint.active and _allowed(key, endpoint)]
        return Response(orjson.dumps({"object": "list", "data": data}), media_type="application/json")

    async def close(self) -> None:
        await self._upstreams.close()
        await self._limiter.close()

    # ---- who calls, and what ---------------------------------------------------------------------

    async def _caller(self, request: Request) -> CallerKey:
        value = first_header(request.scope["headers"], b"authorization")
        header = value.decode("latin-1") if value is not None else None
        if header is None or header[:7].lower() != "bearer ":
            raise MissingAuthorization()
        secret = header[7:].strip()
        if not api_keys.KEY_SHAPE.match(secret):
            raise InvalidAuthorization()  # not a key's shape: no key to look for
        # Kept while the store is unchanged (SQLite), so a deleted key is still refused at once.
        read = api_keys.key_read(self._hasher.hash(secret))
        key = await self._store.kept("caller-key", read, api_keys.caller_key, _key_cost)
        if key is None:
            raise InvalidAuthorization()
        note_caller(key.domain_id, None, key.project_id)
        client = request.scope.get("client")
        client_ip = client[0] if client else ""
        if not key.allows_ip(client_ip):
            raise RejectedByAllowlist.ip(client_ip)
        return key

    async def _target(self, key: CallerKey, model: str) -> tuple[CallableEndpoint, str, str]:
        """The endpoint ``model`` names and where its calls go, after the key's allowlists."""
        resolution = await self._resolution(key, model)
        endpoint = resolution.endpoint
        if endpoint is None:
            raise ModelNotFound()
        note_endpoint(key.domain_id, endpoint.id)
        if endpoint.source == PRESET_SOURCE and not key.allows_model(endpoint.model_name or ""):
            raise RejectedByAllowlist.model(endpoint.model_name or model)
        if not key.allows_endpoint(endpoint.endpoint_name):
            raise RejectedByAllowlist.endpoint(endpoint.endpoint_name)
        if not endpoint.active:
            raise EndpointNotEnabled()
        if resolution.problem is not None:
            self._count_refused(endpoint)
            raise resolution.problem()
        return endpoint, resolution.base_url, resolution.upstream_model

    async def _resolution(self, key: CallerKey, model: str) -> Resolution:
        cache_key = (key.project_id, model)
        kept = self._resolved.get(cache_key)
        if kept is not None and kept[1] > time.monotonic():
            return kept[0]
        # One read for every call that finds the same resolution expired: when it expires under
        # load, dozens of calls would otherwise each take a worker thread for the same rows.
        resolving = self._resolving.get(cache_key)
        if resolving is None:
            resolving = asyncio.ensure_future(self._store.run(self._resolve, key, model))
            self._resolving[cache_key] = resolving
            resolved, pending = self._resolved, self._resolving
            resolving.add_done_callback(lambda done: _keep(resolved, pending, cache_key, done))
        return await asyncio.shield(resolving)

    def _resolve(self, connection: Connection, key: CallerKey, model: str) -> Resolution:
        endpoint = endpoints.callable_endpoint(connection, Scope(key.project_id, self._home_region), model)
        if endpoint is None:
            return Resolution(None)
        if endpoint.source == PRESET_SOURCE:
            return self._preset_resolution(endpoint)
        return self._service_resolution(connection, key, endpoint)

    def _preset_resolution(self, endpoint: CallableEndpoint) -> Resolution:
        preset = self._presets.find(endpoint.model_name or "")
        if preset is None or preset.upstream_url is None:
            name = endpoint.model_name
            return _unavailable(endpoint, f"the preset model {name} has no model server on this deployment.")
        return Resolution(endpoint, api_base(preset.upstream_url), preset.upstream_model or preset.model_name)

    def _service_resolution(
        self, connection: Connection, key: CallerKey, endpoint: CallableEndpoint
    ) -> Resolution:
        service_id = endpoint.infer_service_id or ""
        try:
            region_scope = self._directory.scope_in(connection, key.domain_id, endpoint.region or "")
        except InvalidRegion:
            region_scope = None
        upstream = services.upstream_of(connection, region_scope, service_id) if region_scope else None
        if upstream is None:
            return _unavailable(endpoint, f"the inference service {service_id} no longer exists.")
        if upstream.status != Status.RUNNING:
            return _unavailable(
                endpoint, f"the inference service {service_id} is {upstream.status}, not RUNNING."
            )
        if not upstream.url:
            return _unavailable(endpoint, f"the inference service {service_id} names no upstream_url.")
        return Resolution(endpoint, api_base(upstream.url), upstream.model)

    # ---- limits, usage ------------------------------------------------------------------------

    async def _admit(self, endpoint: CallableEndpoint, reserve: int) -> Admission:
        try:
            admission = await self._limiter.admit(endpoint.id, Limits(endpoint.rpm, endpoint.tpm), reserve)
        except LimiterUnavailable:
            self._count_refused(endpoint)
            raise LimitsUnavailable() from None
        if admission.admitted:
            return admission
        self._count_refused(endpoint)
        count_rate_limited(endpoint.id, admission.exceeded or "rpm")
        if admission.exceeded == "rpm":
            raise RpmExceeded(endpoint.rpm or 0, admission.retry_after)
        raise TpmExceeded(endpoint.tpm or 0, admission.retry_after)

    def _count_refused(self, endpoint: CallableEndpoint) -> None:
        self._recorder.record(endpoint.id, error=True, prompt_tokens=0, completion_tokens=0)
        count_call(endpoint.id, "refused")

    async def _finish(self, call: Call, *, error: bool) -> None:
        """Count the call's usage and settle its tpm reservation with the tokens it used."""
        counted = call.counted
        prompt, completion = counted.prompt_tokens, counted.completion_tokens
        self._recorder.record(
            call.endpoint.id, error=error, prompt_tokens=prompt, completion_tokens=completion
        )
        count_call(call.endpoint.id, "failed" if error else "answered", prompt, completion)
        try:
            await self._limiter.settle(call.endpoint.id, call.admission, prompt + completion)
        except LimiterUnavailable:
            log.warning("endpoint %s: the tpm counters did not take a settle", call.endpoint.id)

    # ---- forwarding -----------------------------------------------------------------------------

    async def _whole(self, call: Call, url: str, payload: bytes) -> Response:
        try:
            response = await self._upstreams.post(url, payload)
            answer = answer_json(response)
        except ApiError:
            await self._finish(call, error=True)
            raise
        usage = answer.get("usage")
        call.counted.answered = True
        call.counted.usage = usage if isinstance(usage, dict) else None
        call.counted.count_choices(answer.get("choices"), "message")
        await self._finish(call, error=False)
        return JsonAnswer(response.body)

    async def _stream(self, call: Call, url: str, payload: bytes, wants_usage: bool) -> Response:
        try:
            response = await self._upstreams.open_stream(url, payload)
        except ApiError:
            await self._finish(call, error=True)
            raise
        call.counted.answered = True
        relay = StreamRelay(call.counted, wants_usage)

        async def events() -> Any:
            try:
                async for event in relay.relay(response.parts(), lambda failure: failure_of(failure, url)):
                    yield event
            finally:
                # Also when the client goes away mid-stream: the tokens so far are still counted.
                finished = not relay.failed and relay.done
                await asyncio.shield(self._close_stream(response, call, error=not finished))

        return StreamingResponse(events(), media_type="text/event-stream", headers=SSE_HEADERS)

    async def _close_stream(self, response: Exchange, call: Call, *, error: bool) -> None:
        response.release()  # a stream not read to its end closes its connection
        await self._finish(call, error=error)


def _keep(
    resolved: dict[tuple[str, str], tuple[Resolution, float]],
    resolving: dict[tuple[str, str], asyncio.Future[Resolution]],
    cache_key: tuple[str, str],
    done: asyncio.Future[Resolution],
) -> None:
    """A finished resolution: kept for RESOLVE_SECONDS (a failed one is not kept)."""
    resolving.pop(cache_key, None)
    if done.cancelled() or done.exception() is not None:
        return
    if len(resolved) >= Gateway.RESOLVED_KEPT:
        resolved.clear()
    resolved[cache_key] = (done.result(), time.monotonic() + Gateway.RESOLVE_SECONDS)


def _key_cost(key: CallerKey | None) -> int | None:
    """What a kept key counts for against the store's kept bytes (its rows and object, roughly).
    An unknown key is not kept: random bearer values would otherwise push out the kept listings."""
    return 1024 if key is not None else None


def api_base(upstream_url: str) -> str:
    """D-14: the OpenAI API base of a model server named by ``upstream_url``: the URL up to and
    including its last ``/v1`` segment, else its origin with ``/v1``."""
    scheme, _, rest = upstream_url.partition("://")
    host, _, path = rest.partition("/")
    segments = path.split("?", 1)[0].split("#", 1)[0].split("/")
    if "v1" in segments:
        last = len(segments) - 1 - segments[::-1].index("v1")
        return f"{scheme}://{host}/" + "/".join(segments[: last + 1])
    return f"{scheme}://{host}/v1"


def _unavailable(endpoint: CallableEndpoint, why: str) -> Resolution:
    return Resolution(
        endpoint, problem=lambda: NoServiceInstance(f"No available inference service instance: {why}")
    )


class JsonAnswer(Response):
    """A JSON body as it came (a model server's answer): its two headers made directly, not through
    ``Response``'s general header handling, on the data plane's every call."""

    def __init__(self, body: bytes) -> None:
        self.status_code = 200
        self.background = None
        self.body = body
        self.raw_headers = [(b"content-length", b"%d" % len(body)), (b"content-type", b"application/json")]


def _checked_body(raw: bytes, kind: Kind) -> dict[str, Any]:
    """The request body as JSON, with what the call needs present (81001 otherwise)."""
    if not raw.strip():
        raise BadRequestBody("body is empty")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequestBody("body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequestBody("body is not a JSON object")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise BadRequestBody("model is empty")
    needed = "messages" if kind == "chat/completions" else "input"
    if not body.get(needed) or (needed == "messages" and not isinstance(body[needed], list)):
        raise BadRequestBody(f"{needed} is empty")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise BadRequestBody("stream is not a boolean")
    return body


def _prompt_estimate(body: dict[str, Any], kind: Kind) -> int:
    if kind == "chat/completions":
        return tokens.of_messages(body["messages"])
    return tokens.of_value(body["input"])


def _wants_usage(body: dict[str, Any]) -> bool:
    """D-17: a stream carries a usage chunk unless the client says ``include_usage: false``."""
    options = body.get("stream_options")
    return not (isinstance(options, dict) and options.get("include_usage") is False)


def _upstream_body(body: dict[str, Any], upstream_model: str, stream: bool) -> dict[str, Any]:
    sent = {**body, "model": upstream_model}
    if stream:
        options = body.get("stream_options")
        sent["stream_options"] = {**(options if isinstance(options, dict) else {}), "include_usage": True}
    return sent


def _allowed(key: CallerKey, endpoint: CallableEndpoint) -> bool:
    if endpoint.source == PRESET_SOURCE and not key.allows_model(endpoint.model_name or ""):
        return False
    return key.allows_endpoint(endpoint.endpoint_name)


def _model_item(endpoint: CallableEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.endpoint_name,
        "object": "model",
        "created": endpoint.create_at // 1000,
        "owned_by": "openmaas",
    }
