"""The one object every command works through: the chosen profile and output mode, a client for it
(talking to the server only through ``openmaas_client``), and the way results and failures are shown."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from openmaas_cli import display
from openmaas_cli.display import Output
from openmaas_cli.profiles import (
    DEFAULT_PROFILE,
    CachedToken,
    Profile,
    ProfileError,
    ProfileStore,
    Secrets,
)
from openmaas_client import (
    AccessKeyAuth,
    ApiError,
    Client,
    Credentials,
    InvalidEndpoint,
    OpenMaasError,
    Page,
    PasswordAuth,
    Token,
    TokenAuth,
    TransportError,
    WireModel,
)

ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        help="Profile to use (default: env OPENMAAS_PROFILE, else 'default').",
        show_default=False,
    ),
]
OutputOption = Annotated[
    Output, typer.Option("--output", "-o", help="table for people, json for the API's own JSON.")
]
ListingOutputOption = Annotated[
    Output,
    typer.Option(
        "--output",
        "-o",
        help="table for people; json for one document of every item and the API's total, "
        "under the API's own key names.",
    ),
]
RegionOption = Annotated[
    str | None,
    typer.Option(
        "--region", "-r", help="Region of the project to act in (default: the profile's).", show_default=False
    ),
]


def describe(error: ApiError) -> str:
    request = f", request id {error.request_id}" if error.request_id else ""
    return f"{error.error_code}: {error.error_msg} (HTTP {error.status_code}{request})"


class Application:
    def __init__(self, profile_name: str | None, output: Output, store: ProfileStore | None = None) -> None:
        self.profile_name = profile_name or os.environ.get("OPENMAAS_PROFILE") or DEFAULT_PROFILE
        self.output = output
        self.store = store or ProfileStore()

    @property
    def json(self) -> bool:
        return self.output is Output.json

    def profile(self) -> Profile:
        found = self.store.profile(self.profile_name)
        if found is None or not found.endpoint:
            display.fail(
                f"no profile {self.profile_name!r} in {self.store.config_path}; run `openmaas login` first",
                display.CONFIGURATION_FAILURE,
            )
        return found

    @contextmanager
    def client(self, region: str | None = None) -> Iterator[Client]:
        """A client for the profile (in ``region``'s project if given); API and connection failures
        end the command with their message; a renewed token is cached for the next command."""
        with guard():
            profile = self.profile()
            region = region or profile.region
            secrets = self.store.secrets(profile.name)
            cached = secrets.tokens.get(region)
            project_id = profile.project_id if region == profile.region else None
            auth = self._credentials(profile, secrets, cached)
            token = cached.token() if cached and isinstance(auth, PasswordAuth) else None
            if cached and isinstance(auth, TokenAuth):
                project_id = project_id or _project_of(cached)
            with Client(
                profile.endpoint, auth, region=region, project_id=project_id or None, token=token
            ) as client:
                try:
                    yield client
                finally:
                    self._remember(profile, secrets, region, client.token, cached)

    def _credentials(self, profile: Profile, secrets: Secrets, cached: CachedToken | None) -> Credentials:
        if profile.access_key:
            if not secrets.secret_key:
                display.fail(
                    f"no secret key saved for profile {profile.name!r}; run `openmaas login`",
                    display.CONFIGURATION_FAILURE,
                )
            return AccessKeyAuth(profile.access_key, secrets.secret_key)
        if secrets.password:
            return PasswordAuth(profile.domain, profile.user, secrets.password)
        if cached and cached.token().expires_at > datetime.now(UTC):
            return TokenAuth(cached.value)
        display.fail(
            f"not logged in (or the token expired) for profile {profile.name!r}; run `openmaas login`",
            display.CONFIGURATION_FAILURE,
        )

    def _remember(
        self, profile: Profile, secrets: Secrets, region: str, token: Token | None, cached: CachedToken | None
    ) -> None:
        if token is None or (cached is not None and cached.value == token.value):
            return
        secrets.tokens[region] = CachedToken(token.value, token.raw)
        self.store.save_secrets(profile.name, secrets)

    # Output

    def show(self, result: WireModel, keys: Sequence[str] | None = None) -> None:
        """One object: its JSON as sent, or a field/value table."""
        if self.json:
            display.emit_json(result.raw)
        else:
            display.record(result.raw, keys)

    def show_page(self, page: Page[Any], columns: Sequence[str]) -> None:
        if self.json:
            display.emit_json(page.raw)
        else:
            display.table(columns, (item.raw for item in page.items))

    def show_pages(self, pages: Iterable[Page[Any]], columns: Sequence[str], label: str) -> None:
        """A listing fetched page by page with progress on stderr. JSON is one document streamed
        item by item, ``{"<items>": [...], "<total>": N}`` under the API's key names with the total
        it reported last; a table gathers every item."""
        with display.progress(label) as tracker:
            tracked = _tracked(pages, tracker)
            if self.json:
                _stream_json(tracked)
                return
            rows = [item.raw for page in tracked for item in page.items]
        display.table(columns, rows)

    def done(self, message: str, result: WireModel | None = None) -> None:
        """A command without a body to show: a sentence for people; JSON mode prints the body if any."""
        if self.json:
            if result is not None:
                display.emit_json(result.raw)
        else:
            display.done(message)


def _tracked(pages: Iterable[Page[Any]], tracker: display.Tracker) -> Iterator[Page[Any]]:
    for page in pages:
        tracker.advance(len(page.items), page.total)
        yield page


def _stream_json(pages: Iterable[Page[Any]]) -> None:
    """Pages as one document; if a page fails, the document stays unclosed (and the exit code says
    why) rather than pass a partial listing off as whole."""
    listing: display.JsonListing | None = None
    last: Page[Any] | None = None
    for last in pages:
        listing = listing or display.JsonListing(last.items_key)
        for item in last.items:
            listing.add(item.raw)
    if listing is not None and last is not None:
        listing.close(last.total_key or "total", last.total)


def _project_of(cached: CachedToken) -> str:
    project = cached.token().project
    return project.id if project else ""


@contextmanager
def guard() -> Iterator[None]:
    """Expected failures become a message on stderr and an exit code, never a traceback."""
    try:
        yield
    except (ProfileError, InvalidEndpoint) as error:
        display.fail(str(error), display.CONFIGURATION_FAILURE)
    except ApiError as error:
        display.fail(describe(error), display.API_FAILURE)
    except TransportError as error:
        display.fail(f"cannot reach the server: {error}", display.UNREACHABLE)
    except OpenMaasError as error:
        display.fail(str(error), display.API_FAILURE)
