"""Speed and size of the animation export: a year of weekly frames at 1280x720.

    .venv/bin/python -m bench.animation_bench [--start 2024-08-01] [--end 2025-07-31] [--size 1280x720]

Prints, for the same window: frames alone (renderer set-up, then per frame: the dated layers
and overlays drawn over the cached background), then the whole GIF and MP4 exports (render +
encode, cache off) with their sizes. Figures go into bench/results_animation.md by hand."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.animation import AnimationRequest, BBox, FrameRenderer, frame_dates, render_animation  # noqa: E402
from dashboard.animation.window import DEFAULT_BBOX, parse_size  # noqa: E402
from dashboard.data.load import load_dataset  # noqa: E402


def frames_only(ds, days: list[date], size: tuple[int, int]) -> None:
    started = time.perf_counter()
    renderer = FrameRenderer(ds, BBox(*DEFAULT_BBOX), size)
    setup = time.perf_counter() - started
    times = []
    for day in days:
        t = time.perf_counter()
        renderer.frame(day)
        times.append(time.perf_counter() - t)
    renderer.close()
    print(f"frames only: set-up {setup:.2f} s, {len(days)} frames {sum(times):.1f} s "
          f"(median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms per frame)")


def export(ds, start: date, end: date, size: tuple[int, int], fmt: str) -> None:
    request = AnimationRequest(start, end, "week", size=size, fmt=fmt)
    started = time.perf_counter()
    anim = render_animation(ds, request, use_cache=False)
    seconds = time.perf_counter() - started
    print(f"{fmt}: {anim.frames} frames {size[0]}x{size[1]}, {seconds:.1f} s, {len(anim.data) / 1e6:.2f} MB "
          f"({len(anim.data) / anim.frames / 1e3:.0f} KB per frame)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="2024-08-01")
    parser.add_argument("--end", default="2025-07-31")
    parser.add_argument("--size", default="1280x720")
    args = parser.parse_args()
    start, end, size = date.fromisoformat(args.start), date.fromisoformat(args.end), parse_size(args.size)
    t = time.perf_counter()
    ds = load_dataset()
    ds.history.replay_all()  # as the server's warm-up does: the exports below then time drawing, not replay
    print(f"data loaded and history replayed in {time.perf_counter() - t:.1f} s")
    days = frame_dates(start, end, "week")
    frames_only(ds, days, size)
    for fmt in ("gif", "mp4"):
        export(ds, start, end, size, fmt)


if __name__ == "__main__":
    main()
