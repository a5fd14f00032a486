"""Before/after on the same machine in the same run: this tree against another copy of the app
(e.g. `git archive <commit> | tar -x -C /tmp/old`, plus the ignored dashboard/static/generated/).

Run: `.venv/bin/python -m bench.ab --old /tmp/old [--runs 5] [--concurrent-seconds 40]`.
Interleaved per run, so drift in the machine's load hits both alike: cold start (launch → map
painted), a new reader's first paint on a warm server, and 10 concurrent sessions started as
soon as the server answers (so they meet its warm-up).
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.across import started
from bench.common import painted, row
from bench.measures import cold_start, concurrent
from tests.harness import CHROMIUM_ARGS, ROOT, chromium_path, wait_idle


def first_paint(browser, server, runs: int) -> list[float]:
    import time

    out = []
    for i in range(runs + 1):  # one untimed visit first
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        t0 = time.perf_counter()
        page.goto(server.url)
        painted(page, 100)
        if i:
            out.append(time.perf_counter() - t0)
        wait_idle(page)
        ctx.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--old", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrent-seconds", type=float, default=40)
    args = parser.parse_args()
    trees = {"old": args.old.resolve(), "new": ROOT}
    cold: dict[str, list[float]] = {k: [] for k in trees}
    warm: dict[str, list[float]] = {k: [] for k in trees}
    p95: dict[str, list[float]] = {k: [] for k in trees}
    loads = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for _ in range(args.runs):
            for name, root in trees.items():
                loads.append(os.getloadavg()[0])
                cold[name] += cold_start(browser, root / "dashboard" / "server.py", 100, 1, root=root)
        for name, root in trees.items():
            server, watch = started(root=root)
            try:
                watch.wait()
                warm[name] = first_paint(browser, server, args.runs)
            finally:
                server.stop()
        for _ in range(max(1, args.runs // 2)):
            for name, root in trees.items():
                loads.append(os.getloadavg()[0])
                server, _watch = started(root=root)
                try:
                    repaint, _errors = concurrent(browser, server, 10, args.concurrent_seconds)
                finally:
                    server.stop()
                p95[name].append(statistics.quantiles(repaint, n=20)[18])
        browser.close()
    print("| measure | median | min | max | unit | n |\n|---|---|---|---|---|---|")
    for name in trees:
        row(f"{name}: cold start, launch → map painted", cold[name], "s")
        row(f"{name}: first paint of a new reader, warm server", warm[name], "s")
        row(f"{name}: 10 concurrent sessions from launch, p95 repaint", p95[name], "s")
    print(f"load average (1 min) at the starts: median {statistics.median(loads):.1f}, "
          f"min {min(loads):.1f}, max {max(loads):.1f}")


if __name__ == "__main__":
    main()
