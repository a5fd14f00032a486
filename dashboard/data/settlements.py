"""Which settlements changed hands, and when: the settlements table joined with the gazetteer.

The table (geodata/tables/settlements.csv, see settlements_table.py) says on which days each
settlement's GeoNames point lay inside the occupied area; the gazetteer gives its name,
population and oblast. `load_settlements(root)` reads both once per file version; `changes()`
lists a window's changes, `status_on()` the settlements inside on a day. Every row carries the
table's source, status and rule, since a town is often fought over long before its point falls in.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import shapely

from dashboard.data.files import inside
from dashboard.data.gazetteer import Entry, GazetteerError, gazetteer_dir, load_gazetteer, read_gazetteer
from dashboard.data.settlements_table import MAX_BYTES, Table, TableError, extend_text, parse_table
from dashboard.data.specs import COMPUTED_FORMATS, Catalog, LayerSpec

TABLE = "tables/settlements.csv"
CAME_IN, WENT_OUT = "came under occupation", "no longer inside"
#: The `kind` of a layer feature, for the catalog's style_by: one marker style each way.
KINDS = {CAME_IN: "came-in", WENT_OUT: "left"}


class SettlementsError(ValueError):
    """The table or the gazetteer cannot be used: the message names the file and why."""


@dataclass(frozen=True)
class Change:
    """One settlement changing sides on one day (the first snapshot showing it)."""

    geonameid: int
    name: str
    population: int
    oblast: str
    day: date
    direction: str  # CAME_IN or WENT_OUT
    lat: float
    lon: float

    def as_dict(self, settlements: Settlements) -> dict[str, object]:
        return {"geonameid": self.geonameid, "name": self.name, "population": self.population,
                "oblast": self.oblast, "day": self.day.isoformat(), "direction": self.direction,
                "status": settlements.status, "source": settlements.source, "rule": settlements.rule}


@dataclass
class Settlements:
    table: Table
    places: dict[int, Entry]
    oblasts: dict[tuple[str, str], str]  # (country, GeoNames admin1) -> region name
    measured_ids: frozenset[int] = frozenset()  # every settlement the table measured

    def measured(self, geonameid: object) -> bool:
        """Whether a (possibly hostile) id is one of the settlements the table measured."""
        try:
            return int(geonameid) in self.measured_ids  # type: ignore[call-overload]
        except (TypeError, ValueError, OverflowError):
            return False

    @property
    def source(self) -> str:
        return self.table.header["source"]

    @property
    def source_url(self) -> str:
        return self.table.header["source_url"]

    @property
    def status(self) -> str:
        return self.table.header["status"]

    @property
    def rule(self) -> str:
        return self.table.header["rule"]

    @property
    def problems(self) -> list[tuple[str, str, str]]:
        return self.table.problems

    def oblast_of(self, entry: Entry) -> str:
        code = entry.admin1[0] if entry.admin1 else ""
        return self.oblasts.get((entry.country, code), f"GeoNames region {entry.country}-{code}")

    def oblast_names(self) -> list[str]:
        """The oblasts of the settlements that changed sides after the first day, sorted."""
        first = self.table.first
        return sorted({self.oblast_of(self.places[g]) for g, d in zip(self.table.ids, self.table.days, strict=True)
                       if g in self.places and d > first})

    def match_oblast(self, text: str) -> str | None:
        """The oblast a reader means ("donetsk", "Donetsk Oblast"), or None when none matches."""
        want = " ".join(text.lower().split()).removesuffix(" oblast")
        names = sorted(set(self.oblasts.values()))
        return next((n for n in names if n.lower().removesuffix(" oblast") == want), None)

    def changes(self, since: date, until: date, oblast: str | None = None,
                min_population: int | None = None) -> list[Change]:
        """Changes seen after `since` up to and including `until`, by day then population (largest
        first). A settlement inside on the table's first day was inside before the history began:
        that is not a change."""
        if oblast is not None:  # "donetsk" or "Donetsk Oblast" as well as the exact name
            oblast = self.match_oblast(oblast) or oblast
        out = []
        for i in self.table.rows_between(max(since, self.table.first), until):
            entry = self.places.get(self.table.ids[i])
            if entry is None or (min_population is not None and entry.population < min_population):
                continue
            region = self.oblast_of(entry)
            if oblast is not None and region != oblast:
                continue
            out.append(Change(entry.geonameid, entry.name, entry.population, region, self.table.days[i],
                              CAME_IN if self.table.inside[i] else WENT_OUT, entry.lat, entry.lon))
        out.sort(key=lambda c: (c.day, -c.population, c.name))
        return out

    def status_on(self, day: date) -> frozenset[int]:
        """GeoNames ids of the settlements inside the occupied area on `day`."""
        return self.table.inside_on(day)

    def first_inside(self, geonameid: int) -> date | None:
        """The first day the settlement's point was inside (the table's first day: inside from the
        start of the history), or None if it never was."""
        return next((d for d, s in self.table.history(geonameid) if s), None)

    def largest_taken(self, since: date, until: date, limit: int = 10) -> list[Change]:
        """The largest settlements that came under occupation in the window and were still inside
        at its end."""
        still = self.status_on(until)
        taken = {c.geonameid: c for c in self.changes(since, until) if c.direction == CAME_IN and c.geonameid in still}
        return sorted(taken.values(), key=lambda c: (-c.population, c.day))[:limit]

    def describe(self, geonameid: int) -> str:
        """One line on a settlement's days inside the occupied area, with the source and rule."""
        hist = self.table.history(geonameid)
        who = f"{self.source.split(' (')[0]} ({self.status}), its GeoNames point inside the occupied area"
        if not hist:
            return f"{who}: never, {self.table.first.isoformat()} .. {self.table.last.isoformat()}"
        parts = [("inside from the first snapshot " if d == self.table.first else f"{CAME_IN} ")
                 + d.isoformat() if s else f"{WENT_OUT} {d.isoformat()}" for d, s in hist]
        return f"{who}: " + "; ".join(parts)


