"""The map's Leaflet styles as matplotlib drawing options, so a frame looks like the page's map.

Leaflet sizes are screen pixels; a frame is drawn at DPI dots per inch, so pixels become points
(72 per inch) and everything scales with the frame's height against a 720-pixel screen map."""

from __future__ import annotations

from typing import Any

from matplotlib.colors import to_rgba

from dashboard.data.load import Dataset
from dashboard.data.specs import StyleRule
from dashboard.data.values import STATUS_DASH

DPI = 100
#: The frame height at which a Leaflet pixel is one frame pixel.
REFERENCE_HEIGHT = 720
#: Leaflet's own defaults for options a catalog style leaves out.
LEAFLET_DEFAULTS = {"color": "#3388ff", "weight": 3, "opacity": 1.0, "fill": True, "fillOpacity": 0.2}


def points(px: float, scale: float) -> float:
    """Leaflet pixels at this frame scale, as matplotlib points."""
    return px * scale * 72 / DPI


def catalog_style(ds: Dataset, name: str) -> dict[str, Any]:
    return {**LEAFLET_DEFAULTS, **ds.catalog.styles.get(name, {})}


def dashes(status: str | None, linewidth: float, scale: float) -> Any:
    """The status's line pattern (reported solid, assessed dashed, claimed dotted) in the units
    matplotlib wants: points, multiplied again by the line width (lines.scale_dashes)."""
    pattern = STATUS_DASH.get(status or "")
    if not pattern:
        return "solid"
    lengths = [points(float(v), scale) / max(linewidth, 0.1) for v in pattern.replace(",", " ").split()]
    return (0, tuple(lengths))


def path_kwargs(style: dict[str, Any], status: str | None, scale: float, filled: bool = True) -> dict[str, Any]:
    """Options for `GeoDataFrame.plot` of polygons or lines in this Leaflet style."""
    linewidth = max(points(float(style["weight"]), scale), 0.3)
    face = "none"
    if filled and style.get("fill", True):
        face = to_rgba(style.get("fillColor", style["color"]), float(style["fillOpacity"]))
    return {"facecolor": face, "edgecolor": to_rgba(style["color"], float(style["opacity"])),
            "linewidth": linewidth, "linestyle": dashes(status, linewidth, scale),
            # Leaflet draws round caps: a "1 6" pattern comes out as dots, not short dashes.
            "capstyle": "round", "joinstyle": "round"}


def line_kwargs(style: dict[str, Any], status: str | None, scale: float) -> dict[str, Any]:
    """Options for `GeoDataFrame.plot` of lines (no face)."""
    kwargs = path_kwargs(style, status, scale, filled=False)
    return {"color": kwargs["edgecolor"], "linewidth": kwargs["linewidth"], "linestyle": kwargs["linestyle"],
            "capstyle": "round"}


def style_groups(ds: Dataset, style: str, rule: StyleRule | None, values: list[str]) -> dict[str, list[int]]:
    """Row positions per style name, as the map's `style_by` rule picks them."""
    groups: dict[str, list[int]] = {}
    for i, value in enumerate(values):
        name = rule.values.get(value, style) if rule else style
        groups.setdefault(name, []).append(i)
    return groups
