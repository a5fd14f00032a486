"""Pure map builder: (Dataset, ViewState) -> folium.Map or its pieces. No Streamlit here.

The map splits in two so the page can keep one Leaflet map alive while the date changes:
`base_map` holds the basemap and the undated overlays (it only changes with the basemap or
the visible layers); `dated_groups` holds the layers that depend on the date, which the page
swaps in place. `build_map` joins both for a standalone map (downloads, tests).

Features come from `dashboard.data.layers.view_features`, the same builder the downloads use.
"""

from __future__ import annotations

from dataclasses import replace

import folium

from dashboard.data.layers import view_features
from dashboard.data.load import Dataset
from dashboard.data.view import MODES, ViewState
from dashboard.map import draw
from dashboard.map.draw import Publisher
from dashboard.map.elements import AsOf, Attribution, FixedControl
from dashboard.map.layout import FitStory, LabelDeclutter, SourcesToggle
from dashboard.map.search_index import town_list
from dashboard.map.style import map_css
from dashboard.map.text import attribution_html, html_text, layer_label, legend_html
from dashboard.map.timeline import time_control
from dashboard.map.tools import SWIPE_LEFT, SWIPE_RIGHT, MeasureControl, PlaceSearch, SwipeControl, SwipeDates

#: Relative to the map iframe (<base>/component/streamlit_folium.st_folium/index.html), this
#: reaches Streamlit's static folder (<base>/app/static/) with or without a base path.
ASSET_BASE = "../../app/static/vendor/leaflet"
#: Draw order whatever the load order: basemap < reference overlays < dated overlays (400) < labels.
PANES = (("sm-basemap", 250), ("sm-reference", 390), ("sm-labels", 580))
#: The swipe view's two sides (the plugin clips a whole pane per side); they take pointer events.
SWIPE_PANES = ((SWIPE_LEFT, 400), (SWIPE_RIGHT, 401))
#: Roles of the dated layers the swipe view shows for both dates (occupied area, salient).
SWIPE_ROLES = ("history", "salient")
#: The comparison as one layer of changes, or both dates side by side (the URL's `mode`).
CHANGES, SWIPE = MODES
#: Around the story's towns and outlines, for the first view on a small map (degrees).
STORY_PAD = 0.15


def base_map(ds: Dataset, view: ViewState, asset_base: str = ASSET_BASE,
             publish: Publisher | None = None, tools: bool = False) -> folium.Map:
    """Basemap, undated overlays, legend; no date-dependent content. With `publish`, the big
    undated layers are served as static files and fetched by the browser. With `tools` (the
    app's map, whose plugins the app serves), the swipe divider, measuring and place search."""
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
    for pane, z_index in SWIPE_PANES:
        folium.map.CustomPane(pane, z_index=z_index, pointer_events=True).add_to(m)
    _add_basemaps(m, ds, view, publish)
    for spec in ds.catalog.for_article(view.article):
        if not spec.dated:
            group = folium.FeatureGroup(name=layer_label(spec), show=spec.id in view.layers, overlay=True)
            gdf = view_features(ds, spec, view)
            if gdf is not None:
                draw.add_features(group, ds, spec, gdf, publish)
            group.add_to(m)
    FixedControl(legend_html(ds, view.article), "bottomleft", "sm-legend").add_to(m)
    Attribution(attribution_html(ds, view.article)).add_to(m)
    FixedControl("", "topright", "sm-asof").add_to(m)
    SourcesToggle().add_to(m)
    LabelDeclutter().add_to(m)
    story = _story_bounds(ds)
    if story and ds.catalog.meta and (view.lat, view.lon, view.zoom) == (
            *ds.catalog.meta.default_center, ds.catalog.meta.default_zoom):
        FitStory(story, view.lat, view.lon, view.zoom).add_to(m)  # only when the link named no centre or zoom
    if tools:
        _add_tools(m, ds, asset_base.rsplit("/", 1)[0], publish, view.article)
    return m