def window_features(found: Settlements, since: date, until: date) -> gpd.GeoDataFrame | None:
    """The layer's markers for a window: each change with name, population, oblast, day, rule,
    source and status (the table's), or None when nothing changed."""
    changes = found.changes(min(since, until), max(since, until))
    if not changes:
        return None
    rows = [{**c.as_dict(found), "kind": KINDS[c.direction], "date": c.day.isoformat(),
             "name": f"{c.name}: {c.direction} on {c.day.isoformat()}", "town": c.name,
             "detail": f"{c.oblast} · population {c.population:,} (GeoNames)",
             "note": f"Rule: {found.rule}", "source_url": found.source_url} for c in changes]
    return gpd.GeoDataFrame(rows, geometry=gpd.points_from_xy([c.lon for c in changes], [c.lat for c in changes]),
                            crs=4326)


def settlements_spec(catalog: Catalog) -> LayerSpec | None:
    """The catalog's settlements layer: the computed layer read from a table of its own."""
    return next((s for s in catalog.layers.values() if s.format in COMPUTED_FORMATS and s.table), None)


def table_path(root: Path, catalog: Catalog | None = None) -> str:
    spec = settlements_spec(catalog) if catalog is not None else None
    return spec.table if spec is not None else TABLE


def load_settlements(root: Path, rel: str = TABLE) -> Settlements:
    """The settlements of data folder `root`, read once per version of the table's file.
    Raises SettlementsError naming the file and what is wrong."""
    problems: list = []
    path = inside(Path(root), rel, problems)
    if path is None:
        raise SettlementsError(f"{rel}: outside the data folder; not read")
    try:
        info = path.stat()
    except OSError:
        raise SettlementsError(f"{rel}: not found; run scripts/build_settlements.py") from None
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block the reader's page, a device never end
        raise SettlementsError(f"{rel}: not a regular file; not read")
    if info.st_size > MAX_BYTES:
        raise SettlementsError(f"{rel}: larger than {MAX_BYTES:,} bytes; not read")
    return _load(str(path), rel, str(gazetteer_dir(Path(root))), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=4)  # a few folders (or versions of one file): each read once
def _load(path: str, rel: str, gazetteer: str, _mtime: int, _size: int) -> Settlements:
    try:
        text = Path(path).read_bytes().decode("utf-8")
        table = parse_table(text, rel)
        gaz = load_gazetteer(gazetteer)
    except UnicodeDecodeError as exc:
        raise SettlementsError(f"{rel}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise SettlementsError(f"{rel}: cannot read ({exc.strerror or type(exc).__name__})") from None
    except (TableError, GazetteerError) as exc:
        raise SettlementsError(str(exc)) from None
    oblasts = {(e.country, e.admin1[0]): e.name for e in gaz.entries if e.kind == "region" and len(e.admin1) == 1}
    wanted = set(table.ids)
    places = {e.geonameid: e for e in gaz.entries if e.geonameid in wanted and e.kind == "settlement"}
    for gid in sorted(wanted - set(places))[:5]:
        table.problems.append((rel, "0", f"geonameid {gid} is not a settlement of the gazetteer; "
                                         "its rows are not shown"))
    measured = frozenset(e.geonameid for e in gaz.entries if e.country == "UA" and e.kind == "settlement")
    return Settlements(table, places, oblasts, measured)


def table_problems(root: Path, catalog: Catalog | None = None) -> list[tuple[str, str, str, str]]:
    """What `dashboard.check` prints for the table: (file, line, what, severity)."""
    rel = table_path(root, catalog)
    if catalog is not None and settlements_spec(catalog) is None and not (Path(root) / rel).exists():
        return []  # a data folder without the feature
    try:
        found = load_settlements(root, rel)
    except SettlementsError as exc:
        return [(rel, "0", str(exc), "error")]
    return [(*p, "error") for p in found.problems]


def extend_table(root: Path, days: Iterable[tuple[date, shapely.Geometry]]) -> int:
    """The data update's hook: measure new days (date, full-resolution occupied area) into the
    table of data folder `root`, as the build measures them; returns how many rows it added.

    Written to a temporary file and moved over the table, so a hard-linked copy (the update's
    staging folder) never changes the original in place. Raises SettlementsError (file and why)
    when the table has a bad row or was measured on another set of settlements: nothing written.
    """
    path = Path(root) / TABLE
    # the app's own rules for a data file: a regular file, no link, not over the size cap
    if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_BYTES:
        raise SettlementsError(f"{TABLE}: not a regular file under {MAX_BYTES:,} bytes; not extended")
    try:
        text = path.read_text(encoding="utf-8")
        grown = extend_text(text, days, read_gazetteer(gazetteer_dir(Path(root))), TABLE)
    except (OSError, UnicodeDecodeError) as exc:
        raise SettlementsError(f"{TABLE}: cannot read ({type(exc).__name__})") from None
    except (TableError, GazetteerError) as exc:
        raise SettlementsError(str(exc)) from None
    if grown == text:
        return 0
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(grown, encoding="utf-8")
    os.replace(tmp, path)
    return grown.count("\n") - text.count("\n")
