"""The official IAM SDK (`huaweicloudsdkiam` 3.1.219) obtains a token from a live server, unchanged,
and that token lists services through CONTRACT 6.3."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkiam.v3 import (
    AuthScope,
    AuthScopeProject,
    IamClient,
    KeystoneCreateUserTokenByPasswordRequest,
    KeystoneCreateUserTokenByPasswordRequestBody,
    PwdAuth,
    PwdIdentity,
    PwdPassword,
    PwdPasswordUser,
    PwdPasswordUserDomain,
)

from tests.conftest import HOME, service_body
from tests.e2e.conftest import Server, Store

pytestmark = pytest.mark.e2e


def _iam_client(server: Server) -> Any:
    # The builder insists on credentials; password authentication ignores them, so any AK/SK does.
    credentials = GlobalCredentials("OPENMAAS-UNUSED-AK", "openmaas-unused-sk")
    return IamClient.new_builder().with_credentials(credentials).with_endpoints([server.url]).build()


def _password_request(password: str, region: str) -> Any:
    user = PwdPasswordUser(domain=PwdPasswordUserDomain(name="openmaas"), name="admin", password=password)
    auth = PwdAuth(
        identity=PwdIdentity(methods=["password"], password=PwdPassword(user=user)),
        scope=AuthScope(project=AuthScopeProject(name=region)),
    )
    return KeystoneCreateUserTokenByPasswordRequest(
        body=KeystoneCreateUserTokenByPasswordRequestBody(auth=auth)
    )


def test_keystone_create_user_token_by_password_from_the_official_sdk(
    store: Store, launch: Callable[..., Server]
) -> None:
    server = launch(store)
    response = _iam_client(server).keystone_create_user_token_by_password(
        _password_request(server.admin_password(), HOME)
    )
    token = response.x_subject_token
    assert token.startswith("omt1.")
    assert response.token.project.name == HOME
    assert response.token.user.name == "admin"
    assert response.token.user.domain.name == "openmaas"
    assert response.token.methods == ["password"]
    project_id = response.token.project.id

    with server.client() as http:
        headers = {"X-Auth-Token": token, "Content-Type": "application/json"}
        created = http.post(f"/v2/{project_id}/services", json=service_body("via-sdk-token"), headers=headers)
        assert created.status_code == 200, created.text
        listed = http.get(f"/v1/{project_id}/maas/services/custom-endpoint/services/{HOME}", headers=headers)
        assert listed.status_code == 200
        assert [item["id"] for item in listed.json()["data"]] == [created.json()["id"]]
    assert server.stop() == 0
