"""The data plane's answers. A chat completion or embeddings answer is the model server's own (it is
passed on as sent), so its models name only what every OpenAI-compatible server sends and keep the
rest (``FreeForm``)."""

from __future__ import annotations

from typing import Any

from openmaas.wire import Answer, FreeForm


class ChatCompletion(FreeForm):
    id: str
    object: str
    choices: list[dict[str, Any]]


class Embeddings(FreeForm):
    object: str
    data: list[dict[str, Any]]


class ModelItem(Answer):
    id: str
    object: str
    created: int
    owned_by: str


class ModelList(Answer):
    object: str
    data: list[ModelItem]
