"""The isolation matrix as data: every route, called with tenant B's credential at tenant A's ids,
names and paths, and what B must get (the operator's admin API refuses B's credential outright).

A case's ``path``, ``query``, ``body`` and expected answer are templates: ``{a[service]}`` is A's
service id, ``{b[project]}`` B's home project (the keys are ``Tenant.ids``). ``{project}`` is the
project in the path, which each case tries in its ``variants``:

- ``own``: B's home project, the answer the case declares (D-9, D-24, 6291, ...);
- ``foreign``: A's home project, and ``foreign-other``: A's project in the other region, both
  403 ``ModelArts.0105`` naming that project (D-4; on MaaS paths D-4 comes before D-3 for a
  home-region token, docs/decisions.md "D-3/D-4 order").

A route that creates (no id of A in it) has only the foreign variants: in B's own project it would
be B's own write, not a cross-tenant one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conftest import ADMIN_PASSWORD, HOME, OTHER, OTHER_PASSWORD, password_body, service_body

OWN = "own"
FOREIGN = "foreign"
FOREIGN_OTHER = "foreign-other"
ALL_PROJECTS = (OWN, FOREIGN, FOREIGN_OTHER)
FOREIGN_ONLY = (FOREIGN, FOREIGN_OTHER)
# The path project of each variant, as a template.
PATH_PROJECT = {OWN: "{b[project]}", FOREIGN: "{a[project]}", FOREIGN_OTHER: "{a[other_project]}"}

# Who B calls as: its home-region token, its MaaS API key (the data plane), or nobody (a login).
TOKEN = "token"
API_KEY = "api-key"
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Error:
    """A ModelArts or MaaS error body, exactly."""

    status: int
    code: str
    message: str

    def body(self) -> Any:
        return {"error_code": self.code, "error_msg": self.message}


@dataclass(frozen=True)
class IamError:
    """An IAM error body (CONTRACT 4.4), exactly."""

    status: int
    message: str
    title: str

    def body(self) -> Any:
        return {"error": {"code": self.status, "message": self.message, "title": self.title}}


@dataclass(frozen=True)
class PlaneError:
    """The data plane's dual error body (D-13 ff.), exactly."""

    status: int
    code: str
    message: str
    kind: str

    def body(self) -> Any:
        error = {"code": self.code, "message": self.message, "param": None, "type": self.kind}
        return {"error": error, "error_code": self.code, "error_msg": self.message}


@dataclass(frozen=True)
class Exact:
    """A 2xx answer whose whole body is known (an empty listing)."""

    body_template: Any
    status: int = 200

    def body(self) -> Any:
        return self.body_template


@dataclass(frozen=True)
class Lists:
    """A 200 listing of B's own objects: the ids under ``key`` are exactly ``ids`` (as a set: the
    order of a listing is its own tests' business, who is in it is this one's)."""

    key: str
    ids: tuple[str, ...]
    id_field: str = "id"
    status: int = 200


@dataclass(frozen=True)
class Creates:
    """A 2xx answer making one object of B's own: ``body[key]`` holds ``fields`` (its fresh id and times
    are its own tests' business; A's objects staying as they were is the snapshot's)."""

    key: str
    fields: tuple[tuple[str, str], ...]
    status: int = 201


@dataclass(frozen=True)
class SameForEveryone:
    """A route with no tenant data (regions, agreements): B's answer equals A's, byte for byte."""

    status: int = 200


Expected = Error | IamError | PlaneError | Exact | Lists | Creates | SameForEveryone
# A create route is tried in A's projects only: its answer there is D-4's, whatever B sends.
ONLY_D4 = None


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    expected: Expected | None
    body: Any = None
    query: tuple[tuple[str, str], ...] = ()
    caller: str = TOKEN
    variants: tuple[str, ...] = ALL_PROJECTS
    # Also sent with B's access key, signed as the SDK signs (CONTRACT 3).
    signed: bool = False

    @property
    def has_project(self) -> bool:
        return "{project}" in self.path

    def variants_to_run(self) -> tuple[str, ...]:
        return self.variants if self.has_project else (OWN,)


