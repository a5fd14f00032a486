"""The dated layers' whole history as one file for the browser, so the map draws any day itself.

Encoding (`HISTORY_VERSION`): the occupied area keeps the form it has on disk, keyframes (the
'base' records, about every three weeks) plus each day's gained and lost areas. The browser
rebuilds a day from the nearest keyframe or computed day with two polygon operations per day
(vendored `polygon-clipping`). Per-day full polygons would be ~770 copies of a 3,000-vertex area;
a planar partition would need the browser to dissolve faces (the same polygon library) to draw
one outline. Coordinates are integers on the history's own grid (1e-4°), each ring stored as a
first point and then steps, which gzip packs well. Salient outlines (with their end records) and
events (with `until`) are small: every record is in the file with its date. The settlements that
changed hands are every change of the table (points with their texts), plus the window's length
and the history's first day: the browser picks a day's window as `window_start` and
`Table.rows_between` do, so no day of that layer needs the server either. The town markers'
status comes from the same table: each measured town's days of change (`Table.history`), so the
browser styles a marker and words its tooltip for any day.

Every text the browser shows (tooltips, popups, the 'as of' notes) is made here by the same
escaping helpers as the server's layers (`text.py`): the browser inserts them as they are.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from typing import Any

import folium
import geopandas as gpd
import shapely
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from dashboard.data.figures import DEFAULT_WINDOW_DAYS
from dashboard.data.layers import occupied_props, view_bounds
from dashboard.data.load import Dataset
from dashboard.data.settlements import SettlementsError, load_settlements, settlements_spec, window_features
from dashboard.data.values import STATUS_DASH
from dashboard.map.draw import Publisher, rows_of
from dashboard.map.style import leaflet_style
from dashboard.map.text import feature_popup, feature_tip, html_text

HISTORY_VERSION = 2
#: Coordinates are whole multiples of this (the occupied history's grid).
SCALE = 10_000


def ring_code(ring: Any) -> list[int]:
    """A closed ring as [x0, y0, dx1, dy1, ...] in grid units, without the closing point."""
    points = [(round(x * SCALE), round(y * SCALE)) for x, y in list(ring.coords)[:-1]]
    out: list[int] = []
    px = py = 0
    for x, y in points:
        out += [x - px, y - py]
        px, py = x, y
    return out


def geometry_code(geom: shapely.Geometry | None) -> list[Any]:
    """Polygons as lists of rings, points as [x, y] in grid units; anything else dropped."""
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Point":
        return [round(geom.x * SCALE), round(geom.y * SCALE)]
    polys = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    return [[ring_code(p.exterior), *(ring_code(r) for r in p.interiors)] for p in polys]


def _style(ds: Dataset, spec_style: str, rule: Any) -> dict[str, Any]:
    return {"base": leaflet_style(ds, spec_style), "prop": rule.property if rule else "",
            "values": {k: leaflet_style(ds, v) for k, v in (rule.values.items() if rule else [])}}


def _records(gdf: gpd.GeoDataFrame, rule: Any) -> list[dict[str, Any]]:
    """Dated records with their texts: what the server's layer draws for each of them."""
    out = []
    for row, geom in zip(rows_of(gdf), gdf.geometry, strict=True):
        until = row.get("until")
        out.append({"d": str(row.get("date", ""))[:10], "u": str(until)[:10] if isinstance(until, str) else "",
                    "g": geometry_code(geom), "s": str(row.get("status", "")),
                    "v": str(row.get(rule.property, "")) if rule else "",
                    "tip": feature_tip(row), "popup": feature_popup(row)})
    return out


def _occupied(ds: Dataset) -> dict[str, Any] | None:
    spec = ds.catalog.by_role("history")
    if spec is None or ds.history is None or spec.id not in ds.layers:
        return None
    gdf = ds.layers[spec.id].gdf
    kinds: dict[str, dict[str, list[Any]]] = {"base": {}, "gained": {}, "lost": {}}
    for kind, day, geom in zip(gdf["kind"].astype(str), gdf["date"].astype(str), gdf.geometry, strict=True):
        if kind in kinds:
            kinds[kind][day[:10]] = geometry_code(geom)
    # The server's tooltip for each day (the same facts and escaping as its layer).
    texts = [[feature_tip(props), feature_popup(props)] if props else ["", ""]
             for props in (occupied_props(ds, spec, day) for day in ds.history.days)]
    return {"layer": spec.id, "days": [d.isoformat() for d in ds.history.days], "keys": kinds["base"],
            "gained": kinds["gained"], "lost": kinds["lost"], "texts": texts, "status": spec.status,
            "style": _style(ds, spec.style, spec.style_by)}


def _settlements(ds: Dataset) -> dict[str, Any] | None:
    """Every change of the settlements table, as the server's layer draws it in some window (the
    same row dicts, so the same texts), or None when the table cannot be read (the server's map
    omits the layer then too)."""
    spec = settlements_spec(ds.catalog)
    if spec is None or ds.history is None:
        return None
    try:
        found = load_settlements(ds.root, spec.table)
    except SettlementsError:
        return None
    # The table's first day holds what was inside before the history began: never a change.
    gdf = window_features(found, found.table.first, found.table.last)
    return {"kind": "window", "records": _records(gdf, spec.style_by) if gdf is not None else [],
            "window": DEFAULT_WINDOW_DAYS, "first": ds.history.first.isoformat(),
            "style": _style(ds, spec.style, spec.style_by)}


