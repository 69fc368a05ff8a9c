"""Every route of ``app.ROUTERS`` has an isolation case or a stated reason not to: a route added
later without one fails here."""

from __future__ import annotations

from fastapi.routing import APIRoute
from starlette.routing import Match

from openmaas.app import ROUTERS
from tests.isolation.matrix import EXEMPT, MATRIX, OWN, PATH_PROJECT, Case

# Any value of the right shape routes as a real id does: every path parameter matches ``[^/]+``.
SAMPLE_IDS = {
    name: f"sample-{name}"
    for name in (
        "domain_id", "domain_name", "user_id", "user_name", "project", "other_project", "workspace",
        "workspace_name", "service", "service_name", "default_service", "deployment", "version",
        "endpoint", "endpoint_name", "access", "api_key_id", "api_key_label",
    )
}  # fmt: skip


def _routes() -> list[APIRoute]:
    return [route for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)]


def _route_of(case: Case) -> tuple[str, str]:
    """The (method, path template) the case's request reaches, matched as Starlette's router does:
    the first route, in the app's order, that takes both the path and the method."""
    project = PATH_PROJECT[OWN].format_map({"b": SAMPLE_IDS})
    path = case.path.format_map({"a": SAMPLE_IDS, "b": SAMPLE_IDS, "project": project})
    scope = {"type": "http", "path": path, "method": case.method}
    for route in _routes():
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return case.method, route.path
    raise AssertionError(f"case {case.name} reaches no route: {case.method} {path}")


def test_every_route_has_an_isolation_case_or_an_exemption() -> None:
    routes = {(method, route.path) for route in _routes() for method in route.methods}
    covered = {_route_of(case) for case in MATRIX}
    assert sorted(routes - covered - EXEMPT.keys()) == []


def test_no_route_is_both_covered_and_exempt_and_every_exemption_is_a_route() -> None:
    routes = {(method, route.path) for route in _routes() for method in route.methods}
    covered = {_route_of(case) for case in MATRIX}
    assert sorted(EXEMPT.keys() & covered) == []
    assert sorted(EXEMPT.keys() - routes) == []


def test_case_names_are_unique() -> None:
    names = [case.name for case in MATRIX]
    assert sorted(name for name in set(names) if names.count(name) > 1) == []
