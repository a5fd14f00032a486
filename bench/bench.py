"""Speed benchmark: what readers feel, next to what they would use instead.

Run: `bash scripts/bench.sh` (or `.venv/bin/python -m bench.bench [--runs N] [--quick]`).
Prints one table (median, min, max over the runs) and the ratios against the baselines. Every
server runs on loopback; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import statistics

from playwright.sync_api import sync_playwright

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrent-seconds", type=float, default=60)
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    runs = args.runs
    lines = ["| measure | median | min | max | unit | n |", "|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        cold, floor, bare = [], [], []
        for _ in range(runs):  # interleaved, so drift in the machine's load hits all three alike
            cold += cold_start(browser, ROOT / "dashboard" / "server.py", 100, 1)
            floor += cold_start(browser, ROOT / "bench" / "floor_polygon.py", 1, 1)
            bare += cold_start(browser, ROOT / "bench" / "floor_bare.py", 1, 1, bare=True)
        lines += [row("cold start: launch → map painted", cold, "s"),
                  row("floor: one-polygon st_folium page", floor, "s"),
                  row("reference: bare Streamlit page", bare, "s")]
        server = AppServer()
        try:
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
                      row("date change (+1 day) → repaint", inter["date"], "ms", 0),
                      row("  same, as Playwright sees it: sidebar toggle", inter["toggle_sidebar_seen"], "ms", 0),
                      row("  same, as Playwright sees it: map-control toggle", inter["toggle_map_seen"], "ms", 0),
                      row("  same, as Playwright sees it: date change", inter["date_seen"], "ms", 0),
                      row("one date change received, decompressed", [b / 1024 for b in inter["date_bytes"]], "KB", 0),
                      row("one date change received on the wire", [b / 1024 for b in inter["date_wire"]], "KB", 0)]
            hwm, rss = rss_after_sessions(browser, server, args.sessions)
            lines.append(f"| server peak RSS after {args.sessions} sequential sessions | {hwm:.0f} | | | MB | 1 |")
            lines.append(f"| server RSS after those sessions | {rss:.0f} | | | MB | 1 |")
        finally:
            server.stop()
        server = AppServer()
        try:
            repaint, errors = concurrent(browser, server, 10, args.concurrent_seconds)
        finally:
            server.stop()
        q = statistics.quantiles(repaint, n=20) if len(repaint) >= 2 else [float("nan")] * 19
        lines.append(f"| 10 concurrent sessions, {args.concurrent_seconds:.0f} s: repaint p50 / p95 | "
                     f"{statistics.median(repaint):.2f} | | {q[18]:.2f} (p95) | s | {len(repaint)} |")
        lines.append(f"| 10 concurrent sessions: errors | {errors} | | | count | |")
        explore_times, explore_bytes = explore_baseline(browser, runs)
        lines.append(row("baseline: explore() HTML, time to paint", explore_times, "s"))
        lines.append(f"| baseline: explore() HTML bytes (file + Leaflet) | {explore_bytes / 1024:.0f} | | | KB | 1 |")
        browser.close()
    print("\nSummary\n" + "\n".join(lines))
    first_kb = statistics.median(first_wire) / 1024
    print("\nRatios and targets")
    print(f"- cold start / one-polygon floor: {statistics.median(cold) / statistics.median(floor):.2f} (target ≤ 1.25)")
    print(f"- one-polygon floor / bare page: {statistics.median(floor) / statistics.median(bare):.2f}")
    print(f"- first view bytes on the wire / explore() bytes: {first_kb / (explore_bytes / 1024):.2f} "
          "(target ≤ 1.00)")
    shell = sum(statistics.median(v) for k, v in first_parts.items() if k.startswith("Streamlit")) / 1024
    own = sum(statistics.median(v) for k, v in first_parts.items() if not k.startswith("Streamlit")) / 1024
    print(f"  of the first view, Streamlit's page shell (fonts, scripts) is {shell:.0f} KB and the map's "
          f"own files and all messages {own:.0f} KB: {own / (explore_bytes / 1024):.2f} × explore()")
    print(f"- first paint / explore() paint: {statistics.median(shared) / statistics.median(explore_times):.2f}")
    print(f"- layer toggle median: sidebar {statistics.median(inter['toggle_sidebar']):.0f} ms, "
          f"map control {statistics.median(inter['toggle_map']):.0f} ms (target ≤ 150)")
    print(f"- date change median: {statistics.median(inter['date']):.0f} ms (target ≤ 400); "
          f"received {statistics.median(inter['date_wire']) / 1024:.0f} KB on the wire, "
          f"{statistics.median(inter['date_bytes']) / 1024:.0f} KB decompressed (target ≤ 150)")
    print(f"- concurrent p95: {q[18]:.2f} s (target ≤ 1.5), errors {errors} (target 0)")
    print(f"- peak RSS: {hwm:.0f} MB (target ≤ 400)")


if __name__ == "__main__":
    main()
