"""The administrative commands' work: settings, migrations, bootstrap, and running uvicorn."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import ValidationError

from openmaas.config import Settings
from openmaas_cli.display import console, fail


def load_settings(data_dir: Path | None) -> Settings:
    try:
        return Settings(data_dir=data_dir) if data_dir is not None else Settings()
    except ValidationError as error:
        first = error.errors()[0]
        fail(f"invalid setting {'.'.join(map(str, first['loc']))}: {first['msg']}")


def upgrade(settings: Settings) -> None:
    from openmaas.db.engine import make_engine
    from openmaas.db.migrate import upgrade as run_upgrade

    engine = make_engine(settings.effective_database_url)
    try:
        run_upgrade(engine)
    finally:
        engine.dispose()


def prepare(settings: Settings) -> None:
    from openmaas.bootstrap import bootstrap
    from openmaas.db.engine import make_engine

    upgrade(settings)
    engine = make_engine(settings.effective_database_url)
    try:
        result = bootstrap(engine, settings)
    finally:
        engine.dispose()
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


def serve(host: str, port: int, data_dir: Path | None) -> None:
    import uvicorn

    from openmaas.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings(data_dir)
    prepare(settings)
    app = create_app(settings)
    # On SIGTERM uvicorn stops accepting, finishes in-flight requests, then runs the lifespan's exit.
    uvicorn.run(app, host=host, port=port, timeout_graceful_shutdown=30, access_log=False, log_level="info")
