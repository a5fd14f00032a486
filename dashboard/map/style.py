"""Leaflet styles from the catalog, the status line patterns, and the map's own CSS."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dashboard.data.load import Dataset
from dashboard.data.specs import StyleRule
from dashboard.data.values import STATUS_DASH, STYLE_KEYS

STATUS_CSS = {"reported": "solid", "assessed": "dashed", "claimed": "dotted"}

MAP_CSS = """
<style>
.leaflet-container { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
.sm-label { color: #6b6357; font-size: 12px; white-space: nowrap; pointer-events: none;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
.sm-label.country { font-size: 15px; letter-spacing: 3px; font-weight: 600; color: #8a8276; }
.sm-label.sea { font-style: italic; color: #4f7592; text-shadow: none; }
.sm-label.oblast { font-size: 11px; text-transform: uppercase; letter-spacing: 1px; color: #8d877d; }
.sm-place { font-weight: 600; font-size: 12.5px; color: #111; white-space: nowrap; pointer-events: none;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.sm-label, .sm-place { width: max-content; }  /* boxes as wide as their text: labels are placed by them */
.sm-legend { color: #1f1f1f; background: rgba(255,255,255,.94); padding: 5px 8px; border-radius: 4px; font-size: 11.5px;
  line-height: 1.3; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 250px; max-height: 42vh; overflow-y: auto; }
.sm-legend summary { cursor: pointer; font-weight: 700; }
.leaflet-control-layers, .leaflet-popup-content, .leaflet-tooltip { color: #1f1f1f; }
.leaflet-control-attribution { color: #333; font-size: 9px; max-width: 62%; line-height: 1.2; }
.sm-legend .sw { display: inline-block; width: 16px; height: 11px; margin-right: 5px; vertical-align: middle; }
.sm-legend .st { color: #555; font-size: 10.5px; }
.sm-legend .note { color: #444; font-size: 11px; margin-top: 3px; }
.sm-asof { color: #1f1f1f; background: rgba(255,255,255,.93); padding: 3px 8px; border-radius: 4px; font-weight: 600;
  font-size: 13px; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
.sm-search { background: #fff; position: relative; }
.sm-search input { width: 150px; border: 0; padding: 5px 7px; font-size: 13px; border-radius: 4px; }
.sm-search ul { list-style: none; margin: 0; padding: 0; max-height: 240px; overflow-y: auto; }
.sm-search li { padding: 4px 8px; cursor: pointer; font-size: 13px; border-top: 1px solid #eee; color: #1f1f1f; }
.sm-search li small { color: #666; }
.sm-search li.active, .sm-search li:hover { background: #e8f1f8; }
.sm-search li.none { cursor: default; color: #666; }
.sm-swipe-dates { position: absolute; top: calc(50% - 52px); transform: translateX(-50%); white-space: nowrap;
  pointer-events: none; z-index: 999; font-size: 12px; font-weight: 700; }
.sm-swipe-dates span { background: rgba(255,255,255,.93); padding: 2px 6px; border-radius: 3px; margin: 0 3px;
  box-shadow: 0 1px 3px rgba(0,0,0,.3); }
.leaflet-sbs-divider { background-color: #222; }
.sm-sources { display: none; font: 600 11px system-ui, sans-serif; background: rgba(255,255,255,.93); border: 0;
  border-radius: 3px; padding: 2px 7px; box-shadow: 0 1px 3px rgba(0,0,0,.3); cursor: pointer; }
.sm-narrow .sm-sources { display: block; }
.sm-narrow .leaflet-control-attribution { display: none; }
.sm-narrow.sm-attr-open .leaflet-control-attribution { display: block; max-width: 92%; }
.sm-narrow .sm-search input { width: 110px; }
/* The page sizes the map's frame to the window (ui/chrome.py); the map fills its frame. */
#map_div { height: 100vh !important; }
/* topright, left of it only the zoom, measure and search column: never over them */
/* vw: the map's own frame (a percentage of the shrink-to-fit corner squeezed the box to 16 px) */
.sm-asof { max-width: calc(100vw - 190px); }
.sm-narrow .sm-asof { font-size: 11px; max-width: 190px; }
.leaflet-top { z-index: 1001; }  /* the measuring panel and search results open over the legend */
.leaflet-control-measure { font-size: 12px; }
.leaflet-control-measure .leaflet-control-measure-interaction { color: #1f1f1f; padding: 6px 9px; width: 190px; }
.leaflet-control-measure h3, .leaflet-measure-resultpopup h3 { font-size: 13px; margin: 0 0 5px; padding-bottom: 4px; }
.leaflet-control-measure p, .leaflet-measure-resultpopup p { margin: 2px 0; }
.leaflet-control-measure .js-results .group:first-child { display: none; }  /* the last point's coordinates */
</style>
"""


def map_css(background: str) -> str:
    """The map's CSS with the basemap's background (a colour checked by the catalog parser)."""
    return MAP_CSS.replace("</style>", f".leaflet-container {{ background: {background}; }}</style>")


def leaflet_style(ds: Dataset, name: str) -> dict[str, Any]:
    """A catalog style's Leaflet options (already validated by the catalog parser)."""
    style = ds.catalog.styles.get(name, {})
    return {k: v for k, v in style.items() if k in STYLE_KEYS}


def with_status(style: dict[str, Any], status: str | None) -> dict[str, Any]:
    if status not in STATUS_DASH:
        return style
    return {**style, "dashArray": STATUS_DASH[status]}


def style_function(ds: Dataset, style: str, rule: StyleRule | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Per-feature style: the rule's style for the feature's value, dashed by its status."""
    base = leaflet_style(ds, style)
    by_value = {k: leaflet_style(ds, v) for k, v in (rule.values.items() if rule else [])}

    def style_fn(feature: dict[str, Any]) -> dict[str, Any]:
        chosen = base
        if rule:
            chosen = by_value.get(str(feature["properties"].get(rule.property, "")), base)
        return with_status(chosen, feature["properties"].get("status"))

    return style_fn


_NO_ZOOM = re.compile(r",\s*maximum-scale=1(?:\.0)?,\s*user-scalable=no")


def allow_zoom(html: str) -> str:
    """folium's viewport line forbids pinch-zoom on phones (WCAG 1.4.4, axe `meta-viewport`): the
    map's document keeps `width=device-width, initial-scale=1.0` and lets readers zoom the page."""
    return _NO_ZOOM.sub("", html)
