"""Counting tokens the model server does not count for us (D-17).

A model server's ``usage`` is the count; when it sends none (a stream without a usage chunk, an answer
without ``usage``), openmaas counts 4 bytes of UTF-8 text as one token, rounded up: the usual rule of
thumb for English, deterministic, and cheap enough to run on every streamed chunk. The same rule
estimates a prompt before the call, for the tpm reservation.
"""

from __future__ import annotations

from typing import Any

BYTES_PER_TOKEN = 4
# What each message costs beyond its text (role, separators), as chat templates add.
MESSAGE_OVERHEAD = 4


def of_bytes(size: int) -> int:
    return -(-size // BYTES_PER_TOKEN)


def of_text(text: str) -> int:
    return of_bytes(len(text.encode()))


def of_value(value: Any) -> int:
    """The text tokens of a message content or an input: a string, or the strings of a list of parts."""
    if isinstance(value, str):
        return of_text(value)
    if isinstance(value, list):
        return sum(of_value(part.get("text", "") if isinstance(part, dict) else part) for part in value)
    return 0


def of_messages(messages: list[Any]) -> int:
    return sum(MESSAGE_OVERHEAD + of_value(m.get("content")) for m in messages if isinstance(m, dict))


def completion_cap(body: dict[str, Any]) -> int:
    """The most a chat answer may take (``max_tokens`` or ``max_completion_tokens``), 0 if unbounded."""
    for name in ("max_completion_tokens", "max_tokens"):
        value = body.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return 0