# The documented answers, as templates over A's ids (docs/decisions.md, CONTRACT).
SERVICE_GONE = Error(400, "ModelArts.0102", "Service {a[service]} does not exist.")  # D-9
DEPLOYMENT_GONE = Error(400, "ModelArts.0102", "Deployment {a[deployment]} does not exist.")
WORKSPACE_GONE = Error(400, "ModelArts.0104", "Invalid workspace ID.")  # CONTRACT 5.1, 6.3
ENDPOINT_GONE = Error(400, "ModelArts.6291", "CustomEndpointNotFound")  # CONTRACT 6.4
API_KEY_GONE = Error(400, "ModelArts.0102", "API key {a[api_key_id]} does not exist.")  # D-24
ENDPOINT_ID_MISSING = Error(400, "ModelArts.6299", "Custom endpoint id is required")
MODEL_GONE = PlaneError(404, "ModelArts.81009", "Invalid model.", "NotFound")  # D-13
ACCESS_KEY_GONE = IamError(404, "Could not find access key: {a[access]}.", "Not Found")
USER_NOT_MANAGEABLE = IamError(
    403, "You are not authorized to manage the access keys of user {a[user_id]}.", "Forbidden"
)
WRONG_PASSWORD = IamError(401, "The username or password is wrong.", "Unauthorized")
USER_GONE = IamError(404, "Could not find user: {a[user_id]}.", "Not Found")  # D-52
NOT_AUTHORIZED = IamError(403, "You are not authorized to perform the requested action.", "Forbidden")
OPERATOR_ONLY = Error(  # D-42
    403,
    "OpenMaaS.0403",
    "Tenant credentials (an IAM token or an AK/SK signature) cannot call the openmaas admin API; "
    "use its admin API key.",
)


def scope_refused(what: str) -> IamError:
    message = f"The {what} in the scope does not exist or is not accessible to the user."
    return IamError(401, message, "Unauthorized")


def not_scoped(project: str) -> Error:
    """D-4, for the variants that put one of A's projects in the path."""
    return Error(
        403, "ModelArts.0105", f"Operation not allowed: the credential is not scoped to project {project}."
    )


NO_SERVICES = Exact({"data": [], "current": 0, "size": 0, "pages": 0, "total": 0})
NO_WORKSPACES = Exact({"total_count": 0, "count": 0, "workspaces": []})
B_SERVICES = Lists("data", ("{b[service]}", "{b[default_service]}"))
B_DEFAULT_WORKSPACE_SERVICES = Lists("data", ("{b[default_service]}",))
B_WORKSPACE_SERVICES = Lists("data", ("{b[service]}",))

WORKSPACES = "/v1/{project}/workspaces"
SERVICES = "/v2/{project}/services"
A_SERVICE = SERVICES + "/{a[service]}"
MAAS = "/v1/{project}/maas/services"
ENDPOINTS = MAAS + "/custom-endpoint/endpoint"
API_KEYS = "/v2/{project}/maas/api-auth/api-keys"
CREDENTIALS = "/v3.0/OS-CREDENTIAL/credentials"
USERS = "/v3/users"
OS_USERS = "/v3.0/OS-USER/users"
A_USER = USERS + "/{a[user_id]}"
A_OS_USER = OS_USERS + "/{a[user_id]}"
ADMIN = "/openmaas/v1"
# A password the policy takes (D-53), for the bodies that set one.
NEW_PASSWORD = "Hijack-Passw0rd!"


def _login(user: str, password: str, domain: str, scope: dict[str, Any]) -> dict[str, Any]:
    return password_body(user, password, domain, scope)


def _b_login(scope: dict[str, Any], domain: str = "{b[domain_name]}") -> dict[str, Any]:
    return _login("{b[user_name]}", OTHER_PASSWORD, domain, scope)


