"""The sync client against a live server: token authentication, every API family, error mapping and
the paging iterators (CONTRACT §3-§6)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from openmaas_client import (
    AccessKeyAuth,
    ApiError,
    Client,
    EndpointFields,
    PasswordAuth,
    Service,
    Token,
    TokenAuth,
)
from tests.client.live import DOMAIN, USER, LiveServer
from tests.conftest import HOME, OTHER, service_body
from tests.wire import INFER_SERVER_INFO_KEYS

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 20.0
SIGNATURE_FAILURE = "Incorrect IAM authentication information: verify aksk signature fail"


def wait_for_status(api: Client, service_id: str, status: str) -> Service:
    """Poll until the lifecycle worker has settled the service (bounded)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        service = api.show_service(service_id)
        if service.status == status or time.monotonic() > deadline:
            assert service.status == status
            return service
        time.sleep(0.05)


def settle_all(api: Client, service_ids: set[str]) -> None:
    """Offset paging over rows that change order mid-walk is not stable: let them reach RUNNING first."""
    for service_id in service_ids:
        wait_for_status(api, service_id, "RUNNING")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def new_workspace(api: Client) -> str:
    return api.create_workspace(unique("ws")).id


# Tokens (§4.1, §4.2)


def test_password_auth_logs_in_lazily_scoped_to_region_project(
    live: LiveServer, admin_auth: PasswordAuth
) -> None:
    """§4.1: the first call obtains a token scoped to the region's project; later calls reuse it."""
    with Client(live.url, admin_auth) as api:
        assert api.token is None
        logs_in_once(api)


def logs_in_once(api: Client) -> None:
    project_id = api.project_id()
    token = api.token
    assert token is not None
    assert isinstance(token.value, str)
    assert token.value
    assert token.project is not None
    assert (token.project.id, token.project.name) == (project_id, HOME)
    assert (token.user.name, token.user.domain.name) == (USER, DOMAIN)
    assert token.expires_at > datetime.now(UTC)
    api.list_regions()
    assert api.token is token


def test_create_validate_revoke_token(api: Client, admin_auth: PasswordAuth) -> None:
    """§4.1-§4.2: a token made for another region validates, then is revoked and not found (404)."""
    other = api.create_token(admin_auth, region=OTHER)
    assert other.project is not None
    assert other.project.name == OTHER
    assert other.raw["token"]["project"]["name"] == OTHER
    assert api.validate_token(other.value).project == other.project
    api.revoke_token(other.value)
    with pytest.raises(ApiError) as caught:
        api.validate_token(other.value)
    assert (caught.value.status_code, caught.value.error_code) == (404, "404")
    assert caught.value.error_msg == "The token could not be found."


def test_wrong_password_maps_the_iam_error_body(live: LiveServer) -> None:
    """§4.4: the IAM body {"error": {code, message, title}} becomes code "401" and its message."""
    client = Client(live.url, PasswordAuth(DOMAIN, USER, "not-the-password"))
    with client, pytest.raises(ApiError) as caught:
        client.list_regions()
    error = caught.value
    assert (error.status_code, error.error_code) == (401, "401")
    assert error.error_msg == "The username or password is wrong."
    assert error.body == {
        "error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}
    }


def test_expired_cached_token_is_replaced_before_use(
    live: LiveServer, admin_auth: PasswordAuth, home_token: Token
) -> None:
    """A cached token past its expiry is not sent: the client logs in again first."""
    valid = home_token
    stale = valid.model_copy(update={"value": "stale", "expires_at": datetime.now(UTC) - timedelta(hours=1)})
    with Client(live.url, admin_auth, token=stale) as client:
        assert client.list_regions().total == 2
        assert client.token is not None
        assert client.token.value not in ("stale", valid.value)


def test_cached_valid_token_is_used_without_logging_in(live: LiveServer, home_token: Token) -> None:
    valid = home_token
    with Client(live.url, PasswordAuth(DOMAIN, USER, "wrong"), token=valid) as client:
        assert client.list_regions().total == 2
        assert client.token is valid


def test_refused_token_is_renewed_and_the_call_retried(live: LiveServer, admin_auth: PasswordAuth) -> None:
    """D-5: a revoked token is refused (MaaS: 400 ModelArts.0104); the client logs in and retries once."""
    with Client(live.url, admin_auth) as api:
        renews_refused_token(api, live)


