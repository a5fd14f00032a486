"""Distance from a town to the front, and the line of contact's length and pace. Pure.

Distance method (dashboard/data/nearest.py): for each day, the occupied area is clipped to a box
around the town that must hold the nearest occupied point, the clipped part is projected into an
azimuthal equidistant CRS centred on the town (WGS84 ellipsoid), and the planar distance from the
centre is taken. In that projection every point's distance from the centre is its geodesic
distance, so the figure is exact at the outline's vertices; between vertices (about 1.5 km apart
in DeepState's outline) the projection bends a straight edge by well under a metre. The replayed
shapes sit on a 1e-4° grid, up to about 6 m from DeepState's own. Error: under 10 m.
"Occupied territory" is DeepStateMap's Russian-occupied Ukraine: Russia itself (the border) is not
counted, nor are DeepState's grey, contested zones.

Results are shared between sessions through caches: do not modify them.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from dashboard.data.figures import weekly_net_change
from dashboard.data.gazetteer import GazetteerError, gazetteer_dir, load_gazetteer
from dashboard.data.load import Dataset, load_dataset
from dashboard.data.nearest import distances
from dashboard.data.spelling import match_key

METHOD = "geodesic distance on the WGS84 ellipsoid (azimuthal equidistant projection centred on the town)"
#: lat/lon box of eastern and southern Ukraine and Russia's border oblasts: namesakes inside it
#: come first, so "Donetsk" is the Ukrainian city, not the Russian town of 50,000.
WAR_ZONE = (44.3, 53.5, 30.5, 40.5)
SERIES_CACHE = 128  # towns whose whole-history series is kept (about 20 kB each)
PACE_WEEKS = 4
MAX_QUERY = 60  # characters: longer than any place name, so a longer query matches nothing
MIN_KEY = 3  # a query's spelling key keeps at least this many letters (or all it had) to match


# ----------------------------------------------------------------------------- towns
@dataclass(frozen=True)
class Town:
    geonameid: int
    name: str
    lat: float
    lon: float
    region: str  # oblast or country code when the gazetteer has no region name for it
    country: str
    population: int

    @property
    def in_war_zone(self) -> bool:
        return WAR_ZONE[0] <= self.lat <= WAR_ZONE[1] and WAR_ZONE[2] <= self.lon <= WAR_ZONE[3]

    def label(self) -> str:
        where = ", ".join(dict.fromkeys(p for p in (self.region, self.country) if p))
        return f"{self.name} ({where}; pop. {self.population:,})"


@dataclass
class _TownIndex:
    towns: dict[int, Town]
    primary: dict[str, list[int]]  # spelling key -> ids (names and strong variants)
    weak: dict[str, list[int]]  # old or rare names: used only when nothing else matches
    keys: list[str]  # primary keys, sorted, for prefix search
    unavailable: str = ""  # why the gazetteer could not be read ("" when it was)


def _rank(town: Town) -> tuple[bool, int]:
    return (not town.in_war_zone, -town.population)


def gazetteer_unavailable(ds: Dataset | None = None) -> str:
    """Why the gazetteer could not be read ("the gazetteer is unavailable: ..."), or "" when it was:
    then only the towns layer's places can be found."""
    return _town_index(ds or load_dataset()).unavailable


@functools.lru_cache(maxsize=2)
def _town_index(ds: Dataset) -> _TownIndex:
    """Settlements of the gazetteer plus the catalog's towns layer, indexed by spelling key."""
    index = _TownIndex({}, {}, {}, [])
    try:
        gaz = load_gazetteer(gazetteer_dir(ds.root))
    except GazetteerError as exc:  # missing or unreadable: named, and the towns layer still searchable
        index.unavailable = str(exc)
        _add_layer_towns(ds, index)
        index.keys = sorted(index.primary)
        return index
    regions = {(e.country, e.admin1[0]): e.name for e in gaz.entries if e.kind == "region" and len(e.admin1) == 1}
    for table, into in ((gaz.strong, index.primary), (gaz.weak, index.weak)):
        for key, idxs in table.items():
            for i in idxs:
                e = gaz.entries[i]
                if e.kind != "settlement":
                    continue
                region = regions.get((e.country, e.admin1[0] if e.admin1 else ""), e.country)
                index.towns[e.geonameid] = Town(e.geonameid, e.name, e.lat, e.lon, region, e.country, e.population)
                into.setdefault(key, []).append(e.geonameid)
    _add_layer_towns(ds, index)
    index.keys = sorted(index.primary)
    return index


