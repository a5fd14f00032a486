"""`python -m dashboard.animate`: write an animation of the map over a window of days.

    python -m dashboard.animate --start 2024-08-01 --end 2025-07-31 --step week --out kursk.gif
    python -m dashboard.animate --start 2024-08-01 --end 2024-12-31 --step day \\
        --bbox 34,50.5,36.5,52 --size 1920x1080 --out salient.mp4

The format follows the file name (.gif or .mp4). Bad arguments print one line and exit 2."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

from dashboard.animation import STEPS, AnimationError, AnimationRequest, parse_bbox, parse_date, parse_size
from dashboard.animation.export import DEFAULT_FPS, render_animation
from dashboard.data.load import load_dataset
from dashboard.data.specs import MapBounds


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m dashboard.animate", description=__doc__.splitlines()[0])
    parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    parser.add_argument("--end", required=True, help="last day (always the last frame), YYYY-MM-DD")
    parser.add_argument("--step", choices=STEPS, default="week",
                        help="one frame per day, week or month (month: same day of the month, clamped)")
    parser.add_argument("--bbox", help="area W,S,E,N in degrees (default: Kursk Oblast to Zaporizhzhia)")
    parser.add_argument("--size", default="1280x720", help="frame size WIDTHxHEIGHT, even numbers")
    parser.add_argument("--fps", type=float, default=DEFAULT_FPS, help="frames per second")
    parser.add_argument("--out", required=True, help="output file, .gif or .mp4")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    return parser.parse_args(argv)


def request_from(args: argparse.Namespace, limits: MapBounds) -> tuple[AnimationRequest, Path]:
    out = Path(args.out)
    if out.is_dir():
        raise AnimationError(f"--out {str(out)[:80]!r} is a folder; give a file name ending in .gif or .mp4")
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("gif", "mp4"):
        raise AnimationError(f"--out must end in .gif or .mp4, not {out.name!r}")
    if not out.parent.is_dir():
        raise AnimationError(f"--out: folder {str(out.parent)[:80]!r} does not exist")
    bbox = parse_bbox(args.bbox, limits) if args.bbox else None
    request = AnimationRequest(parse_date(args.start, "--start"), parse_date(args.end, "--end"), args.step,
                               bbox, parse_size(args.size), fmt, args.fps)
    return request, out


def reserve(out: Path) -> Path:
    """An empty file next to `out`, made before any frame is drawn: proves the folder takes files.

    The animation is written there and moved onto `out` in one step, so `out` is never half written."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{out.name[:60]}.", suffix=".part", dir=out.parent)
    except OSError as exc:
        raise AnimationError(f"--out: cannot write in folder {str(out.parent)[:80]!r} "
                             f"({exc.strerror or exc})") from None
    os.close(fd)
    return Path(name)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ds = load_dataset()
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    part: Path | None = None
    try:
        request, out = request_from(args, ds.catalog.meta.bounds if ds.catalog.meta else MapBounds())
        part = reserve(out)
        animation = render_animation(ds, request, progress=progress, use_cache=False)
        if not args.quiet:
            print(file=sys.stderr)
        try:
            part.write_bytes(animation.data)
            os.replace(part, out)
        except OSError as exc:
            print(f"error: could not write {str(out)[:80]!r}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    except AnimationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if part is not None:
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)
    w, h = request.size
    print(f"wrote {out}: {animation.frames} frames {w}x{h} ({animation.dates[0]} to {animation.dates[-1]} by "
          f"{request.step}), {len(animation.data) / 1e6:.2f} MB, {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
