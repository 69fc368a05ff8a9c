"""Shapes of wire values shared by several resources: names, ids, free text and paging bounds."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel

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


# Free-form JSON (fields openmaas stores as sent) may nest this many objects and arrays deep. orjson
# refuses more than 255 levels, and the answers put a stored value a few levels deeper than it came.
MAX_FREE_FORM_DEPTH = 32
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def first_unstorable(value: Any, path: str = "", *, root: str = "", depth: int = 0) -> tuple[str, str] | None:
    """The path and reason of the first part of a request value that no store or JSON writer can keep.

    Python's JSON parser accepts NaN, Infinity, integers of any size and lone surrogate escapes;
    PostgreSQL refuses NUL in text; orjson refuses invalid UTF-8, integers beyond 64 bits and deep
    nesting. Each would otherwise surface as a 500 long after validation, on every later read. A model
    is walked field by field (kept unknown fields included); ``depth`` counts the objects and arrays
    of a free-form value below its field, and a value nested too deeply is reported at that field.
    """
    if isinstance(value, BaseModel):
        return _first_in_model(value, path)
    if isinstance(value, str):
        return _text_problem(value, path)
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        return path, "must be within the signed 64-bit integer range"
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, "must be a finite number")
    if isinstance(value, dict | list):
        if depth >= MAX_FREE_FORM_DEPTH:
            return root or path or "body", f"must not nest deeper than {MAX_FREE_FORM_DEPTH} levels"
        return _first_in_container(value, path, root or path or "body", depth + 1)
    return None


def _first_in_model(model: BaseModel, path: str) -> tuple[str, str] | None:
    for name, item in model:
        problem = _text_problem(name, path or "body", keys=True)
        child = f"{path}.{name}" if path else name
        found = problem or first_unstorable(item, child)
        if found:
            return found
    return None


def _first_in_container(
    value: dict[Any, Any] | list[Any], path: str, root: str, depth: int
) -> tuple[str, str] | None:
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(key, str):
            problem = _text_problem(key, path, keys=True)
            child = f"{path}.{key}" if path else key
        else:
            problem, child = None, f"{path}[{key}]"
        found = problem or first_unstorable(item, child, root=root, depth=depth)
        if found:
            return found
    return None


def _text_problem(text: str, path: str, *, keys: bool = False) -> tuple[str, str] | None:
    """NUL, or a lone surrogate (which JSON can escape but UTF-8 cannot hold). A bad key is reported
    at its parent, so that the message never carries it."""
    what = f"{path} keys" if keys else path
    if "\x00" in text:
        return what, "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return what, "must be valid UTF-8 text"
    return None
