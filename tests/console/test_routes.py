"""The console's routes in-process: the login, the session and CSRF rules, and API errors shown as
messages on the page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.app import create_app
from openmaas.config import Settings
from openmaas.console.session import COOKIE
from tests.conftest import ADMIN_PASSWORD, HOME, Account, service_body

LOGIN = {"domain": "openmaas", "user": "admin", "password": ADMIN_PASSWORD}


def log_in(client: TestClient) -> str:
    """Log in as the admin; the page's CSRF token."""
    response = client.post("/console/login", data=LOGIN, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/console/services"
    page = client.get("/console/services")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found is not None
    return found.group(1)


def notices(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<code class="error-code">([^<]*)</code> <span class="error-msg">([^<]*)</span>', html)


def test_a_wrong_password_shows_the_iam_message(client: TestClient) -> None:
    response = client.post("/console/login", data={**LOGIN, "password": "wrong"}, follow_redirects=False)
    assert response.status_code == 401
    assert notices(response.text) == [("401", "The username or password is wrong.")]
    assert COOKIE not in response.cookies


def test_the_session_cookie_is_httponly_and_samesite_strict(client: TestClient) -> None:
    response = client.post("/console/login", data=LOGIN, follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/console" in cookie
    assert "omt1." not in response.headers["location"]


def test_a_page_without_a_session_sends_to_the_login(client: TestClient) -> None:
    for path in ("/console/services", "/console/founding", "/console/endpoints", "/console/api-keys"):
        response = client.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/console/login"), path


def test_an_htmx_request_without_a_session_is_told_to_log_in(client: TestClient) -> None:
    response = client.get("/console/services/rows", headers={"HX-Request": "true"}, follow_redirects=False)
    assert (response.status_code, response.headers["hx-redirect"]) == (200, "/console/login")


def test_a_post_without_its_csrf_token_is_refused(client: TestClient) -> None:
    log_in(client)
    response = client.post("/console/services", data={"name": "svc-csrf"})
    assert response.status_code == 403
    assert notices(response.text) == [
        ("Console.0403", "The form is missing its CSRF token, or carries another session&#39;s.")
    ]
    listing = client.get("/console/services")
    assert "svc-csrf" not in listing.text


def test_a_post_with_another_csrf_token_is_refused(client: TestClient) -> None:
    log_in(client)
    response = client.post("/console/services", data={"name": "svc-x", "csrf_token": "0" * 40})
    assert response.status_code == 403


def test_the_csrf_header_of_htmx_is_taken(client: TestClient) -> None:
    csrf = log_in(client)
    response = client.post(
        "/console/services", data={"name": "svc-h"}, headers={"X-CSRF-Token": csrf}, follow_redirects=False
    )
    # A form that succeeded is answered with a redirect, so that a reload does not post it again.
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/console/services?region=ap-southeast-1&workspace=0&page=0",
    )
    page = client.get(response.headers["location"])
    assert re.search(r"Service svc-h created \([0-9a-f-]+\), status DEPLOYING\.", page.text)
    # The message is shown once.
    assert "svc-h created" not in client.get("/console/services").text


def test_an_api_error_is_a_message_on_the_page(client: TestClient) -> None:
    csrf = log_in(client)
    response = client.post("/console/services", data={"name": "bad name!", "csrf_token": csrf})
    assert response.status_code == 400
    [(code, message)] = notices(response.text)
    assert code == "ModelArts.0101"
    assert message.startswith("Invalid parameter: name")


def test_an_unknown_service_action_error_is_shown(client: TestClient) -> None:
    csrf = log_in(client)
    response = client.post(
        "/console/services/00000000-0000-0000-0000-000000000000/start", headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 400
    [(code, _message)] = notices(response.text)
    assert code.startswith("ModelArts.")


def test_a_region_without_a_grant_is_a_message(client: TestClient) -> None:
    log_in(client)
    response = client.get("/console/services?region=nowhere-1")
    assert response.status_code == 404
    assert notices(response.text) == [("Console.0404", "You have no project in region nowhere-1.")]


def test_logout_revokes_the_tokens_and_forgets_the_cookie(client: TestClient) -> None:
    csrf = log_in(client)
    cookie = client.cookies[COOKIE]
    response = client.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/console/login")
    assert f'{COOKIE}=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]
    region, project_id, token = cookie.split("|")[1].split(":")
    assert region == HOME
    refused = client.get(f"/v2/{project_id}/services", headers={"X-Auth-Token": token})
    assert refused.status_code == 401


def test_htmx_is_served_from_the_package(client: TestClient) -> None:
    response = client.get("/console/static/htmx.min.js")
    assert response.status_code == 200
    assert response.text.startswith("/*! htmx 2.0.11")
    assert response.headers["content-type"].startswith("text/javascript")


def test_the_console_can_be_switched_off(engine: Engine, settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"console": False}), engine)) as off:
        assert off.get("/console/login").status_code == 404