IAM = [
    # Logins naming the other domain: its name with B's user, its user's name in B's domain, its
    # projects and its domain as scope. The password is checked before the scope, and a scope B's
    # user may not take is refused (docs/decisions.md, IAM and authentication).
    Case(
        "login-b-user-in-a-domain",
        "POST",
        "/v3/auth/tokens",
        WRONG_PASSWORD,
        body=_b_login({"project": {"name": HOME}}, domain="{a[domain_name]}"),
        caller=ANONYMOUS,
    ),
    Case(
        "login-a-user-name-in-b-domain",
        "POST",
        "/v3/auth/tokens",
        WRONG_PASSWORD,
        body=_login("{a[user_name]}", OTHER_PASSWORD, "{b[domain_name]}", {"project": {"name": HOME}}),
        caller=ANONYMOUS,
    ),
    Case(
        "login-scoped-to-a-project",
        "POST",
        "/v3/auth/tokens",
        scope_refused("project"),
        body=_b_login({"project": {"id": "{a[project]}"}}),
        caller=ANONYMOUS,
    ),
    Case(
        "login-scoped-to-a-other-region-project",
        "POST",
        "/v3/auth/tokens",
        scope_refused("project"),
        body=_b_login({"project": {"id": "{a[other_project]}"}}),
        caller=ANONYMOUS,
    ),
    Case(
        "login-scoped-to-a-domain-id",
        "POST",
        "/v3/auth/tokens",
        scope_refused("domain"),
        body=_b_login({"domain": {"id": "{a[domain_id]}"}}),
        caller=ANONYMOUS,
    ),
    Case(
        "login-scoped-to-a-domain-name",
        "POST",
        "/v3/auth/tokens",
        scope_refused("domain"),
        body=_b_login({"domain": {"name": "{a[domain_name]}"}}),
        caller=ANONYMOUS,
    ),
    Case(
        "projects",
        "GET",
        "/v3/projects",
        Lists("projects", ("{b[project]}", "{b[other_project]}")),
        signed=True,
    ),
    Case(
        "projects-by-region-name",
        "GET",
        "/v3/projects",
        Lists("projects", ("{b[project]}",)),
        query=(("name", HOME),),
    ),
    Case(
        "auth-projects", "GET", "/v3/auth/projects", Lists("projects", ("{b[project]}", "{b[other_project]}"))
    ),
    Case("auth-domains", "GET", "/v3/auth/domains", Lists("domains", ("{b[domain_id]}",)), signed=True),
    Case(
        "credential-create-for-a-user",
        "POST",
        CREDENTIALS,
        USER_NOT_MANAGEABLE,
        body={"credential": {"user_id": "{a[user_id]}", "description": "hijack"}},
        signed=True,
    ),
    Case("credentials", "GET", CREDENTIALS, Lists("credentials", ("{b[access]}",), id_field="access")),
    Case(
        "credentials-of-a-user", "GET", CREDENTIALS, USER_NOT_MANAGEABLE, query=(("user_id", "{a[user_id]}"),)
    ),
    Case("credential-show-a-key", "GET", CREDENTIALS + "/{a[access]}", ACCESS_KEY_GONE, signed=True),
    Case("credential-delete-a-key", "DELETE", CREDENTIALS + "/{a[access]}", ACCESS_KEY_GONE, signed=True),
]

# B's user is its domain's administrator (``make_account``): it manages its own domain's users, and
# A's user is no user of its (D-51, D-52).
B_USER_NAMED_AS_A = Creates("user", (("domain_id", "{b[domain_id]}"), ("name", "{a[user_name]}")))