def _towns(ds: Dataset, article: str) -> dict[str, Any] | None:
    """Each measured town marker's days of change ([day, 1 inside / 0 not], as `Table.history`),
    the marker styles for both states and the tooltip's words around the day (escaped here: the
    town layer's tooltip inserts its text as HTML). None without a readable table."""
    towns, table = ds.catalog.by_role("towns"), settlements_spec(ds.catalog)
    if towns is None or table is None or towns.id not in ds.layers or "geonameid" not in ds.layers[towns.id].gdf:
        return None
    if towns.id not in {spec.id for spec in ds.catalog.for_article(article)}:
        return None
    try:
        found = load_settlements(ds.root, table.table)
    except SettlementsError:
        return None
    days = {str(int(g)): [[d.isoformat(), int(s)] for d, s in found.table.history(int(g))]
            for g in ds.layers[towns.id].gdf["geonameid"].tolist() if found.measured(g)}
    out = {k: v for k, v in leaflet_style(ds, towns.style).items() if k != "radius"}
    occupied = ds.catalog.by_role("history")
    # Inside: filled with the occupied area's fill, opaque (white against vermilion differs in
    # lightness too, so the two states stay apart without colour vision); the outline is kept.
    fill = leaflet_style(ds, occupied.style).get("fillColor") if occupied else None
    status = f" ({html_text(found.status)})"
    return {"layer": towns.id, "towns": days, "status": html_text(found.status),
            "source": html_text(found.source), "rule": html_text(found.rule),
            "style": {"out": out, "in": {**out, "fillColor": fill or "#D55E00", "fillOpacity": 1}},
            "texts": {"in": [" · inside the occupied area on ", status], "out": [" · not inside on ", status]}}


def history_payload(ds: Dataset, article: str) -> bytes:
    """Everything the browser needs to draw the article's dated layers on any day."""
    layers: dict[str, Any] = {}
    window_layer = settlements_spec(ds.catalog)
    for spec in ds.catalog.for_article(article):
        if not spec.dated or spec.id not in ds.layers:
            continue
        if spec.format in ("dated-extents", "dated-events"):
            layers[spec.id] = {"kind": "extents" if spec.format == "dated-extents" else "events",
                               "records": _records(ds.layers[spec.id].gdf, spec.style_by),
                               "style": _style(ds, spec.style, spec.style_by)}
        elif window_layer is not None and spec.id == window_layer.id and (found := _settlements(ds)):
            layers[spec.id] = found
    payload = {"version": HISTORY_VERSION, "scale": SCALE, "dash": STATUS_DASH,
               "daily": _occupied(ds), "layers": layers}
    towns = _towns(ds, article)
    if towns is not None:
        payload["towns"] = towns
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


#: (label, unit, count, tip): the steps of the map's time control and of the sidebar, in order.
STEPS = (("−1m", "month", -1, "One month back"), ("−7d", "week", -1, "One week back"),
         ("−1d", "day", -1, "One day back"), ("+1d", "day", 1, "One day forward"),
         ("+7d", "week", 1, "One week forward"), ("+1m", "month", 1, "One month forward"))
PLAY_UNITS = {"day": "a day", "week": "a week", "month": "a month"}
#: Play's speeds, in steps a second (the reader picks one).
PLAY_SPEEDS = (2, 5, 10, 20)
#: The map's report of its date is an entry of its reported layers named this plus the day.
DATE_MARKER = "sm:date="
#: ... and its report that its first paint is done (its fetched layers drawn) is an entry named this.
PAINTED_MARKER = "sm:painted"


@functools.lru_cache(maxsize=8)
def published_history(ds: Dataset, article: str, publish: Publisher) -> str | None:
    """The article's history file's URL (built and written once per process and article)."""
    return publish(f"history-{article}", history_payload(ds, article))


class TimeControl(JSCSSMixin, MacroElement):
    """The map's own date: steps, a slider and Play, drawn in the browser (static/map/time.js)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        if (window.SmTime) {
          window.SmTime.attach({{ this._parent.get_name() }}, {{ this.config|tojson }}, {towns: {{ this.towns_js() }}});
        }
        {% endmacro %}
    """)

    def __init__(self, vendor: str, url: str, first: date, last: date, titles: dict[str, str],
                 towns: str = "") -> None:
        super().__init__()
        self._name = "TimeControl"
        self.towns = towns
        static = vendor.rsplit("/", 1)[0]
        self.default_js = [("polygon_clipping", f"{vendor}/polygon-clipping/polygon-clipping.min.js"),
                           ("sm_time", f"{static}/map/time.js")]
        self.default_css = [("sm_time_css", f"{static}/map/time.css")]
        self.config = {"url": url, "first": first.isoformat(), "last": last.isoformat(),
                       "steps": [list(s) for s in STEPS], "units": PLAY_UNITS, "speeds": list(PLAY_SPEEDS),
                       "marker": DATE_MARKER, "painted": PAINTED_MARKER, "titles": titles, "position": "bottomleft"}

    def towns_js(self) -> str:
        """The JavaScript name of the town markers' layer (`draw._add_places` names it after the
        layer id), or null. Asked while the script is written: streamlit-folium renames elements
        as it writes them, and the markers come before this control in the base map."""
        stack: list[Element] = [self._parent] if self.towns and self._parent is not None else []
        while stack:
            element = stack.pop(0)
            if isinstance(element, folium.GeoJson) and element.layer_name == self.towns:
                return element.get_name()
            stack.extend(element._children.values())
        return "null"


def time_control(ds: Dataset, article: str, vendor: str, publish: Publisher) -> TimeControl | None:
    """The control for the article's map, or None without a history file to draw from."""
    url = published_history(ds, article, publish)
    if url is None:
        return None
    bounds = view_bounds(ds)
    titles = {spec.id: spec.title.split(" (")[0] for spec in ds.catalog.layers.values() if spec.dated}
    towns = ds.catalog.by_role("towns")
    return TimeControl(vendor, url, bounds.first, bounds.last, titles, towns.id if towns else "")
