"""The administrative commands' work: settings, migrations, bootstrap, and running uvicorn."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from openmaas.config import InvalidSettings, Settings
from openmaas_cli.display import CONFIGURATION_FAILURE, UNREACHABLE, console, fail

if TYPE_CHECKING:
    import uvicorn

    from openmaas.db.store import Store


def load_settings(data_dir: Path | None) -> Settings:
    try:
        return Settings.load(data_dir=data_dir) if data_dir is not None else Settings.load()
    except InvalidSettings as error:
        fail(str(error), CONFIGURATION_FAILURE)


@contextmanager
def store_of(settings: Settings) -> Iterator[Store]:
    """The configured store; a store that cannot be opened ends the command with a
    message naming it (password hidden), never a traceback."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from openmaas.db.engine import make_engine
    from openmaas.db.store import Store

    store = make_url(settings.effective_database_url).render_as_string(hide_password=True)
    try:
        engine = make_engine(settings.effective_database_url)
    except OSError as error:  # the SQLite file's folder cannot be made, say
        fail(f"cannot use the store at {store}: {error}", UNREACHABLE)
    try:
        yield Store(engine)
    except DBAPIError as error:
        reason = " ".join(str(error.orig).split())
        fail(f"cannot use the store at {store}: {reason}", UNREACHABLE)
    finally:
        engine.dispose()


def upgrade(settings: Settings) -> None:
    from openmaas.schema.migrate import upgrade as run_upgrade

    with store_of(settings) as store:
        run_upgrade(store.engine)


def prepare(settings: Settings) -> None:
    from openmaas.bootstrap import bootstrap

    upgrade(settings)
    try:
        with store_of(settings) as store:
            result = bootstrap(store, settings)
            _check_secret_key(store, settings)
    except OSError as error:  # the admin-password or key file cannot be written, say
        fail(f"cannot use the data folder {settings.data_dir}: {error}", CONFIGURATION_FAILURE)
    if result.generated_password:
        console.print(
            f"created user [bold]{settings.admin_user}[/] in domain [bold]{settings.admin_domain}[/] "
            f"with password [bold]{result.generated_password}[/] (also in {result.password_file}, mode 0600)",
            highlight=False,
        )
    elif result.created:
        console.print(
            f"created user {settings.admin_user} in domain {settings.admin_domain}", highlight=False
        )


def _check_secret_key(store: Store, settings: Settings) -> None:
    """The secret key must be the one this store was sealed with: said here, before serving, rather
    than as a traceback from the app's start-up."""
    from openmaas.crypto import SecretKeyError, open_secret_box

    try:
        with store.transaction(write=True) as connection:
            open_secret_box(settings.secret_key_text, settings.data_dir, connection)
    except SecretKeyError as error:
        fail(str(error), CONFIGURATION_FAILURE)


def serve(host: str, port: int, data_dir: Path | None) -> None:
    import uvicorn

    from openmaas.app import create_app
    from openmaas.db.engine import make_engine
    from openmaas.http.serving import OneWriteHttpProtocol
    from openmaas.telemetry import logs

    settings = load_settings(data_dir)
    logs.configure(settings.log_format)
    prepare(settings)
    engine = make_engine(settings.effective_database_url)
    app = create_app(settings, engine)
    # On SIGTERM uvicorn stops accepting, finishes in-flight requests, then runs the lifespan's exit.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        # A response's head and first body part in one write (see openmaas.http.serving).
        http=OneWriteHttpProtocol,
        timeout_graceful_shutdown=30,
        # openmaas writes the request lines itself (route template, code, tenant), and its log
        # handler takes uvicorn's records too: no logging config of uvicorn's own.
        access_log=False,
        log_config=None,
        log_level="info",
    )
    server = uvicorn.Server(config)
    _stop_on_signals(server)
    try:
        server.run()
    finally:
        engine.dispose()


def mock_model(host: str, port: int, **options: Any) -> None:
    """Serve the mock model (``MockOptions`` fields) until SIGTERM or SIGINT, then exit 0 as ``serve``."""
    import uvicorn

    from openmaas.mock_model import MockOptions, create_mock_app

    chosen = MockOptions(**options)
    config = uvicorn.Config(
        create_mock_app(chosen), host=host, port=port, access_log=False, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    _stop_on_signals(server)
    console.print(f"mock model [bold]{chosen.model}[/] listening on http://{host}:{port}/v1", highlight=False)
    server.run()


def _stop_on_signals(server: uvicorn.Server) -> None:
    """A stop request is a clean exit (status 0), whenever it arrives.

    uvicorn handles SIGTERM/SIGINT while it serves, then re-raises the signal to the handler that was
    installed before it; with Python's defaults that re-raise would kill the process with the signal
    after a graceful shutdown. This handler also covers a signal that lands before uvicorn listens.
    """

    def request_exit(_signum: int, _frame: FrameType | None) -> None:
        server.should_exit = True

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, request_exit)