USER_CASES = [
    Case("users", "GET", USERS, Lists("users", ("{b[user_id]}",)), signed=True),
    Case("users-by-a-name", "GET", USERS, Lists("users", ()), query=(("name", "{a[user_name]}"),)),
    Case(
        "users-in-a-domain",
        "GET",
        USERS,
        NOT_AUTHORIZED,
        query=(("domain_id", "{a[domain_id]}"),),
        signed=True,
    ),
    # A's domain named in a create body is 403, before anything else is judged (D-52).
    Case(
        "user-create-in-a-domain",
        "POST",
        OS_USERS,
        NOT_AUTHORIZED,
        body={
            "user": {
                "name": "intruder",
                "domain_id": "{a[domain_id]}",
                "password": NEW_PASSWORD,
                "is_admin": True,
            }
        },
        signed=True,
    ),
    Case(
        "user-create-keystone-in-a-domain",
        "POST",
        USERS,
        NOT_AUTHORIZED,
        body={"user": {"name": "intruder", "domain_id": "{a[domain_id]}", "password": NEW_PASSWORD}},
    ),
    # Names are unique per domain: A's user's name is free in B's, and its use tells B nothing of A.
    Case(
        "user-create-named-as-a-user",
        "POST",
        OS_USERS,
        B_USER_NAMED_AS_A,
        body={"user": {"name": "{a[user_name]}", "domain_id": "{b[domain_id]}"}},
    ),
    # Without a domain_id the user is the caller's domain's.
    Case(
        "user-create-keystone-without-domain",
        "POST",
        USERS,
        B_USER_NAMED_AS_A,
        body={"user": {"name": "{a[user_name]}"}},
        signed=True,
    ),
    Case("user-show", "GET", A_OS_USER, USER_GONE, signed=True),
    Case("user-show-keystone", "GET", A_USER, USER_GONE),
    Case(
        "user-update",
        "PUT",
        A_OS_USER,
        USER_GONE,
        body={"user": {"description": "hijacked", "password": NEW_PASSWORD, "email": "b@example.com"}},
    ),
    Case(
        "user-update-keystone",
        "PATCH",
        A_USER,
        USER_GONE,
        body={"user": {"description": "hijacked", "password": NEW_PASSWORD}},
        signed=True,
    ),
    # B's own user moved into A's domain: 403, as any other domain_id than the caller's (D-52, D-56).
    Case(
        "user-update-keystone-into-a-domain",
        "PATCH",
        USERS + "/{b[user_id]}",
        NOT_AUTHORIZED,
        body={"user": {"domain_id": "{a[domain_id]}"}},
    ),
    Case("user-delete", "DELETE", A_USER, USER_GONE, signed=True),
    # A user changes its own password only, whatever the other id (D-52, D-55): 403 for any id but the
    # caller's, so it confirms nothing of A's; and knowing A's password does not help.
    Case(
        "user-password-change",
        "POST",
        A_USER + "/password",
        NOT_AUTHORIZED,
        body={"user": {"original_password": ADMIN_PASSWORD, "password": NEW_PASSWORD}},
        signed=True,
    ),
]

WORKSPACE_CASES = [
    Case("workspaces", "GET", WORKSPACES, Lists("workspaces", ("0", "{b[workspace]}"))),
    Case("workspaces-by-a-name", "GET", WORKSPACES, NO_WORKSPACES, query=(("name", "{a[workspace_name]}"),)),
    Case(
        "workspace-create", "POST", WORKSPACES, ONLY_D4, body={"name": "ws-intruder"}, variants=FOREIGN_ONLY
    ),
    Case("workspace-show", "GET", WORKSPACES + "/{a[workspace]}", WORKSPACE_GONE),
    Case(
        "workspace-update",
        "PUT",
        WORKSPACES + "/{a[workspace]}",
        WORKSPACE_GONE,
        body={"name": "ws-hijacked"},
    ),
    Case("workspace-delete", "DELETE", WORKSPACES + "/{a[workspace]}", WORKSPACE_GONE, signed=True),
]