def _add_layer_towns(ds: Dataset, index: _TownIndex) -> None:
    """The towns layer names places the story needs; any the gazetteer lacks are added from it."""
    spec = ds.catalog.by_role("towns")
    if spec is None or spec.id not in ds.layers:
        return
    for _, row in ds.layers[spec.id].gdf.iterrows():
        gid = pd.to_numeric(row.get("geonameid"), errors="coerce")
        if pd.isna(gid) or int(gid) in index.towns or row.geometry is None:
            continue
        town = Town(int(gid), str(row["name"]), row.geometry.y, row.geometry.x, str(row.get("region") or ""),
                    "", int(pd.to_numeric(row.get("population"), errors="coerce") or 0))
        index.towns[town.geonameid] = town
        index.primary.setdefault(match_key(town.name), []).append(town.geonameid)


def _whole_and_prefixed(index: _TownIndex, key: str) -> tuple[list[int], list[int]]:
    """Ids whose name is `key` (weak names only when no strong one matches) and ids of names
    starting with it, each ranked: war zone first, then by population. Places whose own name
    is `key` come before those that merely have it as another name (the gazetteer stores no
    feature codes: "Oleksandrivka" means one of its villages, not Donetsk's Oleksandrivskyi
    district, once called so)."""
    whole = set(index.primary.get(key) or index.weak.get(key, []))
    prefixed: set[int] = set()
    for k in index.keys[bisect.bisect_left(index.keys, key):]:
        if not k.startswith(key):
            break
        prefixed.update(index.primary[k])
    ranked = functools.partial(sorted, key=lambda i: _rank(index.towns[i]))
    # Names as shown before alternate names (typing "Kram" means Kramatorsk, not Kremenchuk
    # through one of its old spellings).
    shown = {i for i in prefixed if match_key(index.towns[i].name).startswith(key)}
    own = {i for i in whole if match_key(index.towns[i].name) == key}
    return ranked(own) + ranked(whole - own), ranked(shown - whole) + ranked(prefixed - whole - shown)


def _query_key(query: str) -> str:
    """The spelling key of a typed name, or "" when it cannot name a place: longer than
    MAX_QUERY, or folding away nearly all its letters ("aaaa…" folds to "a")."""
    letters = sum(ch.isalnum() for ch in query)
    if len(query) > MAX_QUERY:
        return ""
    key = match_key(query)
    return key if len(key.replace(" ", "")) >= min(MIN_KEY, letters) else ""


def find_town(query: str, ds: Dataset | None = None, limit: int = 20) -> list[Town]:
    """Towns matching `query`: a GeoNames id, or a name in any common spelling (the gazetteer's
    own keys). Whole-name matches first, then names starting with it."""
    index = _town_index(ds or load_dataset())
    query = query.strip()
    if query.isdigit() and len(query) <= MAX_QUERY:
        town = index.towns.get(int(query))
        return [town] if town else []
    key = _query_key(query)
    if not key:
        return []
    whole, prefixed = _whole_and_prefixed(index, key)
    return [index.towns[i] for i in (whole + prefixed)[:limit]]


def namesakes(query: str, ds: Dataset | None = None) -> list[Town]:
    """The towns called exactly `query` (any spelling), best first; a GeoNames id gives its town.
    More than one means the name is ambiguous."""
    if query.strip().isdigit():
        return find_town(query, ds)
    index = _town_index(ds or load_dataset())
    key = _query_key(query.strip())
    return [index.towns[i] for i in _whole_and_prefixed(index, key)[0]] if key else []


# ----------------------------------------------------------------------------- distance
@functools.lru_cache(maxsize=4)
def _day_geometries(ds: Dataset) -> np.ndarray:
    """Every history day's occupied area, in the order of `history.days` (replays them once)."""
    return np.array([ds.history.snapshot(d).geometry for d in ds.history.days], dtype=object)


def distance_km(ds: Dataset, lon: float, lat: float, day: date) -> float | None:
    """Distance in km from the point to the nearest Russian-occupied territory in the snapshot
    shown for `day` (0 inside it); None without history or for a day outside it."""
    hist = ds.history
    if hist is None or not hist.first <= day <= hist.last:
        return None
    value = distances(np.array([hist.snapshot(day).geometry], dtype=object), lon, lat)[0][0]
    return None if np.isnan(value) else float(value)


