"""The features a view shows, with their provenance: the one builder behind the map and every
download, so a feature's name, source, status and date are the same wherever a reader meets it.

Every frame returned here has `name`, `status`, `date`, `source` and `source_url` on each row,
plus what the layer adds (`kind`, `measured_area_km2`, `claimed_area_km2`, `note`, ...).
"""

from __future__ import annotations

import bisect
import functools
from datetime import date

import geopandas as gpd
import pandas as pd
import shapely

from dashboard.data.geometry import DEFAULT_EQUAL_AREA, gained_and_lost, measured_km2, polygonal
from dashboard.data.history import extent_for
from dashboard.data.load import Dataset
from dashboard.data.settlements import SettlementsError, load_settlements, settlements_spec, window_features
from dashboard.data.specs import COMPUTED_FORMATS, LayerSpec
from dashboard.data.view import Bounds, ViewState, bounds_from

PROVENANCE = ("name", "status", "date", "source", "source_url")
CHANGE_LABELS = {"taken": "Taken by Russian forces",
                 "regained": "Gained by Ukrainian forces (regained in Ukraine, taken in Kursk Oblast)"}


def equal_area(ds: Dataset) -> str:
    return ds.catalog.meta.equal_area_crs if ds.catalog.meta else DEFAULT_EQUAL_AREA


def view_bounds(ds: Dataset) -> Bounds:
    """The limits of a view of this dataset (through the history's last day)."""
    return bounds_from(ds.catalog, ds.history.last if ds.history is not None else None)


def view_features(ds: Dataset, spec: LayerSpec, view: ViewState) -> gpd.GeoDataFrame | None:
    """What layer `spec` shows for `view`, or None when it shows nothing."""
    if spec.id not in ds.layers:
        return None
    gdf = ds.layers[spec.id].gdf
    if spec.format == "dated-events":
        gdf = events_on(gdf, view.date)
    elif spec.format == "dated-extents":
        gdf = extent_for(gdf, view.date)
    elif spec.format == "daily-changes":
        gdf = occupied_on(ds, spec, view.date)
    elif spec.role == "changed-hands":
        gdf = changes_between(ds, spec, view.compare, view.date) if view.compare else None
    elif spec.format in COMPUTED_FORMATS and spec.table:
        gdf = settlement_changes(ds, spec, view)
    elif spec.role == "towns":
        gdf = with_occupation(ds, gdf)
    return None if gdf is None or gdf.empty else gdf


def settlement_changes(ds: Dataset, spec: LayerSpec, view: ViewState) -> gpd.GeoDataFrame | None:
    """Settlements whose point went into or out of the occupied area in the view's window: after
    the compare date, or with none set the default window before the map date, up to the map date."""
    from dashboard.data.figures import window_start  # here, not at the top: figures imports this module

    if ds.history is None:
        return None
    try:
        found = load_settlements(ds.root, spec.table)
    except SettlementsError:  # named by dashboard.check and by the panel; the map just omits it
        return None
    return window_features(found, window_start(view.date, view.compare, ds.history.first), view.date)


def with_occupation(ds: Dataset, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Towns of Ukraine with a `detail`: their point's days inside the occupied area (the
    settlements table, assessed), so a town marker says whether and since when it is occupied."""
    spec = settlements_spec(ds.catalog)
    if spec is None or "geonameid" not in gdf.columns or "detail" in gdf.columns:
        return gdf
    try:
        found = load_settlements(ds.root, spec.table)
    except SettlementsError:
        return gdf
    details = [found.describe(int(g)) if found.measured(g) else "" for g in gdf["geonameid"].tolist()]
    return gdf.assign(detail=details) if any(details) else gdf


def events_on(gdf: gpd.GeoDataFrame, day: date) -> gpd.GeoDataFrame:
    """Events shown on `day`: from the day they were reported (never before it was known) until
    their optional `until` day, when the situation they describe ended."""
    shown = gdf["date"].astype(str) <= day.isoformat()
    if "until" in gdf.columns:
        until = gdf["until"].astype(str)
        shown &= gdf["until"].isna() | (until == "") | (until >= day.isoformat())
    return gdf[shown]


def visible_features(ds: Dataset, view: ViewState) -> gpd.GeoDataFrame:
    """Every feature of every visible layer for the view, with a `layer` column."""
    frames = []
    for spec in ds.catalog.layers.values():
        if spec.id in view.layers:
            gdf = view_features(ds, spec, view)
            if gdf is not None:
                frames.append(gdf.assign(layer=spec.id))
    if not frames:
        return gpd.GeoDataFrame({"layer": []}, geometry=[], crs=4326)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=4326)


def _provenance(ds: Dataset, spec: LayerSpec) -> dict[str, str]:
    source = ds.catalog.sources.get(spec.source)
    return {"status": spec.status, "source": source.attribution if source else spec.source,
            "source_url": source.url if source else ""}


def occupied_on(ds: Dataset, spec: LayerSpec, day: date) -> gpd.GeoDataFrame | None:
    """The occupied area shown for `day` (the latest snapshot at or before it)."""
    if ds.history is None:
        return None
    snap = ds.history.snapshot(day)
    if snap.shown is None or snap.geometry.is_empty:
        return None
    return gpd.GeoDataFrame([occupied_props(ds, spec, day)], geometry=[snap.geometry], crs=4326)


def occupied_props(ds: Dataset, spec: LayerSpec, day: date) -> dict[str, object]:
    """The occupied area's properties for `day` (its tooltip's facts). The geometry is replayed
    only when the areas table lacks the day: the browser's history file asks for every day."""
    assert ds.history is not None
    shown = ds.history.shown_day(day)
    if shown is None:
        return {}
    row = ds.history.area_row(day)
    crs = equal_area(ds)
    area = float(row["total_km2"]) if row is not None else measured_km2(ds.history.snapshot(day).geometry, crs)
    note = f"Area measured on the full-resolution snapshot ({crs})."
    if shown != day:
        note += (f" The source has no snapshot for {day.isoformat()}: this is the nearest earlier day, "
                 f"{shown.isoformat()}.")
    return {"name": f"Russian-occupied Ukraine on {shown.isoformat()}", "date": shown.isoformat(),
            **_provenance(ds, spec), "measured_area_km2": round(area), "note": note}