SERVICE_CASES = [
    Case(
        "service-create",
        "POST",
        SERVICES,
        ONLY_D4,
        body=service_body("svc-intruder"),
        variants=FOREIGN_ONLY,
        signed=True,
    ),
    # A's workspace named in B's own project is no workspace of it (docs/decisions.md: 0104).
    Case(
        "service-create-in-a-workspace",
        "POST",
        SERVICES,
        WORKSPACE_GONE,
        body=service_body("svc-intruder", workspace_id="{a[workspace]}"),
    ),
    Case("services", "GET", SERVICES, B_SERVICES, signed=True),
    Case("services-by-a-id", "GET", SERVICES, NO_SERVICES, query=(("id", "{a[service]}"),)),
    Case("services-by-a-name", "GET", SERVICES, NO_SERVICES, query=(("name", "{a[service_name]}"),)),
    Case(
        "services-by-a-workspace", "GET", SERVICES, NO_SERVICES, query=(("workspace_id", "{a[workspace]}"),)
    ),
    Case("services-by-a-description", "GET", SERVICES, NO_SERVICES, query=(("description", "tenant-a"),)),
    Case("services-by-a-tag", "GET", SERVICES, NO_SERVICES, query=(("tags", "owner|tenant-a"),)),
    Case("services-by-a-user-name", "GET", SERVICES, NO_SERVICES, query=(("user_name", "{a[user_name]}"),)),
    Case("services-by-status", "GET", SERVICES, B_SERVICES, query=(("status", "RUNNING"),)),
    Case(
        "services-by-type-oldest-first",
        "GET",
        SERVICES,
        B_SERVICES,
        query=(("type", "REAL_TIME"), ("sort_key", "create_at"), ("sort_dir", "ASC"), ("limit", "500")),
    ),
    Case("service-show", "GET", A_SERVICE, SERVICE_GONE, signed=True),
    Case("service-update", "PUT", A_SERVICE, SERVICE_GONE, body={"description": "hijacked"}),
    Case("service-start", "POST", A_SERVICE + "/start", SERVICE_GONE),
    Case("service-stop", "POST", A_SERVICE + "/stop", SERVICE_GONE, signed=True),
    Case(
        "services-delete", "POST", SERVICES + "/delete", SERVICE_GONE, body={"service_ids": ["{a[service]}"]}
    ),
    # All or nothing: A's id beside B's own deletes neither.
    Case(
        "services-delete-beside-own",
        "POST",
        SERVICES + "/delete",
        SERVICE_GONE,
        body={"service_ids": ["{b[service]}", "{a[service]}"]},
    ),
    Case("deployments", "GET", A_SERVICE + "/deployments", SERVICE_GONE),
    Case("deployment-show", "GET", A_SERVICE + "/deployments/{a[deployment]}", SERVICE_GONE),
    Case(
        "deployment-show-under-own-service",
        "GET",
        SERVICES + "/{b[service]}/deployments/{a[deployment]}",
        DEPLOYMENT_GONE,
    ),
    Case("versions", "GET", A_SERVICE + "/deployments/{a[deployment]}/versions", SERVICE_GONE),
    Case(
        "versions-under-own-service",
        "GET",
        SERVICES + "/{b[service]}/deployments/{a[deployment]}/versions",
        DEPLOYMENT_GONE,
    ),
    Case(
        "version-show", "GET", A_SERVICE + "/deployments/{a[deployment]}/versions/{a[version]}", SERVICE_GONE
    ),
    Case(
        "version-show-under-own-service",
        "GET",
        SERVICES + "/{b[service]}/deployments/{a[deployment]}/versions/{a[version]}",
        DEPLOYMENT_GONE,
    ),
]

