"""What a reader can take away: the visible layers as GeoJSON, the figures as CSV, the map as
one offline HTML file. Pure: no Streamlit."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.data import Dataset
from dashboard.figures import key_figures
from dashboard.history import extent_for
from dashboard.map_builder import build_map, change_geometries
from dashboard.measures import occupied_changes, salient_change, window_start
from dashboard.view_state import ViewState

LEAFLET_DIR = Path(__file__).resolve().parent / "static" / "vendor" / "leaflet"
_PLACEHOLDER = "__SITUATION_MAP_LEAFLET__"


def visible_features(ds: Dataset, view: ViewState) -> gpd.GeoDataFrame:
    """Every feature the map shows for this view, with its provenance and a `layer` column."""
    frames: list[gpd.GeoDataFrame] = []
    for spec in ds.catalog.layers.values():
        if spec.id not in view.layers or spec.id not in ds.layers:
            continue
        gdf = _layer_for_view(ds, spec.id, spec.format, spec.status, view)
        if gdf is not None and not gdf.empty:
            frames.append(gdf.assign(layer=spec.id))
    if not frames:
        return gpd.GeoDataFrame({"layer": []}, geometry=[], crs=4326)
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=4326)


def _layer_for_view(ds: Dataset, layer_id: str, fmt: str, status: str, view: ViewState) -> gpd.GeoDataFrame | None:
    gdf = ds.layers[layer_id].gdf
    if fmt == "plain":
        return gdf
    if fmt == "dated-events":
        return gdf[gdf["date"].astype(str) <= view.date.isoformat()]
    if fmt == "dated-extents":
        return extent_for(gdf, view.date)
    if fmt == "daily-changes" and ds.history is not None:
        snap = ds.history.snapshot(view.date)
        if snap.shown is None:
            return None
        row = ds.history.area_row(view.date)
        props = {"name": f"Russian-occupied Ukraine on {snap.shown.isoformat()}", "date": snap.shown.isoformat(),
                 "status": status, "source": str(gdf["source"].iloc[0]), "source_url": str(gdf["source_url"].iloc[0]),
                 "measured_area_km2": None if row is None else float(row["total_km2"])}
        return gpd.GeoDataFrame([props], geometry=[snap.geometry], crs=4326)
    if fmt == "changes" and view.compare is not None:
        rows, shapes = [], []
        for kind, geom in change_geometries(ds, view.date, view.compare).items():
            if not geom.is_empty:
                rows.append({"name": f"{kind} between {view.compare.isoformat()} and {view.date.isoformat()}",
                             "kind": kind, "date": view.date.isoformat(), "status": status,
                             "source": "DeepStateMap snapshots; Kursk salient outlines (approximate)",
                             "source_url": "https://deepstatemap.live/"})
                shapes.append(geom)
        return gpd.GeoDataFrame(rows, geometry=shapes, crs=4326) if rows else None
    return None


def geojson_bytes(ds: Dataset, view: ViewState) -> bytes:
    gdf = visible_features(ds, view)
    data = json.loads(gdf.to_json(drop_id=True, na="null"))
    data["view"] = {"date": view.date.isoformat(), "compare": view.compare.isoformat() if view.compare else None,
                    "layers": list(view.layers)}
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def figures_csv(ds: Dataset, view: ViewState, first: date) -> str:
    """Key figures and the window's measured changes, one row each, with their provenance."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["figure", "value", "change", "status", "date", "source", "source_url", "article_section"])
    for fig in key_figures(ds, view.date):
        s = fig.spec
        writer.writerow([s.label, fig.value, fig.delta or "", s.status, fig.data_date.replace("dated ", ""),
                         s.source, s.source_url, s.article_section])
    start = window_start(view.date, view.compare, first)
    changes = occupied_changes(ds, start, view.date)
    salient = salient_change(ds, start, view.date)
    for fig in [*changes, *([salient] if salient else [])]:
        status = "claimed" if fig.label.startswith("Kursk") else "assessed"
        writer.writerow([f"{fig.label} ({fig.start_shown} to {fig.end_shown})", f"{fig.value_km2:.0f} km²",
                         f"{fig.change_km2:+.0f} km²", status, fig.end_shown,
                         "DeepStateMap / dated reports, measured with GeoPandas", "https://deepstatemap.live/",
                         "The Broader Impact on the Ukraine War"])
    return buf.getvalue()


def standalone_html(ds: Dataset, view: ViewState) -> str:
    """The map as one HTML file that works offline: Leaflet and its images are inlined."""
    html = build_map(ds, view, asset_base=_PLACEHOLDER).get_root().render()
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def inline_image(match: re.Match[str]) -> str:
        path = LEAFLET_DIR / match.group(1)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[a-z0-9-]+\.png)\)", inline_image, css)
    html = re.sub(rf'<script src="{_PLACEHOLDER}/leaflet.js"></script>',
                  lambda _m: f"<script>{js}</script>", html)
    html = re.sub(rf'<link rel="stylesheet" href="{_PLACEHOLDER}/leaflet.css"\s*/>',
                  lambda _m: f"<style>{css}</style>", html)
    return html
