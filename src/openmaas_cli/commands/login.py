"""`openmaas login` and `openmaas logout`: save a profile and its secrets, and prove they work."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from openmaas_cli import display
from openmaas_cli.application import Application, OutputOption, ProfileOption, guard
from openmaas_cli.display import Output
from openmaas_cli.profiles import DEFAULT_REGION, CachedToken, Profile, Secrets
from openmaas_client import AccessKeyAuth, Client, Credentials, PasswordAuth

Text = Annotated[str | None, typer.Option(show_default=False)]


def _secret(env: str, from_stdin: bool, prompt: str) -> str:
    """A secret from stdin, else the environment, else a hidden prompt: never from a flag, which
    would leave it in the shell history and the process list."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return os.environ.get(env) or str(typer.prompt(prompt, hide_input=True))


def _merged(app: Application, endpoint: str | None, domain: str | None, user: str | None) -> Profile:
    saved = app.store.profile(app.profile_name) or Profile(app.profile_name, "")
    merged = Profile(
        app.profile_name,
        endpoint or saved.endpoint,
        domain or saved.domain,
        user or saved.user,
        saved.region,
        saved.project_id,
        saved.access_key,
    )
    if not merged.endpoint:
        display.fail("--endpoint is required the first time a profile logs in", display.CONFIGURATION_FAILURE)
    return merged


def login(
    endpoint: Annotated[str | None, typer.Option(help="Server URL, e.g. http://127.0.0.1:8080.")] = None,
    domain: Annotated[str | None, typer.Option(help="Account (domain) name.")] = None,
    user: Annotated[str | None, typer.Option(help="User name.")] = None,
    region: Annotated[str | None, typer.Option(help="Region whose project to work in.")] = None,
    project_id: Annotated[
        str | None, typer.Option(help="Project id (instead of finding it by region).")
    ] = None,
    access_key: Annotated[
        str | None, typer.Option(help="Sign requests with this access key (AK) instead of a token.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password (or SK) from stdin.")
    ] = False,
    save_password: Annotated[
        bool, typer.Option(help="Keep the password (0600) so tokens renew by themselves.")
    ] = True,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Log in and save the profile: password (OPENMAAS_PASSWORD) or SK (OPENMAAS_SECRET_ACCESS_KEY)."""
    app = Application(profile, output)
    with guard():
        app.store.check()  # a profile file that does not parse is refused before the login, not after
        target = _merged(app, endpoint, domain, user)
        target.region = region or target.region or DEFAULT_REGION
        target.project_id = project_id or ("" if region else target.project_id)
        target.access_key = access_key or ""
        if not target.access_key and not (target.domain and target.user):
            display.fail(
                "--domain and --user are required to log in with a password", display.CONFIGURATION_FAILURE
            )
        # Login sets every secret of the profile anew, so the old ones (a corrupt token too) go.
        secrets = Secrets()
        credentials = _ask_credentials(target, secrets, password_stdin)
        proof, found_project = _prove(target, credentials, secrets)
        if isinstance(credentials, PasswordAuth) and not save_password:
            secrets.password = ""
        app.store.save_profile(target)
        app.store.save_secrets(target.name, secrets)
    if app.json:
        display.emit_json(proof)
    else:
        display.done(
            f"logged in to {target.endpoint} as {_who(target)}, project {found_project} ({target.region})"
        )


def _prove(target: Profile, credentials: Credentials, secrets: Secrets) -> tuple[dict[str, Any], str]:
    """One authenticated call proves the credentials for both kinds of login; the token is kept.
    Returns what JSON mode prints (the token body, or for an access key the project lookup it
    signed) and the project id."""
    project_id = target.project_id or None
    with Client(target.endpoint, credentials, region=target.region, project_id=project_id) as client:
        projects = client.list_projects(name=target.region)
        found_project = client.project_id()
        token = client.token
    secrets.tokens = {target.region: CachedToken(token.value, token.raw)} if token else {}
    return (token.raw if token else projects.raw), found_project


def _ask_credentials(target: Profile, secrets: Secrets, from_stdin: bool) -> Credentials:
    """The credentials to log in with; the secret asked for is kept in ``secrets`` (made anew)."""
    if target.access_key:
        secrets.secret_key = _secret("OPENMAAS_SECRET_ACCESS_KEY", from_stdin, "Secret key")
        return AccessKeyAuth(target.access_key, secrets.secret_key)
    secrets.password = _secret("OPENMAAS_PASSWORD", from_stdin, "Password")
    return PasswordAuth(target.domain, target.user, secrets.password)


def _who(target: Profile) -> str:
    if target.access_key:
        return f"access key {target.access_key}"
    return f"{target.user} in domain {target.domain}"


def logout(profile: ProfileOption = None) -> None:
    """Forget the profile's password, secret key and cached tokens (the profile itself stays)."""
    app = Application(profile, Output.table)
    with guard():
        app.store.save_secrets(app.profile_name, Secrets())
    display.done(f"secrets of profile {app.profile_name!r} removed")