def renews_refused_token(api: Client, live: LiveServer) -> None:
    project_id = api.project_id()
    old = api.token
    assert old is not None
    api.revoke_token(old.value)
    url = f"{live.url}/v1/{project_id}/maas/services/custom-endpoint/regions"
    deadline = time.monotonic() + 6.0
    while httpx.get(url, headers={"X-Auth-Token": old.value}).status_code == 200:
        assert time.monotonic() < deadline, "revocation did not take effect within 5 s (§4.2)"
        time.sleep(0.1)
    assert [region.region_id for region in api.list_regions().items] == [HOME, OTHER]
    assert api.token is not None
    assert api.token.value != old.value


def test_refused_token_on_a_modelarts_path_is_renewed_once(
    live: LiveServer, admin_auth: PasswordAuth
) -> None:
    """D-5: ModelArts paths refuse a revoked token with 401 ModelArts.0203; the client logs in again
    and retries once."""
    with Client(live.url, admin_auth) as api:
        project_id = api.project_id()
        old = api.token
        assert old is not None
        api.revoke_token(old.value)
        url = f"{live.url}/v2/{project_id}/services"
        deadline = time.monotonic() + 6.0
        while (refused := httpx.get(url, headers={"X-Auth-Token": old.value})).status_code == 200:
            assert time.monotonic() < deadline, "revocation did not take effect within 5 s (§4.2)"
            time.sleep(0.1)
        assert (refused.status_code, refused.json()) == (
            401,
            {"error_code": "ModelArts.0203", "error_msg": "Invalid token."},
        )
        listed = api.list_services()
        assert api.token is not None
        assert api.token.value != old.value
        fresh = httpx.get(url, headers={"X-Auth-Token": api.token.value})
        assert (fresh.status_code, listed.total) == (200, fresh.json()["total"])


def test_given_token_is_not_renewed(live: LiveServer) -> None:
    """TokenAuth sends the token as is; a refusal surfaces as the family's D-5 error."""
    client = Client(live.url, TokenAuth("not-a-token"), project_id="0" * 32)
    with client, pytest.raises(ApiError) as caught:
        client.list_regions()
    error = caught.value
    assert (error.status_code, error.error_code, error.error_msg) == (400, "ModelArts.0104", "Invalid token.")
    assert error.request_id is not None
    assert len(error.request_id) == 32


# Projects (§4.3)


def test_list_projects_by_region_name(api: Client) -> None:
    page = api.list_projects(name=OTHER)
    assert [(project.name, project.enabled) for project in page.items] == [(OTHER, True)]
    assert len(page.items[0].id) == 32
    assert {project.name for project in api.list_auth_projects().items} == {HOME, OTHER}


# Workspaces (§5.1)


def test_workspace_crud(api: Client) -> None:
    name = unique("team")
    created = api.create_workspace(name, description="for tests")
    assert (created.name, created.description, created.owner, created.auth_type) == (
        name,
        "for tests",
        USER,
        "PUBLIC",
    )
    assert isinstance(created.create_time, int)
    assert created.create_time > 10**12
    assert api.show_workspace(created.id) == created
    assert api.update_workspace(created.id, description="changed").workspace_id == created.id
    assert api.show_workspace(created.id).description == "changed"
    assert created.id in {workspace.id for workspace in api.iter_workspaces(page_size=1)}
    assert api.delete_workspace(created.id).raw == {"workspace_id": created.id}
    with pytest.raises(ApiError) as caught:
        api.show_workspace(created.id)
    assert (caught.value.status_code, caught.value.error_code) == (400, "ModelArts.0104")
    assert caught.value.error_msg == "Invalid workspace ID."


# Services (§5.2-§5.4)


