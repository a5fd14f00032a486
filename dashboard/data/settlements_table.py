"""The settlements table (geodata/tables/settlements.csv): when each settlement's GeoNames point
lay inside the occupied area, one row per change. Read, written and extended here; the build
(scripts/build_settlements.py) and the data update measure a day with `Tracker`, so a day added
by the update is measured exactly as the build measured the others.

Format: `#` header lines `# key: value` (source, source_url, status, rule, first_day, last_day,
snapshots, settlements, ids), then `geonameid,day,inside` and one row per change: inside = 1 the
point is inside from that day (on `first_day`: already inside on the first snapshot), 0 it is no
longer inside. A settlement with no row was outside on every day measured.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import shapely

from dashboard.data.gazetteer import Gazetteer

COLUMNS = "geonameid,day,inside"
HEADER_KEYS = ("source", "source_url", "status", "rule", "first_day", "last_day", "snapshots", "settlements", "ids")
#: The shipped table is about 40 KB; these bound what a hostile or broken file may cost.
MAX_BYTES = 5_000_000
MAX_ROWS = 200_000
MAX_PROBLEMS = 20  # bad rows named one by one; the rest counted in one more problem


class TableError(ValueError):
    """The table cannot be used at all (no header, unreadable): says which file, line and why."""


@dataclass
class Table:
    """The parsed table: header fields and the valid change rows, sorted by day."""

    header: dict[str, str]
    first: date
    last: date
    days: list[date] = field(default_factory=list)      # per row, sorted (for bisect)
    ids: list[int] = field(default_factory=list)        # per row
    inside: list[bool] = field(default_factory=list)    # per row
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (file, line, what)

    def rows_between(self, since: date, until: date) -> range:
        """Indexes of the rows with since < day <= until: the changes seen in that window."""
        return range(bisect.bisect_right(self.days, since), bisect.bisect_right(self.days, until))

    def inside_on(self, day: date) -> frozenset[int]:
        """The settlements whose point is inside on `day` (the latest snapshot at or before it)."""
        status: dict[int, bool] = {}
        for i in range(bisect.bisect_right(self.days, day)):
            status[self.ids[i]] = self.inside[i]
        return frozenset(gid for gid, inside in status.items() if inside)

    def history(self, geonameid: int) -> list[tuple[date, bool]]:
        return [(d, s) for d, g, s in zip(self.days, self.ids, self.inside, strict=True) if g == geonameid]


def ids_digest(ids: Iterable[int]) -> str:
    """A short fingerprint of the settlements measured: the update refuses to extend a table
    measured on another set (a settlement new to the gazetteer has no earlier days)."""
    return hashlib.sha1(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()[:16]


def measured_places(gaz: Gazetteer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(geonameid, lon, lat) of every settlement in Ukraine, by geonameid: the points measured."""
    places = sorted((e.geonameid, e.lon, e.lat) for e in gaz.entries
                    if e.country == "UA" and e.kind == "settlement")
    arr = np.array(places, dtype=float).reshape(-1, 3)
    return arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2]


class Tracker:
    """Measures day after day which points lie inside the occupied area, keeping only changes.

    The rule: a point counts as inside when it lies in the interior of the day's full-resolution
    area (`shapely.contains_xy`: a point exactly on the edge is outside)."""

    def __init__(self, ids: np.ndarray, lons: np.ndarray, lats: np.ndarray,
                 status: np.ndarray | None = None) -> None:
        self.ids, self.lons, self.lats = ids, lons, lats
        self.status = status  # None before the first day
        self.rows: list[tuple[int, date, int]] = []
        self.last: date | None = None

    def add(self, day: date, occupied: shapely.Geometry) -> None:
        if self.last is not None and day <= self.last:
            raise ValueError(f"{day.isoformat()} is not after {self.last.isoformat()}")
        shapely.prepare(occupied)
        now = shapely.contains_xy(occupied, self.lons, self.lats)
        changed = now if self.status is None else now != self.status
        self.rows += [(int(g), day, int(s)) for g, s in zip(self.ids[changed], now[changed], strict=True)]
        self.status, self.last = now, day


def table_text(header: dict[str, str], rows: Iterable[tuple[int, date, int]]) -> str:
    lines = ["# Settlements of Ukraine whose GeoNames point lies inside the Russian-occupied area: "
             "one row per change (inside 1 = from this day, 0 = no longer)."]
    lines += [f"# {key}: {header[key]}" for key in HEADER_KEYS]
    lines.append(COLUMNS)
    lines += [f"{g},{d.isoformat()},{s}" for g, d, s in sorted(rows, key=lambda r: (r[1], r[0]))]
    return "\n".join(lines) + "\n"


def _day(text: str) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if len(text) == 10 else None


