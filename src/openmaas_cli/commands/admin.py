"""`openmaas admin`: the operator's commands (the admin API, issue 11). They take the server from
`--endpoint` (or `OPENMAAS_ENDPOINT`) and the admin API key from `OPENMAAS_ADMIN_API_KEY` only, never from
the command line, where other users of the machine could read it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from openmaas_cli import display
from openmaas_cli.application import OutputOption, guard
from openmaas_cli.display import Output
from openmaas_client import AdminClient, WireModel

app = typer.Typer(no_args_is_help=True, help="The openmaas admin API (needs OPENMAAS_ADMIN_API_KEY).")
domains = typer.Typer(no_args_is_help=True, help="Accounts: each with its administrator and projects.")
snapshots = typer.Typer(no_args_is_help=True, help="Named copies of the whole store.")
lifecycle = typer.Typer(no_args_is_help=True, help="How deploys, stops and deletes settle.")
faults = typer.Typer(no_args_is_help=True, help="Injected faults: slow or failing requests.")
for group, name in (
    (domains, "domains"),
    (snapshots, "snapshots"),
    (lifecycle, "lifecycle"),
    (faults, "faults"),
):
    app.add_typer(group, name=name)

Endpoint = Annotated[
    str, typer.Option(envvar="OPENMAAS_ENDPOINT", help="The openmaas server.", show_envvar=True)
]
DEFAULT_ENDPOINT = "http://127.0.0.1:8080"
SERVICE = Annotated[str | None, typer.Option("--service", help="One service's id (default: every service).")]


@contextmanager
def _admin(endpoint: str) -> Iterator[AdminClient]:
    key = os.environ.get("OPENMAAS_ADMIN_API_KEY")
    if not key:
        display.fail(
            "set OPENMAAS_ADMIN_API_KEY to the server's admin API key", display.CONFIGURATION_FAILURE
        )
    with guard(), AdminClient(endpoint, key) as client:
        yield client


def _show(output: Output, result: WireModel | dict[str, Any], keys: list[str] | None = None) -> None:
    body = result.raw if isinstance(result, WireModel) else result
    if output is Output.json:
        display.emit_json(body)
    else:
        display.record(body, keys)


def _table(output: Output, key: str, items: list[Any], columns: list[str]) -> None:
    rows = [item.raw for item in items]
    if output is Output.json:
        display.emit_json({key: rows})
    else:
        display.table(columns, rows)


@domains.command("create")
def create_domain(
    name: Annotated[str, typer.Argument(help="The account's name.")],
    admin_user: Annotated[str, typer.Option(help="Its administrator's user name.")] = "admin",
    endpoint: Endpoint = DEFAULT_ENDPOINT,
    output: OutputOption = Output.table,
) -> None:
    """Create an account; its administrator's password is generated and shown this once."""
    with _admin(endpoint) as client:
        created = client.create_domain(name, admin_user=admin_user)
    if output is Output.json:
        display.emit_json(created.raw)
        return
    display.record(created.domain.raw, ["id", "name", "created_at"])
    if created.password:
        display.secret("password", created.password)


@domains.command("list")
def list_domains(endpoint: Endpoint = DEFAULT_ENDPOINT, output: OutputOption = Output.table) -> None:
    """Every account."""
    with _admin(endpoint) as client:
        _table(output, "domains", client.list_domains(), ["id", "name", "created_at", "user_count"])


@domains.command("delete")
def delete_domain(
    domain_id: Annotated[str, typer.Argument(help="The account's id.")], endpoint: Endpoint = DEFAULT_ENDPOINT
) -> None:
    """Delete an account and everything it owns."""
    with _admin(endpoint) as client:
        client.delete_domain(domain_id)
    display.done(f"domain {domain_id} deleted")


@app.command("reset")
def reset(
    seed: Annotated[int | None, typer.Option(min=0, help="Make the server's ids repeat from now on.")] = None,
    endpoint: Endpoint = DEFAULT_ENDPOINT,
    output: OutputOption = Output.table,
) -> None:
    """Empty the store back to its bootstrap state (snapshots are kept)."""
    with _admin(endpoint) as client:
        answer = client.reset(seed=seed)
    if output is Output.json:
        display.emit_json(answer)
    else:
        display.done(f"store reset to its bootstrap state (domain {answer['domain']['name']})")


@app.command("settle")
def settle(
    service_id: Annotated[str, typer.Argument(help="The service whose transition ends now.")],
    fail: Annotated[str | None, typer.Option(help="End it FAILED, with this reason.")] = None,
    endpoint: Endpoint = DEFAULT_ENDPOINT,
) -> None:
    """End a service's pending transition now (a manual lifecycle rule waits for this)."""
    with _admin(endpoint) as client:
        status = client.settle(service_id, fail=fail)
    display.done(f"service {service_id} is {status}")


@snapshots.command("save")
def save_snapshot(
    name: Annotated[str, typer.Argument()],
    endpoint: Endpoint = DEFAULT_ENDPOINT,
    output: OutputOption = Output.table,
) -> None:
    """Save the whole store under a name."""
    with _admin(endpoint) as client:
        _show(output, client.save_snapshot(name))


