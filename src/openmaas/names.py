"""Shapes of wire values shared by several resources: names, ids, free text and paging bounds."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator

# Patterns end in \Z, not $: $ also matches before a final newline, which would let "name\n" in.
# Letters, Chinese characters, digits, hyphens and underscores (CONTRACT 5.1, 5.2).
RESOURCE_NAME = re.compile(r"^[A-Za-z0-9\u4e00-\u9fa5_-]+\Z")
# The workspace every project has, and the one a request that names none means (CONTRACT 2, 6.3).
DEFAULT_WORKSPACE_ID = "0"
# CONTRACT 1: workspace "0" or 32 lowercase hex; services and deployments are canonical UUIDs.
WORKSPACE_ID = re.compile(r"^(?:0|[0-9a-f]{32})\Z")
# Domains, users and projects: 32 lowercase hex.
HEX_ID = re.compile(r"^[0-9a-f]{32}\Z")
UUID_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
# CONTRACT 6.4: 1-64 characters; first a letter or a Chinese character; then letters, Chinese, digits, . _ -
ENDPOINT_NAME = re.compile(r"^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5._-]{0,63}\Z")
INT32_MAX = 2**31 - 1
# Both stores take a signed 32-bit OFFSET without complaint; a larger one is a client error, not a 500.
MAX_OFFSET = INT32_MAX
# The largest page any list returns (CONTRACT 5.2, 6.3).
MAX_LIMIT = 500


def reject_nul(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL, so such input is refused up front on every store alike."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


NUL_FREE = AfterValidator(reject_nul)
# Free text from a client: any characters except NUL. The optional form wraps the whole union, so
# length limits given with Field() keep their usual "string should have at most" message. A query
# or path parameter puts NUL_FREE after its Query()/Path() instead, for the same reason.
Text = Annotated[str, NUL_FREE]
OptionalText = Annotated[str | None, NUL_FREE]


def first_unstorable(value: Any, path: str = "") -> tuple[str, str] | None:
    """The path and reason of the first part of a parsed JSON value that a store cannot keep.

    Python's JSON parser accepts NaN and Infinity, which are not JSON; PostgreSQL refuses NUL in
    text. Either would otherwise surface as a store error long after validation.
    """
    if isinstance(value, str):
        return (path, "must not contain NUL characters") if "\x00" in value else None
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, "must be a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            found = first_unstorable(key, child) or first_unstorable(item, child)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = first_unstorable(item, f"{path}[{index}]")
            if found:
                return found
    return None
