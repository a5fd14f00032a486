"""Sizing for scale-out: how many readers one replica holds, its memory, and 1 vs 2 replicas.

Run: `.venv/bin/python -m bench.replicas [--levels 25,50,100,200,300,400] [--seconds 25] [--think 5]`
(needs Debian's nginx and chromium; about 7 minutes).

A browser per simulated reader would measure Chromium, not the app: on this 2-core machine a
handful of Chromium sessions saturate a core while the replica idles (a first try: 5 sessions,
p95 4.2 s, the replica at 3 % of a core). So the load here speaks Streamlit's own protocol: each
session is a websocket to /_stcore/stream that asks for a run of the page with a new date in the
query string (what a share link or a date step makes the server do: the whole page, 86 deltas,
without the browser's message cache, so a little more work than a real reader causes), waits
for `script_finished`, thinks `--think` seconds (±50 %), and repeats. Latency = send to
script_finished (the server's part of a repaint; the browser adds ~0.1-0.2 s, bench/results.md).

1. One replica pinned to core 1, the load on core 0: per number of sessions, latency p50/p95,
   errors, peak RSS and CPU (cores). Capacity = most sessions with p95 ≤ 1 s and no errors.
2. The same protocol load through nginx (the deploy/nginx template) to one replica and to two,
   nothing pinned, at a load past one replica's capacity: what the second replica buys here.
3. A browser check of that: N Chromium sessions through nginx, 1 vs 2 replicas (bench.bench's
   `concurrent`: date steps timed in the page, click to painted frame).
Prints Markdown as it goes; bench/results_scaleout.md keeps a run with its reading.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from playwright.sync_api import sync_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.bench import concurrent
from deploy.render_nginx import LocalNginx
from tests.harness import CHROMIUM_ARGS, AppServer, chromium_path

TICK = os.sysconf("SC_CLK_TCK")


def pin(pid: int, cpus: set[int]) -> None:
    """Pin every thread of a process (those it starts later inherit it)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except OSError:
            pass  # a thread that just ended


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def rss_mb(pid: int) -> float:
    return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) / 1024


@dataclass
class Sampler:
    """Peak RSS (sum over the replicas) and CPU seconds used, sampled every second."""

    pids: list[int]
    peak: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.cpu0 = sum(cpu_seconds(p) for p in self.pids)
        self.t0 = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(rss_mb(p) for p in self.pids))
            self._stop.wait(1)

    def finish(self) -> tuple[float, float]:
        """(peak RSS MB, CPU used in cores: CPU seconds / wall seconds)."""
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, sum(rss_mb(p) for p in self.pids))
        return self.peak, (sum(cpu_seconds(p) for p in self.pids) - self.cpu0) / (time.monotonic() - self.t0)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else float("nan")


async def _session(ws_url: str, i: int, think: float, t_measure: float, t_end: float,
                   latencies: list[float], errors: list[int]) -> None:
    day = dt.date(2024, 8, 1) + dt.timedelta(days=(7 * i) % 120)
    rng = random.Random(i)
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                      compression="deflate", open_timeout=60, ping_interval=None) as ws:
            first = True
            while time.monotonic() < t_end:
                msg = BackMsg()
                msg.rerun_script.query_string = f"date={day.isoformat()}"
                t0 = time.monotonic()
                await ws.send(msg.SerializeToString())
                while True:
                    f = ForwardMsg()
                    f.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=30))
                    kind = f.WhichOneof("type")
                    if kind == "delta" and f.delta.WhichOneof("type") == "new_element" \
                            and f.delta.new_element.WhichOneof("type") == "exception":
                        errors[0] += 1
                    if kind == "script_finished":
                        break
                if not first and t0 >= t_measure:
                    latencies.append(time.monotonic() - t0)
                first = False
                day += dt.timedelta(days=1 if day < dt.date(2024, 12, 1) else -100)
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    except (OSError, TimeoutError, websockets.WebSocketException):
        errors[0] += 1


async def _load(ws_url: str, sessions: int, think: float, seconds: float) -> tuple[list[float], int]:
    """`sessions` readers connect over a ramp of ~think seconds, then `seconds` are measured."""
    latencies: list[float] = []
    errors = [0]
    t_measure = time.monotonic() + max(think, 3) + 5
    t_end = t_measure + seconds
    tasks = []
    for i in range(sessions):
        tasks.append(asyncio.create_task(_session(ws_url, i, think, t_measure, t_end, latencies, errors)))
        await asyncio.sleep(max(think, 3) / sessions)
    await asyncio.gather(*tasks)
    return latencies, errors[0]


def protocol_level(base_url: str, pids: list[int], sessions: int, think: float, seconds: float) -> dict:
    ws_url = base_url.replace("http://", "ws://") + "_stcore/stream"
    sampler = Sampler(pids)
    own0, t0 = os.times(), time.monotonic()
    latencies, errors = asyncio.run(_load(ws_url, sessions, think, seconds))
    own1 = os.times()
    peak, cores = sampler.finish()
    generator = (own1.user + own1.system - own0.user - own0.system) / (time.monotonic() - t0)
    print(f"  (load generator: {generator:.2f} cores; a value near 1 means it, not the app, was the limit)",
          flush=True)
    return summary(sessions, latencies, errors, peak, cores)


