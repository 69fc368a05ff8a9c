"""`openmaas users`: the IAM users of your domain (D-50 to D-57); managing others takes an administrator."""

from __future__ import annotations

import os
import re
import sys
from typing import Annotated

import typer

from openmaas_cli import display
from openmaas_cli.application import Application, OutputOption, ProfileOption
from openmaas_cli.display import Output
from openmaas_client import Client, User, UserChanges, UserFields

app = typer.Typer(no_args_is_help=True, help="IAM users of your domain.")

COLUMNS = ["id", "name", "enabled", "description"]
SHOW_KEYS = [
    "id",
    "name",
    "domain_id",
    "enabled",
    "is_domain_owner",
    "description",
    "email",
    "areacode",
    "phone",
    "create_time",
    "update_time",
]
NEW_PASSWORD_ENV = "OPENMAAS_NEW_PASSWORD"  # noqa: S105 (the variable's name, not a password)
USER_ID = re.compile(r"^[0-9a-f]{32}\Z")

UserRef = Annotated[str, typer.Argument(help="User id, or user name.", show_default=False)]
Email = Annotated[str | None, typer.Option(help="Email address ('' clears it).", show_default=False)]
Description = Annotated[
    str | None, typer.Option(help="Description, up to 255 characters.", show_default=False)
]
AreaCode = Annotated[
    str | None, typer.Option(help="Country code of --phone, 0086 say ('' clears both).", show_default=False)
]
Phone = Annotated[str | None, typer.Option(help="Mobile number, digits only.", show_default=False)]
SetPassword = Annotated[
    bool,
    typer.Option(
        "--password",
        help=f"Set a password: from {NEW_PASSWORD_ENV}, else asked (hidden); never on the command line.",
    ),
]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")]


def _new_password(from_stdin: bool) -> str:
    """A password from stdin, else the environment, else a hidden prompt asked twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return os.environ.get(NEW_PASSWORD_ENV) or str(
        typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    )


def _show(cli: Application, user: User) -> None:
    """The user: the API's JSON as sent, or its fields (the body wraps them in ``user``)."""
    if cli.json:
        display.emit_json(user.raw)
    else:
        display.record(user.raw.get("user", user.raw), SHOW_KEYS)


def _user_id(client: Client, ref: str) -> str:
    """An id as given; a name looked up among the domain's users."""
    if USER_ID.match(ref):
        return ref
    found = client.list_users(name=ref).items
    if not found:
        display.fail(f"no user named {ref!r} in your domain")
    return found[0].id


def _contacts(fields: UserFields, email: str | None, areacode: str | None, phone: str | None) -> None:
    if email is not None:
        fields["email"] = email
    if areacode is not None:
        fields["areacode"] = areacode
    if phone is not None:
        fields["phone"] = phone


@app.command("create")
def create_user(
    name: Annotated[str, typer.Argument(help="User name, unique in your domain.")],
    password: SetPassword = False,
    password_stdin: PasswordStdin = False,
    email: Email = None,
    areacode: AreaCode = None,
    phone: Phone = None,
    description: Description = None,
    admin: Annotated[
        bool, typer.Option("--admin", help="Make the user an administrator of the domain.")
    ] = False,
    disabled: Annotated[bool, typer.Option("--disabled", help="Create the user disabled.")] = False,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Create a user of your domain; without a password it cannot log in until one is set."""
    fields = UserFields()
    if password or password_stdin:
        fields["password"] = _new_password(password_stdin)
    _contacts(fields, email, areacode, phone)
    if description is not None:
        fields["description"] = description
    if admin:
        fields["is_admin"] = True
    if disabled:
        fields["enabled"] = False
    cli = Application(profile, output)
    with cli.client() as client:
        _show(cli, client.create_user(name, **fields))


@app.command("list")
def list_users(
    name: Annotated[str | None, typer.Option(help="Only the user of this name.", show_default=False)] = None,
    enabled: Annotated[
        bool | None,
        typer.Option(
            "--enabled/--disabled", help="Only enabled, or only disabled, users.", show_default=False
        ),
    ] = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """List the users of your domain."""
    cli = Application(profile, output)
    with cli.client() as client:
        cli.show_page(client.list_users(name=name, enabled=enabled), COLUMNS)


@app.command("show")
def show_user(user: UserRef, profile: ProfileOption = None, output: OutputOption = Output.table) -> None:
    """Show a user (yourself, or anyone of your domain for an administrator)."""
    cli = Application(profile, output)
    with cli.client() as client:
        _show(cli, client.show_user(_user_id(client, user)))


@app.command("update")
def update_user(
    user: UserRef,
    name: Annotated[str | None, typer.Option(help="New user name.", show_default=False)] = None,
    password: SetPassword = False,
    password_stdin: PasswordStdin = False,
    email: Email = None,
    areacode: AreaCode = None,
    phone: Phone = None,
    description: Description = None,
    admin: Annotated[
        bool | None,
        typer.Option(
            "--admin/--no-admin", help="Make an administrator, or no longer one.", show_default=False
        ),
    ] = None,
    enabled: Annotated[
        bool | None,
        typer.Option(
            "--enable/--disable", help="Let the user log in, or stop it (and its tokens).", show_default=False
        ),
    ] = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Change a user of your domain; what is not given stays."""
    changes = UserChanges()
    if name is not None:
        changes["name"] = name
    if password or password_stdin:
        changes["password"] = _new_password(password_stdin)
    _contacts(changes, email, areacode, phone)
    if description is not None:
        changes["description"] = description
    if admin is not None:
        changes["is_admin"] = admin
    if enabled is not None:
        changes["enabled"] = enabled
    if not changes:
        display.fail("nothing to change: give at least one option", display.USAGE_FAILURE)
    cli = Application(profile, output)
    with cli.client() as client:
        _show(cli, client.update_user(_user_id(client, user), **changes))


@app.command("delete")
def delete_user(user: UserRef, profile: ProfileOption = None, output: OutputOption = Output.table) -> None:
    """Delete a user and its access keys; its tokens are refused within 5 s."""
    cli = Application(profile, output)
    with cli.client() as client:
        user_id = _user_id(client, user)
        client.delete_user(user_id)
    cli.done(f"user {user} deleted")


@app.command("passwd")
def change_password(
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the current password, then the new one, a line each from stdin."
        ),
    ] = False,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Change your own password: the current from OPENMAAS_PASSWORD, the new from OPENMAAS_NEW_PASSWORD."""
    if password_stdin:
        original, new = sys.stdin.readline().rstrip("\n"), sys.stdin.readline().rstrip("\n")
    else:
        original = os.environ.get("OPENMAAS_PASSWORD") or str(
            typer.prompt("Current password", hide_input=True)
        )
        new = _new_password(False)
    cli = Application(profile, output)
    with cli.client() as client:
        client.change_password(new, original)
    _remember_password(cli, new)
    cli.done("password changed")


def _remember_password(cli: Application, password: str) -> None:
    """A profile that keeps its password keeps the new one, so its tokens still renew."""
    secrets = cli.store.secrets(cli.profile_name)
    if secrets.password:
        secrets.password = password
        cli.store.save_secrets(cli.profile_name, secrets)
