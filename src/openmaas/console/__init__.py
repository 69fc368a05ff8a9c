"""The web console under ``/console``: server-rendered pages (Jinja2) with htmx, over the server's
own public API, called in-process through ``openmaas_client`` (see docs/architecture.md)."""

from openmaas.console.routes import PREFIX, router

__all__ = ["PREFIX", "router"]