def test_service_lifecycle(api: Client) -> None:
    """§5.3: create → RUNNING, update makes a version, stop, start, delete → DELETING."""
    workspace = new_workspace(api)
    created = api.create_service(service_body(unique("svc"), workspace_id=workspace))
    assert (created.status, created.workspace_id) == ("DEPLOYING", workspace)
    assert isinstance(created.create_at, int)
    assert created.raw["create_at"] == str(created.create_at)
    wait_for_status(api, created.id, "RUNNING")
    updated = api.update_service(created.id, {"group_configs": [{"count": 2}]})
    assert updated.status == "UPGRADING"
    wait_for_status(api, created.id, "RUNNING")
    assert api.stop_service(created.id).status == "STOPPING"
    wait_for_status(api, created.id, "STOPPED")
    assert api.start_service(created.id).status == "DEPLOYING"
    wait_for_status(api, created.id, "RUNNING")
    deployments = api.list_deployments(created.id)
    assert deployments.total == 1
    deployment = deployments.items[0]
    assert api.show_deployment(created.id, deployment.id).id == deployment.id
    versions = list(api.iter_versions(created.id, deployment.id, page_size=1))
    assert [version.version for version in versions] == ["1.0.1", "1.0.0"]
    assert api.show_version(created.id, deployment.id, "1.0.0").version == "1.0.0"
    deleted = api.delete_services([created.id])
    assert [(service.id, service.status) for service in deleted.service_responses] == [
        (created.id, "DELETING")
    ]


def test_list_services_with_filters(api: Client) -> None:
    """§5.2: filters are sent as query parameters, tags as k|v."""
    workspace = new_workspace(api)
    name = unique("filtered")
    tagged = api.create_service(
        service_body(name, workspace_id=workspace, tags=[{"key": "team", "value": "blue"}])
    )
    api.create_service(service_body(unique("other"), workspace_id=workspace))
    page = api.list_services(workspace_id=workspace, tags={"team": "blue"})
    assert [item.id for item in page.items] == [tagged.id]
    assert page.total == 1
    assert page.raw["size"] == 1
    assert page.items[0].tags[0].value == "blue"
    assert api.list_services(name=name, workspace_id=workspace).total == 1
    assert api.list_services(workspace_id=workspace).total == 2


def test_unknown_service_error_carries_code_message_status_and_request_id(api: Client) -> None:
    """D-9: 400 ModelArts.0102 "Service {id} does not exist."."""
    missing = str(uuid.uuid4())
    with pytest.raises(ApiError) as caught:
        api.show_service(missing)
    error = caught.value
    assert (error.status_code, error.error_code) == (400, "ModelArts.0102")
    assert error.error_msg == f"Service {missing} does not exist."
    assert error.body == {"error_code": "ModelArts.0102", "error_msg": f"Service {missing} does not exist."}
    assert isinstance(error.request_id, str)
    assert len(error.request_id) == 32


def test_invalid_body_error(api: Client) -> None:
    """D-7: a missing required field is 400 ModelArts.0101 naming it."""
    body = service_body(unique("bad"))
    del body["runtime_config"]
    with pytest.raises(ApiError) as caught:
        api.create_service(body)
    assert (caught.value.status_code, caught.value.error_code) == (400, "ModelArts.0101")
    assert caught.value.error_msg == "Invalid parameter: runtime_config is required."


def test_service_iterator_follows_paging_to_the_end(api: Client) -> None:
    """§5.2 paging: offset advances by limit until total items were seen."""
    workspace = new_workspace(api)
    ids = {api.create_service(service_body(unique("paged"), workspace_id=workspace)).id for _ in range(5)}
    settle_all(api, ids)
    pager = api.iter_services(workspace_id=workspace, page_size=2)
    pages = list(pager.pages())
    assert [len(page.items) for page in pages] == [2, 2, 1]
    assert [page.raw["current"] for page in pages] == [0, 1, 2]
    assert {item.id for item in api.iter_services(workspace_id=workspace, page_size=2)} == ids


# MaaS (§6.1-§6.3)


def test_regions_and_region_workspaces(api: Client) -> None:
    regions = api.list_regions()
    assert regions.raw == {
        "region_items": [
            {"region_id": HOME, "locales": {"en_us": "CN-Hong Kong", "zh_cn": "中国-香港"}},
            {"region_id": OTHER, "locales": {"en_us": "CN Southwest-Guiyang1", "zh_cn": "西南-贵阳一"}},
        ]
    }
    assert regions.items[1].locales.en_us == "CN Southwest-Guiyang1"
    workspaces = api.list_region_workspaces(OTHER)
    assert workspaces.items[0].id == "0"
    assert workspaces.items[0].name == "default"


