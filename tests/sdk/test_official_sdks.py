"""huaweicloudsdkmodelarts and huaweicloudsdkiam 3.1.219 (pinned in pyproject's dev extra), unchanged,
against a live openmaas on SQLite and PostgreSQL (CONTRACT 3, 4, 5).

Every response must parse without a Python warning (pytest turns them into errors), without a
warning or error record on the SDK's loggers, with every field the SDK reads present, and with an
``X-Request-Id`` header (CONTRACT 1).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import datetime
from importlib.metadata import version
from typing import Any

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkiam.v3 import (
    AuthScope,
    AuthScopeProject,
    CreateCredentialOption,
    CreatePermanentAccessKeyRequest,
    CreatePermanentAccessKeyRequestBody,
    CreateUserOption,
    CreateUserRequest,
    CreateUserRequestBody,
    DeletePermanentAccessKeyRequest,
    IamClient,
    KeystoneCreateUserOption,
    KeystoneCreateUserRequest,
    KeystoneCreateUserRequestBody,
    KeystoneCreateUserTokenByPasswordRequest,
    KeystoneCreateUserTokenByPasswordRequestBody,
    KeystoneDeleteUserRequest,
    KeystoneListProjectsRequest,
    KeystoneListUsersRequest,
    KeystoneShowUserRequest,
    KeystoneUpdatePasswordOption,
    KeystoneUpdateUserByAdminRequest,
    KeystoneUpdateUserByAdminRequestBody,
    KeystoneUpdateUserOption,
    KeystoneUpdateUserPasswordRequest,
    KeystoneUpdateUserPasswordRequestBody,
    ListPermanentAccessKeysRequest,
    PwdAuth,
    PwdIdentity,
    PwdPassword,
    PwdPasswordUser,
    PwdPasswordUserDomain,
    ShowPermanentAccessKeyRequest,
    ShowUserRequest,
    UpdateUserOption,
    UpdateUserRequest,
    UpdateUserRequestBody,
)
from huaweicloudsdkiam.v3.region.iam_region import IamRegion
from huaweicloudsdkmodelarts.v1 import (
    BatchDeleteInferServicesRequest,
    CreateInferServiceRequest,
    CreateWorkspaceReq,
    CreateWorkspaceRequest,
    DeleteServicesRequest,
    DeleteWorkspaceRequest,
    GroupConfig,
    ListInferDeploymentsRequest,
    ListInferDeploymentVersionsRequest,
    ListInferServicesRequest,
    ListWorkspaceRequest,
    ModelArtsClient,
    RuntimeConfigCreateRequest,
    ServiceCreateRequest,
    ServiceCreateRequestTags,
    ServiceInvokeCreateRequest,
    ServiceUpdateRequest,
    ShowInferServiceRequest,
    ShowWorkspaceRequest,
    StartInferServiceRequest,
    StopInferServiceRequest,
    UpdateInferServiceRequest,
    UpdateWorkspaceReq,
    UpdateWorkspaceRequest,
)
from huaweicloudsdkmodelarts.v1.region.modelarts_region import ModelArtsRegion

from tests.client.live import DOMAIN, USER, LiveServer
from tests.conftest import ADMIN_PASSWORD, HOME
from tests.sdk.conftest import AccessKey, Wire

pytestmark = pytest.mark.e2e

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
SETTLE_SECONDS = 30.0


def test_the_sdk_versions_are_the_pinned_ones() -> None:
    for package in ("huaweicloudsdkcore", "huaweicloudsdkiam", "huaweicloudsdkmodelarts"):
        assert version(package) == "3.1.219"


def modelarts(access_key: AccessKey, wire: Wire) -> ModelArtsClient:
    """BasicCredentials(ak, sk) without a project id: the SDK discovers it through IAM (CONTRACT 4.3)."""
    return (
        ModelArtsClient.new_builder()
        .with_credentials(BasicCredentials(access_key.access, access_key.secret))
        .with_region(ModelArtsRegion.value_of(HOME))
        .with_http_handler(wire.handler())
        .build()
    )


def iam(live: LiveServer, access_key: AccessKey, wire: Wire) -> IamClient:
    return (
        IamClient.new_builder()
        .with_credentials(GlobalCredentials(access_key.access, access_key.secret))
        .with_endpoints([live.url])
        .with_http_handler(wire.handler())
        .build()
    )


def unread_keys(model: Any, raw: Any, path: str = "") -> list[str]:
    """JSON keys the SDK model has no attribute for: a misspelt or misplaced field shows up here."""
    if isinstance(raw, list) and isinstance(model, list):
        return [
            key for item, data in zip(model, raw, strict=True) for key in unread_keys(item, data, path + "[]")
        ]
    attribute_map = getattr(type(model), "attribute_map", None)
    if not isinstance(raw, dict) or attribute_map is None:
        return []
    by_wire_name = {wire_name: attribute for attribute, wire_name in attribute_map.items()}
    unread = [f"{path}.{key}" for key in raw if key not in by_wire_name]
    for key, data in raw.items():
        if key in by_wire_name:
            unread += unread_keys(getattr(model, by_wire_name[key]), data, f"{path}.{key}")
    return unread


def parsed(response: Any, *, allowed_unread: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The raw JSON of an SDK response, after checking that the SDK read all of it."""
    raw: dict[str, Any] = json.loads(response.raw_content)
    assert set(unread_keys(response, raw)) <= allowed_unread
    return raw


