"""What an animation covers: its frame dates, area and size, checked before anything is drawn.

Every check raises `AnimationError` with a one-line message a reader can act on, so the CLI
prints it as it is and the page can show it next to the controls."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dashboard.data.specs import MapBounds
from dashboard.data.view import shift_months

#: More frames than this make files too big to share and renders too slow for a page request.
MAX_FRAMES = 400
#: day and week add 1 or 7 days; month keeps the start's day of the month (clamped to shorter
#: months, counted from the start so 31 Jan gives 28 Feb then 31 Mar), as Play by month does.
STEPS = ("day", "week", "month")
#: Kursk Oblast (north) to Zaporizhzhia (south), Sumy (west) to Luhansk (east): lon/lat W, S, E, N.
DEFAULT_BBOX = (33.2, 46.3, 40.3, 52.5)
MIN_SIZE, MAX_SIZE = (160, 90), (3840, 2160)
#: Narrower than this the towns' names and the legend cover the whole map.
MIN_SPAN_DEG = 0.5


class AnimationError(ValueError):
    """A request that cannot be rendered as asked; the message says why in one line."""


class TooManyFrames(AnimationError):
    """The window needs more than MAX_FRAMES frames at this step."""

    def __init__(self, needed: int, step: str, suggestion: str | None) -> None:
        self.needed, self.step, self.suggestion = needed, step, suggestion
        hint = f"; choose a coarser step ({suggestion})" if suggestion else "; choose a shorter window"
        super().__init__(f"this window needs {needed} frames by {step}, more than the limit of {MAX_FRAMES}{hint}")


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    def __str__(self) -> str:
        return f"{self.west:g},{self.south:g},{self.east:g},{self.north:g}"


def step_dates(start: date, end: date, step: str) -> list[date]:
    """One date per step from `start`, then `end` itself as the last frame (inclusive window)."""
    if step not in STEPS:
        raise AnimationError(f"step must be one of {', '.join(STEPS)}, not {step!r}")
    if start > end:
        raise AnimationError(f"start {start.isoformat()} is after end {end.isoformat()}")
    days: list[date] = []
    k, day = 0, start
    while day < end:
        days.append(day)
        k += 1
        day = shift_months(start, k) if step == "month" else start + timedelta(days=k * (7 if step == "week" else 1))
    days.append(end)
    return days


def frame_dates(start: date, end: date, step: str) -> list[date]:
    """The frame dates, or TooManyFrames naming the count and a coarser step that fits."""
    days = step_dates(start, end, step)
    if len(days) <= MAX_FRAMES:
        return days
    coarser = STEPS[STEPS.index(step) + 1:]
    fits = [(s, len(step_dates(start, end, s))) for s in coarser]
    suggestion = next((f"{s}: {n} frames" for s, n in fits if n <= MAX_FRAMES), None)
    raise TooManyFrames(len(days), step, suggestion)


def check_window(start: date, end: date, first: date, last: date) -> None:
    for name, day in (("start", start), ("end", end)):
        if not first <= day <= last:
            raise AnimationError(f"{name} {day.isoformat()} is outside the history "
                                 f"({first.isoformat()} to {last.isoformat()})")
    if start > end:
        raise AnimationError(f"start {start.isoformat()} is after end {end.isoformat()}")


def parse_date(text: str, name: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise AnimationError(f"{name} must be a date YYYY-MM-DD, not {text[:20]!r}")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise AnimationError(f"{name} {text.strip()!r} is not a calendar date") from None


def parse_size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{2,4})\s*[xX×]\s*(\d{2,4})\s*", text)
    if not m:
        raise AnimationError(f"size must be WIDTHxHEIGHT in pixels such as 1280x720, not {text[:20]!r}")
    return check_size((int(m.group(1)), int(m.group(2))))


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    if not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
        raise AnimationError(f"size {width}x{height} is outside {MIN_SIZE[0]}x{MIN_SIZE[1]} to "
                             f"{MAX_SIZE[0]}x{MAX_SIZE[1]}")
    if width % 2 or height % 2:  # H.264 in yuv420p halves the colour planes: both must be even
        raise AnimationError(f"size {width}x{height}: width and height must be even numbers")
    return width, height


def parse_bbox(text: str, limits: MapBounds) -> BBox:
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or len(parts) != 4:
        raise AnimationError(f"bbox must be four numbers W,S,E,N (longitude, latitude), not {text[:40]!r}")
    return check_bbox(BBox(*values), limits)


def check_bbox(box: BBox, limits: MapBounds) -> BBox:
    lon_ok = limits.min_lon <= box.west < box.east <= limits.max_lon
    lat_ok = limits.min_lat <= box.south < box.north <= limits.max_lat
    if not (lon_ok and lat_ok):
        raise AnimationError(f"bbox {box} must have W < E within {limits.min_lon:g}..{limits.max_lon:g} and "
                             f"S < N within {limits.min_lat:g}..{limits.max_lat:g} (longitude, latitude)")
    if min(box.east - box.west, box.north - box.south) < MIN_SPAN_DEG:
        raise AnimationError(f"bbox {box} is smaller than {MIN_SPAN_DEG:g}° across; widen it")
    return box
