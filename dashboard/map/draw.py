"""Draw one layer's features into a folium group: inline GeoJSON, a fetched static file, or
town markers with permanent names. Every text arrives escaped from `text.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import folium
import geopandas as gpd

from dashboard.data.load import Dataset
from dashboard.data.specs import BasemapPart, LayerSpec, StyleRule
from dashboard.map.elements import FetchedGeoJson
from dashboard.map.style import leaflet_style, style_function
from dashboard.map.text import feature_popup, feature_tip, html_text, label_html

#: Turns a file's bytes into a URL the map's page can fetch, or None to inline the data instead.
Publisher = Callable[[str, bytes], str | None]


def rows_of(gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    return [dict(r) for r in gdf.drop(columns="geometry").to_dict("records")]


def _kept(gdf: gpd.GeoDataFrame, rule: StyleRule | None, texts: dict[str, list[str] | None]) -> gpd.GeoDataFrame:
    """Only what the browser needs: geometry, status (line pattern), the styling property, texts."""
    keep = gdf[["geometry"]].copy()
    for column in ("status", *([rule.property] if rule else [])):
        if column in gdf.columns:
            keep[column] = gdf[column].astype(str)
    for column, values in texts.items():
        if values is not None:
            keep[column] = values
    return keep


def add_features(group: folium.FeatureGroup, ds: Dataset, spec: LayerSpec, gdf: gpd.GeoDataFrame,
                 publish: Publisher | None, pane: str | None = None) -> None:
    """`pane`: a custom pane for inline layers (the swipe view's sides), else Leaflet's default."""
    # Towns, and any undated layer of named points (a draft article's places), are named markers.
    if spec.role == "towns" or (not spec.dated and len(gdf) and (gdf.geometry.geom_type == "Point").all()):
        _add_places(group, ds, spec, gdf)
        return
    rows = rows_of(gdf)
    tips, popups = [feature_tip(r) for r in rows], [feature_popup(r) for r in rows]
    if publish is not None:
        fetched = _published(gdf, ds, spec.style, spec.style_by, f"layer-{spec.id}", publish,
                             {"tip": tips, "popup": popups}, "sm-reference")
        if fetched is not None:
            fetched.add_to(group)
            return
    _geojson(gdf, ds, spec.style, spec.style_by, spec.id, tips, popups, pane).add_to(group)


def add_basemap_part(group: folium.FeatureGroup, ds: Dataset, basemap_id: str, part: BasemapPart,
                     gdf: gpd.GeoDataFrame, publish: Publisher | None) -> None:
    name = f"basemap-{basemap_id}-{part.file.rsplit('/', 1)[-1].split('.')[0]}"
    labels = [label_html(r) for r in rows_of(gdf)] if part.style == "label" else None
    if publish is not None:
        fetched = _published(gdf, ds, part.style, part.style_by, name, publish, {"label": labels},
                             "sm-labels" if labels is not None else "sm-basemap")
        if fetched is not None:
            fetched.add_to(group)
            return
    if labels is None:
        _geojson(gdf, ds, part.style, part.style_by, part.file).add_to(group)
        return
    for label, geom in zip(labels, gdf.geometry, strict=True):
        folium.Marker([geom.y, geom.x], interactive=False, keyboard=False,
                      icon=folium.DivIcon(html=label, icon_size=(0, 0), icon_anchor=(0, 8),
                                          class_name="sm-label-icon")).add_to(group)


def _published(gdf: gpd.GeoDataFrame, ds: Dataset, style: str, rule: StyleRule | None, name: str,
               publish: Publisher, texts: dict[str, list[str] | None], pane: str) -> FetchedGeoJson | None:
    """The layer as a fetched static file, or None when publishing is not possible (inline instead)."""
    payload = _kept(gdf, rule, texts).to_json(drop_id=True, separators=(",", ":")).encode("utf-8")
    url = publish(name, payload)
    if url is None:
        return None
    styles = {k: leaflet_style(ds, v) for k, v in (rule.values.items() if rule else [])}
    interactive = texts.get("tip") is not None or texts.get("popup") is not None
    return FetchedGeoJson(url, leaflet_style(ds, style), styles, rule.property if rule else "",
                          interactive=interactive, pane=pane)


def _geojson(gdf: gpd.GeoDataFrame, ds: Dataset, style: str, rule: StyleRule | None, name: str,
             tips: list[str] | None = None, popups: list[str] | None = None, pane: str | None = None) -> folium.GeoJson:
    keep = _kept(gdf, rule, {"tip": tips, "popup": popups})
    points = bool(len(gdf)) and bool((gdf.geometry.geom_type == "Point").any())
    marker_style = {k: v for k, v in leaflet_style(ds, style).items() if k != "radius"}
    if pane:
        marker_style["pane"] = pane
    return folium.GeoJson(
        keep.to_json(drop_id=True), name=name, style_function=style_function(ds, style, rule),
        # Point features (such as a dated claim with no area) draw as circles, never as image pins.
        marker=folium.CircleMarker(radius=7, **marker_style) if points else None,
        highlight_function=(lambda _f: {"weight": 3}) if tips is not None else None,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True) if tips is not None else None,
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False) if popups is not None else None,
        smooth_factor=1.0, **({"pane": pane} if pane else {}),
    )


def _add_places(group: folium.FeatureGroup, ds: Dataset, spec: LayerSpec, gdf: gpd.GeoDataFrame) -> None:
    """Towns as circle markers with permanent name labels (GeoJSON, so no jQuery popups)."""
    style = leaflet_style(ds, spec.style)
    radius = float(style.pop("radius", 5))
    gdf = gdf[(gdf.geometry.geom_type == "Point") & ~gdf.geometry.is_empty]
    rows = rows_of(gdf)
    labels = [html_text(r.get("name", "")) for r in rows]
    # The GeoNames id lets the map's clock (static/map/time.js) find a town's days inside the
    # occupied area; it rewrites `tip` (the name, then the day's status) and keeps `label`.
    ids = [str(r.get("geonameid", "")).removesuffix(".0") for r in rows]
    data = gpd.GeoDataFrame({"label": labels, "tip": labels, "popup": [feature_popup(r) for r in rows],
                             "geonameid": [g if g.isdigit() else "" for g in ids]},
                            geometry=list(gdf.geometry), crs=4326)
    # Label priority when labels collide (layout.LabelDeclutter): the bigger town wins.
    ranks = [_population(r) for r in rows]
    folium.GeoJson(
        data.to_json(drop_id=True), name=spec.id, marker=folium.CircleMarker(radius=radius, **style),
        style_function=lambda _f: style,
        # its own class: time.css lets the longer dated text wrap instead of running off a phone's map
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True, class_name="sm-town-tip"),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False),
    ).add_to(group)
    # Permanent names: one DivIcon per town (a GeoJSON layer's permanent tooltip opens only once).
    for label, rank, geom in zip(data["label"], ranks, data.geometry, strict=False):
        folium.Marker([geom.y, geom.x], interactive=False, keyboard=False, icon=folium.DivIcon(
            html=f'<div class="sm-place" data-rank="{rank}">{label}</div>', icon_size=(0, 0),
            icon_anchor=(-8, 9), class_name="sm-label-icon")).add_to(group)


def _population(row: dict[str, Any]) -> int:
    """A whole number (it goes into an HTML attribute), 0 when missing or not a number."""
    try:
        value = float(row.get("population") or 0)
    except (TypeError, ValueError):
        return 0
    return int(value) if value == value and 0 <= value < 1e10 else 0
