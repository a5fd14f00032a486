"""Load test: N concurrent browser sessions change dates and layers for a fixed time, on loopback.

Run: `.venv/bin/python -m bench.load [--sessions 25] [--seconds 120]`. Reports server errors
(HTTP 5xx, exceptions shown on a page, sessions that stop answering) and the server's memory:
RSS sampled every 2 s, growth after the first minute. Bounded in count and in time.
"""

from __future__ import annotations

import argparse
import re
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.bench import MAP_FRAME, painted
from tests.harness import CHROMIUM_ARGS, AppServer, chromium_path


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()
    server = AppServer()
    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    t_start = time.monotonic()

    def sample() -> None:
        while not stop.is_set():
            samples.append((time.monotonic() - t_start, rss_mb(server.proc.pid)))
            stop.wait(2)

    sampler = threading.Thread(target=sample, daemon=True)
    errors = {"http5xx": 0, "exceptions": 0, "stalled": 0, "pageerror": 0}
    actions = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            pages = []
            for i in range(args.sessions):
                ctx = browser.new_context(viewport={"width": 1280, "height": 800})
                page = ctx.new_page()
                page.on("response", lambda r: errors.__setitem__("http5xx", errors["http5xx"] + (r.status >= 500)))
                page.on("pageerror", lambda _e: errors.__setitem__("pageerror", errors["pageerror"] + 1))
                page.goto(server.url + f"?date=2024-{8 + i % 4:02d}-{10 + i % 15:02d}")
                pages.append(page)
            for page in pages:
                painted(page, 100)
            sampler.start()
            t_start = time.monotonic()
            end = t_start + args.seconds
            round_no = 0
            while time.monotonic() < end:
                round_no += 1
                waits = []
                for i, page in enumerate(pages):
                    if (round_no + i) % 3 == 0:  # every third action toggles a layer
                        page.get_by_text("Towns in the story (reported)").click(no_wait_after=True)
                        waits.append((page, None, None))
                    else:
                        asof = page.frame_locator(MAP_FRAME).locator(".sm-asof")
                        before = asof.inner_text()
                        label = "+1d" if round_no % 2 else "−1d"
                        page.get_by_role("button", name=label).click(no_wait_after=True)
                        waits.append((page, asof, before))
                    actions += 1
                deadline = time.monotonic() + 60
                for _page, asof, before in waits:
                    if asof is None:
                        continue
                    while asof.inner_text() == before and time.monotonic() < deadline:
                        time.sleep(0.02)
                    if asof.inner_text() == before:
                        errors["stalled"] += 1
                errors["exceptions"] += sum(pg.locator("[data-testid='stException']").count() for pg in pages)
            browser.close()
    finally:
        stop.set()
        server.stop()
    first_min = [m for t, m in samples if t <= 60]
    after = [m for t, m in samples if t > 60]
    at_one_minute = first_min[-1] if first_min else float("nan")
    peak_after = max(after) if after else float("nan")
    growth = (peak_after / at_one_minute - 1) * 100 if after and first_min else float("nan")
    print(f"sessions {args.sessions}, {args.seconds:.0f} s, actions {actions}")
    print(f"errors: {errors} (total {sum(errors.values())})")
    print(f"server RSS: start {samples[0][1]:.0f} MB, at 60 s {at_one_minute:.0f} MB, "
          f"peak after 60 s {peak_after:.0f} MB, end {samples[-1][1]:.0f} MB; growth after the first "
          f"minute {growth:+.1f}% (target ≤ +20%)")


if __name__ == "__main__":
    main()
