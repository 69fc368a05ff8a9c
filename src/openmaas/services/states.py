"""The service lifecycle (CONTRACT 5.3), declared as data.

``ACTIONS`` says, for each user action, which status it may start from and which status it puts the
service in. ``SETTLES`` says what the background worker turns a transitional status into once the
work is done; ``None`` means the service is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    INIT = "INIT"
    DEPLOYING = "DEPLOYING"
    RUNNING = "RUNNING"
    FAILED = "FAILED"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    UPGRADING = "UPGRADING"
    DELETING = "DELETING"
    CONCERNING = "CONCERNING"
    ERROR = "ERROR"
    INTERRUPTING = "INTERRUPTING"


S = Status


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    # status before -> status after; a status missing here makes the action illegal (ModelArts.0105).
    moves: dict[Status, Status]

    def target(self, current: Status) -> Status | None:
        return self.moves.get(current)


ACTIONS: dict[str, Action] = {
    "start": Action("start", {S.STOPPED: S.DEPLOYING, S.FAILED: S.DEPLOYING, S.ERROR: S.DEPLOYING}),
    "stop": Action(
        "stop",
        {
            s: S.STOPPING
            for s in (S.RUNNING, S.DEPLOYING, S.UPGRADING, S.FAILED, S.CONCERNING, S.ERROR, S.INIT)
        },
    ),
    # An update that changes the deployment: a stopped service keeps its new version until started.
    "upgrade": Action(
        "update",
        {
            S.RUNNING: S.UPGRADING,
            S.FAILED: S.UPGRADING,
            S.CONCERNING: S.UPGRADING,
            S.ERROR: S.UPGRADING,
            S.STOPPED: S.STOPPED,
        },
    ),
    # An update of the description alone changes no status.
    "describe": Action("update", {s: s for s in Status if s is not S.DELETING}),
    "delete": Action("delete", {s: S.DELETING for s in Status if s is not S.DELETING}),
}

# Transitional status -> where the worker takes it when the work is done (None: removed).
SETTLES: dict[Status, Status | None] = {
    S.DEPLOYING: S.RUNNING,
    S.UPGRADING: S.RUNNING,
    S.STOPPING: S.STOPPED,
    S.DELETING: None,
}

# Statuses that, if their upstream never answers, end in FAILED after deploy_timeout_minutes.
DEPLOYS = frozenset({S.DEPLOYING, S.UPGRADING})
