"""Render an animation of the map over a window of days: the API the page and the CLI use.

    request = AnimationRequest(start, end, step="week", fmt="gif")
    animation = render_animation(load_dataset(), request, progress=lambda done, total: ...)

Results are kept in a small in-memory cache (a few entries, bounded in bytes) keyed by the
dataset and the whole request, so a page rerun or a second reader asking for the same window
gets the same bytes at once. Renders run one at a time per process (gate.py), the others queued
with a message: the machine has two cores and matplotlib's text engine is not made for threads.
The page renders in a watched child process (worker.py), the command line in place."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from dashboard.animation.encode import FORMATS, GifEncoder, Mp4Encoder
from dashboard.animation.gate import GATE, Waiting
from dashboard.animation.render import FrameRenderer
from dashboard.animation.window import (
    DEFAULT_BBOX,
    AnimationError,
    BBox,
    check_bbox,
    check_size,
    check_window,
    frame_dates,
)
from dashboard.animation.worker import animation_job, run_job, scratch_file
from dashboard.data.layers import view_bounds
from dashboard.data.load import Dataset
from dashboard.data.specs import MapBounds

Progress = Callable[[int, int], None]
CACHE_ENTRIES = 6
#: Finished files kept for reruns and other readers: bounded well inside a replica's 768 MiB
#: (the server itself uses about 380 MB); a 400-frame GIF is about 28 MB.
CACHE_BYTES = 64_000_000
DEFAULT_FPS = 4.0


@dataclass(frozen=True)
class AnimationRequest:
    start: date
    end: date
    step: str = "week"
    #: None: the default area (Kursk Oblast to Zaporizhzhia); the frame widens it to its shape.
    bbox: BBox | None = None
    size: tuple[int, int] = (1280, 720)
    fmt: str = "gif"
    fps: float = DEFAULT_FPS


@dataclass(frozen=True)
class Animation:
    data: bytes
    request: AnimationRequest
    dates: tuple[date, ...]
    seconds: float
    cached: bool = False
    #: Extra text per frame (e.g. "nearest earlier snapshot"), for the page to show if it likes.
    notes: tuple[str, ...] = field(default=(), repr=False)

    @property
    def frames(self) -> int:
        return len(self.dates)

    @property
    def mime(self) -> str:
        return FORMATS[self.request.fmt]

    @property
    def filename(self) -> str:
        r = self.request
        return f"situation-map_{r.start.isoformat()}_{r.end.isoformat()}_{r.step}.{r.fmt}"


def plan(ds: Dataset, request: AnimationRequest) -> tuple[AnimationRequest, list[date]]:
    """The request checked and completed (bbox filled in), and its frame dates; raises
    AnimationError (TooManyFrames for long windows) with a one-line reason."""
    if request.fmt not in FORMATS:
        raise AnimationError(f"format must be one of {', '.join(FORMATS)}, not {request.fmt!r}")
    if not 0.5 <= request.fps <= 30:
        raise AnimationError(f"fps must be between 0.5 and 30, not {request.fps:g}")
    bounds = view_bounds(ds)
    check_window(request.start, request.end, bounds.first, bounds.last)
    check_size(request.size)
    limits = ds.catalog.meta.bounds if ds.catalog.meta else MapBounds()
    bbox = check_bbox(request.bbox or BBox(*DEFAULT_BBOX), limits)
    return replace(request, bbox=bbox), frame_dates(request.start, request.end, request.step)


_CACHE: OrderedDict[tuple, Animation] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def render_animation(ds: Dataset, request: AnimationRequest, progress: Progress | None = None,
                     use_cache: bool = True, waiting: Waiting | None = None, isolated: bool = False) -> Animation:
    """The animation for `request`, from the cache or rendered now. `progress(done, total)` is
    called after each frame and once more when the file is written (total = frames + 1).

    One job at a time per process (GATE): a job that must wait is told so through
    `waiting(message)`; a full queue raises Busy. `isolated` draws in a watched child process
    (worker.py): the server does that, so its interpreter stays free for other readers and one
    request cannot take the replica past its memory limit; the command line draws in place."""
    request, days = plan(ds, request)
    key = (id(ds), ds.root, request)
    if use_cache and (hit := _cached(key)) is not None:
        if progress:
            progress(len(days) + 1, len(days) + 1)
        return hit
    with GATE.turn(waiting):
        if use_cache and (hit := _cached(key)) is not None:  # rendered while this one waited
            return hit
        started = time.perf_counter()
        with scratch_file(f".{request.fmt}") as path:
            if isolated:
                answer = run_job(animation_job(request, path), ds.root, progress)
                notes = tuple(str(n) for n in answer.get("notes", ()))
            else:
                notes = tuple(write_animation(ds, request, path, progress))
            data = path.read_bytes()
    animation = Animation(data, request, tuple(days), time.perf_counter() - started, notes=notes)
    if use_cache:
        _store(key, animation)
    return animation


def write_animation(ds: Dataset, request: AnimationRequest, out: Path, progress: Progress | None = None) -> list[str]:
    """Draw the animation into the file `out`, frame by frame: each frame goes to the encoder as
    soon as it is drawn, so memory stays flat however many frames there are. Returns each
    frame's note (e.g. "nearest earlier snapshot")."""
    request, days = plan(ds, request)
    renderer = FrameRenderer(ds, request.bbox, request.size)
    total = len(days) + 1
    try:
        if request.fmt == "gif":  # one palette for all frames, from the ends and the middle
            samples = [renderer.frame(d) for d in sorted({days[0], days[len(days) // 2], days[-1]})]
            encoder: GifEncoder | Mp4Encoder = GifEncoder(samples, request.fps, out)
            del samples
        else:
            encoder = Mp4Encoder(request.size, request.fps, out)
        notes: list[str] = []
        try:
            for done, day in enumerate(days, start=1):
                encoder.add(renderer.frame(day))
                notes.append(renderer.texts.get("note", ""))
                if progress:
                    progress(done, total)
            encoder.finish()
        except BaseException:
            encoder.abort()
            raise
    finally:
        renderer.close()
    if progress:
        progress(total, total)
    return notes


def _cached(key: tuple) -> Animation | None:
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is None:
            return None
        _CACHE.move_to_end(key)
        return replace(hit, cached=True)


def _store(key: tuple, animation: Animation) -> None:
    """Keep the newest results within CACHE_ENTRIES and CACHE_BYTES (oldest dropped first)."""
    if len(animation.data) > CACHE_BYTES:
        return
    with _CACHE_LOCK:
        _CACHE[key] = animation
        _CACHE.move_to_end(key)
        while len(_CACHE) > CACHE_ENTRIES or sum(len(a.data) for a in _CACHE.values()) > CACHE_BYTES:
            _CACHE.popitem(last=False)


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def cache_info() -> dict[str, int]:
    with _CACHE_LOCK:
        return {"entries": len(_CACHE), "bytes": sum(len(a.data) for a in _CACHE.values())}