def test_each_region_has_its_own_project_and_services(client: TestClient) -> None:
    csrf = log_in(client)
    cookie = client.cookies[COOKIE]
    assert [entry.split(":")[0] for entry in cookie.split("|")[1:]] == [HOME, "cn-southwest-2"]
    made = client.post("/console/services?region=cn-southwest-2", data={"name": "svc-gy", "csrf_token": csrf})
    assert made.status_code == 200
    there = client.get("/console/services?region=cn-southwest-2")
    assert re.findall(r'<td class="name">([^<]*)</td>', there.text) == ["svc-gy"]
    assert '<option value="cn-southwest-2" selected>' in there.text
    here = client.get("/console/services")
    assert re.findall(r'<td class="name">([^<]*)</td>', here.text) == []
    # §6.3 is asked in the home region for the services of the region picked.
    founding = client.get("/console/founding?region=cn-southwest-2")
    assert re.findall(r'<td class="name">([^<]*)</td>', founding.text) == ["svc-gy"]


def test_a_login_posted_from_another_site_is_refused(client: TestClient) -> None:
    response = client.post(
        "/console/login", data=LOGIN, headers={"Origin": "https://elsewhere.example"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert COOKIE not in response.cookies
    same = client.post(
        "/console/login", data=LOGIN, headers={"Origin": "http://testserver"}, follow_redirects=False
    )
    assert same.status_code == 303


def names(html: str) -> list[str]:
    return re.findall(r'<td class="name">([^<]*)</td>', html)


def test_the_services_list_is_paged_by_fifty(client: TestClient, admin: Account) -> None:
    for index in range(55):
        made = client.post(
            f"/v2/{admin.project()}/services", json=service_body(f"svc-{index:02d}"), headers=admin.headers()
        )
        assert made.status_code == 200, made.text
    log_in(client)
    first = client.get("/console/services")
    assert len(names(first.text)) == 50
    assert '<span class="count">55 in all, page 1 of 2</span>' in first.text
    assert 'rel="prev"' not in first.text
    assert (
        'href="/console/services?region=ap-southeast-1&amp;workspace=0&amp;page=1" rel="next"' in first.text
    )
    second = client.get("/console/services?page=1")
    assert len(names(second.text)) == 5
    assert set(names(first.text)).isdisjoint(names(second.text))
    assert 'rel="prev"' in second.text
    assert 'rel="next"' not in second.text


def test_a_workspace_is_picked(client: TestClient, admin: Account) -> None:
    made = client.post(f"/v1/{admin.project()}/workspaces", json={"name": "team-a"}, headers=admin.headers())
    assert made.status_code == 200, made.text
    workspace = made.json()["id"]
    csrf = log_in(client)
    listing = client.get("/console/services")
    assert f'<option value="{workspace}" >team-a ({workspace})</option>' in listing.text
    created = client.post(
        f"/console/services?workspace={workspace}", data={"name": "svc-team", "csrf_token": csrf}
    )
    assert created.status_code == 200
    assert names(client.get(f"/console/services?workspace={workspace}").text) == ["svc-team"]
    assert names(client.get("/console/services").text) == []
    assert names(client.get(f"/console/founding?workspace={workspace}").text) == ["svc-team"]