@snapshots.command("list")
def list_snapshots(endpoint: Endpoint = DEFAULT_ENDPOINT, output: OutputOption = Output.table) -> None:
    """The saved snapshots."""
    with _admin(endpoint) as client:
        _table(output, "snapshots", client.list_snapshots(), ["name", "created_at", "rows"])


@snapshots.command("restore")
def restore_snapshot(
    name: Annotated[str, typer.Argument()],
    endpoint: Endpoint = DEFAULT_ENDPOINT,
    output: OutputOption = Output.table,
) -> None:
    """Put the store back as the snapshot has it."""
    with _admin(endpoint) as client:
        _show(output, client.restore_snapshot(name))


@snapshots.command("delete")
def delete_snapshot(name: Annotated[str, typer.Argument()], endpoint: Endpoint = DEFAULT_ENDPOINT) -> None:
    """Delete a snapshot."""
    with _admin(endpoint) as client:
        client.delete_snapshot(name)
    display.done(f"snapshot {name} deleted")


@lifecycle.command("set")
def set_rule(
    action: Annotated[str, typer.Argument(help="deploy, stop or delete.")],
    mode: Annotated[str, typer.Argument(help="delay, immediate, manual or fail.")],
    service: SERVICE = None,
    delay_seconds: Annotated[float | None, typer.Option(min=0, help="For delay (and fail).")] = None,
    reason: Annotated[str | None, typer.Option(help="For fail: the failure reason.")] = None,
    endpoint: Endpoint = DEFAULT_ENDPOINT,
    output: OutputOption = Output.table,
) -> None:
    """How ``action`` settles, for every service or one."""
    with _admin(endpoint) as client:
        rule = client.set_lifecycle(
            action, mode, service_id=service, delay_seconds=delay_seconds, reason=reason
        )
    _show(output, rule)


@lifecycle.command("list")
def list_rules(endpoint: Endpoint = DEFAULT_ENDPOINT, output: OutputOption = Output.table) -> None:
    """The lifecycle rules."""
    with _admin(endpoint) as client:
        _table(
            output, "rules", client.lifecycle_rules(), ["target", "action", "mode", "delay_seconds", "reason"]
        )


@lifecycle.command("clear")
def clear_rule(
    action: Annotated[str, typer.Argument(help="deploy, stop or delete.")],
    service: SERVICE = None,
    endpoint: Endpoint = DEFAULT_ENDPOINT,
) -> None:
    """Back to the default for ``action``."""
    with _admin(endpoint) as client:
        client.clear_lifecycle(action, service_id=service)
    display.done(f"{action} rule cleared")


@faults.command("add")
def add_fault(
    method: Annotated[str | None, typer.Option(help="Only this HTTP method.")] = None,
    path: Annotated[str | None, typer.Option(help="A path glob, e.g. '/v2/*/services'.")] = None,
    operation: Annotated[str | None, typer.Option(help="'METHOD /route/{template}'.")] = None,
    domain_id: Annotated[str | None, typer.Option(help="Only this account's IAM tokens.")] = None,
    probability: Annotated[float, typer.Option(min=0, max=1)] = 1.0,
    count: Annotated[int | None, typer.Option(min=1, help="Fire this many times at most.")] = None,
    latency_ms: Annotated[int, typer.Option(min=0, help="Wait this long first.")] = 0,
    status: Annotated[int | None, typer.Option(min=400, max=599, help="Answer this status.")] = None,
    error_code: Annotated[str | None, typer.Option(help="The wire error code.")] = None,
    error_msg: Annotated[str | None, typer.Option(help="The error message.")] = None,
    expires_in: Annotated[int | None, typer.Option(min=1, help="Seconds until the rule expires.")] = None,
    endpoint: Endpoint = DEFAULT_ENDPOINT,
    output: OutputOption = Output.table,
) -> None:
    """Make matching requests slow or fail, on every process sharing the store."""
    rule = {
        "method": method, "path": path, "operation": operation, "domain_id": domain_id,
        "probability": probability, "count": count, "latency_ms": latency_ms, "status": status,
        "error_code": error_code, "error_msg": error_msg, "expires_in_seconds": expires_in,
    }  # fmt: skip
    with _admin(endpoint) as client:
        _show(output, client.add_fault(**rule))


@faults.command("list")
def list_faults(endpoint: Endpoint = DEFAULT_ENDPOINT, output: OutputOption = Output.table) -> None:
    """Every fault rule."""
    columns = ["id", "method", "path", "operation", "status", "error_code", "remaining", "latency_ms"]
    with _admin(endpoint) as client:
        _table(output, "faults", client.list_faults(), columns)


@faults.command("remove")
def remove_fault(rule_id: Annotated[str, typer.Argument()], endpoint: Endpoint = DEFAULT_ENDPOINT) -> None:
    """Remove a fault rule."""
    with _admin(endpoint) as client:
        client.remove_fault(rule_id)
    display.done(f"fault rule {rule_id} removed")


@faults.command("clear")
def clear_faults(endpoint: Endpoint = DEFAULT_ENDPOINT) -> None:
    """Remove every fault rule."""
    with _admin(endpoint) as client:
        removed = client.clear_faults()
    display.done(f"{removed} fault rules removed")
