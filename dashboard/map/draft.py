"""The draft map of the Add-article page: the offline basemap and the article's places. Pure
folium (data in, folium.Map out); the page shows it through `dashboard.ui.map_widget`.

Leaflet comes from the app's own static folder (as in build.py), so the editor works offline.
Every name is escaped with html_text: place names come from a pasted article.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium

from dashboard.data.load import Dataset
from dashboard.map import draw
from dashboard.map.build import ASSET_BASE, PANES
from dashboard.map.draw import Publisher
from dashboard.map.style import map_css
from dashboard.map.text import html_text

#: Marker colours (Okabe-Ito): accepted places, places left out, the place being placed by click.
COLOURS = {"accepted": "#0072B2", "rejected": "#999999", "placing": "#D55E00"}


@dataclass(frozen=True)
class MapPlace:
    name: str
    lat: float
    lon: float
    state: str  # accepted | rejected | placing


def draft_map(ds: Dataset, places: list[MapPlace], center: tuple[float, float], zoom: int,
              asset_base: str = ASSET_BASE, publish: Publisher | None = None) -> folium.Map:
    """A map of the draft's located places on the first vector basemap of the catalog."""
    b = ds.catalog.meta.bounds if ds.catalog.meta else None
    limits = {"min_zoom": b.min_zoom, "max_zoom": b.max_zoom, "min_lat": b.min_lat, "max_lat": b.max_lat,
              "min_lon": b.min_lon, "max_lon": b.max_lon} if b else {}
    m = folium.Map(location=list(center), zoom_start=zoom, tiles=None, control_scale=True,
                   max_bounds=bool(b), **limits)
    # Instance attributes shadow folium's CDN defaults: everything comes from the app itself.
    m.default_js = [("leaflet", f"{asset_base}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{asset_base}/leaflet.css")]
    vector = next((bm for bm in ds.catalog.basemaps.values() if bm.kind == "vector"), None)
    m.get_root().header.add_child(folium.Element(map_css(vector.background if vector else "#dbe7ef")))
    for pane, z_index in PANES:
        folium.map.CustomPane(pane, z_index=z_index, pointer_events=pane == "sm-reference").add_to(m)
    if vector is not None:
        group = folium.FeatureGroup(name="basemap", control=False)
        for part, gdf in ds.basemap.get(vector.id, []):
            draw.add_basemap_part(group, ds, vector.id, part, gdf, publish)
        group.add_to(m)
    for place in places:
        _marker(place).add_to(m)
    return m


def _marker(place: MapPlace) -> folium.CircleMarker:
    colour = COLOURS.get(place.state, COLOURS["accepted"])
    label = html_text(place.name) + ("" if place.state == "accepted" else f" ({html_text(place.state)})")
    return folium.CircleMarker(
        [place.lat, place.lon], radius=7 if place.state == "placing" else 6, color="#111111", weight=1.5,
        fill=True, fill_color=colour, fill_opacity=0.9 if place.state != "rejected" else 0.5,
        tooltip=folium.Tooltip(label, permanent=place.state == "placing"),
    )


def fit_center(places: list[MapPlace], default: tuple[float, float]) -> tuple[tuple[float, float], int]:
    """A centre and zoom that show every place (a rough fit: the page's map is ~500 px tall)."""
    if not places:
        return default, 6
    lats, lons = [p.lat for p in places], [p.lon for p in places]
    span = max(max(lats) - min(lats), (max(lons) - min(lons)) * 0.65, 0.05)
    zoom = 9 if span < 0.6 else 8 if span < 1.2 else 7 if span < 2.5 else 6 if span < 5 else 5
    return ((max(lats) + min(lats)) / 2, (max(lons) + min(lons)) / 2), zoom
