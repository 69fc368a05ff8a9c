"""The console's pages and actions: thin handlers that read the form or query, call the API through
``console.api`` and render a template. An API error becomes a message on the page (its error_code
and error_msg), never a 500."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from fastapi import APIRouter, Request
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse, Response

from openmaas.config import Settings
from openmaas.console import api
from openmaas.console.plot import minute_plot
from openmaas.console.session import COOKIE, CSRF_FIELD, CSRF_HEADER, Session
from openmaas.http.state import state_of
from openmaas_client import ApiError, AsyncClient, OpenMaasError

PREFIX = "/console"
PAGE_SIZE = 50
# The message of a form that succeeded, for the page it was redirected to (never a secret).
FLASH = "openmaas_console_notice"
SERVICE_ACTIONS = ("start", "stop", "delete")
ENDPOINT_ACTIONS = ("activate", "deactivate", "delete")
# A status the worker will still change: the rows fragment keeps polling while one is shown.
SETTLED = frozenset({"RUNNING", "STOPPED", "FAILED", "CONCERNING"})

router = APIRouter(prefix=PREFIX, include_in_schema=False)
templates = Environment(
    loader=PackageLoader("openmaas.console"), autoescape=select_autoescape(), undefined=StrictUndefined
)
STATIC = {
    name: (files("openmaas.console").joinpath("static", name).read_bytes(), media_type)
    for name, media_type in (("htmx.min.js", "text/javascript"), ("console.css", "text/css"))
}


@dataclass(frozen=True, slots=True)
class Notice:
    """A message shown on the page: an API error keeps its wire code."""

    text: str
    code: str = ""

    @property
    def error(self) -> bool:
        return bool(self.code)


@dataclass
class Page:
    """What one request renders: who, where (region, workspace, page number) and what to say."""

    request: Request
    session: Session
    region: str
    workspace: str
    number: int
    notices: list[Notice] = field(default_factory=list)
    status: int = 200

    @property
    def home(self) -> str:
        return _home_region(self.request)

    def client(self, region: str | None = None) -> AbstractAsyncContextManager[AsyncClient]:
        return api.connect(self.request.app, self.session, region or self.region)

    def link(self, path: str, **changes: Any) -> str:
        query = {"region": self.region, "workspace": self.workspace, "page": self.number, **changes}
        return f"{PREFIX}{path}?{urlencode(query)}"

    def failed(self, error: Exception) -> None:
        self.notices.append(_notice_of(error))
        self.status = _status_of(error)


Loader = Callable[[Page], Awaitable[dict[str, Any]]]


# Pages -------------------------------------------------------------------------------------------


@router.get("")
async def console_root() -> Response:
    return RedirectResponse(f"{PREFIX}/services", status_code=303)


@router.get("/static/{name}")
async def static_file(name: str) -> Response:
    found = STATIC.get(name)
    if found is None:
        return HTMLResponse("Not found", status_code=404)
    return Response(found[0], media_type=found[1], headers={"Cache-Control": "public, max-age=3600"})


@router.get("/login")
async def login_page(request: Request) -> Response:
    return _html(request, "login.html", {"notices": [], "domain": "", "user": ""})


@router.post("/login")
async def login(request: Request) -> Response:
    # No session yet, so no CSRF token: a browser's Origin must be this server (no login CSRF).
    if not _same_origin(request):
        return _forbidden(request, "The login form was sent from another site.")
    form = await _form(request)
    domain, user = form.get("domain", ""), form.get("user", "")
    regions = _regions(request)
    try:
        session = await api.log_in(request.app, domain, user, form.get("password", ""), regions)
    except (ApiError, OpenMaasError) as error:
        context = {"notices": [_notice_of(error)], "domain": domain, "user": user}
        return _html(request, "login.html", context, _status_of(error))
    response = RedirectResponse(f"{PREFIX}/services", status_code=303)
    response.set_cookie(
        COOKIE,
        session.encode(),
        max_age=state_of_settings(request).token_lifetime_seconds,
        path=PREFIX,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    session = _session_of(request)
    if session is not None:
        if not await _csrf_ok(request, session):
            return _forbidden(request)
        await api.log_out(request.app, session)
    return _to_login(request)


@router.get("/services")
async def services_page(request: Request) -> Response:
    return await _render(request, "services.html", _services)


@router.get("/services/rows")
async def services_rows(request: Request) -> Response:
    return await _render(request, "_service_rows.html", _services)


@router.post("/services")
async def create_service(request: Request) -> Response:
    async def create(page: Page, form: dict[str, str]) -> None:
        body = _service_body(form, page.workspace)
        async with page.client() as client:
            created = await client.create_service(body)
        page.notices.append(
            Notice(f"Service {body['name']} created ({created.id}), status {created.status}.")
        )

    return await _act(request, "services.html", _services, create, then="/services")


@router.post("/services/{service_id}/{action}")
async def service_action(request: Request, service_id: str, action: str) -> Response:
    async def run(page: Page, _form: dict[str, str]) -> None:
        async with page.client() as client:
            if action == "delete":
                await client.delete_services([service_id])
                page.notices.append(Notice(f"Service {service_id} is being deleted."))
            else:
                done = await (client.start_service if action == "start" else client.stop_service)(service_id)
                page.notices.append(Notice(f"Service {done.name}: {action} asked, status {done.status}."))

    if action not in SERVICE_ACTIONS:
        return HTMLResponse("Not found", status_code=404)
    return await _act(request, "_services_panel.html", _services, run)


@router.get("/founding")
async def founding_page(request: Request) -> Response:
    return await _render(request, "founding.html", _founding)


@router.get("/endpoints")
async def endpoints_page(request: Request) -> Response:
    return await _render(request, "endpoints.html", _endpoints)


@router.post("/endpoints")
async def create_endpoint(request: Request) -> Response:
    async def create(page: Page, form: dict[str, str]) -> None:
        async with page.client(page.home) as client:
            created = await client.create_endpoint(
                form.get("endpoint_name", ""),
                source="custom_from_modelarts_v2",
                region=page.region,
                workspace_id=page.workspace,
                infer_service_id=form.get("infer_service_id", ""),
                rpm=_int(form.get("rpm"), 60),
                tpm=_int(form.get("tpm"), 100_000),
            )
        page.notices.append(Notice(f"Endpoint {created.endpoint_name} created ({created.id})."))

    return await _act(request, "endpoints.html", _endpoints, create, then="/endpoints")


@router.post("/endpoints/{endpoint_id}/{action}")
async def endpoint_action(request: Request, endpoint_id: str, action: str) -> Response:
    async def run(page: Page, _form: dict[str, str]) -> None:
        async with page.client(page.home) as client:
            if action == "delete":
                await client.delete_endpoint(endpoint_id)
            else:
                await (client.activate_endpoint if action == "activate" else client.deactivate_endpoint)(
                    endpoint_id
                )
        page.notices.append(Notice(f"Endpoint {endpoint_id}: {action}d."))

    if action not in ENDPOINT_ACTIONS:
        return HTMLResponse("Not found", status_code=404)
    return await _act(request, "_endpoints_panel.html", _endpoints, run)


@router.get("/endpoints/{endpoint_id}/usage")
async def usage_page(request: Request, endpoint_id: str) -> Response:
    async def load(page: Page) -> dict[str, Any]:
        async with page.client(page.home) as client:
            usage = await client.endpoint_usage(endpoint_id)
        calls = {item.minute: item.calls for item in usage.items}
        tokens = {item.minute: item.total_tokens for item in usage.items}
        return {
            "usage": usage,
            "plots": [
                minute_plot("Calls per minute", calls, usage.start_time, usage.end_time),
                minute_plot("Tokens per minute", tokens, usage.start_time, usage.end_time),
            ],
        }

    return await _render(request, "usage.html", load)


@router.get("/api-keys")
async def api_keys_page(request: Request) -> Response:
    return await _render(request, "api_keys.html", _api_keys)


@router.post("/api-keys")
async def create_api_key(request: Request) -> Response:
    async def create(page: Page, form: dict[str, str]) -> None:
        async with page.client(page.home) as client:
            created = await client.create_api_key(description=form.get("description", ""), allow_all=True)
        page.notices.append(Notice(f"API key {created.label} created."))
        page.request.state.new_api_key = created

    return await _act(request, "api_keys.html", _api_keys, create)


@router.post("/api-keys/{key_id}/delete")
async def delete_api_key(request: Request, key_id: str) -> Response:
    async def run(page: Page, _form: dict[str, str]) -> None:
        async with page.client(page.home) as client:
            await client.delete_api_key(key_id)
        page.notices.append(Notice(f"API key {key_id} deleted."))

    return await _act(request, "_api_keys_panel.html", _api_keys, run)


# What each page shows ----------------------------------------------------------------------------


async def _services(page: Page) -> dict[str, Any]:
    async with page.client() as client:
        listing = await client.list_services(
            limit=PAGE_SIZE, offset=page.number * PAGE_SIZE, workspace_id=page.workspace
        )
    polling = any(item.status not in SETTLED for item in listing.items)
    return {"services": listing.items, "total": listing.total, "polling": polling}


async def _founding(page: Page) -> dict[str, Any]:
    async with page.client(page.home) as client:
        listing = await client.list_infer_services(
            page.region, workspace_id=page.workspace, limit=PAGE_SIZE, offset=page.number * PAGE_SIZE
        )
    return {"services": listing.items, "total": listing.total}


async def _endpoints(page: Page) -> dict[str, Any]:
    async with page.client(page.home) as client:
        listing = await client.list_endpoints(limit=PAGE_SIZE, offset=page.number * PAGE_SIZE)
    return {"endpoints": listing.items, "total": listing.total}


async def _api_keys(page: Page) -> dict[str, Any]:
    async with page.client(page.home) as client:
        listing = await client.list_api_keys(limit=PAGE_SIZE, offset=page.number * PAGE_SIZE)
    return {"api_keys": listing.items, "total": listing.total}


async def _workspaces(page: Page) -> list[Any]:
    async with page.client() as client:
        return list((await client.list_workspaces(limit=100)).items)


# The request's frame -----------------------------------------------------------------------------


async def _render(request: Request, template: str, load: Loader, page: Page | None = None) -> Response:
    """``template`` with what ``load`` found, or with the API's error as a message."""
    page = page or _page_of(request)
    if page is None:
        return _to_login(request)
    data: dict[str, Any] = {}
    flashed = None if template.startswith("_") else request.cookies.get(FLASH)
    if flashed:
        page.notices.insert(0, Notice(unquote(flashed)[:500]))
    try:
        data = await load(page)
        if not template.startswith("_"):
            data["workspaces"] = await _workspaces(page)
    except (ApiError, OpenMaasError, api.NoProject) as error:
        if _token_refused(error):
            return _to_login(request)
        page.failed(error)
    response = _html(request, template, {"page": page, "data": data, "notices": page.notices}, page.status)
    if flashed:
        response.delete_cookie(FLASH, path=PREFIX, httponly=True, samesite="strict")
    return response