MAAS_CASES = [
    Case("regions", "GET", MAAS + "/custom-endpoint/regions", SameForEveryone()),
    Case(
        "region-workspaces", "GET", MAAS + f"/workspace/{HOME}", Lists("workspaces", ("0", "{b[workspace]}"))
    ),
    # B's project in the other region holds only its default workspace.
    Case("region-workspaces-other-region", "GET", MAAS + f"/workspace/{OTHER}", Lists("workspaces", ("0",))),
    Case(
        "region-services",
        "GET",
        MAAS + f"/custom-endpoint/services/{HOME}",
        B_DEFAULT_WORKSPACE_SERVICES,
        signed=True,
    ),
    Case(
        "region-services-own-workspace",
        "GET",
        MAAS + f"/custom-endpoint/services/{HOME}",
        B_WORKSPACE_SERVICES,
        query=(("workspace_id", "{b[workspace]}"),),
    ),
    # §6.3: a workspace that is not B's is an unknown workspace in that region.
    Case(
        "region-services-a-workspace",
        "GET",
        MAAS + f"/custom-endpoint/services/{HOME}",
        WORKSPACE_GONE,
        query=(("workspace_id", "{a[workspace]}"),),
    ),
    Case(
        "region-services-other-region",
        "GET",
        MAAS + f"/custom-endpoint/services/{OTHER}",
        Exact({"data": [], "pages": 0, "total": 0}),
    ),
    Case("endpoints", "GET", ENDPOINTS, Lists("items", ("{b[endpoint]}",)), signed=True),
    # Fronting A's service: A's workspace is unknown to B (0104, as §6.3), and A's service is unknown
    # in B's own default workspace (0102).
    Case(
        "endpoint-create-on-a-service",
        "POST",
        ENDPOINTS,
        WORKSPACE_GONE,
        body={
            "endpoint_name": "ep-intruder",
            "source": "custom_from_modelarts_v2",
            "region": HOME,
            "workspace_id": "{a[workspace]}",
            "infer_service_id": "{a[service]}",
        },
    ),
    Case(
        "endpoint-create-on-a-service-in-default-workspace",
        "POST",
        ENDPOINTS,
        Error(400, "ModelArts.0102", f"Service {{a[service]}} does not exist in region {HOME}, workspace 0."),
        body={
            "endpoint_name": "ep-intruder",
            "source": "custom_from_modelarts_v2",
            "region": HOME,
            "infer_service_id": "{a[service]}",
        },
        signed=True,
    ),
    Case(
        "endpoint-edit",
        "PUT",
        ENDPOINTS + "/{a[endpoint]}",
        ENDPOINT_GONE,
        body={"endpoint_name": "ep-hijacked", "rpm": 1},
        signed=True,
    ),
    Case("endpoint-delete", "DELETE", ENDPOINTS + "/{a[endpoint]}", ENDPOINT_GONE),
    Case(
        "endpoint-deactivate",
        "PUT",
        MAAS + "/custom-endpoint/control/{a[endpoint]}",
        ENDPOINT_GONE,
        body={"action": "deactivate"},
    ),
    Case("endpoint-usage", "GET", ENDPOINTS + "/{a[endpoint]}/usage", ENDPOINT_GONE),
    # The empty-id routes hold no tenant data; in A's projects they are still D-4.
    Case("endpoint-edit-empty-id", "PUT", ENDPOINTS + "/", ENDPOINT_ID_MISSING, body={"endpoint_name": "x"}),
    Case("endpoint-delete-empty-id", "DELETE", ENDPOINTS + "/", ENDPOINT_ID_MISSING),
    Case(
        "endpoint-control-empty-id",
        "PUT",
        MAAS + "/custom-endpoint/control/",
        ENDPOINT_ID_MISSING,
        body={"action": "activate"},
    ),
    Case(
        "agreements",
        "GET",
        "/v1/{project}/maas/compliance/agreements",
        SameForEveryone(),
        query=(("lang", "en"),),
    ),
]

API_KEY_CASES = [
    Case("api-key-create", "POST", API_KEYS, ONLY_D4, body={"allow_all": True}, variants=FOREIGN_ONLY),
    Case("api-keys", "GET", API_KEYS, Lists("items", ("{b[api_key_id]}",)), signed=True),
    Case(
        "api-key-update", "PUT", API_KEYS + "/{a[api_key_id]}", API_KEY_GONE, body={"description": "hijacked"}
    ),
    Case("api-key-delete", "DELETE", API_KEYS + "/{a[api_key_id]}", API_KEY_GONE, signed=True),
    Case(
        "api-key-delete-v1",
        "DELETE",
        "/v1/{project}/maas/api-auth/api-keys/{a[api_key_id]}",
        API_KEY_GONE,
    ),
]


def _data_plane(prefix: str) -> list[Case]:
    """B's API key naming A's endpoint (by name, by id, by its service's name): not a model of
    B's account (D-13); B's model list holds B's endpoint only."""
    chat = {"messages": [{"role": "user", "content": "hello"}]}
    return [
        Case(
            f"chat-a-endpoint{prefix}",
            "POST",
            f"{prefix}/chat/completions",
            MODEL_GONE,
            body={"model": "{a[endpoint_name]}", **chat},
            caller=API_KEY,
        ),
        Case(
            f"chat-a-endpoint-id{prefix}",
            "POST",
            f"{prefix}/chat/completions",
            MODEL_GONE,
            body={"model": "{a[endpoint]}", **chat},
            caller=API_KEY,
        ),
        Case(
            f"chat-a-service-name{prefix}",
            "POST",
            f"{prefix}/chat/completions",
            MODEL_GONE,
            body={"model": "{a[service_name]}", "stream": True, **chat},
            caller=API_KEY,
        ),
        Case(
            f"embeddings-a-endpoint{prefix}",
            "POST",
            f"{prefix}/embeddings",
            MODEL_GONE,
            body={"model": "{a[endpoint_name]}", "input": "hello"},
            caller=API_KEY,
        ),
        Case(
            f"models{prefix}",
            "GET",
            f"{prefix}/models",
            Lists("data", ("{b[endpoint_name]}",)),
            caller=API_KEY,
        ),
    ]


