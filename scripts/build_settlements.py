"""Build geodata/tables/settlements.csv: for every settlement of the gazetteer in Ukraine, the days
its GeoNames point lies inside the Russian-occupied area, measured on the full-resolution
DeepStateMap snapshots (not the 1e-4 degree grid the map's history is stored on).

Input: ../shared/reference/deepstate/deepstatemap_data_YYYYMMDD.geojson (read as
build_occupied.py reads them: dashboard.data.series.parse_snapshot) and the shipped gazetteer
geodata/gazetteer/places.tsv (kind = settlement, country = UA: GeoNames places of 500+ people).
Output: one row per change (first day inside, every later flip); a settlement with no row was
never inside. Missing snapshot days stay missing: a change is dated on the first snapshot that
shows it. The data update extends the table with `dashboard.data.settlements_table.extend_text`.
"""

from __future__ import annotations

import time

from build_occupied import PROVENANCE, snapshots
from common import GEODATA

from dashboard.data.gazetteer import read_gazetteer
from dashboard.data.series import parse_snapshot
from dashboard.data.settlements import TABLE, load_settlements
from dashboard.data.settlements_table import Tracker, ids_digest, measured_places, parse_table, table_text

RULE = ("a settlement counts as inside the occupied area on a day when its GeoNames point lies inside "
        "the area DeepStateMap marks as Russian-occupied in that day's snapshot (full resolution); the "
        "day is that of the first snapshot showing the change. A town is often fought over for weeks "
        "before its point falls inside, and a point can lie at a town's edge or centre.")
#: Towns whose first day inside is printed as a check against the news (late 2024 .. 2025).
KNOWN = ("Selydove", "Kurakhove", "Toretsk", "Chasiv Yar", "Pokrovsk", "Myrnohrad", "Vuhledar", "Avdiivka")


def main() -> None:
    started = time.monotonic()
    gaz = read_gazetteer(GEODATA / "gazetteer")
    ids, lons, lats = measured_places(gaz)
    tracker = Tracker(ids, lons, lats)
    days = snapshots()
    for day, path in days:
        tracker.add(day, parse_snapshot(path.read_bytes()))
    header = {"source": PROVENANCE["source"] + ", daily snapshots", "source_url": PROVENANCE["source_url"],
              "status": PROVENANCE["status"], "rule": RULE, "first_day": days[0][0].isoformat(),
              "last_day": days[-1][0].isoformat(), "snapshots": str(len(days)), "settlements": str(len(ids)),
              "ids": ids_digest(ids.tolist())}
    text = table_text(header, tracker.rows)
    if parse_table(text, TABLE).problems:
        raise SystemExit("the written table does not read back cleanly")
    out = GEODATA / TABLE
    out.write_text(text, encoding="utf-8")
    print(f"{len(ids)} settlements, {len(days)} snapshots, {len(tracker.rows)} rows, "
          f"{out.stat().st_size / 1024:.0f} KB, {int(tracker.status.sum())} inside on {days[-1][0]}")
    report(gaz)
    print(f"built in {time.monotonic() - started:.0f} s")


def report(gaz) -> None:
    found = load_settlements(GEODATA)
    for name in KNOWN:
        for entry in gaz.entries:
            if entry.name == name and entry.country == "UA" and entry.kind == "settlement" and entry.population > 5000:
                hist = ", ".join(f"{d.isoformat()} {'in' if s else 'out'}"
                                 for d, s in found.table.history(entry.geonameid))
                print(f"{name} ({entry.population:,}): {hist or 'never inside'}")


if __name__ == "__main__":
    main()
