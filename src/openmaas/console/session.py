"""The console session: one IAM token per region the user has a project in, carried in an HttpOnly,
SameSite=Strict cookie (never in a URL or a log), and the CSRF token derived from it."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote, unquote

COOKIE = "openmaas_console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# Entries are ``region:project_id:token`` joined by ``|``: none of these appear in a region id, a
# project id or a token (``omt1.`` and base64url), and all are legal in a cookie value.
_ENTRY, _FIELD = "|", ":"


@dataclass(frozen=True, slots=True)
class Grant:
    """A project-scoped token: what calls in one region are made with."""

    project_id: str
    token: str


@dataclass(frozen=True, slots=True)
class Session:
    """Who is logged in to the console: a grant per region, the MaaS home region's among them."""

    user: str
    domain: str
    grants: dict[str, Grant]

    def encode(self) -> str:
        head = f"{quote(self.domain, safe='')}{_FIELD}{quote(self.user, safe='')}"
        return _ENTRY.join(
            [head, *(_FIELD.join((region, g.project_id, g.token)) for region, g in self.grants.items())]
        )

    @classmethod
    def decode(cls, value: str) -> Session | None:
        """The session a cookie holds, or None when it holds nothing usable."""
        head, *entries = value.split(_ENTRY)
        domain, _, user = head.partition(_FIELD)
        grants: dict[str, Grant] = {}
        for entry in entries:
            parts = entry.split(_FIELD)
            if len(parts) != 3 or not all(parts):
                return None
            grants[parts[0]] = Grant(parts[1], parts[2])
        return cls(unquote(user), unquote(domain), grants) if grants and user else None

    @property
    def csrf_token(self) -> str:
        """Bound to the session's tokens: a page of another site can neither read nor guess it."""
        key = "".join(grant.token for grant in self.grants.values()).encode()
        return hmac.new(key, b"openmaas console csrf", hashlib.sha256).hexdigest()[:40]

    def csrf_matches(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf_token, sent or "")