DATA_PLANE_CASES = _data_plane("/v1") + _data_plane("/v2") + _data_plane("/openai/v1")


# The operator's admin API takes its admin API key only: B's token or signature is refused before
# anything of the request is read, whatever it names (D-42). The bodies are ones the operator could
# send, so a route that forgot its guard would act, and the snapshot would show it.
ADMIN_CASES = [
    Case(
        "admin-domain-create",
        "POST",
        ADMIN + "/domains",
        OPERATOR_ONLY,
        body={"name": "intruder"},
        signed=True,
    ),
    Case("admin-domains", "GET", ADMIN + "/domains", OPERATOR_ONLY),
    Case("admin-domain-show", "GET", ADMIN + "/domains/{a[domain_id]}", OPERATOR_ONLY),
    Case("admin-domain-delete", "DELETE", ADMIN + "/domains/{a[domain_id]}", OPERATOR_ONLY, signed=True),
    Case("admin-reset", "POST", ADMIN + "/reset", OPERATOR_ONLY, body={}, signed=True),
    Case("admin-snapshot-save", "POST", ADMIN + "/snapshots", OPERATOR_ONLY, body={"name": "by-b"}),
    Case("admin-snapshots", "GET", ADMIN + "/snapshots", OPERATOR_ONLY),
    Case("admin-snapshot-restore", "POST", ADMIN + "/snapshots/by-b/restore", OPERATOR_ONLY, signed=True),
    Case("admin-snapshot-delete", "DELETE", ADMIN + "/snapshots/by-b", OPERATOR_ONLY),
    Case("admin-lifecycle", "GET", ADMIN + "/lifecycle", OPERATOR_ONLY),
    Case(
        "admin-lifecycle-set",
        "PUT",
        ADMIN + "/lifecycle/deploy",
        OPERATOR_ONLY,
        body={"mode": "fail"},
        signed=True,
    ),
    Case("admin-lifecycle-unset", "DELETE", ADMIN + "/lifecycle/deploy", OPERATOR_ONLY),
    Case(
        "admin-service-lifecycle-set",
        "PUT",
        ADMIN + "/services/{a[service]}/lifecycle/stop",
        OPERATOR_ONLY,
        body={"mode": "manual"},
    ),
    Case(
        "admin-service-lifecycle-unset",
        "DELETE",
        ADMIN + "/services/{a[service]}/lifecycle/stop",
        OPERATOR_ONLY,
    ),
    Case(
        "admin-service-settle",
        "POST",
        ADMIN + "/services/{a[service]}/settle",
        OPERATOR_ONLY,
        body={"outcome": "fail"},
        signed=True,
    ),
    Case("admin-fault-create", "POST", ADMIN + "/faults", OPERATOR_ONLY, body={"status": 500}, signed=True),
    Case("admin-faults", "GET", ADMIN + "/faults", OPERATOR_ONLY),
    Case("admin-fault-delete", "DELETE", ADMIN + "/faults/" + "0" * 32, OPERATOR_ONLY),
    Case("admin-faults-clear", "DELETE", ADMIN + "/faults", OPERATOR_ONLY),
]

MATRIX: list[Case] = (
    IAM
    + USER_CASES
    + WORKSPACE_CASES
    + SERVICE_CASES
    + MAAS_CASES
    + API_KEY_CASES
    + DATA_PLANE_CASES
    + ADMIN_CASES
)

# Routes of app.ROUTERS that no case calls, each with the reason it holds nothing of another tenant.
EXEMPT: dict[tuple[str, str], str] = {
    # Validating or revoking a token: the subject is the token itself, a bearer credential. Whoever
    # sends A's token as the subject holds A's token, and could call every route as A with it; the
    # route lets B learn or do nothing that the token does not already give.
    ("GET", "/v3/auth/tokens"): "the subject token is itself the credential",
    ("DELETE", "/v3/auth/tokens"): "the subject token is itself the credential",
}
