"""Dated layers: replay DeepState's daily changes and pick the salient extent for a day."""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd
import shapely

from dashboard.data.geometry import GRID, polygonal


@dataclass(frozen=True)
class Snapshot:
    """What the map shows for a requested day, and which day's data that really is."""

    requested: date
    shown: date | None
    geometry: shapely.Geometry

    @property
    def exact(self) -> bool:
        return self.shown == self.requested


class OccupiedHistory:
    """Daily occupied area rebuilt from a base snapshot plus daily gained/lost records.

    Days are rebuilt lazily and memoised, so a process pays for each day once; a lock keeps
    concurrent sessions from replaying the same days twice.
    """

    def __init__(self, changes: gpd.GeoDataFrame, areas: pd.DataFrame | None = None) -> None:
        records = changes.assign(day=[date.fromisoformat(str(d)[:10]) for d in changes["date"]])
        self.days: list[date] = sorted(set(records["day"]))
        self._gained: dict[date, shapely.Geometry] = {}
        self._lost: dict[date, shapely.Geometry] = {}
        self._built: dict[date, shapely.Geometry] = {}
        stores = {"base": self._built, "gained": self._gained, "lost": self._lost}
        for _, rec in records.iterrows():
            store = stores.get(rec["kind"])
            if store is None:
                continue
            if rec["day"] in store:  # a second record would silently replace the first
                raise ValueError(f"two '{rec['kind']}' records for {rec['day'].isoformat()}")
            geom = polygonal(rec.geometry)
            store[rec["day"]] = shapely.set_precision(geom, GRID) if store is self._built else geom
        if not self._built:
            raise ValueError("no feature with kind = 'base' (the first day's full area)")
        if self.days[0] not in self._built:  # the replay starts from a base: none, no first day
            raise ValueError(f"the first day ({self.days[0].isoformat()}) has no 'base' record "
                             "(the full area to replay from)")
        self.areas = areas
        self._area_index: dict[object, int] | None = None
        self._area_rows: dict[date, pd.Series | None] = {}
        self._lock = threading.Lock()

    @property
    def first(self) -> date:
        return self.days[0]

    @property
    def last(self) -> date:
        return self.days[-1]

    def shown_day(self, day: date) -> date | None:
        """The latest snapshot at or before `day` (None before the first)."""
        i = bisect.bisect_right(self.days, day)
        return self.days[i - 1] if i else None

    def snapshot(self, day: date) -> Snapshot:
        shown = self.shown_day(day)
        if shown is None:
            return Snapshot(day, None, shapely.MultiPolygon())
        return Snapshot(day, shown, self._geometry(shown))

    def _geometry(self, day: date) -> shapely.Geometry:
        with self._lock:
            if day in self._built:
                return self._built[day]
            start = max(d for d in self._built if d <= day)
            geom = self._built[start]
            for d in self.days[self.days.index(start) + 1 : self.days.index(day) + 1]:
                if d in self._gained and not self._gained[d].is_empty:
                    geom = polygonal(shapely.union(geom, self._gained[d], grid_size=GRID))
                if d in self._lost and not self._lost[d].is_empty:
                    geom = polygonal(shapely.difference(geom, self._lost[d], grid_size=GRID))
                self._built[d] = geom
            return geom

    def replay_all(self) -> None:
        """Rebuild every day now (the server's warm-up), so no reader waits for a replay. Day by
        day, so a reader's request waits for one day's replay at most, not for the whole series."""
        for day in self.days:
            self._geometry(day)

    def area_row(self, day: date) -> pd.Series | None:
        """Full-resolution measured areas (km²) of the snapshot shown for `day` (a shared row:
        do not modify it)."""
        shown = self.shown_day(day)
        if self.areas is None or shown is None:
            return None
        if shown not in self._area_rows:  # memoised: several figures ask on every rerun
            if self._area_index is None:
                index: dict[object, int] = {}
                for i, value in enumerate(self.areas["date"].tolist()):
                    index.setdefault(value, i)  # the first row of a day, as a filter's iloc[0]
                self._area_index = index
            i = self._area_index.get(shown.isoformat())
            self._area_rows[shown] = None if i is None else self.areas.iloc[i]
        return self._area_rows[shown]


def extent_for(extents: gpd.GeoDataFrame, day: date) -> gpd.GeoDataFrame:
    """The latest dated extent at or before `day` (an empty frame before the first one)."""
    # ISO dates order as strings: no date parsing on every rerun.
    days = extents["date"].astype(str).str.slice(0, 10)
    earlier = days[days <= day.isoformat()]
    if earlier.empty:
        return extents.iloc[0:0]
    return extents[days == earlier.max()]