@functools.lru_cache(maxsize=8)
def _record_days(ds: Dataset, layer_id: str) -> tuple[str, ...]:
    """The layer's record days as ISO text (dated layers are validated so; any other text a
    catalog gives a role's layer is left out rather than break the page)."""
    return tuple(sorted(d for d in set(ds.layers[layer_id].gdf["date"].astype(str).str.slice(0, 10)) if _iso(d)))


def _iso(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def shown_record_day(ds: Dataset, layer_id: str, day: date) -> date | None:
    """The date of the dated-extent record a layer shows on `day` (None before its first): what
    the day's outline depends on, so figures of an outline are cached by it, not by the day."""
    days = _record_days(ds, layer_id)
    i = bisect.bisect_right(days, day.isoformat())
    return date.fromisoformat(days[i - 1]) if i else None


def held_outline(ds: Dataset, day: date) -> shapely.Geometry:
    """The Ukrainian-held area in Russia (the `salient` layer's outline) shown on `day`."""
    spec = ds.catalog.by_role("salient")
    if spec is None or spec.id not in ds.layers:
        return shapely.MultiPolygon()
    shown = extent_for(ds.layers[spec.id].gdf, day)
    return polygonal(shown.geometry.union_all()) if not shown.empty else shapely.MultiPolygon()


def change_geometries(ds: Dataset, earlier: date, later: date) -> dict[str, shapely.Geometry]:
    """Areas that changed hands between two dates: the occupied history in Ukraine, the held
    outlines in Russia (there, a shrinking outline means Russian forces took ground)."""
    taken, regained = shapely.MultiPolygon(), shapely.MultiPolygon()
    if ds.history is not None:
        taken, regained = gained_and_lost(ds.history.snapshot(earlier).geometry, ds.history.snapshot(later).geometry)
    held_gained, held_lost = gained_and_lost(held_outline(ds, earlier), held_outline(ds, later), grid=None)
    return {"taken": polygonal(shapely.union(taken, held_lost)),
            "regained": polygonal(shapely.union(regained, held_gained))}


def changes_between(ds: Dataset, spec: LayerSpec, earlier: date, later: date) -> gpd.GeoDataFrame | None:
    crs = equal_area(ds)
    occupied, salient = ds.catalog.by_role("history"), ds.catalog.by_role("salient")
    sources = [f"{ds.catalog.source_name(occupied.source)} snapshots (Ukraine)" if occupied else "",
               f"{ds.catalog.source_name(salient.source)}, approximate outlines (Russia)" if salient else ""]
    rows, shapes = [], []
    for kind, geom in change_geometries(ds, earlier, later).items():
        if geom.is_empty:
            continue
        rows.append({"kind": kind, "name": f"{CHANGE_LABELS[kind]}, {earlier.isoformat()} to {later.isoformat()}",
                     "date": later.isoformat(), **_provenance(ds, spec),
                     "source": "; ".join(s for s in sources if s), "measured_area_km2": round(measured_km2(geom, crs)),
                     "note": f"Computed: the difference between the two dates' areas, measured in {crs}."})
        shapes.append(geom)
    return gpd.GeoDataFrame(rows, geometry=shapes, crs=4326) if rows else None