def assert_clean(wire: Wire) -> None:
    assert wire.problems() == []
    assert wire.responses, "the SDK sent nothing"
    for seen in wire.responses:
        assert REQUEST_ID.match(seen["request_id"] or ""), seen


def wait_for_status(client: ModelArtsClient, service_id: str, wanted: str) -> Any:
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        shown = client.show_infer_service(ShowInferServiceRequest(service_id=service_id))
        if shown.status == wanted:
            return shown
        assert time.monotonic() < deadline, f"{service_id} stayed {shown.status}, wanted {wanted}"
        time.sleep(0.1)


def create_body(name: str, description: str) -> ServiceCreateRequest:
    return ServiceCreateRequest(
        name=name,
        type="REAL_TIME",
        deploy_type="SINGLE",
        description=description,
        workspace_id="0",
        group_configs=[GroupConfig(count=1, weight=100, framework="VLLM")],
        runtime_config=RuntimeConfigCreateRequest(
            service_invoke=ServiceInvokeCreateRequest(port=8080, protocol="HTTP", auth_type="NONE")
        ),
        tags=[ServiceCreateRequestTags(key="team", value="sdk")],
        task_type="TEXT_GENERATION",
    )


def test_global_credentials_find_their_domain(
    sdk_environment: LiveServer, access_key: AccessKey, wire: Wire, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GlobalCredentials(ak, sk) with a region and no domain id: the SDK asks GET /v3/auth/domains."""
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_IAM_" + HOME.replace("-", "_").upper(), sdk_environment.url)
    client = (
        IamClient.new_builder()
        .with_credentials(GlobalCredentials(access_key.access, access_key.secret))
        .with_region(IamRegion.value_of(HOME))
        .with_http_handler(wire.handler())
        .build()
    )
    projects = client.keystone_list_projects(KeystoneListProjectsRequest(name=HOME))
    assert [(item.id, item.domain_id) for item in projects.projects] == [
        (access_key.project_id, access_key.domain_id)
    ]
    assert any(seen["url"].endswith("/v3/auth/domains") for seen in wire.responses)
    assert_clean(wire)


def test_iam_token_by_password_and_projects(
    sdk_environment: LiveServer, access_key: AccessKey, wire: Wire
) -> None:
    """huaweicloudsdkiam: a token by password (CONTRACT 4.1) and the project list (4.3), AK/SK-signed."""
    client = iam(sdk_environment, access_key, wire)
    body = KeystoneCreateUserTokenByPasswordRequestBody(
        auth=PwdAuth(
            identity=PwdIdentity(
                methods=["password"],
                password=PwdPassword(
                    user=PwdPasswordUser(
                        domain=PwdPasswordUserDomain(name=DOMAIN), name=USER, password=ADMIN_PASSWORD
                    )
                ),
            ),
            scope=AuthScope(project=AuthScopeProject(name=HOME)),
        )
    )
    token = client.keystone_create_user_token_by_password(
        KeystoneCreateUserTokenByPasswordRequest(body=body, nocatalog="true")
    )
    assert token.status_code == 201
    assert token.x_subject_token
    assert token.token.project.id == access_key.project_id
    assert token.token.project.name == HOME
    assert token.token.user.id == access_key.user_id
    assert token.token.user.domain.name == DOMAIN
    assert token.token.methods == ["password"]
    assert token.token.catalog is None
    assert datetime.strptime(token.token.expires_at, "%Y-%m-%dT%H:%M:%S.%fZ") > datetime.strptime(
        token.token.issued_at, "%Y-%m-%dT%H:%M:%S.%fZ"
    )
    parsed(token)

    projects = client.keystone_list_projects(KeystoneListProjectsRequest(name=HOME))
    assert projects.status_code == 200
    assert [(item.id, item.name, item.domain_id) for item in projects.projects] == [
        (access_key.project_id, HOME, access_key.domain_id)
    ]
    assert projects.projects[0].enabled is True
    assert projects.projects[0].is_domain is False
    assert projects.projects[0].links._self.endswith(f"/v3/projects/{access_key.project_id}")
    everything = client.keystone_list_projects(KeystoneListProjectsRequest())
    assert sorted(item.name for item in everything.projects) == ["ap-southeast-1", "cn-southwest-2"]
    parsed(projects)
    parsed(everything)
    assert_clean(wire)


def test_services_lifecycle(sdk_environment: LiveServer, access_key: AccessKey, wire: Wire) -> None:
    """huaweicloudsdkmodelarts v2 services: create, list, show, update, stop, start, deployments,
    versions and batch delete (CONTRACT 5.2-5.4), with the project id discovered by the SDK."""
    client = modelarts(access_key, wire)
    run = uuid.uuid4().hex[:8]
    names = [f"sdk-{run}-{index}" for index in range(3)]
    created = [
        client.create_infer_service(
            CreateInferServiceRequest(body=create_body(name, f"made by SDK run {run}"))
        )
        for name in names
    ]
    first = created[0]
    assert (first.name, first.status, first.workspace_id, first.type) == (
        names[0],
        "DEPLOYING",
        "0",
        "REAL_TIME",
    )
    assert re.match(r"^\d{13}$", first.create_at)
    assert first.version.version == "1.0.0"
    assert [(tag.key, tag.value) for tag in first.tags] == [("team", "sdk")]
    parsed(first)

    running = wait_for_status(client, first.id, "RUNNING")
    assert running.version.instance_groups[0].framework == "VLLM"
    parsed(running)

    mine = ListInferServicesRequest(
        description=f"run {run}", sort_dir="ASC", sort_key="create_at", limit=2, offset=0
    )
    page_one = client.list_infer_services(mine)
    assert (page_one.total, page_one.pages, page_one.current, page_one.size) == (3, 2, 0, 2)
    assert [item.name for item in page_one.data] == names[:2]
    assert isinstance(page_one.data[0].create_at, int)
    assert page_one.data[0].version_count == 1
    assert page_one.data[0].user_name == USER
    mine.offset = 2
    page_two = client.list_infer_services(mine)
    assert ([item.name for item in page_two.data], page_two.current, page_two.size) == ([names[2]], 1, 1)
    filtered = client.list_infer_services(
        ListInferServicesRequest(name=names[0], status="RUNNING", tags="team|sdk")
    )
    assert [item.id for item in filtered.data] == [first.id]
    parsed(page_one)
    parsed(filtered)

    updated = client.update_infer_service(
        UpdateInferServiceRequest(
            service_id=first.id,
            body=ServiceUpdateRequest(
                description="second version",
                group_configs=[GroupConfig(count=2, weight=100, framework="VLLM")],
            ),
        )
    )
    assert updated.status == "UPGRADING"
    assert updated.version.version == "1.0.1"
    parsed(updated)
    wait_for_status(client, first.id, "RUNNING")

    deployments = client.list_infer_deployments(ListInferDeploymentsRequest(service_id=first.id))
    assert deployments.total == 1
    deployment = deployments.data[0]
    assert (deployment.name, deployment.status, deployment.version) == (names[0], "RUNNING", "1.0.1")
    parsed(deployments)
    versions = client.list_infer_deployment_versions(
        ListInferDeploymentVersionsRequest(service_id=first.id, deployment_id=deployment.id)
    )
    assert versions.total == 2
    assert sorted(item.version for item in versions.data) == ["1.0.0", "1.0.1"]
    assert all(isinstance(item.create_at, datetime) for item in versions.data)
    parsed(versions)

    stopped = client.stop_infer_service(StopInferServiceRequest(service_id=first.id))
    assert stopped.status == "STOPPING"
    wait_for_status(client, first.id, "STOPPED")
    started = client.start_infer_service(StartInferServiceRequest(service_id=first.id))
    assert started.status == "DEPLOYING"
    wait_for_status(client, first.id, "RUNNING")
    parsed(stopped)
    parsed(started)

    deleted = client.batch_delete_infer_services(
        BatchDeleteInferServicesRequest(body=DeleteServicesRequest(service_ids=[item.id for item in created]))
    )
    assert sorted(item.id for item in deleted.service_responses) == sorted(item.id for item in created)
    assert {item.status for item in deleted.service_responses} == {"DELETING"}
    parsed(deleted)
    assert_clean(wire)


def test_unknown_service_is_a_client_error(
    sdk_environment: LiveServer, access_key: AccessKey, wire: Wire
) -> None:
    """D-9 through the SDK: its exception carries our error code, message and request id."""
    client = modelarts(access_key, wire)
    missing = str(uuid.uuid4())
    with pytest.raises(ClientRequestException) as raised:
        client.show_infer_service(ShowInferServiceRequest(service_id=missing))
    assert raised.value.status_code == 400
    assert raised.value.error_code == "ModelArts.0102"
    assert raised.value.error_msg == f"Service {missing} does not exist."
    assert REQUEST_ID.match(raised.value.request_id)
    assert wire.problems() == []


def test_workspaces(sdk_environment: LiveServer, access_key: AccessKey, wire: Wire) -> None:
    """huaweicloudsdkmodelarts workspaces: list, create, show, update, delete (CONTRACT 5.1)."""
    client = modelarts(access_key, wire)
    name = f"sdk-ws-{uuid.uuid4().hex[:8]}"
    created = client.create_workspace(
        CreateWorkspaceRequest(body=CreateWorkspaceReq(name=name, description="from the SDK"))
    )
    assert re.match(r"^[0-9a-f]{32}$", created.id)
    assert (created.name, created.auth_type, created.status, created.owner) == (
        name,
        "PUBLIC",
        "NORMAL",
        USER,
    )
    assert isinstance(created.create_time, int)
    parsed(created)

    listed = client.list_workspace(
        ListWorkspaceRequest(name=name[:10], sort_by="name", order="asc", limit=10)
    )
    assert [item.id for item in listed.workspaces] == [created.id]
    assert (listed.total_count, listed.count) == (1, 1)
    everything = client.list_workspace(ListWorkspaceRequest())
    assert everything.workspaces[0].id == "0" or "0" in [item.id for item in everything.workspaces]
    parsed(listed)

    shown = client.show_workspace(ShowWorkspaceRequest(workspace_id=created.id))
    assert (shown.id, shown.name, shown.description) == (created.id, name, "from the SDK")
    parsed(shown)

    updated = client.update_workspace(
        UpdateWorkspaceRequest(
            workspace_id=created.id, body=UpdateWorkspaceReq(name=name + "-b", description="renamed")
        )
    )
    assert updated.workspace_id == created.id
    parsed(updated)
    assert client.show_workspace(ShowWorkspaceRequest(workspace_id=created.id)).name == name + "-b"

    deleted = client.delete_workspace(DeleteWorkspaceRequest(workspace_id=created.id))
    assert deleted.workspace_id == created.id
    parsed(deleted)
    with pytest.raises(ClientRequestException) as raised:
        client.show_workspace(ShowWorkspaceRequest(workspace_id=created.id))
    assert (raised.value.status_code, raised.value.error_code) == (400, "ModelArts.0104")
    assert raised.value.error_msg == "Invalid workspace ID."
    assert_clean(wire)


def test_iam_access_keys(sdk_environment: LiveServer, access_key: AccessKey, wire: Wire) -> None:
    """huaweicloudsdkiam permanent access keys: create, list, show, delete (CONTRACT 4.3)."""
    client = iam(sdk_environment, access_key, wire)
    option = CreateCredentialOption(user_id=access_key.user_id, description="second key")
    created = client.create_permanent_access_key(
        CreatePermanentAccessKeyRequest(body=CreatePermanentAccessKeyRequestBody(credential=option))
    )
    assert created.status_code == 201
    assert re.match(r"^[A-Z0-9]{20}$", created.credential.access)
    assert re.match(r"^[A-Za-z0-9]{40}$", created.credential.secret)
    assert (created.credential.status, created.credential.description) == ("active", "second key")
    parsed(created)

    listed = client.list_permanent_access_keys(ListPermanentAccessKeysRequest(user_id=access_key.user_id))
    assert sorted(item.access for item in listed.credentials) == sorted(
        [access_key.access, created.credential.access]
    )
    assert all(item.create_time.endswith("Z") for item in listed.credentials)
    parsed(listed)
    shown = client.show_permanent_access_key(
        ShowPermanentAccessKeyRequest(access_key=created.credential.access)
    )
    assert (shown.credential.access, shown.credential.user_id) == (
        created.credential.access,
        access_key.user_id,
    )
    parsed(shown)

    deleted = client.delete_permanent_access_key(
        DeletePermanentAccessKeyRequest(access_key=created.credential.access)
    )
    assert deleted.status_code == 204
    with pytest.raises(ClientRequestException) as raised:
        client.show_permanent_access_key(ShowPermanentAccessKeyRequest(access_key=created.credential.access))
    assert raised.value.status_code == 404
    assert raised.value.error_msg == f"Could not find access key: {created.credential.access}."
    assert_clean(wire)


def test_wrong_secret_is_refused_through_the_sdk(
    sdk_environment: LiveServer, access_key: AccessKey, wire: Wire
) -> None:
    """D-5 through the SDK: 401 APIG.0301, which the SDK raises with our code, message and request id."""
    wrong = BasicCredentials(access_key.access, access_key.secret[::-1], access_key.project_id)
    client = (
        ModelArtsClient.new_builder()
        .with_credentials(wrong)
        .with_region(ModelArtsRegion.value_of(HOME))
        .with_http_handler(wire.handler())
        .build()
    )
    with pytest.raises(ClientRequestException) as raised:
        client.list_infer_services(ListInferServicesRequest())
    assert raised.value.status_code == 401
    assert raised.value.error_code == "APIG.0301"
    assert raised.value.error_msg == (
        "Incorrect IAM authentication information: verify aksk signature fail "
        "(the signature does not match the request)"
    )
    assert REQUEST_ID.match(raised.value.request_id)
    assert wire.problems() == []


SDK_USER_PASSWORD = "Sdk-User-Passw0rd"


def test_iam_users(sdk_environment: LiveServer, access_key: AccessKey, wire: Wire) -> None:
    """huaweicloudsdkiam IAM users through AK/SK: create, list, show, update, delete (D-50 to D-57)."""
    client = iam(sdk_environment, access_key, wire)
    name = f"sdk-{uuid.uuid4().hex[:8]}"
    option = CreateUserOption(
        name=name, domain_id=access_key.domain_id, password=SDK_USER_PASSWORD, email=f"{name}@example.com"
    )
    created = client.create_user(CreateUserRequest(body=CreateUserRequestBody(user=option)))
    assert created.status_code == 201
    user = created.user
    assert (user.name, user.domain_id, user.email, user.enabled) == (
        name,
        access_key.domain_id,
        f"{name}@example.com",
        True,
    )
    assert user.is_domain_owner is False
    parsed(created)

    listed = client.keystone_list_users(KeystoneListUsersRequest(name=name))
    assert [(item.id, item.name) for item in listed.users] == [(user.id, name)]
    parsed(listed)
    shown = client.keystone_show_user(KeystoneShowUserRequest(user_id=user.id))
    assert shown.user.id == user.id
    assert shown.user.links._self.endswith(f"/v3/users/{user.id}")
    parsed(shown)
    detail = client.show_user(ShowUserRequest(user_id=user.id))
    assert (detail.user.email, detail.user.create_time) == (f"{name}@example.com", user.create_time)
    parsed(detail)

    changes = UpdateUserOption(description="from the sdk", email="")
    updated = client.update_user(UpdateUserRequest(user_id=user.id, body=UpdateUserRequestBody(user=changes)))
    assert (updated.user.description, updated.user.email) == ("from the sdk", None)
    parsed(updated)
    patch = KeystoneUpdateUserByAdminRequestBody(user=KeystoneUpdateUserOption(enabled=False))
    patched = client.keystone_update_user_by_admin(
        KeystoneUpdateUserByAdminRequest(user_id=user.id, body=patch)
    )
    assert (patched.user.enabled, patched.user.description) == (False, "from the sdk")
    parsed(patched)

    deleted = client.keystone_delete_user(KeystoneDeleteUserRequest(user_id=user.id))
    assert deleted.status_code == 204
    with pytest.raises(ClientRequestException) as raised:
        client.keystone_show_user(KeystoneShowUserRequest(user_id=user.id))
    assert raised.value.status_code == 404
    assert raised.value.error_msg == f"Could not find user: {user.id}."
    assert_clean(wire)


def test_iam_keystone_user_changes_its_password(
    sdk_environment: LiveServer, access_key: AccessKey, wire: Wire
) -> None:
    """KeystoneCreateUser by the administrator; KeystoneUpdateUserPassword by the user itself, signed
    with a key the administrator made for it."""
    admin = iam(sdk_environment, access_key, wire)
    name = f"sdk-{uuid.uuid4().hex[:8]}"
    body = KeystoneCreateUserRequestBody(user=KeystoneCreateUserOption(name=name, password=SDK_USER_PASSWORD))
    created = admin.keystone_create_user(KeystoneCreateUserRequest(body=body))
    assert (created.status_code, created.user.name, created.user.domain_id) == (
        201,
        name,
        access_key.domain_id,
    )
    parsed(created)
    option = CreateCredentialOption(user_id=created.user.id, description="the user's own")
    key = admin.create_permanent_access_key(
        CreatePermanentAccessKeyRequest(body=CreatePermanentAccessKeyRequestBody(credential=option))
    ).credential
    own_key = AccessKey(key.access, key.secret, created.user.id, access_key.domain_id, access_key.project_id)
    own = iam(sdk_environment, own_key, wire)
    change = KeystoneUpdatePasswordOption(password="Sdk-Newer-Passw0rd", original_password=SDK_USER_PASSWORD)
    changed = own.keystone_update_user_password(
        KeystoneUpdateUserPasswordRequest(
            user_id=created.user.id, body=KeystoneUpdateUserPasswordRequestBody(user=change)
        )
    )
    assert changed.status_code == 204
    with pytest.raises(ClientRequestException) as refused:
        own.keystone_update_user_password(
            KeystoneUpdateUserPasswordRequest(
                user_id=created.user.id, body=KeystoneUpdateUserPasswordRequestBody(user=change)
            )
        )
    assert (refused.value.status_code, refused.value.error_msg) == (403, "The original password is wrong.")
    assert admin.keystone_delete_user(KeystoneDeleteUserRequest(user_id=created.user.id)).status_code == 204
    assert_clean(wire)
