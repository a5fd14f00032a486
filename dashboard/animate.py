"""`python -m dashboard.animate`: write an animation of the map over a window of days, or a
still picture of one day.

    python -m dashboard.animate --start 2024-08-01 --end 2025-07-31 --step week --out kursk.gif
    python -m dashboard.animate --start 2024-08-01 --end 2024-12-31 --step day \\
        --bbox 34,50.5,36.5,52 --size 1920x1080 --out salient.mp4
    python -m dashboard.animate --still --date 2024-11-10 --compare 2024-08-20 --size 2400x1350 --out map.png

The format follows the file name (.gif or .mp4; .png for --still). The file is written with
the permissions of any new file (the umask decides). Bad arguments print one line and exit 2."""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from dashboard.animation import STEPS, AnimationError, AnimationRequest, parse_bbox, parse_date, parse_size
from dashboard.animation.export import DEFAULT_FPS, render_animation
from dashboard.animation.still import STILL_SIZES, StillRequest, render_still
from dashboard.data.layers import view_bounds
from dashboard.data.load import Dataset, load_dataset
from dashboard.data.specs import MapBounds

#: Longest file name most filesystems take (bytes); asked of the folder where it can answer.
NAME_MAX = 255


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, exit 2: the same as every other bad argument (argparse prints its usage too)."""
        print(f"error: {message.splitlines()[0][:200]}", file=sys.stderr)
        raise SystemExit(2)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(prog="python -m dashboard.animate", description=__doc__.splitlines()[0])
    parser.add_argument("--start", help="first day, YYYY-MM-DD (animation)")
    parser.add_argument("--end", help="last day (always the last frame), YYYY-MM-DD (animation)")
    parser.add_argument("--step", choices=STEPS, default="week",
                        help="one frame per day, week or month (month: same day of the month, clamped)")
    parser.add_argument("--still", action="store_true", help="one picture of --date instead of an animation")
    parser.add_argument("--date", help="the picture's map date, YYYY-MM-DD (--still)")
    parser.add_argument("--compare", help="an earlier date: the picture shows what changed hands since (--still)")
    parser.add_argument("--layers", help="comma-separated layer ids to show (--still; default: the page's default)")
    parser.add_argument("--bbox", help="area W,S,E,N in degrees (default: Kursk Oblast to Zaporizhzhia)")
    parser.add_argument("--size", help="WIDTHxHEIGHT, even numbers (animation default 1280x720; --still: "
                                       + " or ".join(f"{w}x{h}" for w, h in STILL_SIZES) + ")")
    parser.add_argument("--fps", type=float, default=DEFAULT_FPS, help="frames per second")
    parser.add_argument("--out", required=True, help="output file: .gif or .mp4, or .png with --still")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    return parser.parse_args(argv)


def check_out(text: str, suffixes: tuple[str, ...]) -> Path:
    """The output path, checked before anything is drawn; AnimationError naming the problem."""
    out = Path(text)
    shown = repr(text[:60] + ("…" if len(text) > 60 else ""))
    try:
        limit = os.pathconf(out.parent, "PC_NAME_MAX")
    except (OSError, ValueError):  # no such folder (said below) or a system that does not say
        limit = NAME_MAX
    if len(os.fsencode(out.name)) > limit:
        raise AnimationError(f"--out: the file name is {len(os.fsencode(out.name))} bytes long, "
                             f"more than this folder takes ({limit}); choose a shorter name")
    try:
        if out.is_dir():
            raise AnimationError(f"--out {shown} is a folder; give a file name ending in {' or '.join(suffixes)}")
        if out.suffix.lower() not in suffixes:
            raise AnimationError(f"--out must end in {' or '.join(suffixes)}, not {shown}")
        if not out.parent.is_dir():
            raise AnimationError(f"--out: folder {str(out.parent)[:60]!r} does not exist")
    except OSError as exc:  # e.g. a path too long as a whole, or a folder we may not look into
        raise AnimationError(f"--out {shown}: {exc.strerror or type(exc).__name__}") from None
    return out


def animation_request(args: argparse.Namespace, limits: MapBounds) -> tuple[AnimationRequest, Path]:
    if args.start is None or args.end is None:
        raise AnimationError("an animation needs --start and --end (or use --still --date D)")
    out = check_out(args.out, (".gif", ".mp4"))
    bbox = parse_bbox(args.bbox, limits) if args.bbox else None
    request = AnimationRequest(parse_date(args.start, "--start"), parse_date(args.end, "--end"), args.step,
                               bbox, parse_size(args.size or "1280x720"), out.suffix.lower().lstrip("."), args.fps)
    return request, out


def still_request(args: argparse.Namespace, ds: Dataset, limits: MapBounds) -> tuple[StillRequest, Path]:
    if args.date is None:
        raise AnimationError("--still needs --date YYYY-MM-DD")
    if args.start or args.end:
        raise AnimationError("--still draws one day: give --date (and --compare), not --start/--end")
    out = check_out(args.out, (".png",))
    view = view_bounds(ds).default
    view = replace(view, date=parse_date(args.date, "--date"),
                   compare=parse_date(args.compare, "--compare") if args.compare else None)
    if args.layers is not None:
        wanted = tuple(p.strip() for p in args.layers.split(",") if p.strip())
        unknown = [p for p in wanted if p not in ds.catalog.layers]
        if unknown:
            raise AnimationError(f"--layers: unknown layer {unknown[0][:40]!r}; known: {', '.join(ds.catalog.layers)}")
        view = replace(view, layers=wanted)
    size = parse_size(args.size) if args.size else STILL_SIZES[0]
    bbox = parse_bbox(args.bbox, limits) if args.bbox else None
    return StillRequest(view, size, bbox), out


def reserve(out: Path) -> Path:
    """An empty file next to `out`, made before anything is drawn: proves the folder takes files.

    The result is written there and moved onto `out` in one step, so `out` is never half written.
    Created with mode 0666 less the umask, as any new file: a temporary file's private 0600
    would survive the rename (issue #21 finding 9)."""
    for _ in range(5):
        part = out.parent / f".{out.name[:60]}.{secrets.token_hex(4)}.part"
        try:
            os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return part
        except FileExistsError:
            continue
        except OSError as exc:
            raise AnimationError(f"--out: cannot write in folder {str(out.parent)[:60]!r} "
                                 f"({exc.strerror or exc})") from None
    raise AnimationError(f"--out: cannot make a temporary file in {str(out.parent)[:60]!r}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ds = load_dataset()
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    part: Path | None = None
    limits = ds.catalog.meta.bounds if ds.catalog.meta else MapBounds()
    try:
        if args.still:
            still, out = still_request(args, ds, limits)
            part = reserve(out)
            result = render_still(ds, still)
            data, summary = result.data, f"{still.size[0]}x{still.size[1]} picture of {still.view.date}" + (
                f" (changes since {still.view.compare})" if still.view.compare else "")
        else:
            request, out = animation_request(args, limits)
            part = reserve(out)
            animation = render_animation(ds, request, progress=progress, use_cache=False)
            if not args.quiet:
                print(file=sys.stderr)
            w, h = request.size
            data, summary = animation.data, (f"{animation.frames} frames {w}x{h} ({animation.dates[0]} to "
                                             f"{animation.dates[-1]} by {request.step})")
        try:
            part.write_bytes(data)
            os.replace(part, out)
        except OSError as exc:
            print(f"error: could not write {str(out)[:60]!r}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    except AnimationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if part is not None:
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)
    print(f"wrote {out}: {summary}, {len(data) / 1e6:.2f} MB, {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