def parse_table(text: str, name: str) -> Table:
    """The table in `text` (named `name` in problems). Bad rows are skipped and named; a table
    with no usable header raises TableError."""
    if len(text) > MAX_BYTES:
        raise TableError(f"{name}:0: larger than {MAX_BYTES:,} characters; not read")
    header: dict[str, str] = {}
    lines = text.splitlines()
    number = next((i for i, line in enumerate(lines, start=1) if not line.startswith("#")), len(lines) + 1)
    for line in lines[:number - 1]:
        key, sep, value = line[1:].strip().partition(": ")
        if sep and key in HEADER_KEYS:
            header[key] = value.strip()
    missing = [k for k in HEADER_KEYS if not header.get(k)]
    if missing:
        raise TableError(f"{name}:{number}: header lacks {', '.join(missing)}; "
                         "rebuild with scripts/build_settlements.py")
    first, last = _day(header["first_day"]), _day(header["last_day"])
    if first is None or last is None or last < first:
        raise TableError(f"{name}:{number}: first_day/last_day are not two ordered YYYY-MM-DD dates")
    if number > len(lines) or lines[number - 1].strip() != COLUMNS:
        raise TableError(f"{name}:{number}: expected the column line {COLUMNS!r}")
    table = Table(header, first, last)
    _rows(table, lines[number:], number + 1, name)
    return table


def _rows(table: Table, lines: list[str], start: int, name: str) -> None:
    seen: dict[int, list[tuple[date, int, int]]] = {}
    bad = 0

    def skip(line_no: int, what: str) -> None:
        nonlocal bad
        bad += 1
        if bad <= MAX_PROBLEMS:
            table.problems.append((name, str(line_no), f"{what}; row skipped"))

    for offset, line in enumerate(lines):
        line_no = start + offset
        if not line.strip():
            continue
        if offset >= MAX_ROWS:
            skip(line_no, f"more than {MAX_ROWS:,} rows; the rest are not read")
            break
        try:
            gid, day, inside = _row(line, table)
        except ValueError as exc:
            skip(line_no, str(exc))
            continue
        seen.setdefault(gid, []).append((day, inside, line_no))
    rows: list[tuple[date, int, bool]] = []
    for gid, changes in seen.items():
        status = False  # every settlement starts outside: its first row must bring it inside
        for day, inside, line_no in sorted(changes):
            if rows and rows[-1][:2] == (day, gid):
                skip(line_no, f"a second row for {gid} on {day.isoformat()}")
            elif bool(inside) == status:
                skip(line_no, f"{gid} is already {'inside' if status else 'outside'} by {day.isoformat()}: "
                              "a row must be a change")
            else:
                status = bool(inside)
                rows.append((day, gid, status))
    if bad > MAX_PROBLEMS:
        table.problems.append((name, "0", f"{bad - MAX_PROBLEMS} more bad rows skipped"))
    rows.sort()
    table.days = [r[0] for r in rows]
    table.ids = [r[1] for r in rows]
    table.inside = [r[2] for r in rows]


def _row(line: str, table: Table) -> tuple[int, date, int]:
    cols = line.split(",")
    if len(cols) != 3:
        raise ValueError(f"{len(cols)} comma-separated columns, expected 3 ({COLUMNS})")
    text_id, text_day, text_inside = (c.strip() for c in cols)
    if not text_id.isdigit() or len(text_id) > 12 or int(text_id) == 0:
        raise ValueError(f"geonameid is not a positive whole number: {text_id[:40]!r}")
    day = _day(text_day)
    if day is None:
        raise ValueError(f"day is not a YYYY-MM-DD date: {text_day[:40]!r}")
    if not table.first <= day <= table.last:
        raise ValueError(f"day {day.isoformat()} is outside the table's days "
                         f"({table.first.isoformat()} .. {table.last.isoformat()})")
    if text_inside not in ("0", "1"):
        raise ValueError(f"inside must be 0 or 1, not {text_inside[:40]!r}")
    return int(text_id), day, int(text_inside)


def extend_text(text: str, days: Iterable[tuple[date, shapely.Geometry]], gaz: Gazetteer,
                name: str = "settlements.csv") -> str:
    """The table `text` with `days` (date, full-resolution occupied area) measured and added.

    Days at or before the table's last day are ignored (already measured). Raises TableError if
    the table has a bad row or was measured on another set of settlements than the gazetteer's.
    """
    table = parse_table(text, name)
    if table.problems:
        raise TableError("; ".join(":".join(p) for p in table.problems[:3]))
    ids, lons, lats = measured_places(gaz)
    if ids_digest(ids.tolist()) != table.header["ids"]:
        raise TableError(f"{name}: measured on another set of settlements than the gazetteer's; "
                         "rebuild with scripts/build_settlements.py")
    inside = table.inside_on(table.last)
    tracker = Tracker(ids, lons, lats, np.array([int(g) in inside for g in ids], dtype=bool))
    tracker.last = table.last
    added = 0
    for day, geom in sorted(days, key=lambda d: d[0]):
        if day > table.last and geom is not None and not geom.is_empty:
            tracker.add(day, geom)
            added += 1
    if not added:
        return text
    count = table.header["snapshots"]
    header = {**table.header, "last_day": tracker.last.isoformat(),
              "snapshots": str(int(count) + added) if count.isdigit() else count}
    old = zip(table.ids, table.days, (int(s) for s in table.inside), strict=True)
    return table_text(header, [*old, *tracker.rows])

