"""Speed benchmark: what readers feel, next to what they would use instead.

Run: `bash scripts/bench.sh` (or `.venv/bin/python -m bench.bench [--runs N] [--quick]`).
Prints one table (median, min, max over the runs) and the ratios against the baselines. Every
server runs on loopback; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time

from playwright.sync_api import sync_playwright

from bench.across import FLOOR, across, history_days, spread, started, warm_first_paint, warm_up_cpu
from bench.common import MAP_FRAME, SHARED_LINK, WireProxy, painted, row  # noqa: F401  (used by bench.load)
from bench.measures import (
    cold_start,
    concurrent,
    explore_baseline,
    first_paint,
    interactions,
    rss_after_sessions,
)
from tests.harness import CHROMIUM_ARGS, ROOT, AppServer, chromium_path


class LoadWatch:
    """The machine's 1-minute load average every 5 s during the run (other work on a shared
    machine moves every figure here: report it next to them)."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.wait(0 if not self.samples else 5):
            self.samples.append(os.getloadavg()[0])

    def summary(self) -> str:
        self._stop.set()
        return (f"load average (1 min) during the run, on {os.cpu_count()} cores: median "
                f"{statistics.median(self.samples):.1f}, min {min(self.samples):.1f}, max {max(self.samples):.1f}")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrent-seconds", type=float, default=60)
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    runs = args.runs
    load = LoadWatch()
    days, likely = history_days()
    lines = ["| measure | median | min | max | unit | n |", "|---|---|---|---|---|---|"]
    print(f"history: {len(days)} days, {days[0]} .. {days[-1]}; the warm-up pre-renders {len(likely)}")
    print("\n".join(lines), flush=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        cold, floor, bare = [], [], []
        for _ in range(runs):  # interleaved, so drift in the machine's load hits all three alike
            cold += cold_start(browser, ROOT / "dashboard" / "server.py", 100, 1)
            floor += cold_start(browser, FLOOR, 1, 1)
            bare += cold_start(browser, ROOT / "bench" / "floor_bare.py", 1, 1, bare=True)
        lines += [row("cold start: launch → map painted", cold, "s"),
                  row("floor: one-polygon st_folium page", floor, "s"),
                  row("reference: bare Streamlit page", bare, "s")]
        warm = warm_up_cpu(runs)
        lines += [row("warm-up: server CPU from launch to 'prerender done'", warm["cpu"], "s"),
                  row("  wall time from launch to it", warm["wall"], "s"),
                  row("  the pre-render step alone (its log line)", warm["step"], "s")]
        server, watch = started()
        floor_server = AppServer(entry=FLOOR)
        try:
            watch.wait()
            warm_app, warm_floor = warm_first_paint(browser, server, floor_server, runs)
            floor_server.stop()
            lines += [row("first paint of a new reader, warm server", warm_app, "s"),
                      row("  one-polygon st_folium page, warm server, same run", warm_floor, "s")]
            proxy = WireProxy(server.port)
            via = f"http://localhost:{proxy.port}/"
            shared, _, _ = first_paint(browser, server.url + SHARED_LINK, runs)
            first_parts: dict[str, list[int]] = {}
            _, first_bytes, first_wire = first_paint(browser, via, runs, proxy, first_parts)
            inter = interactions(browser, via, runs, proxy)
            proxy.close()
            lines += [row("first paint of a shared link (date + zoom)", shared, "s"),
                      row("first view received (HTTP bodies + websocket payloads)",
                          [b / 1024 for b in first_bytes], "KB", 0),
                      row("first view received on the wire", [b / 1024 for b in first_wire], "KB", 0),
                      *(row(f"  of which {kind}", [b / 1024 for b in values], "KB", 0)
                        for kind, values in sorted(first_parts.items())),
                      row("layer toggle → repaint (sidebar)", inter["toggle_sidebar"], "ms", 0),
                      row("layer toggle → repaint (map control)", inter["toggle_map"], "ms", 0),
                      row("date change (+1 day, near the article) → repaint", inter["date"], "ms", 0),
                      row("  same, as Playwright sees it: sidebar toggle", inter["toggle_sidebar_seen"], "ms", 0),
                      row("  same, as Playwright sees it: map-control toggle", inter["toggle_map_seen"], "ms", 0),
                      row("  same, as Playwright sees it: date change", inter["date_seen"], "ms", 0),
                      row("one date change received, decompressed", [b / 1024 for b in inter["date_bytes"]], "KB", 0),
                      row("one date change received on the wire", [b / 1024 for b in inter["date_wire"]], "KB", 0)]
            far = across(browser, server, days, runs)
            lines += [row("'Go to date' jump to a random day, as Playwright sees it", far["jump_seen"], "ms", 0),
                      row("  same, in the page (key press → painted frame)", far["jump"], "ms", 0),
                      row("'Go to date' jump 2024 → 2026, as Playwright sees it", far["y24_26_seen"], "ms", 0),
                      row("  same, in the page", far["y24_26"], "ms", 0),
                      row("±1 day at 4 points over the range, as Playwright sees it", far["step_seen"], "ms", 0),
                      row("  same, in the page", far["step"], "ms", 0)]
            hwm, rss = rss_after_sessions(browser, server, spread(days, args.sessions))
            lines.append(f"| server peak RSS after {args.sessions} sessions over the range, and the above | "
                         f"{hwm:.0f} | | | MB | 1 |")
            lines.append(f"| server RSS after those sessions | {rss:.0f} | | | MB | 1 |")
        finally:
            server.stop()
            floor_server.stop()
        server, watch = started()
        stamps: list[float] = []
        try:
            t_start = time.monotonic()
            repaint, errors = concurrent(browser, server, 10, args.concurrent_seconds, stamps)
            watch.wait(1)
        finally:
            server.stop()
        done = watch.done_at or float("inf")
        during = [r for r, t in zip(repaint, stamps, strict=True) if t < done]
        after = [r for r, t in zip(repaint, stamps, strict=True) if t >= done]
        lines.append(f"| 10 concurrent sessions, {args.concurrent_seconds:.0f} s: repaint p50 / p95 | "
                     f"{statistics.median(repaint):.2f} | | {p95(repaint):.2f} (p95) | s | {len(repaint)} |")
        lines.append(f"|   p95 while the warm-up ran (until {done - t_start:.0f} s in) / after it | "
                     f"{p95(during):.2f} | | {p95(after):.2f} | s | {len(during)} / {len(after)} |")
        lines.append(f"| 10 concurrent sessions: errors | {errors} | | | count | |")
        explore_times, explore_bytes = explore_baseline(browser, runs)
        lines.append(row("baseline: explore() HTML, time to paint", explore_times, "s"))
        lines.append(f"| baseline: explore() HTML bytes (file + Leaflet) | {explore_bytes / 1024:.0f} | | | KB | 1 |")
        browser.close()
    med = statistics.median
    print("\nSummary\n" + "\n".join(lines))
    print(load.summary())
    first_kb = med(first_wire) / 1024
    print("\nRatios and targets")
    print(f"- cold start / one-polygon floor: {med(cold) / med(floor):.2f} (target ≤ 1.3)")
    print(f"- one-polygon floor / bare page: {med(floor) / med(bare):.2f}")
    print(f"- first paint on a warm server / one-polygon page: {med(warm_app) / med(warm_floor):.2f} (target ≤ 1.15)")
    print(f"- warm-up CPU: {med(warm['cpu']):.1f} s (target ≤ 20)")
    print(f"- date jump to a random day, Playwright-seen median: {med(far['jump_seen']):.0f} ms; ±1 day over the "
          f"range {med(far['step_seen']):.0f} ms; near the article {med(inter['date_seen']):.0f} ms (target ≤ 250)")
    print(f"- jump 2024 → 2026, Playwright-seen median: {med(far['y24_26_seen']):.0f} ms (target ≤ 400)")
    print(f"- first view bytes on the wire / explore() bytes: {first_kb / (explore_bytes / 1024):.2f}")
    print(f"- layer toggle median: sidebar {med(inter['toggle_sidebar']):.0f} ms, "
          f"map control {med(inter['toggle_map']):.0f} ms (target ≤ 150)")
    print(f"- one date change: {med(inter['date_wire']) / 1024:.0f} KB on the wire, "
          f"{med(inter['date_bytes']) / 1024:.0f} KB decompressed")
    print(f"- concurrent p95: {p95(repaint):.2f} s (target ≤ 1.0), errors {errors} (target 0)")
    print(f"- peak RSS: {hwm:.0f} MB (target ≤ 350)")


if __name__ == "__main__":
    main()
