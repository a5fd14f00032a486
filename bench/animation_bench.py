"""Speed, size and memory of the animation export.

    .venv/bin/python -m bench.animation_bench [--start 2024-08-01] [--end 2025-07-31] [--size 1280x720]
    .venv/bin/python -m bench.animation_bench --memory [--old-tree DIR] [--frames 399]

The first form prints, for the same window: frames alone (renderer set-up, then per frame), then
the whole GIF and MP4 exports (render + encode, cache off) with their sizes.

`--memory` answers issue #21 finding 8, each case in a fresh process: peak resident memory of
`python -m dashboard.animate` writing a GIF of `--frames` daily frames at 1280x720, and a
server-like process (data loaded, history replayed, as after the warm-up) rendering the same
GIF while its main thread does a reader's date step over and over (the dated layers for the
next week, as HTML: the server's part of a step). `--old-tree DIR` runs the same on another
copy of the code (e.g. `git archive <commit> dashboard | tar -x -C DIR`), whose page rendered
in a server thread. Figures go into bench/results_animation.md by hand."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) / 1024 for line in fh if line.startswith(field + ":"))


def probe(mode: str, start: date, end: date) -> dict:
    """Runs inside the measured process (see --memory): one case, its figures as a dict."""
    from dataclasses import replace

    import folium

    from dashboard.animation import AnimationRequest, render_animation
    from dashboard.data.layers import view_bounds
    from dashboard.data.load import load_dataset
    from dashboard.map.build import dated_groups

    ds = load_dataset()
    ds.history.replay_all()  # as the server's warm-up does
    view = view_bounds(ds).default
    request = AnimationRequest(start, end, "day", size=(1280, 720), fmt="gif")
    week = [0]

    def step() -> float:
        week[0] += 1
        t = time.perf_counter()
        m = folium.Map(tiles=None)
        for group in dated_groups(ds, replace(view, date=view.date + timedelta(days=7 * (week[0] % 40)))):
            group.add_to(m)
        m.get_root().render()
        return time.perf_counter() - t

    idle = [step() for _ in range(8)]
    base = _status_mb("VmRSS")
    answer: dict = {}

    if mode == "worker":  # keep the child's own peak, which the render does not return
        from dashboard.animation import export as export_module

        def run_job(*a, **k):
            reply = worker_run(*a, **k)
            answer["child_peak_mb"] = reply.get("peak_rss_mb", 0.0)
            return reply

        worker_run, export_module.run_job = export_module.run_job, run_job

    def work() -> None:
        kwargs = {"isolated": True} if mode == "worker" else {}
        t = time.perf_counter()
        anim = render_animation(ds, request, use_cache=False, **kwargs)
        answer.update(seconds=time.perf_counter() - t, frames=anim.frames, mb=len(anim.data) / 1e6)

    thread = threading.Thread(target=work)
    thread.start()
    busy = []
    while thread.is_alive():
        busy.append(step())
    thread.join()
    return {"mode": mode, "base_rss_mb": base, "peak_rss_mb": _status_mb("VmHWM"),
            "idle_step_ms": statistics.median(idle) * 1000, "busy_step_ms": statistics.median(busy) * 1000,
            "busy_step_max_ms": max(busy) * 1000, "busy_steps": len(busy), **answer}


def _child_peak_mb(args: list[str], tree: Path) -> tuple[float, float, str]:
    """Run a command in `tree`'s code; its peak RSS (MB, the kernel's count for that child and its
    own children), wall seconds and stdout."""
    env = {**os.environ, "PYTHONPATH": str(tree), "SITUATION_MAP_DATA": str(ROOT / "geodata")}
    t = time.perf_counter()
    child = subprocess.Popen(args, cwd=tree, env=env, stdout=subprocess.PIPE, text=True)
    out = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"{args[:4]} failed: status {status}")
    return usage.ru_maxrss / 1024, time.perf_counter() - t, out


def memory(old_tree: Path | None, frames: int) -> None:
    start = date(2024, 8, 1)
    end = start + timedelta(days=frames - 1)
    trees = [("old", old_tree)] if old_tree else []
    trees.append(("new", ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        for name, tree in trees:
            cli = [sys.executable, "-m", "dashboard.animate", "--start", start.isoformat(), "--end", end.isoformat(),
                   "--step", "day", "--out", f"{tmp}/{name}.gif", "--quiet"]
            peak, wall, _ = _child_peak_mb(cli, tree)
            print(f"{name} CLI: {frames} frames 1280x720 GIF, peak RSS {peak:.0f} MB, {wall:.0f} s wall "
                  f"({Path(tmp, name + '.gif').stat().st_size / 1e6:.1f} MB)", flush=True)
            for mode in (("thread",) if name == "old" else ("thread", "worker")):
                cmd = [sys.executable, str(ROOT / "bench" / "animation_bench.py"), "--probe", mode,
                       "--tree", str(tree), "--start", start.isoformat(), "--end", end.isoformat()]
                peak, wall, out = _child_peak_mb(cmd, tree)
                r = json.loads(out.strip().splitlines()[-1])
                print(f"{name} server ({mode}): RSS {r['base_rss_mb']:.0f} MB before, peak {r['peak_rss_mb']:.0f} MB "
                      f"in the server (its child included: {peak:.0f} MB); date step median "
                      f"{r['idle_step_ms']:.0f} ms idle, {r['busy_step_ms']:.0f} ms while rendering (max "
                      f"{r['busy_step_max_ms']:.0f}, {r['busy_steps']} steps); render {r['seconds']:.0f} s"
                      + (f"; worker peak {r['child_peak_mb']:.0f} MB" if "child_peak_mb" in r else ""), flush=True)


def frames_only(ds, days: list[date], size: tuple[int, int]) -> None:
    from dashboard.animation import BBox, FrameRenderer
    from dashboard.animation.window import DEFAULT_BBOX

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
    from dashboard.animation import AnimationRequest, render_animation

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
    parser.add_argument("--memory", action="store_true", help="peak memory and readers' steps (issue #21, 8)")
    parser.add_argument("--old-tree", type=Path, help="with --memory: another copy of the code to compare")
    parser.add_argument("--frames", type=int, default=399, help="with --memory: daily frames in the GIF")
    parser.add_argument("--probe", choices=("thread", "worker"), help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree))
    start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    if args.probe:
        print(json.dumps(probe(args.probe, start, end)))
        return
    if args.memory:
        memory(args.old_tree, args.frames)
        return
    from dashboard.animation import frame_dates
    from dashboard.animation.window import parse_size
    from dashboard.data.load import load_dataset

    size = parse_size(args.size)
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
