"""The ASGI application: routers, the one error handler, and the lifespan that owns the store."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from openmaas.agreements.catalogue import agreement_book
from openmaas.agreements.routes import router as agreements_router
from openmaas.auth.principal import AuthState
from openmaas.auth.tokens import TokenSigner, signing_key
from openmaas.background import Periodic
from openmaas.config import Settings
from openmaas.credentials.routes import router as credentials_router
from openmaas.crypto import open_secret_box
from openmaas.custom_endpoints.presets import load_catalogue
from openmaas.custom_endpoints.routes import router as custom_endpoints_router
from openmaas.custom_endpoints.service import EndpointRules
from openmaas.db.engine import make_engine
from openmaas.db.reads import HotReader
from openmaas.db.session import transaction
from openmaas.errors import install_error_handlers, json_response
from openmaas.fast_lane import FastLane
from openmaas.iam.routes import router as iam_router
from openmaas.iam.service import LoginTurns
from openmaas.maas.routes import router as maas_router
from openmaas.maas.service import ProjectDirectory
from openmaas.middleware import RequestContext
from openmaas.services.routes import router as services_router
from openmaas.services.service import Runtime
from openmaas.services.worker import LifecycleWorker
from openmaas.workspaces.routes import router as workspaces_router


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """Build the app; the store must already be migrated (``openmaas db upgrade`` or ``serve``)."""
    engine = engine or make_engine(settings.effective_database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with transaction(engine, write=True) as connection:
            app.state.secret_box = open_secret_box(settings.secret_key_text, settings.data_dir, connection)
            key = signing_key(connection, app.state.secret_box)
        app.state.auth = AuthState(settings=settings, signer=TokenSigner(key))
        app.state.auth.revocations.refresh(engine)
        await app.state.hot_reader.open()
        jobs = _background_jobs(app, engine, settings)
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
            await app.state.hot_reader.close()
            gc.unfreeze()

    # No slash redirects: an unknown path is 404 APIG.0101 (CONTRACT 1) in the family's shape, never an
    # unauthenticated 307 whose Location is built from the Host header.
    app = Application(title="openmaas", version="0.1.0", lifespan=lifespan, redirect_slashes=False)
    app.state.settings = settings
    app.state.login_turns = LoginTurns()
    app.state.engine = engine
    app.state.runtime = Runtime(
        deploy_delay_ms=int(settings.deploy_delay_seconds * 1000), public_url=settings.public_url
    )
    app.state.projects = ProjectDirectory(settings)
    app.state.hot_reader = HotReader(engine, kept_answers=settings.listing_cache_entries)
    app.state.endpoint_rules = EndpointRules(
        directory=app.state.projects,
        presets=load_catalogue(settings.preset_models_file),
        agreements=agreement_book(),
        quota=settings.custom_endpoint_quota,
    )
    install_error_handlers(app)
    routers = (
        iam_router,
        credentials_router,
        workspaces_router,
        services_router,
        maas_router,
        custom_endpoints_router,
        agreements_router,
    )
    for router in routers:
        app.include_router(router)
    _add_probes(app)
    inner: ASGIApp = app.stack
    # The lane sits inside RequestContext, so fast answers get X-Request-Id too.
    if settings.fast_lane:
        inner = FastLane(inner, state=app.state)
    app.front = RequestContext(
        inner, max_body_bytes=settings.max_body_bytes, strict_content_type=settings.strict_content_type
    )
    return app


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


def _background_jobs(app: FastAPI, engine: Engine, settings: Settings) -> list[Periodic]:
    auth: AuthState = app.state.auth
    jobs = [
        Periodic("revocations", settings.revocation_poll_seconds, lambda: auth.revocations.refresh(engine)),
        Periodic("revocation-purge", 3600, lambda: auth.revocations.purge_expired(engine)),
    ]
    if settings.run_worker:
        jobs.append(Periodic("lifecycle", settings.worker_interval_seconds, LifecycleWorker(engine).tick))
    return jobs


def _add_probes(app: FastAPI) -> None:
    @app.get("/health", include_in_schema=False)
    async def health() -> Response:
        return json_response({"status": "ok"})

    @app.get("/ready", include_in_schema=False)
    async def ready() -> Response:
        if not await app.state.hot_reader.ready():
            return json_response({"status": "store unavailable"}, 503)
        return json_response({"status": "ready"})
