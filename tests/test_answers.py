"""Answer models (issue 13): every JSON route declares the shape of its answer, OpenAPI shows it,
the tests hold every answer to it (``tests.answers``), and the client's models name only fields the
server's models define."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import ValidationError

import openmaas_client
from openmaas.agreements.schemas import Agreement
from openmaas.api_keys.schemas import ApiKeyCreated, ApiKeyInfo
from openmaas.app import ROUTERS
from openmaas.credentials.schemas import AccessKeyItem, NewAccessKey
from openmaas.custom_endpoints.schemas import CustomEndpointInfo
from openmaas.iam.schemas import ProjectItem, TokenObject, UserDetail
from openmaas.maas.schemas import RegionItem
from openmaas.services.schemas import (
    DeploymentItem,
    InferServerInfo,
    ServiceItem,
    ServiceObject,
    VersionItem,
)
from openmaas.workspaces.schemas import WorkspaceObject
from tests.answers import check_answer
from tests.conftest import HOME, Account
from tests.maas.conftest import create_service, listing_url


def _json_routes() -> list[APIRoute]:
    routes = [route for router in ROUTERS for route in router.routes]
    return [r for r in routes if isinstance(r, APIRoute) and r.include_in_schema and r.status_code != 204]


def test_every_json_route_declares_its_answer_model() -> None:
    missing = [f"{sorted(r.methods)} {r.path}" for r in _json_routes() if r.response_model is None]
    assert missing == []


def test_openapi_shows_the_founding_answer_6_3(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    path = "/v1/{project_id}/maas/services/custom-endpoint/services/{region_id}"
    schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/InferServerList"}
    item = spec["components"]["schemas"]["InferServerInfo"]
    assert list(item["properties"]) == list(InferServerInfo.model_fields)
    assert item["additionalProperties"] is False
    assert item["properties"]["version_count"]["type"] == "integer"


def test_the_answer_check_refuses_a_field_too_many_or_a_wrong_type_d1(
    client: TestClient, admin: Account
) -> None:
    create_service(client, admin)
    response = client.get(listing_url(admin.project(), HOME), headers=admin.headers())
    assert response.status_code == 200
    check_answer(response)  # the real answer passes
    body = response.json()
    body["data"][0]["version_count"] = str(body["data"][0]["version_count"])
    with pytest.raises(ValidationError, match="version_count"):
        check_answer(_replaced(response, body))
    body["data"][0]["version_count"] = 1
    body["data"][0]["extra"] = "x"
    with pytest.raises(ValidationError, match="extra"):
        check_answer(_replaced(response, body))


def _replaced(response: Any, body: object) -> Any:
    """The same answer with another body (the test client's own Response class)."""
    return type(response)(response.status_code, json=body, request=response.request)


def test_the_in_process_client_checks_every_answer(client: TestClient) -> None:
    assert check_answer in client.event_hooks["response"]


# Each client model and the server answer model it parses; fields only the client has are listed.
CLIENT_MODELS: list[tuple[type[pydantic.BaseModel], type[pydantic.BaseModel], set[str]]] = [
    (openmaas_client.InferService, InferServerInfo, set()),
    (openmaas_client.ServiceSummary, ServiceItem, set()),
    (openmaas_client.Service, ServiceObject, set()),
    (openmaas_client.Deployment, DeploymentItem, set()),
    (openmaas_client.ServiceVersion, VersionItem, set()),
    (openmaas_client.Workspace, WorkspaceObject, set()),
    (openmaas_client.CustomEndpoint, CustomEndpointInfo, set()),
    (openmaas_client.Region, RegionItem, set()),
    (openmaas_client.Agreement, Agreement, set()),
    (openmaas_client.Project, ProjectItem, set()),
    (openmaas_client.AccessKey, NewAccessKey, set()),
    (openmaas_client.User, UserDetail, set()),
    (openmaas_client.ApiKey, ApiKeyCreated, set()),
    # The client keeps the token itself (the X-Subject-Token header) beside the body's fields.
    (openmaas_client.Token, TokenObject, {"value"}),
]


@pytest.mark.parametrize(("client_model", "answer", "client_only"), CLIENT_MODELS)
def test_client_models_name_only_fields_the_server_answers(
    client_model: type[pydantic.BaseModel], answer: type[pydantic.BaseModel], client_only: set[str]
) -> None:
    unknown = set(client_model.model_fields) - set(answer.model_fields) - client_only
    assert unknown == set()
    # What the client requires, the server always sends.
    required = {name for name, field in client_model.model_fields.items() if field.is_required()}
    always = {name for name, field in answer.model_fields.items() if field.is_required()}
    assert required - client_only <= always


def test_access_key_answers_never_carry_the_secret() -> None:
    assert "secret" not in AccessKeyItem.model_fields
    assert "secret" in NewAccessKey.model_fields


def test_api_key_answers_show_the_key_only_when_created_d20() -> None:
    assert "api_key" not in ApiKeyInfo.model_fields
    assert "api_key" in ApiKeyCreated.model_fields