def browser_level(browser, target, pids: list[int], sessions: int, seconds: float) -> dict:
    sampler = Sampler(pids)
    repaint, errors = concurrent(browser, target, sessions, seconds)
    peak, cores = sampler.finish()
    return summary(sessions, repaint, errors, peak, cores)


def summary(sessions: int, values: list[float], errors: int, peak: float, cores: float) -> dict:
    return {"sessions": sessions, "n": len(values), "p50": statistics.median(values) if values else float("nan"),
            "p95": p95(values), "errors": errors, "rss": peak, "cores": cores, "load": os.getloadavg()[0]}


def line(label: str, r: dict) -> str:
    text = (f"| {label} | {r['sessions']} | {r['n']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['errors']} | "
            f"{r['rss']:.0f} | {r['cores']:.2f} | {r['load']:.1f} |")
    print(text, flush=True)
    return text


class _Skip(Exception):
    pass


def cluster(replicas: int) -> tuple[list[AppServer], LocalNginx]:
    apps = [AppServer() for _ in range(replicas)]
    return apps, LocalNginx([f"127.0.0.1:{a.port}" for a in apps])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="25,50,100,200,300,400", help="protocol sessions on the one-core replica")
    parser.add_argument("--seconds", type=float, default=25, help="measured time per level")
    parser.add_argument("--think", type=float, default=5, help="seconds a reader waits between changes (±50%%)")
    parser.add_argument("--compare-sessions", type=int, default=0, help="default: 1.5 × the one-core capacity")
    parser.add_argument("--compare-repeat", type=int, default=1, help="alternate 1 and 2 replicas this many times")
    parser.add_argument("--skip-capacity", action="store_true", help="only the comparisons (needs --compare-sessions)")
    parser.add_argument("--browser-sessions", type=int, default=8, help="0 skips the browser comparison")
    parser.add_argument("--browser-seconds", type=float, default=30)
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    header = ["| setup | sessions | runs timed | p50 s | p95 s | errors | peak RSS MB (all replicas) | CPU (cores) "
              "| machine load (1 min) |", "|---|---|---|---|---|---|---|---|---|"]
    print(f"think time {args.think} s (±50 %), {args.seconds:.0f} s measured per row\n" + "\n".join(header), flush=True)
    lines = list(header)
    all_cpus = os.sched_getaffinity(0)
    capacity = None

    # 1. one replica on core 1, the load generator on core 0
    server = None if args.skip_capacity else AppServer()
    try:
        if server is None:
            raise _Skip
        pin(server.proc.pid, {1})
        os.sched_setaffinity(0, {0})
        time.sleep(20)  # the warm-up loads the data and renders every day's layers after start
        idle_rss = rss_mb(server.proc.pid)
        lines.append(f"| one replica, idle after its warm-up | 0 | | | | | {idle_rss:.0f} | | |")
        print(lines[-1], flush=True)
        for n in levels:
            r = protocol_level(server.url, [server.proc.pid], n, args.think, args.seconds)
            lines.append(line("protocol load, one replica pinned to one core", r))
            if r["p95"] <= 1.0 and r["errors"] == 0:
                capacity = r
            else:
                break  # past the knee: larger loads only take longer
    except _Skip:
        pass
    finally:
        if server is not None:
            server.stop()
        os.sched_setaffinity(0, all_cpus)

    # 2. protocol load through nginx, one replica vs two, nothing pinned
    compare = args.compare_sessions or int(1.5 * (capacity["sessions"] if capacity else levels[0]))
    for replicas in [1, 2] * args.compare_repeat:
        apps, proxy = cluster(replicas)
        try:
            time.sleep(15)
            r = protocol_level(proxy.url, [a.proc.pid for a in apps], compare, args.think, args.seconds)
            lines.append(line(f"protocol load via nginx, {replicas} replica{'s' * (replicas > 1)}, 2 cores shared", r))
        finally:
            proxy.stop()
            for a in apps:
                a.stop()

    # 3. real browsers through nginx, one replica vs two
    with sync_playwright() if args.browser_sessions else contextlib.nullcontext() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS) if p else None
        for replicas in (1, 2) if p else ():
            apps, proxy = cluster(replicas)
            try:
                r = browser_level(browser, proxy, [a.proc.pid for a in apps], args.browser_sessions,
                                  args.browser_seconds)
                lines.append(line(f"Chromium sessions via nginx (click to paint), {replicas} replica"
                                  f"{'s' * (replicas > 1)}", r))
            finally:
                proxy.stop()
                for a in apps:
                    a.stop()
        if browser:
            browser.close()

    print("\nSummary\n" + "\n".join(lines))
    if capacity:
        per_session = (capacity["rss"] - idle_rss) / capacity["sessions"]
        print(f"\ncapacity on one core with p95 ≤ 1 s (think {args.think} s): {capacity['sessions']} sessions "
              f"(p95 {capacity['p95']:.2f} s), peak RSS {capacity['rss']:.0f} MB (idle {idle_rss:.0f} MB, "
              f"about {per_session:.2f} MB per session), CPU {capacity['cores']:.2f} cores")
    else:
        print("\nno tested load met p95 ≤ 1 s on one core")


if __name__ == "__main__":
    main()
