"""Draw layers into the frame's axes with GeoPandas plotting, in the map's styles.

Each function returns the artists it added, so the renderer can keep the static ones in the
cached background and swap the dated ones per frame."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.transforms import Bbox

from dashboard.animation.projection import Area, project
from dashboard.animation.style import DPI, catalog_style, line_kwargs, path_kwargs, points, style_groups
from dashboard.data.load import Dataset
from dashboard.data.specs import StyleRule

_POLYGONS = ("Polygon", "MultiPolygon")
_LINES = ("LineString", "MultiLineString")
#: The page's label CSS (dashboard/map/style.py MAP_CSS) as text options: size px, colour, look.
LABEL_LOOK = {"country": (15, "#8a8276", {"fontweight": "bold"}),
              "sea": (13, "#4f7592", {"fontstyle": "italic"}),
              "oblast": (11, "#8d877d", {})}


def halo(scale: float, width_px: float = 3.0) -> list[patheffects.AbstractPathEffect]:
    """A white outline behind text, as the page's text-shadow: readable on any fill."""
    return [patheffects.withStroke(linewidth=points(width_px, scale), foreground="white")]


def plot(ax: Axes, gdf: gpd.GeoDataFrame, zorder: float, **kwargs) -> list[Artist]:
    """`GeoDataFrame.plot` into `ax`, returning the artists it added."""
    if gdf.empty:
        return []
    before = set(ax.get_children())
    gdf.plot(ax=ax, aspect=None, zorder=zorder, **kwargs)
    return [a for a in ax.get_children() if a not in before]


def draw_styled(ax: Axes, ds: Dataset, gdf: gpd.GeoDataFrame, style: str, rule: StyleRule | None,
                scale: float, zorder: float, by_status: bool = True) -> list[Artist]:
    """Projected features in their catalog style (`style_by` rule applied), lines patterned by
    each feature's status."""
    values = gdf[rule.property].astype(str).tolist() if rule and rule.property in gdf else [""] * len(gdf)
    statuses = gdf["status"].astype(str).tolist() if by_status and "status" in gdf else [""] * len(gdf)
    artists: list[Artist] = []
    for name, rows in style_groups(ds, style, rule, values).items():
        part = gdf.iloc[rows]
        look = catalog_style(ds, name)
        for status in sorted({statuses[i] for i in rows}):
            same = part[[statuses[i] == status for i in rows]]
            polys = same[same.geom_type.isin(_POLYGONS)]
            lines = same[same.geom_type.isin(_LINES)]
            artists += plot(ax, polys, zorder, **path_kwargs(look, status, scale))
            artists += plot(ax, lines, zorder + 0.1, **line_kwargs(look, status, scale))
    return artists


def draw_markers(ax: Axes, ds: Dataset, gdf: gpd.GeoDataFrame, style: str, rule: StyleRule | None,
                 scale: float, zorder: float) -> list[Artist]:
    """A layer's point features as circle markers in their catalog style (`style_by` applied), as
    the page draws them (`draw_styled` draws only areas and lines); in date order, so where two
    records share a point (a town taken, lost and taken again) the latest is the one on top."""
    pts = gdf[gdf.geom_type == "Point"]
    if pts.empty:
        return []
    if "date" in pts:
        pts = pts.iloc[np.argsort(pts["date"].astype(str).to_numpy(), kind="stable")]
    values = pts[rule.property].astype(str).tolist() if rule and rule.property in pts else [""] * len(pts)
    looks = [catalog_style(ds, rule.values.get(v, style) if rule else style) for v in values]
    faces = [path_kwargs(look, None, scale)["facecolor"] for look in looks]
    sizes = [points(2 * float(look.get("radius", 5)), scale) ** 2 for look in looks]
    widths = [points(float(look["weight"]), scale) for look in looks]
    return [ax.scatter(pts.geometry.x, pts.geometry.y, s=sizes, c=faces, edgecolors=[look["color"] for look in looks],
                       linewidths=widths, zorder=zorder)]