def _redirect_with(location: str, notices: list[Notice]) -> Response:
    response = RedirectResponse(location, status_code=303)
    text = " ".join(notice.text for notice in notices)
    response.set_cookie(FLASH, quote(text), max_age=60, path=PREFIX, httponly=True, samesite="strict")
    return response


async def _act(
    request: Request,
    template: str,
    load: Loader,
    action: Callable[[Page, dict[str, str]], Awaitable[None]],
    *,
    then: str | None = None,
) -> Response:
    """A form's action: session and CSRF first, then the action, then the page as it is now. With
    ``then``, a success is answered with a redirect to that page (a reload does not post again), its
    message carried there once in a short-lived cookie."""
    page = _page_of(request)
    if page is None:
        return _to_login(request)
    if not await _csrf_ok(request, page.session):
        return _forbidden(request)
    try:
        await action(page, await _form(request))
    except (ApiError, OpenMaasError, api.NoProject) as error:
        if _token_refused(error):
            return _to_login(request)
        page.failed(error)
    else:
        if then is not None:
            return _redirect_with(page.link(then, page=0), page.notices)
    status = page.status
    response = await _render(request, template, load, page)
    response.status_code = max(status, response.status_code)
    return response


def _page_of(request: Request) -> Page | None:
    session = _session_of(request)
    if session is None:
        return None
    query = request.query_params
    region = query.get("region") or _home_region(request)
    # A region without a grant fails on its first call, as a message (api.NoProject).
    return Page(request, session, region, query.get("workspace") or "0", max(_int(query.get("page"), 0), 0))


