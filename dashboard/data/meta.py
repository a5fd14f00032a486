"""The catalog's `[meta]` table: the article, the history's dates, the map's start and limits."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from dashboard.data.specs import MapBounds, Meta, Problem
from dashboard.data.toml_reader import Reader


def parse_meta(name: str, table: Any, problems: list[Problem]) -> Meta | None:
    r = Reader(name, "meta", table, problems)
    if not r.ok:
        return None
    bounds = _bounds(r)
    start = _day(r, "history_start", date(2024, 7, 8))
    end = _day(r, "history_end", start)
    if end < start:
        r.fail("'history_end' is before 'history_start'; using one day")
        end = start
    center = _pair(r, "default_center", (49.7, 37.2), (bounds.min_lat, bounds.max_lat),
                   (bounds.min_lon, bounds.max_lon))
    zoom = _number(r, "default_zoom", 7, (bounds.min_zoom, bounds.max_zoom))
    return Meta(
        title=r.text("title"), article_title=r.text("article_title"),
        article_date=_day(r, "article_date", start),
        article_date_basis=r.text("article_date_basis"), equal_area_crs=_crs(r),
        history_start=start, history_end=end, default_center=center, default_zoom=int(zoom), bounds=bounds,
    )


#: Dates the slider may span: beyond these, stepping a month or a week would leave the calendar.
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


def _day(r: Reader, key: str, default: date) -> date:
    day = r.day(key)
    if day is not None and not EARLIEST <= day <= LATEST:
        r.fail(f"'{key}' must be between {EARLIEST} and {LATEST}; using {default}")
        return default
    return day or default


def _crs(r: Reader) -> str:
    crs = r.text("equal_area_crs", "EPSG:6933")
    if not re.fullmatch(r"EPSG:\d{4,6}", crs):
        r.fail("'equal_area_crs' must look like EPSG:6933")
        return "EPSG:6933"
    return crs


def _number(r: Reader, key: str, default: float, limits: tuple[float, float]) -> float:
    """A finite number within limits, else the default with the problem named (not fatal)."""
    value = r.table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not limits[0] <= value <= limits[1]:
        r.problems.append(Problem(r.file, r.where, f"'{key}' must be a number from {limits[0]} to {limits[1]}; "
                                                   f"using {default}"))
        return default
    return value


def _pair(r: Reader, key: str, default: tuple[float, float], lat: tuple[float, float],
          lon: tuple[float, float]) -> tuple[float, float]:
    value = r.table.get(key, list(default))
    ok = isinstance(value, list) and len(value) == 2 and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)
    if not ok or not (lat[0] <= value[0] <= lat[1] and lon[0] <= value[1] <= lon[1]):
        r.problems.append(Problem(r.file, r.where, f"'{key}' must be [latitude, longitude] inside the map "
                                                   f"bounds; using {list(default)}"))
        return default
    return float(value[0]), float(value[1])


def _bounds(r: Reader) -> MapBounds:
    """The map's limits from `[meta] bounds`; any unusable part keeps the default."""
    raw = r.table.get("bounds", {})
    if not isinstance(raw, dict):
        r.problems.append(Problem(r.file, "meta.bounds", "'bounds' must be a table; using the defaults"))
        return MapBounds()
    d = MapBounds()
    sub = Reader(r.file, "meta.bounds", raw, r.problems)
    values = {key: _number(sub, key, getattr(d, key), limits) for key, limits in (
        ("min_lat", (-85, 85)), ("max_lat", (-85, 85)), ("min_lon", (-180, 180)), ("max_lon", (-180, 180)),
        ("min_zoom", (0, 18)), ("max_zoom", (0, 18)))}
    if values["min_lat"] >= values["max_lat"] or values["min_lon"] >= values["max_lon"] \
            or values["min_zoom"] > values["max_zoom"]:
        r.problems.append(Problem(r.file, "meta.bounds", "bounds are empty (a minimum above its maximum)"))
        return d
    return MapBounds(**{k: int(v) if "zoom" in k else float(v) for k, v in values.items()})
