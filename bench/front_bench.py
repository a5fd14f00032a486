"""Speed of the front tools: `.venv/bin/python -m bench.front_bench`.

Prints the time to load the data, to replay every day of the history (once per process; the
server's warm-up pays it), to find a town, and `distance_series` for towns not asked before
(cold: computed; warm: the memoised frame), plus `distance_km` for one day.
"""

from __future__ import annotations

import time
from datetime import date

from dashboard.data import front
from dashboard.data.load import load_dataset

TOWNS = ("Kramatorsk", "Sloviansk", "Kostiantynivka", "Zaporizhzhia", "Kharkiv", "Sumy", "Kyiv", "Donetsk")


def timed(call):
    start = time.perf_counter()
    value = call()
    return value, time.perf_counter() - start


def main() -> None:
    ds, took = timed(load_dataset)
    print(f"load dataset            {took:7.2f} s")
    _, took = timed(ds.history.replay_all)
    print(f"replay {len(ds.history.days)} days         {took:7.2f} s")
    for name in TOWNS:
        towns, find = timed(lambda name=name: front.namesakes(name, ds))
        town = towns[0]
        series, cold = timed(lambda town=town: front.distance_series(ds, town.lon, town.lat))
        _, warm = timed(lambda town=town: front.distance_series(ds, town.lon, town.lat))
        _, one = timed(lambda town=town: front.distance_km(ds, town.lon, town.lat, date(2025, 6, 1)))
        print(f"{town.name:16s} find {find * 1e3:6.1f} ms  series cold {cold * 1e3:6.0f} ms  "
              f"warm {warm * 1e6:5.0f} µs  one day {one * 1e3:5.1f} ms  ({len(series)} days)")


if __name__ == "__main__":
    main()
