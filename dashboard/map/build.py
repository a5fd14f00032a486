"""Pure map builder: (Dataset, ViewState) -> folium.Map or its pieces. No Streamlit here.

The map splits in two so the page can keep one Leaflet map alive while the date changes:
`base_map` holds the basemap and the undated overlays (it only changes with the basemap or
the visible layers); `dated_groups` holds the layers that depend on the date, which the page
swaps in place. `build_map` joins both for a standalone map (downloads, tests).

Features come from `dashboard.data.layers.view_features`, the same builder the downloads use.
"""

from __future__ import annotations

import folium

from dashboard.data.layers import view_features
from dashboard.data.load import Dataset
from dashboard.data.view import ViewState
from dashboard.map import draw
from dashboard.map.draw import Publisher
from dashboard.map.elements import AsOf, Attribution, FixedControl
from dashboard.map.style import map_css
from dashboard.map.text import attribution_html, html_text, layer_label, legend_html

#: Relative to the map iframe (<base>/component/streamlit_folium.st_folium/index.html), this
#: reaches Streamlit's static folder (<base>/app/static/) with or without a base path.
ASSET_BASE = "../../app/static/vendor/leaflet"
#: Draw order whatever the load order: basemap < reference overlays < dated overlays (400) < labels.
PANES = (("sm-basemap", 250), ("sm-reference", 390), ("sm-labels", 580))


def base_map(ds: Dataset, view: ViewState, asset_base: str = ASSET_BASE,
             publish: Publisher | None = None) -> folium.Map:
    """Basemap, undated overlays, legend; no date-dependent content. With `publish`, the big
    undated layers are served as static files and fetched by the browser."""
    b = ds.catalog.meta.bounds if ds.catalog.meta else None
    limits = {"min_zoom": b.min_zoom, "max_zoom": b.max_zoom, "min_lat": b.min_lat, "max_lat": b.max_lat,
              "min_lon": b.min_lon, "max_lon": b.max_lon} if b else {}
    m = folium.Map(location=[view.lat, view.lon], zoom_start=view.zoom, tiles=None, control_scale=True,
                   max_bounds=bool(b), **limits)
    # Instance attributes shadow folium's CDN defaults: everything comes from the app itself.
    m.default_js = [("leaflet", f"{asset_base}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{asset_base}/leaflet.css")]
    background = next((bm.background for bm in ds.catalog.basemaps.values() if bm.id == view.basemap), "#dbe7ef")
    m.get_root().header.add_child(folium.Element(map_css(background)))
    for pane, z_index in PANES:
        folium.map.CustomPane(pane, z_index=z_index, pointer_events=pane == "sm-reference").add_to(m)
    _add_basemaps(m, ds, view, publish)
    for spec in ds.catalog.for_article(view.article):
        if not spec.dated:
            group = folium.FeatureGroup(name=layer_label(spec), show=spec.id in view.layers, overlay=True)
            gdf = view_features(ds, spec, view)
            if gdf is not None:
                draw.add_features(group, ds, spec, gdf, publish)
            group.add_to(m)
    FixedControl(legend_html(ds, view.article), "bottomleft", "sm-legend").add_to(m)
    Attribution(attribution_html(ds)).add_to(m)
    FixedControl("", "topright", "sm-asof").add_to(m)
    return m


def _add_basemaps(m: folium.Map, ds: Dataset, view: ViewState, publish: Publisher | None) -> None:
    for bm in ds.catalog.basemaps.values():
        if bm.kind == "tiles":
            folium.TileLayer(tiles=bm.url, attr=html_text(bm.attribution), name=html_text(bm.title),
                             overlay=False, control=False, show=bm.id == view.basemap, max_zoom=13).add_to(m)
            continue
        group = folium.FeatureGroup(name=html_text(bm.title), overlay=False, control=False,
                                    show=bm.id == view.basemap)
        for part, gdf in ds.basemap.get(bm.id, []):
            draw.add_basemap_part(group, ds, bm.id, part, gdf, publish)
        group.add_to(m)


def dated_groups(ds: Dataset, view: ViewState) -> list[folium.FeatureGroup]:
    """One FeatureGroup per visible dated layer, for the view's date (and comparison)."""
    groups: list[folium.FeatureGroup] = []
    for spec in ds.catalog.for_article(view.article):
        if not spec.dated or spec.id not in view.layers or spec.id not in ds.layers:
            continue
        if spec.role == "changed-hands" and view.compare is None:
            continue
        group = folium.FeatureGroup(name=layer_label(spec), overlay=True)
        gdf = view_features(ds, spec, view)
        if gdf is not None:
            draw.add_features(group, ds, spec, gdf, None)
        groups.append(group)
    if groups:
        groups[0].add_child(AsOf(as_of_text(ds, view)))
    return groups


def as_of_text(ds: Dataset, view: ViewState) -> str:
    text = f"Map date {view.date.isoformat()}"
    if ds.history is not None:
        shown = ds.history.shown_day(view.date)
        if shown and shown != view.date:
            text += f" (occupied area: no snapshot; nearest earlier day {shown.isoformat()})"
    text += _salient_end(ds, view)
    if view.compare:
        text += f" · changes since {view.compare.isoformat()}"
    return text


def _salient_end(ds: Dataset, view: ViewState) -> str:
    """After the held outlines end, say why nothing is drawn (from the end records themselves)."""
    spec = ds.catalog.by_role("salient")
    if spec is None or spec.id not in view.layers:
        return ""
    shown = view_features(ds, spec, view)
    if shown is None or shown.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).any():
        return ""
    statuses = "/".join(sorted(set(shown["status"].astype(str))))
    title = spec.title.split(" (")[0]
    return f" · {title}: none drawn since {shown['date'].iloc[0]} ({statuses}; click the markers)"


def overlay_labels(ds: Dataset) -> dict[str, str]:
    """Layer-control label -> catalog layer id (the control only knows labels)."""
    return {layer_label(spec): spec.id for spec in ds.catalog.layers.values()}


def visible_labels(ds: Dataset, view: ViewState) -> list[str]:
    return [layer_label(spec) for spec in ds.catalog.for_article(view.article) if spec.id in view.layers]


def build_map(ds: Dataset, view: ViewState, asset_base: str = ASSET_BASE) -> folium.Map:
    """The whole map in one object (base + dated layers + layer control)."""
    m = base_map(ds, view, asset_base)
    for group in dated_groups(ds, view):
        group.add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return m


def layer_names(m: folium.Map) -> list[str]:
    """Names of the map's FeatureGroups/TileLayers (for tests and the page)."""
    return [c.layer_name for c in m._children.values() if hasattr(c, "layer_name")]
