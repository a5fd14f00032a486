"""Speed and size of the settlements feature: `.venv/bin/python -m bench.settlements_bench`.

Prints the table's size on disk, the time to read it (with the gazetteer, once per process), and
per window what the page pays on every rerun: `changes()` (the panel and CLI), `window_features()`
(the map layer and downloads) and `status_on()`, over random windows (median, p95 and max of
WINDOWS windows, each timed warm: the table is already loaded, as on the page).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

from dashboard.data.gazetteer import load_gazetteer
from dashboard.data.load import DEFAULT_DATA
from dashboard.data.settlements import TABLE, load_settlements, window_features

WINDOWS = 200
SEED = 23


def timed(call):
    start = time.perf_counter()
    value = call()
    return value, time.perf_counter() - start


def spread(times: list[float]) -> str:
    ms = sorted(t * 1e3 for t in times)
    return (f"median {statistics.median(ms):6.2f} ms  p95 {ms[int(len(ms) * 0.95) - 1]:6.2f} ms  "
            f"max {ms[-1]:6.2f} ms")


def main() -> None:
    size = (DEFAULT_DATA / TABLE).stat().st_size
    print(f"table size              {size / 1024:7.1f} KB ({size:,} bytes)")
    _, took = timed(lambda: load_gazetteer(DEFAULT_DATA / "gazetteer"))
    print(f"gazetteer (shared)      {took * 1e3:7.0f} ms")
    found, took = timed(lambda: load_settlements(DEFAULT_DATA))
    print(f"read table + join       {took * 1e3:7.1f} ms ({len(found.table.ids):,} rows)")
    rng = random.Random(SEED)
    first, span = found.table.first, (found.table.last - found.table.first).days
    windows = []
    for _ in range(WINDOWS):
        until = first + timedelta(days=rng.randrange(1, span + 1))
        since = max(first, until - timedelta(days=rng.choice([7, 30, 90, 365, span])))
        windows.append((since, until))
    results = {"changes()": [], "window_features()": [], "status_on()": []}
    counts = []
    for since, until in windows:
        rows, took = timed(lambda s=since, u=until: found.changes(s, u))
        results["changes()"].append(took)
        counts.append(len(rows))
        _, took = timed(lambda s=since, u=until: window_features(found, s, u))
        results["window_features()"].append(took)
        _, took = timed(lambda u=until: found.status_on(u))
        results["status_on()"].append(took)
    for name, times in results.items():
        print(f"{name:22s}  {spread(times)}")
    print(f"rows per window: median {statistics.median(counts):.0f}, max {max(counts)} "
          f"({WINDOWS} windows of 7 days to the whole history, seed {SEED}, through {date.today()})")


if __name__ == "__main__":
    main()