def test_infer_service_listing_pages_to_the_end(api: Client) -> None:
    """§6.3 with D-10 paging: the iterator walks every page of one region and workspace."""
    workspace = new_workspace(api)
    ids = {api.create_service(service_body(unique("maas"), workspace_id=workspace)).id for _ in range(3)}
    settle_all(api, ids)
    page = api.list_infer_services(HOME, workspace_id=workspace, limit=2)
    assert (page.total, page.raw["pages"], len(page.items)) == (3, 2, 2)
    assert set(page.items[0].model_dump()) == INFER_SERVER_INFO_KEYS
    pager = api.iter_infer_services(HOME, workspace_id=workspace, page_size=2)
    assert [len(page.items) for page in pager.pages()] == [2, 1]
    assert {item.id for item in pager} == ids


def test_infer_service_listing_unknown_region(api: Client) -> None:
    """D-11: 400 ModelArts.0104 "Invalid region ID: {region_id}."."""
    with pytest.raises(ApiError) as caught:
        api.list_infer_services("xx-nowhere-1")
    assert (caught.value.status_code, caught.value.error_code) == (400, "ModelArts.0104")
    assert caught.value.error_msg == "Invalid region ID: xx-nowhere-1."


def test_maas_outside_home_region_is_not_published(live: LiveServer, admin_auth: PasswordAuth) -> None:
    """D-3: a token of another region gets 404 APIG.0101 from MaaS."""
    with Client(live.url, admin_auth, region=OTHER) as client, pytest.raises(ApiError) as caught:
        client.list_regions()
    assert (caught.value.status_code, caught.value.error_code) == (404, "APIG.0101")
    assert caught.value.error_msg == ("The API does not exist or has not been published in the environment.")


# Access keys and AK/SK signing (§3, §4.3)


def test_access_key_client_signs_every_call(api: Client, live: LiveServer) -> None:
    """§4.3 then §3: a key created with a token signs IAM, ModelArts and MaaS calls; the project is
    found by region name (GET /v3/projects?name=) as the SDK finds it."""
    key = api.create_access_key(description="client test")
    assert key.secret is not None
    assert (key.status, key.description) == ("active", "client test")
    assert key.raw["credential"]["access"] == key.access
    try:
        with Client(live.url, AccessKeyAuth(key.access, key.secret)) as signed:
            assert signed.project_id() == api.project_id()
            workspace = signed.create_workspace(unique("aksk"), description="signed ä/ü")
            created = signed.create_service(service_body(unique("signed"), workspace_id=workspace.id))
            listing = signed.list_services(workspace_id=workspace.id, name=created.name)
            assert [item.id for item in listing.items] == [created.id]
            assert signed.list_infer_services(HOME, workspace_id=workspace.id).total == 1
            assert signed.list_regions().total == 2
            listed = signed.list_access_keys(user_id=key.user_id)
            assert key.access in {item.access for item in listed.items}
            assert all(item.secret is None for item in listed.items)
    finally:
        api.delete_access_key(key.access)


def test_wrong_secret_key_is_refused_with_the_d5_bodies(api: Client, live: LiveServer) -> None:
    """D-5: a bad signature is 401 APIG.0301 on MaaS paths, and 401 in the IAM body on IAM paths."""
    key = api.create_access_key(description="wrong sk")
    try:
        wrong = AccessKeyAuth(key.access, "not-the-secret")
        with Client(live.url, wrong, project_id=api.project_id()) as signed:
            with pytest.raises(ApiError) as maas:
                signed.list_regions()
            with pytest.raises(ApiError) as iam:
                signed.list_projects()
    finally:
        api.delete_access_key(key.access)
    assert (maas.value.status_code, maas.value.error_code) == (401, "APIG.0301")
    assert maas.value.error_msg.startswith(
        "Incorrect IAM authentication information: verify aksk signature fail"
    )
    assert (iam.value.status_code, iam.value.error_code) == (401, "401")
    assert iam.value.error_msg.startswith(
        "Incorrect IAM authentication information: verify aksk signature fail"
    )


# Custom endpoints and agreements (§6.4, §6.5)


def _running_service(api: Client, auth_type: str = "NONE") -> Service:
    workspace = new_workspace(api)
    body = service_body(unique("front"), workspace_id=workspace)
    body["runtime_config"]["service_invoke"]["auth_type"] = auth_type
    created = api.create_service(body)
    return wait_for_status(api, created.id, "RUNNING")


