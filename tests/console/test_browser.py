"""The README walk-through in a real browser: log in, create a service and watch it become RUNNING,
find it in the founding listing, put an endpoint on it, switch it off and on, make an API key, call
the endpoint, see its usage, log out."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Page, expect

from tests.console.conftest import Console

SERVICE, ENDPOINT = "console-svc", "console-ep"


def test_the_walk_through_in_the_browser(console: Console, page: Page) -> None:
    log_in(console, page)
    create_service(console, page)
    create_endpoint(console, page)
    switch_endpoint(console, page)
    key = create_api_key(console, page)
    see_usage(console, page, key)
    stop_start_and_delete(console, page)
    log_out(console, page)


def log_in(console: Console, page: Page) -> None:
    page.goto(f"{console.url}/services")
    expect(page).to_have_url(f"{console.url}/login")
    expect(page.get_by_role("heading")).to_have_text("Log in")
    page.get_by_label("Domain name").fill("openmaas")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".notice.error")).to_have_text("401 The username or password is wrong.")
    console.shot(page, "01-login-refused")
    page.get_by_label("Password").fill(console.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{console.url}/services")
    expect(page.get_by_role("heading")).to_have_text("Inference services")
    expect(page.locator("header .who")).to_have_text("admin @ openmaas")
    # The token is in an HttpOnly cookie, never in the page's URL or where scripts can read it.
    assert "omt1." not in page.url
    assert page.evaluate("document.cookie") == ""
    console.shot(page, "02-services-empty")


def create_service(console: Console, page: Page) -> None:
    page.get_by_label("Name", exact=True).fill(SERVICE)
    page.get_by_label("Model server URL (optional)").fill(f"{console.model_url}/health")
    page.get_by_role("button", name="Create service").click()
    notice = page.locator(".notice.ok")
    expect(notice).to_have_text(
        re.compile(rf"^Service {SERVICE} created \([0-9a-f-]{{36}}\), status DEPLOYING\.$")
    )
    row = page.locator(f'#services tr[data-name="{SERVICE}"]')
    expect(row.locator(".status")).to_have_text("DEPLOYING")
    console.shot(page, "03-service-deploying")
    # No reload: the rows fragment polls (htmx) until the status settles.
    expect(row.locator(".status")).to_have_text("RUNNING", timeout=20_000)
    expect(page.locator(".pager .count")).to_have_text("1 in all")
    console.shot(page, "04-service-running")


def create_endpoint(console: Console, page: Page) -> None:
    page.get_by_role("link", name="Founding listing").click()
    expect(page.get_by_role("heading")).to_have_text("Services an endpoint can front")
    row = page.locator(f'#founding tr[data-name="{SERVICE}"]')
    expect(row.locator(".status")).to_have_text("RUNNING")
    console.shot(page, "05-founding-listing")
    row.get_by_label(f"endpoint name for {SERVICE}").fill(ENDPOINT)
    row.get_by_role("button", name="Create endpoint").click()
    expect(page.get_by_role("heading")).to_have_text("Custom endpoints")
    expect(page.locator(".notice.ok")).to_have_text(
        re.compile(rf"^Endpoint {ENDPOINT} created \([0-9a-f-]+\)\.$")
    )
    listed = page.locator(f'#endpoints tr[data-name="{ENDPOINT}"]')
    expect(listed.locator(".status")).to_have_text("ACTIVE")
    expect(listed.locator("td").nth(2)).to_have_text("custom_from_modelarts_v2")
    expect(listed.locator("td").nth(4)).to_have_text("60 / 100000")
    console.shot(page, "06-endpoint-created")


def switch_endpoint(console: Console, page: Page) -> None:
    listed = page.locator(f'#endpoints tr[data-name="{ENDPOINT}"]')
    listed.get_by_role("button", name="Deactivate").click()
    expect(listed.locator(".status")).to_have_text("INACTIVE")
    expect(page.locator(".notice.ok")).to_have_text(re.compile(r"^Endpoint [0-9a-f-]+: deactivated\.$"))
    console.shot(page, "07-endpoint-inactive")
    listed.get_by_role("button", name="Activate", exact=True).click()
    expect(listed.locator(".status")).to_have_text("ACTIVE")
    expect(page.locator(".notice.ok")).to_have_text(re.compile(r"^Endpoint [0-9a-f-]+: activated\.$"))


def create_api_key(console: Console, page: Page) -> str:
    page.get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading")).to_have_text("MaaS API keys")
    page.get_by_label("Description").fill("console key")
    page.get_by_role("button", name="Create API key").click()
    shown = page.locator("#new-api-key")
    expect(shown).to_have_text(re.compile(r"^[A-Za-z0-9_-]{86}$"))
    key = shown.inner_text()
    row = page.locator("#api-keys tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator(".mask")).to_have_text(f"{key[:4]}********{key[-4:]}")
    expect(row.locator("td").nth(2)).to_have_text("console key")
    console.shot(page, "08-api-key-once")
    # Shown once: the page asked for again has the mask only.
    page.goto(page.url)
    expect(page.locator("#new-api-key")).to_have_count(0)
    assert key not in page.content()
    return key


def see_usage(console: Console, page: Page, key: str) -> None:
    answer = httpx.post(
        f"{console.server.url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {key}"},
        json={"model": ENDPOINT, "messages": [{"role": "user", "content": "hello"}]},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    tokens = answer.json()["usage"]["total_tokens"]
    page.get_by_role("link", name="Custom endpoints").click()
    page.get_by_role("link", name=ENDPOINT).click()
    expect(page.get_by_role("heading")).to_have_text(f"Usage of {ENDPOINT}")
    deadline = time.monotonic() + 15
    while page.locator(".totals .calls").inner_text() != "1" and time.monotonic() < deadline:
        time.sleep(0.3)  # counted usage reaches the store every 0.5 s here
        page.reload()
    expect(page.locator(".totals .calls")).to_have_text("1")
    expect(page.locator(".totals .tokens")).to_have_text(str(tokens))
    expect(page.locator("figure figcaption")).to_have_text(
        ["Calls per minute (peak 1)", f"Tokens per minute (peak {tokens})"]
    )
    expect(page.locator("svg polyline")).to_have_count(2)
    console.shot(page, "09-endpoint-usage")


def stop_start_and_delete(console: Console, page: Page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())  # the delete buttons ask first (hx-confirm)
    page.get_by_role("link", name="Back to custom endpoints").click()
    listed = page.locator(f'#endpoints tr[data-name="{ENDPOINT}"]')
    listed.get_by_role("button", name="Delete").click()
    expect(page.locator(".notice.ok")).to_have_text(re.compile(r"^Endpoint [0-9a-f-]+: deleted\.$"))
    expect(page.locator("#endpoints tbody tr")).to_have_text("No custom endpoints.")
    page.get_by_role("link", name="API keys").click()
    page.locator("#api-keys tbody tr").get_by_role("button", name="Delete").click()
    expect(page.locator(".notice.ok")).to_have_text(re.compile(r"^API key [0-9a-f-]+ deleted\.$"))
    expect(page.locator("#api-keys tbody tr")).to_have_text("No API keys.")
    page.get_by_role("link", name="Services").click()
    row = page.locator(f'#services tr[data-name="{SERVICE}"]')
    row.get_by_role("button", name="Stop").click()
    expect(page.locator(".notice.ok")).to_have_text(f"Service {SERVICE}: stop asked, status STOPPING.")
    expect(row.locator(".status")).to_have_text("STOPPED", timeout=20_000)
    row.get_by_role("button", name="Start").click()
    expect(page.locator(".notice.ok")).to_have_text(f"Service {SERVICE}: start asked, status DEPLOYING.")
    expect(row.locator(".status")).to_have_text("RUNNING", timeout=20_000)
    row.get_by_role("button", name="Delete").click()
    expect(page.locator(".notice.ok")).to_have_text(re.compile(r"^Service [0-9a-f-]+ is being deleted\.$"))
    expect(page.locator("#services tbody tr")).to_have_text("No services in this workspace.", timeout=20_000)
    console.shot(page, "10-services-deleted")


def log_out(console: Console, page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{console.url}/login")
    expect(page.get_by_role("heading")).to_have_text("Log in")
    console.shot(page, "11-logged-out")
    page.goto(f"{console.url}/api-keys")
    expect(page).to_have_url(f"{console.url}/login")