def _session_of(request: Request) -> Session | None:
    value = request.cookies.get(COOKIE)
    return Session.decode(value) if value else None


async def _csrf_ok(request: Request, session: Session) -> bool:
    sent = request.headers.get(CSRF_HEADER) or (await _form(request)).get(CSRF_FIELD)
    return session.csrf_matches(sent)


async def _form(request: Request) -> dict[str, str]:
    """The urlencoded form, first value of each field (read once, kept on the request)."""
    cached: dict[str, str] | None = getattr(request.state, "console_form", None)
    if cached is None:
        parsed = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
        cached = {name: values[0].strip() for name, values in parsed.items()}
        request.state.console_form = cached
    return cached


def _html(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    session = _session_of(request)
    context = {
        "prefix": PREFIX,
        "csrf_token": session.csrf_token if session else "",
        "session": session,
        "regions": _regions(request),
        "new_api_key": getattr(request.state, "new_api_key", None),
        "page_size": PAGE_SIZE,
        **context,
    }
    body = templates.get_template(template).render(context)
    # Pages carry a CSRF token and tenant data: no cache keeps them, no frame shows them.
    headers = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}
    return HTMLResponse(body, status_code=status, headers=headers)


def _to_login(request: Request) -> Response:
    """To the login page, forgetting the cookie; an htmx request is told to go there itself."""
    location = f"{PREFIX}/login"
    response: Response
    if request.headers.get("hx-request"):
        response = Response(status_code=200, headers={"HX-Redirect": location})
    else:
        response = RedirectResponse(location, status_code=303)
    response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="strict")
    return response


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host", "")