def test_custom_endpoint_lifecycle(api: Client) -> None:
    """§6.4: create on a RUNNING service, list, edit, deactivate, activate, delete; the name stays used."""
    service = _running_service(api)
    name = unique("ep")
    created = api.create_endpoint(
        name,
        source="custom_from_modelarts_v2",
        region=HOME,
        workspace_id=service.workspace_id,
        infer_service_id=service.id,
        rpm=10,
    )
    assert (created.endpoint_name, created.status, created.rpm, created.tpm) == (name, "ACTIVE", 10, None)
    assert (created.served_model_name, created.infer_service_id) == (service.name, service.id)
    assert created.id in {endpoint.id for endpoint in api.iter_endpoints(page_size=1)}
    page = api.list_endpoints()
    assert isinstance(page.raw["count"], str)
    assert isinstance(page.raw["quantity_limit"], int)
    edited = api.edit_endpoint(created.id, rpm=20, remark="edited")
    assert (edited.rpm, edited.remark, edited.infer_service_id) == (20, "edited", service.id)
    api.deactivate_endpoint(created.id)
    assert _endpoint_status(api, created.id) == "INACTIVE"
    api.activate_endpoint(created.id)
    assert _endpoint_status(api, created.id) == "ACTIVE"
    api.delete_endpoint(created.id)
    assert created.id not in {endpoint.id for endpoint in api.iter_endpoints()}
    with pytest.raises(ApiError) as caught:
        api.create_endpoint(
            name,
            source="custom_from_modelarts_v2",
            region=HOME,
            workspace_id=service.workspace_id,
            infer_service_id=service.id,
        )
    assert (caught.value.status_code, caught.value.error_code) == (400, "ModelArts.6271")
    assert caught.value.error_msg == (
        f"Custom endpoint name {name} has already been used (including deleted endpoints). "
        "To ensure billing uniqueness, please use a different name."
    )


def _endpoint_status(api: Client, endpoint_id: str) -> str:
    return next(endpoint.status for endpoint in api.iter_endpoints() if endpoint.id == endpoint_id)


def test_custom_endpoint_errors(api: Client) -> None:
    """§6.4 table rows through the client: unknown id, service that cannot be mounted."""
    with pytest.raises(ApiError) as unknown:
        api.delete_endpoint(str(uuid.uuid4()))
    assert (unknown.value.status_code, unknown.value.error_code) == (400, "ModelArts.6291")
    assert unknown.value.error_msg == "CustomEndpointNotFound"
    guarded = _running_service(api, auth_type="TOKEN")
    with pytest.raises(ApiError) as not_mountable:
        api.create_endpoint(
            unique("ep"),
            source="custom_from_modelarts_v2",
            region=HOME,
            workspace_id=guarded.workspace_id,
            infer_service_id=guarded.id,
        )
    assert (not_mountable.value.status_code, not_mountable.value.error_code) == (400, "ModelArts.6613")
    assert not_mountable.value.error_msg.startswith(
        f"Operation failed. Service {guarded.id} cannot back a custom endpoint: "
    )


def test_moderation_off_needs_the_latest_agreement(api: Client) -> None:
    """§6.5: the latest agreement id lets moderation be turned off; English and Chinese texts."""
    english, chinese = api.show_agreement("en"), api.show_agreement("zh")
    assert english.agreement_id == chinese.agreement_id
    assert english.agreement_data != chinese.agreement_data
    service = _running_service(api)
    fields = EndpointFields(
        source="custom_from_modelarts_v2",
        region=HOME,
        workspace_id=service.workspace_id,
        infer_service_id=service.id,
        moderation=False,
    )
    with pytest.raises(ApiError) as refused:
        api.create_endpoint(unique("ep"), **fields)
    assert (refused.value.status_code, refused.value.error_code) == (400, "ModelArts.0101")
    assert refused.value.error_msg == (
        f"Invalid parameter: agreement_id must be the latest agreement id {english.agreement_id} "
        "when moderation is false."
    )
    fields["agreement_id"] = english.agreement_id
    created = api.create_endpoint(unique("ep"), **fields)
    assert created.moderation is False
