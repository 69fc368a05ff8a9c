"""The ASGI application: routers, the one error handler, the front door, and the lifespan that
builds the app's typed state (``http.state.AppState``) on the migrated store."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from openmaas.admin.routes import router as admin_router
from openmaas.admin.service import AdminTools
from openmaas.agreements.catalogue import agreement_book
from openmaas.agreements.routes import router as agreements_router
from openmaas.api_keys.routes import router as api_keys_router
from openmaas.api_keys.service import ApiKeyRules, api_key_hasher
from openmaas.auth.passwords import HashCost
from openmaas.auth.tokens import TokenSigner, signing_key
from openmaas.background import Periodic
from openmaas.bootstrap import bootstrap_again
from openmaas.config import Settings
from openmaas.console import PREFIX as CONSOLE_PREFIX
from openmaas.console import router as console_router
from openmaas.credentials.routes import router as credentials_router
from openmaas.credentials.service import delete_user_keys
from openmaas.crypto import open_secret_box
from openmaas.custom_endpoints.routes import router as custom_endpoints_router
from openmaas.custom_endpoints.service import EndpointRules
from openmaas.data_plane_lane import DataPlaneLane
from openmaas.db.engine import make_engine
from openmaas.db.store import Store
from openmaas.fast_lane import FastLane
from openmaas.fault_lane import FaultLane
from openmaas.faults.service import FaultBook
from openmaas.faults.service import forget_expired as forget_expired_faults
from openmaas.gateway.routes import router as gateway_router
from openmaas.gateway.service import Gateway
from openmaas.gateway.upstream import Upstreams
from openmaas.http.errors import install_error_handlers
from openmaas.http.responses import json_response
from openmaas.http.state import AppState, AuthState, attach_state, state_of
from openmaas.iam.directory import ProjectDirectory
from openmaas.iam.routes import router as iam_router
from openmaas.iam.service import LoginPolicy, LoginTurns
from openmaas.iam.users import UserManagement
from openmaas.maas.routes import router as maas_router
from openmaas.middleware import RequestContext
from openmaas.observer import Answered, Observer, access_line, answers_for
from openmaas.presets import load_catalogue
from openmaas.ratelimit import make_limiter
from openmaas.services.routes import router as services_router
from openmaas.services.service import Runtime
from openmaas.services.worker import LifecycleWorker
from openmaas.telemetry.batches import Answers
from openmaas.telemetry.logs import AccessLines
from openmaas.telemetry.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from openmaas.telemetry.metrics import RequestMeter, exposition
from openmaas.usage.routes import router as usage_router
from openmaas.usage.service import UsageRecorder, forget_old
from openmaas.workspaces.routes import router as workspaces_router

CONTROL_PLANE: tuple[APIRouter, ...] = (
    iam_router,
    credentials_router,
    workspaces_router,
    services_router,
    maas_router,
    custom_endpoints_router,
    agreements_router,
    api_keys_router,
    usage_router,
    admin_router,
)
DATA_PLANE: tuple[APIRouter, ...] = (gateway_router,)
ROUTERS = CONTROL_PLANE + DATA_PLANE
log = logging.getLogger("openmaas.app")
# Which routers a process serves (OPENMAAS_ROLE).
ROLES: dict[str, tuple[APIRouter, ...]] = {
    "all": ROUTERS,
    "control-plane": CONTROL_PLANE,
    "data-plane": DATA_PLANE,
}


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """Build the app; the store must already be migrated (``openmaas db upgrade`` or ``serve``)."""
    store = Store(
        engine or make_engine(settings.effective_database_url), kept_answers=settings.listing_cache_entries
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = build_state(settings, store)
        state.auth.revocations.refresh(store)
        state.faults.refresh(store)
        await store.open()
        attach_state(app, state)
        jobs = _background_jobs(state)
        for job in jobs:
            job.start()
        # Everything built so far (routes, models, tables, compiled statements) lives as long as the
        # process: out of the collector's view, a full collection no longer walks it, which would
        # otherwise stall every request in flight for milliseconds (tail latency, issue 5). An app that
        # stops (the tests make and stop many in one process) hands its objects back. No collection
        # first: in a large process it costs more (about 140 ms) than the few cycles it would free.
        gc.freeze()
        try:
            yield
        finally:
            for job in jobs:
                job.stop()
            attach_state(app, None)
            await state.gateway.close()
            # Last: what the gateway counted until now (D-19: a SIGTERM loses no usage).
            _flush_usage(state)
            await store.close()
            gc.unfreeze()

    # No slash redirects: an unknown path is 404 APIG.0101 (CONTRACT 1) in the family's shape, never an
    # unauthenticated 307 whose Location is built from the Host header.
    app = Application(title="openmaas", version="0.1.0", lifespan=lifespan, redirect_slashes=False)
    install_error_handlers(app)
    for router in ROLES[settings.role]:
        app.include_router(router)
    _add_probes(app)
    # Outside ROUTERS: the console is pages over the APIs above, not an API (the isolation matrix
    # covers what it calls). It needs the control plane.
    console = settings.console and settings.role != "data-plane"
    if console:
        app.include_router(console_router)
    meter = RequestMeter() if settings.metrics else None
    access = AccessLines(settings.log_format, access_line) if settings.access_log else None
    answers = answers_for(meter, access)
    if meter is not None and answers is not None:
        _add_metrics(app, meter, answers)
    inner: ASGIApp = app.stack
    # The lanes sit inside the observer, so fast answers get X-Request-Id, metrics and a log line too.
    if settings.fast_lane and settings.role != "data-plane":
        inner = FastLane(inner, app=app)
    if settings.role != "control-plane":
        inner = DataPlaneLane(inner, app=app)
    inner = FaultLane(
        inner, app=app, routes=[route for router in ROLES[settings.role] for route in router.routes]
    )
    inner = RequestContext(
        inner,
        max_body_bytes=settings.max_body_bytes,
        data_plane_max_body_bytes=settings.data_plane_max_body_bytes,
        strict_content_type=settings.strict_content_type,
        form_paths=(CONSOLE_PREFIX + "/",) if console else (),
    )
    # Outermost, so every answer (the request checks' own too) is counted, timed and logged.
    app.front = Observer(inner, meter=meter, answers=answers)
    return app


def build_state(settings: Settings, store: Store) -> AppState:
    """Everything requests share for the app's life; reads the store's keys (so: a migrated store)."""
    with store.transaction(write=True) as connection:
        secret_box = open_secret_box(settings.secret_key_text, settings.data_dir, connection)
        key = signing_key(connection, secret_box)
        hasher = api_key_hasher(connection, secret_box)
    directory = ProjectDirectory(settings.region_ids)
    presets = load_catalogue(settings.preset_models_file)
    usage = UsageRecorder()
    return AppState(
        settings=settings,
        store=store,
        auth=AuthState(signer=TokenSigner(key)),
        secret_box=secret_box,
        directory=directory,
        runtime=Runtime(
            deploy_delay_ms=int(settings.deploy_delay_seconds * 1000), public_url=settings.public_url
        ),
        endpoint_rules=EndpointRules(
            directory=directory,
            presets=presets,
            agreements=agreement_book(),
            quota=settings.custom_endpoint_quota,
        ),
        api_keys=ApiKeyRules(quota=settings.api_key_quota, hasher=hasher),
        gateway=Gateway(
            store=store,
            directory=directory,
            presets=presets,
            home_region=settings.maas_home_region,
            hasher=hasher,
            limiter=make_limiter(settings.redis_url, settings.rate_limit_window_seconds),
            recorder=usage,
            upstreams=Upstreams(
                connect_timeout=settings.upstream_connect_timeout_seconds,
                read_timeout=settings.upstream_read_timeout_seconds,
            ),
        ),
        usage=usage,
        faults=FaultBook(),
        admin=AdminTools(
            password_cost=HashCost.of(settings),
            region_ids=tuple(region.id for region in settings.regions),
            bootstrap_again=lambda connection: bootstrap_again(connection, settings),
            admin_domain=settings.admin_domain,
        ),
        login_policy=LoginPolicy.of(settings),
        login_turns=LoginTurns(),
        # A deleted user's access keys go with it (credentials sits above IAM, so it is passed in).
        users=UserManagement(store, HashCost.of(settings), release=delete_user_keys),
    )


class Application(FastAPI):
    """FastAPI behind plain ASGI layers of our own. FastAPI puts its error, telemetry and body-limit
    middleware outside anything added with ``add_middleware``; the layers every request needs, and
    the fast lane (issue 5), go in front of all of it instead."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.front: ASGIApp = self.stack

    async def stack(self, scope: Scope, receive: Receive, send: Send) -> None:
        """FastAPI's own entry: its middleware, routing and handlers."""
        await super().__call__(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.front(scope, receive, send)


def _background_jobs(state: AppState) -> list[Periodic]:
    store, revocations, settings, usage = state.store, state.auth.revocations, state.settings, state.usage
    jobs = [
        Periodic("revocations", settings.revocation_poll_seconds, lambda: revocations.refresh(store)),
        Periodic("revocation-purge", 3600, lambda: revocations.purge_expired(store)),
        Periodic("usage", settings.usage_flush_seconds, lambda: usage.flush(store)),
        Periodic("usage-retention", 3600, lambda: forget_old(store)),
        Periodic("faults", settings.fault_poll_seconds, lambda: state.faults.refresh(store)),
        Periodic("faults-expired", 3600, lambda: forget_expired_faults(store)),
    ]
    if settings.run_worker:
        jobs.append(Periodic("lifecycle", settings.worker_interval_seconds, LifecycleWorker(store).tick))
    return jobs


def _flush_usage(state: AppState) -> None:
    try:
        state.usage.flush(state.store)
    except Exception:
        log.exception("the last usage batch could not be written")


def _add_metrics(app: FastAPI, meter: RequestMeter, answers: Answers[Answered]) -> None:
    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Any:
        # This process's requests until now, on the loop that counts them.
        answers.flush()
        meter.publish()
        # Collected off the loop: with several processes it reads every process's file.
        body = await run_in_threadpool(exposition)
        return Response(body, media_type=METRICS_CONTENT_TYPE)


def _add_probes(app: FastAPI) -> None:
    @app.get("/health", include_in_schema=False)
    async def health() -> Any:
        return json_response({"status": "ok"})

    @app.get("/ready", include_in_schema=False)
    async def ready() -> Any:
        state = state_of(app)
        if state is None or not await state.store.ready():
            return json_response({"status": "store unavailable"}, 503)
        return json_response({"status": "ready"})
