"""The usage plot of an endpoint: a line per minute over the asked range, as the numbers an inline
SVG needs (the page draws it; no chart library, no script)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MINUTE_MS = 60_000
WIDTH, HEIGHT, MARGIN = 600, 160, 30


@dataclass(frozen=True, slots=True)
class Plot:
    title: str
    points: str  # the polyline's "x,y x,y ..." in the SVG's coordinates
    peak: int
    total: int
    width: int = WIDTH
    height: int = HEIGHT
    margin: int = MARGIN


def minute_plot(title: str, per_minute: Mapping[int, int], start_ms: int, end_ms: int) -> Plot:
    """``per_minute`` (minute start in ms -> value) over every minute from start to end, gaps as 0."""
    first = start_ms - start_ms % MINUTE_MS
    minutes = list(range(first, max(end_ms, first + MINUTE_MS), MINUTE_MS))
    values = [per_minute.get(minute, 0) for minute in minutes]
    peak = max(values, default=0)
    span_x = max(len(values) - 1, 1)
    inner_w, inner_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    scale = inner_h / peak if peak else 0.0
    points = " ".join(
        f"{MARGIN + inner_w * index / span_x:.1f},{HEIGHT - MARGIN - value * scale:.1f}"
        for index, value in enumerate(values)
    )
    return Plot(title=title, points=points, peak=peak, total=sum(values))