def _forbidden(
    request: Request, text: str = "The form is missing its CSRF token, or carries another session's."
) -> Response:
    notice = Notice(text, "Console.0403")
    return _html(request, "message.html", {"notices": [notice]}, 403)


def _notice_of(error: Exception) -> Notice:
    if isinstance(error, ApiError):
        return Notice(error.error_msg, error.error_code)
    if isinstance(error, api.NoProject):
        return Notice(f"You have no project in region {error.args[0]}.", "Console.0404")
    return Notice(str(error), "Console.0502")


def _status_of(error: Exception) -> int:
    """The page's status: the API's own for a client error; a server-side failure is 502 here."""
    if isinstance(error, ApiError):
        return error.status_code if error.status_code < 500 else 502
    return 404 if isinstance(error, api.NoProject) else 502


def _token_refused(error: Exception) -> bool:
    """D-5: the session's token is no longer accepted (expired, revoked, its user gone)."""
    if not isinstance(error, ApiError):
        return False
    return error.status_code == 401 or (error.status_code == 400 and error.error_msg == "Invalid token.")


def _service_body(form: dict[str, str], workspace: str) -> dict[str, Any]:
    """A ServiceCreateRequest (CONTRACT 5.2) for one instance, with the openmaas upstream extension."""
    body: dict[str, Any] = {
        "name": form.get("name", ""),
        "type": "REAL_TIME",
        "deploy_type": "SINGLE",
        "workspace_id": workspace,
        "group_configs": [{"count": 1}],
        "runtime_config": {"service_invoke": {"port": 8080, "protocol": "HTTP", "auth_type": "NONE"}},
    }
    for name in ("description", "upstream_url", "upstream_model"):
        if form.get(name):
            body[name] = form[name]
    return body


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _home_region(request: Request) -> str:
    return state_of_settings(request).maas_home_region


def _regions(request: Request) -> list[str]:
    """Configured regions, the MaaS home region first (its login decides)."""
    settings = state_of_settings(request)
    others = [region.id for region in settings.regions if region.id != settings.maas_home_region]
    return [settings.maas_home_region, *others]


def state_of_settings(request: Request) -> Settings:
    state = state_of(request.app)
    assert state is not None, "the console answers only once the app has started"
    return state.settings


__all__ = ["PREFIX", "router"]