def draw_basemap(ax: Axes, ds: Dataset, basemap_id: str, area: Area, scale: float) -> list[Artist]:
    """The vector basemap's parts in order: land, lakes, rivers, admin lines, then labels.
    Basemap lines are drawn solid: their status is about the data, not a front line."""
    bm = ds.catalog.basemaps.get(basemap_id)
    if bm is not None:
        ax.set_facecolor(bm.background)
    artists: list[Artist] = []
    for z, (part, gdf) in enumerate(ds.basemap.get(basemap_id, [])):
        shown = project(gdf, area)
        if part.style == "label":
            artists += draw_labels(ax, shown, scale, zorder=6)
        else:
            artists += draw_styled(ax, ds, shown, part.style, part.style_by, scale, zorder=1 + z * 0.2,
                                   by_status=False)
    return artists


def draw_labels(ax: Axes, gdf: gpd.GeoDataFrame, scale: float, zorder: float) -> list[Artist]:
    artists: list[Artist] = []
    for name, kind, geom in zip(gdf["name"], gdf.get("kind", [""] * len(gdf)), gdf.geometry, strict=True):
        size, colour, extra = LABEL_LOOK.get(str(kind), (12, "#6b6357", {}))
        text = str(name).upper() if kind == "oblast" else str(name)
        artists.append(ax.text(geom.x, geom.y, text, fontsize=points(size, scale), color=colour, ha="center",
                               va="center", zorder=zorder, path_effects=halo(scale), clip_on=True, **extra))
    return artists


def draw_towns(ax: Axes, ds: Dataset, gdf: gpd.GeoDataFrame, style: str, scale: float,
               zorder: float) -> list[Artist]:
    """Town markers (the catalog's circle style) with their names beside them."""
    towns = gdf[gdf.geom_type == "Point"]
    if towns.empty:
        return []
    look = catalog_style(ds, style)
    diameter = points(2 * float(look.get("radius", 5)), scale)
    artists = plot(ax, towns, zorder, markersize=diameter ** 2,
                   color=path_kwargs(look, None, scale)["facecolor"],
                   edgecolor=look["color"], linewidth=points(float(look["weight"]), scale))
    # Names may cover neither another name nor any town's marker.
    radius_px = points(float(look.get("radius", 5)) + 1, scale) * DPI / 72
    centres = ax.transData.transform(np.column_stack([towns.geometry.x, towns.geometry.y]))
    placed = [Bbox.from_extents(x - radius_px, y - radius_px, x + radius_px, y + radius_px) for x, y in centres]
    for name, geom in zip(towns["name"], towns.geometry, strict=True):
        artists.append(_place_label(ax, str(name), (geom.x, geom.y), scale, zorder + 0.1, placed))
    return artists


#: Where a town's name may go, tried in order: right, left, above, below its marker (points, alignment).
_SPOTS = ((1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"), (0, -1, "center", "top"))


def _place_label(ax: Axes, name: str, xy: tuple[float, float], scale: float, zorder: float,
                 placed: list[Bbox]) -> Artist:
    """The name on the side of its marker that overlaps the fewest names and markers placed
    before it (towns along one front line sit a few kilometres apart)."""
    renderer = ax.get_figure(root=True).canvas.get_renderer()
    gap = points(8, scale)
    best: tuple[int, int, Bbox] | None = None
    for i, (dx, dy, ha, va) in enumerate(_SPOTS):
        probe = ax.annotate(name, xy, xytext=(dx * gap, dy * gap * 0.8), textcoords="offset points", ha=ha, va=va,
                            fontsize=points(12.5, scale), fontweight="bold")
        box = probe.get_window_extent(renderer)
        probe.remove()
        hits = sum(box.overlaps(other) for other in placed)
        if best is None or hits < best[0]:
            best = (hits, i, box)
        if hits == 0:
            break
    _, i, box = best
    dx, dy, ha, va = _SPOTS[i]
    placed.append(box)
    return ax.annotate(name, xy, xytext=(dx * gap, dy * gap * 0.8), textcoords="offset points", ha=ha, va=va,
                       fontsize=points(12.5, scale), fontweight="bold", color="#111111", zorder=zorder,
                       path_effects=halo(scale), clip_on=True)