def distance_series(ds: Dataset, lon: float, lat: float) -> pd.DataFrame:
    """DataFrame(date, distance_km, near_lon, near_lat): one row per history day, with the nearest
    occupied point. Memoised per point (4 decimals, about 10 m) in a bounded LRU; the frame is
    shared, do not modify it."""
    return _series(ds, round(lon, 4), round(lat, 4))


@functools.lru_cache(maxsize=SERIES_CACHE)
def _series(ds: Dataset, lon: float, lat: float) -> pd.DataFrame:
    if ds.history is None:
        return pd.DataFrame({"date": [], "distance_km": [], "near_lon": [], "near_lat": []})
    km, near = distances(_day_geometries(ds), lon, lat, nearest=True)
    return pd.DataFrame({"date": list(ds.history.days), "distance_km": km,
                         "near_lon": near[:, 0], "near_lat": near[:, 1]})


def town_line(ds: Dataset, town: Town) -> dict[str, object]:
    """What the map needs to draw the town's line to the front on any day, in the browser: the
    town, and per history day the distance (km, 1 decimal as the panel prints it; None on an empty day) and the nearest
    occupied point (5 decimals, about 1 m). The same figures the distance panel prints."""
    series = distance_series(ds, town.lon, town.lat)

    def rounded(values: pd.Series, digits: int) -> list[float | None]:
        # as the panel formats it (f"{km:,.1f}"), so the map's label and the panel agree to the digit
        return [None if np.isnan(v) else float(f"{v:.{digits}f}") for v in values]

    return {"name": town.name, "lon": round(town.lon, 5), "lat": round(town.lat, 5),
            "days": [d.isoformat() for d in series["date"]], "km": rounded(series["distance_km"], 1),
            "nlon": rounded(series["near_lon"], 5), "nlat": rounded(series["near_lat"], 5)}


def closest_day(series: pd.DataFrame) -> tuple[date, float] | None:
    """The first day the distance was smallest, and that distance."""
    values = series["distance_km"].dropna() if len(series) else series
    if not len(values):
        return None
    i = values.idxmin()
    return series.at[i, "date"], float(series.at[i, "distance_km"])


# ----------------------------------------------------------------------------- line and pace
@dataclass(frozen=True)
class FrontFigures:
    front_km: float  # line of contact on `end_shown`
    change_km: float  # since `start_shown`
    start_shown: date
    end_shown: date
    pace_km2_week: float | None  # occupied area's average net change per week, last PACE_WEEKS
    pace_since: date | None


def front_series(ds: Dataset) -> pd.DataFrame:
    """DataFrame(date, front_km): the line of contact per snapshot, as the build measured it on
    the full-resolution snapshots (never on the replayed, gridded shapes)."""
    areas = ds.history.areas if ds.history is not None else None
    if areas is None or "front_km" not in areas:
        return pd.DataFrame({"date": [], "front_km": []})
    return pd.DataFrame({"date": [date.fromisoformat(str(d)[:10]) for d in areas["date"]],
                         "front_km": areas["front_km"].astype(float).to_numpy()})


def weekly_pace(ds: Dataset) -> pd.DataFrame:
    """DataFrame(week, net_km2, avg_km2): net change of the occupied area per week (Monday-labelled;
    positive = more occupied) and its mean over the last PACE_WEEKS weeks."""
    weekly = weekly_net_change(ds).copy()
    weekly["avg_km2"] = weekly["net_km2"].rolling(PACE_WEEKS, min_periods=PACE_WEEKS).mean()
    return weekly


def front_figures(ds: Dataset, start: date, end: date) -> FrontFigures | None:
    """Line of contact on `end`, its change since `start`, and the average weekly net change of
    the occupied area over the PACE_WEEKS weeks before `end` (from the snapshots shown)."""
    hist = ds.history
    if hist is None:
        return None
    a, b = hist.area_row(start), hist.area_row(end)
    if a is None or b is None or "front_km" not in b:
        return None
    back = hist.area_row(max(hist.first, end - timedelta(weeks=PACE_WEEKS)))
    pace = since = None
    if back is not None and back["date"] != b["date"]:
        since = date.fromisoformat(str(back["date"]))
        weeks = (date.fromisoformat(str(b["date"])) - since).days / 7
        pace = float(b["total_km2"] - back["total_km2"]) / weeks
    return FrontFigures(float(b["front_km"]), float(b["front_km"] - a["front_km"]),
                        date.fromisoformat(str(a["date"])), date.fromisoformat(str(b["date"])), pace, since)
