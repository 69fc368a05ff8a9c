"""Response models: every answer's shape is declared once, as a pydantic model the handler names
(``response_model=``). OpenAPI shows them; the tests check every answer against its route's model;
the hot paths build plain dicts whose keys come from these models (``fields_of``).

The handlers return their bytes themselves (orjson), so a model costs nothing per request.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

ItemT = TypeVar("ItemT")


class Answer(BaseModel):
    """A wire answer: exactly these fields, of exactly these JSON types."""

    model_config = ConfigDict(extra="forbid", strict=True)


class FreeForm(BaseModel):
    """An object stored and echoed as the client sent it: its known fields typed, the rest kept."""

    model_config = ConfigDict(extra="allow", strict=True)


class PagedList(Answer, Generic[ItemT]):
    """The paged list envelope of the v2 APIs (CONTRACT 5.2): ``current`` = offset / limit,
    ``size`` = items on this page, ``pages`` = ceil(total / limit)."""

    data: list[ItemT]
    current: int
    size: int
    pages: int
    total: int


def fields_of(model: type[BaseModel]) -> tuple[str, ...]:
    """The model's field names in declaration order: the keys, in order, of the dicts built for it."""
    return tuple(model.model_fields)


def pages(total: int, limit: int) -> int:
    return -(-total // limit) if total else 0


def paged_list(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    """A ``PagedList`` body."""
    return {
        "data": items,
        "current": offset // limit,
        "size": len(items),
        "pages": pages(total, limit),
        "total": total,
    }
