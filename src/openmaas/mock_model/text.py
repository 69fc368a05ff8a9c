"""What the mock model says, and how it counts: deterministic words, word tokens, unit vectors."""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from collections.abc import Iterator
from typing import Any

import orjson

VOCABULARY = (
    "the",
    "model",
    "answers",
    "every",
    "prompt",
    "with",
    "words",
    "drawn",
    "from",
    "a",
    "small",
    "list",
    "so",
    "that",
    "tests",
    "can",
    "count",
    "them",
    "exactly",
    "and",
    "every",
    "run",
    "says",
    "the",
    "same",
    "thing",
    "again",
    "openmaas",
    "forwards",
    "each",
    "call",
    "to",
    "a",
    "server",
    "like",
    "this",
    "one",
    "behind",
    "a",
    "custom",
    "endpoint",
)
MESSAGE_OVERHEAD = 3


def words_of(value: Any) -> int:
    """Tokens of a message content or an input: a string, or the text parts of a list of parts."""
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, list):
        return sum(words_of(part.get("text", "") if isinstance(part, dict) else part) for part in value)
    return 0


def prompt_tokens(messages: list[Any]) -> int:
    return sum(MESSAGE_OVERHEAD + words_of(m.get("content")) for m in messages if isinstance(m, dict))


def answer_words(messages: list[Any], count: int) -> Iterator[str]:
    """``count`` words, the same for the same messages: indices from a SHA-256 chain of them."""
    digest = hashlib.sha256(orjson.dumps(messages, option=orjson.OPT_SORT_KEYS)).digest()
    for index in range(count):
        if index and index % len(digest) == 0:
            digest = hashlib.sha256(digest).digest()
        yield VOCABULARY[digest[index % len(digest)] % len(VOCABULARY)]


def embedding(text: str, dimensions: int) -> list[float]:
    """A unit vector drawn from the text's SHA-256 chain: equal texts, equal vectors."""
    values: list[float] = []
    seed = hashlib.sha256(text.encode()).digest()
    while len(values) < dimensions:
        values.extend((byte - 127.5) / 127.5 for byte in seed)
        seed = hashlib.sha256(seed).digest()
    values = values[:dimensions]
    norm = math.sqrt(sum(value * value for value in values)) or 1.0
    return [value / norm for value in values]


def as_base64(vector: list[float]) -> str:
    """OpenAI's base64 encoding of an embedding: little-endian float32."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