def _add_tools(m: folium.Map, ds: Dataset, vendor: str, publish: Publisher | None, article: str) -> None:
    SwipeControl(vendor).add_to(m)
    control = time_control(ds, article, vendor, publish) if publish is not None else None
    if control is not None:  # the map draws any day itself once its history file is fetched
        control.add_to(m)
    MeasureControl(vendor).add_to(m)
    b = ds.catalog.meta.bounds if ds.catalog.meta else None
    towns = town_list(ds.root, (b.min_lat, b.max_lat, b.min_lon, b.max_lon) if b else None)
    url = publish("search-towns", towns) if publish is not None and towns is not None else None
    if url is not None:
        PlaceSearch(url).add_to(m)


def _story_bounds(ds: Dataset) -> list[list[float]] | None:
    """[[south, west], [north, east]] around the story's towns and salient outlines."""
    boxes = [ds.layers[spec.id].gdf.total_bounds for spec in ds.catalog.layers.values()
             if spec.role in ("towns", "salient") and spec.id in ds.layers and len(ds.layers[spec.id].gdf)]
    if not boxes:
        return None
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return [[round(south - STORY_PAD, 4), round(west - STORY_PAD, 4)],
            [round(north + STORY_PAD, 4), round(east + STORY_PAD, 4)]]


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


def swiping(view: ViewState) -> bool:
    return view.mode == SWIPE and view.compare is not None


def dated_groups(ds: Dataset, view: ViewState) -> list[folium.FeatureGroup]:
    """One FeatureGroup per visible dated layer, for the view's date (and comparison). In the
    swipe view the occupied area and the salient are drawn for both dates, each in its side's
    pane (one group per layer, so the layer switch turns both sides on or off), and the
    changes layer is left out."""
    groups: list[folium.FeatureGroup] = []
    swipe = swiping(view)
    for spec in ds.catalog.for_article(view.article):
        if not spec.dated or spec.id not in view.layers or spec.id not in ds.layers:
            continue
        if spec.role == "changed-hands" and (view.compare is None or swipe):
            continue
        group = folium.FeatureGroup(name=layer_label(spec), overlay=True)
        group.sm_layer_id = spec.id  # the browser draws other days into this group (timeline.py)
        if swipe and spec.role in SWIPE_ROLES and view.compare is not None:
            sides = ((replace(view, date=view.compare), SWIPE_LEFT), (view, SWIPE_RIGHT))
        else:
            sides = ((view, None),)
        for side, pane in sides:
            gdf = view_features(ds, spec, side)
            if gdf is not None:
                draw.add_features(group, ds, spec, gdf, None, pane=pane)
        groups.append(group)
    if groups:
        groups[0].add_child(AsOf(as_of_text(ds, view)))
        if swipe and view.compare is not None:
            groups[0].add_child(SwipeDates(view.compare.isoformat(), view.date.isoformat()))
    return groups


def as_of_text(ds: Dataset, view: ViewState) -> str:
    text = f"Map date {view.date.isoformat()}"
    if ds.history is not None:
        shown = ds.history.shown_day(view.date)
        if shown and shown != view.date:
            text += f" (occupied area: no snapshot; nearest earlier day {shown.isoformat()})"
    text += _salient_end(ds, view)
    if swiping(view) and view.compare:
        text += f" · swipe: left {view.compare.isoformat()}, right {view.date.isoformat()}"
    elif view.compare:
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


def build_map(ds: Dataset, view: ViewState, asset_base: str = ASSET_BASE, tools: bool = False) -> folium.Map:
    """The whole map in one object (base + dated layers + layer control). Without `tools`
    (a download, which carries Leaflet only) the swipe view falls back to the changes layer."""
    m = base_map(ds, view, asset_base, tools=tools)
    for group in dated_groups(ds, view if tools else replace(view, mode=CHANGES)):
        group.add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return m


def layer_names(m: folium.Map) -> list[str]:
    """Names of the map's FeatureGroups/TileLayers (for tests and the page)."""
    return [c.layer_name for c in m._children.values() if hasattr(c, "layer_name")]
