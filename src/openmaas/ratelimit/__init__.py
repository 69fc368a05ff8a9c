"""Exact per-window rpm/tpm counters (D-30 to D-33): in this process, or shared by every process
through Redis.

Windows are fixed, ``window_seconds`` long and aligned to the epoch (window = floor(now / length)).
``admit`` refuses a request when the window already counts ``rpm`` requests, or already holds ``tpm``
tokens (settled and reserved); else it counts the request and reserves ``reserve`` tokens, in one
atomic step. ``settle`` replaces a reservation by the tokens used, in the admission's own window.
So a burst of any size admits exactly ``rpm`` a window, and ``tpm`` is passed by at most the tokens
the last admitted calls used beyond what they reserved.

The Redis limiter runs each step as one Lua script that reads the time from Redis itself, so that
processes whose clocks differ still agree on the window; its keys expire two windows after their
window ends. A Redis that does not answer within about a second raises ``LimiterUnavailable``; the
gateway then refuses the call (D-18) rather than let it through unlimited.
"""

from openmaas.ratelimit.limits import Admission, Limiter, LimiterUnavailable, Limits, make_limiter
from openmaas.ratelimit.memory import MemoryLimiter
from openmaas.ratelimit.shared import RedisLimiter

__all__ = [
    "Admission",
    "Limiter",
    "LimiterUnavailable",
    "Limits",
    "MemoryLimiter",
    "RedisLimiter",
    "make_limiter",
]
