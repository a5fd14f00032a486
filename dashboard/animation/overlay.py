"""What sits on top of the map in every frame: title and date, legend, scale bar, attributions.

Positions are in pixels from the frame's corners (`offset pixels`), scaled with the frame."""

from __future__ import annotations

import math
import textwrap

import geopandas as gpd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from dashboard.animation.projection import Area
from dashboard.animation.scene import halo
from dashboard.animation.style import catalog_style, line_kwargs, path_kwargs, points
from dashboard.data.layers import CHANGE_LABELS
from dashboard.data.load import Dataset
from dashboard.data.specs import LayerSpec
from dashboard.data.view import ViewState

STATUS_WORDS = {"reported": "reported", "assessed": "assessed", "claimed": "claimed"}
NICE_KM = (1, 2, 5, 10, 20, 25, 50, 100, 150, 200, 250, 500, 1000)
BOX = {"boxstyle": "round,pad=0.35", "facecolor": "white", "alpha": 0.9, "edgecolor": "#bbbbbb"}


def corner_text(ax: Axes, text: str, corner: tuple[float, float], offset: tuple[float, float], size_px: float,
                scale: float, **kwargs) -> Artist:
    """Text pinned `offset` pixels (at 720 px height) from a corner of the frame, in axes fractions."""
    return ax.annotate(text, corner, xycoords="axes fraction", xytext=(offset[0] * scale, offset[1] * scale),
                       textcoords="offset pixels", fontsize=points(size_px, scale), **kwargs)


def title_and_date(ax: Axes, title: str, scale: float) -> tuple[Artist, Artist, Artist]:
    """The frame's title (static), its date in big type and a note line (both updated per frame)."""
    head = corner_text(ax, title, (0, 1), (16, -14), 15, scale, va="top", fontweight="bold", color="#333333",
                       path_effects=halo(scale), zorder=30)
    day = corner_text(ax, "", (0, 1), (18, -44), 44, scale, va="top", fontweight="bold", color="#111111",
                      bbox=BOX, zorder=30)
    note = corner_text(ax, "", (0, 1), (18, -118), 13, scale, va="top", color="#222222",
                       bbox={**BOX, "boxstyle": "round,pad=0.3"}, zorder=30)
    return head, day, note


def legend(ax: Axes, ds: Dataset, scale: float) -> Artist | None:
    """Legend of what the frames draw: the layers by role, the oblast lines and the line patterns."""
    handles, labels = [], []
    for role in ("history", "salient"):
        spec = ds.catalog.by_role(role)
        if spec is not None and spec.id in ds.layers:
            handles.append(Patch(**path_kwargs(catalog_style(ds, spec.style), spec.status, scale)))
            labels.append(spec.title)
    towns = ds.catalog.by_role("towns")
    if towns is not None and towns.id in ds.layers:
        look = catalog_style(ds, towns.style)
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=points(10, scale),
                              markerfacecolor=look.get("fillColor", "white"), markeredgecolor=look["color"]))
        labels.append(towns.title)
    lines = _plain_lines(ds, scale)
    if lines is not None:
        handles.append(lines[0])
        labels.append(lines[1])
    for status, word in STATUS_WORDS.items():
        handles.append(_line(catalog_style(ds, "") | {"color": "#333333", "weight": 2}, status, scale))
        labels.append(f"line: {word}")
    leg = ax.legend(handles, labels, loc="upper right", bbox_to_anchor=(0.993, 0.985), fontsize=points(11.5, scale),
                    framealpha=0.94, facecolor="white", edgecolor="#bbbbbb", handlelength=2.6, borderpad=0.5,
                    handler_map={tuple: HandlerTuple(ndivide=None, pad=0.2)})
    leg.set_zorder(30)
    return leg


def view_legend(ax: Axes, ds: Dataset, shown: list[tuple[LayerSpec, gpd.GeoDataFrame]], view: ViewState,
                scale: float) -> Artist | None:
    """Legend of a still: each layer drawn with its status, the changes layer by kind, and the
    line patterns of the statuses drawn (the same look as the page's layer control)."""
    handles: list = []
    labels: list[str] = []
    statuses: set[str] = set()
    for spec, gdf in shown:
        statuses.update(gdf["status"].astype(str) if "status" in gdf else [spec.status])
        if spec.role == "towns":
            look = catalog_style(ds, spec.style)
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=points(10, scale),
                                  markerfacecolor=look.get("fillColor", "white"), markeredgecolor=look["color"]))
            labels.append(f"{spec.title} · {_statuses(gdf, spec)}")
        elif spec.role == "changed-hands" and spec.style_by is not None and spec.style_by.property in gdf:
            for kind in dict.fromkeys(gdf[spec.style_by.property].astype(str)):
                look = catalog_style(ds, spec.style_by.values.get(kind, spec.style))
                handles.append(Patch(**path_kwargs(look, spec.status, scale)))
                since = f" since {view.compare.isoformat()}" if view.compare else ""
                labels.append(f"{CHANGE_LABELS.get(kind, kind).split(' (')[0]}{since} · {_statuses(gdf, spec)}")
        elif gdf.geom_type.eq("Point").all():
            rule = spec.style_by
            kinds = dict.fromkeys(gdf[rule.property].astype(str)) if rule and rule.property in gdf else {"": None}
            for kind in kinds:
                look = catalog_style(ds, rule.values.get(kind, spec.style) if rule else spec.style)
                handles.append(Line2D([], [], linestyle="none", marker="o", markersize=points(10, scale),
                                      markerfacecolor=to_rgba(look.get("fillColor", look["color"]),
                                                              float(look.get("fillOpacity", 1))),
                                      markeredgecolor=look["color"]))
                labels.append(f"{spec.title}{': ' + _kind_words(gdf, rule, kind) if kind else ''} · "
                              f"{_statuses(gdf, spec)}")
        else:
            names = [spec.style, *(spec.style_by.values.values() if spec.style_by else [])]
            looks = [catalog_style(ds, n) for n in names]
            if any(look.get("fill", True) for look in looks):
                handles.append(Patch(**path_kwargs(looks[0], spec.status, scale)))
            else:
                handles.append(tuple(_line(look, spec.status, scale) for look in looks))
            labels.append(f"{spec.title} · {_statuses(gdf, spec)}")
    for status, word in STATUS_WORDS.items():
        if status in statuses:
            handles.append(_line(catalog_style(ds, "") | {"color": "#333333", "weight": 2}, status, scale))
            labels.append(f"line: {word}")
    if not handles:
        return None
    leg = ax.legend(handles, labels, loc="upper right", bbox_to_anchor=(0.993, 0.985), fontsize=points(11.5, scale),
                    framealpha=1.0, facecolor="white", edgecolor="#bbbbbb", handlelength=2.6, borderpad=0.5,
                    handler_map={tuple: HandlerTuple(ndivide=None, pad=0.2)})
    leg.set_zorder(30)
    return leg


def _statuses(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> str:
    """The statuses of the features drawn (a layer's own status may differ from its features')."""
    found = sorted(set(gdf["status"].astype(str))) if "status" in gdf and not gdf.empty else []
    return "/".join(found) or spec.status


def _plain_lines(ds: Dataset, scale: float) -> tuple[tuple[Line2D, ...], str] | None:
    """The undated lines layer (oblast boundaries and border): one legend entry, a line per style."""
    spec: LayerSpec | None = next((s for s in ds.catalog.layers.values()
                                   if not s.dated and not s.role and s.id in ds.layers), None)
    if spec is None:
        return None
    names = [spec.style, *(spec.style_by.values.values() if spec.style_by else [])]
    lines = tuple(_line(catalog_style(ds, n), spec.status, scale) for n in names)
    return lines, spec.title


def _line(style: dict, status: str | None, scale: float) -> Line2D:
    kwargs = line_kwargs(style, status, scale)
    cap = kwargs.pop("capstyle")
    return Line2D([], [], dash_capstyle=cap, solid_capstyle=cap, **kwargs)


def attribution(ax: Axes, ds: Dataset, source_ids: list[str], width: int, scale: float) -> Artist:
    """The attributions of every source drawn, wrapped to the frame's width."""
    seen = dict.fromkeys(s for s in source_ids if s in ds.catalog.sources)
    text = " · ".join(ds.catalog.sources[s].attribution for s in seen)
    size = 10.5
    per_line = max(int((width - 24 * scale) / (0.52 * size * scale)), 20)  # about half an em per character
    wrapped = "\n".join(textwrap.wrap(text, per_line))
    return corner_text(ax, wrapped, (0, 0), (8, 6), size, scale, va="bottom", ha="left", color="#222222",
                       bbox={**BOX, "alpha": 0.85, "boxstyle": "round,pad=0.25"}, zorder=30, linespacing=1.15)


def scale_bar(ax: Axes, area: Area, width: int, scale: float) -> list[Artist]:
    """A two-part bar of a round number of km near the bottom right, true at its own position."""
    _, y0, x1, _ = area.extent
    per_px = area.metres_per_px
    right, base = x1 - 40 * scale * per_px, y0 + 44 * scale * per_px
    factor = area.scale_factor(right - width * 0.1 * per_px, base)
    ground_km = width * 0.18 * per_px / factor / 1000
    km = max((k for k in NICE_KM if k <= ground_km), default=NICE_KM[0])
    length = km * 1000 * factor
    height = 7 * scale * per_px
    left = right - length
    pad = 10 * scale * per_px
    artists: list[Artist] = [Rectangle((left - pad, base - pad), length + 2 * pad, height + pad + 26 * scale * per_px,
                                       facecolor="white", alpha=0.9, edgecolor="#bbbbbb", zorder=30)]
    for i, colour in enumerate(("#222222", "white")):
        artists.append(Rectangle((left + i * length / 2, base), length / 2, height, facecolor=colour,
                                 edgecolor="#222222", linewidth=points(1, scale), zorder=31))
    for frac, label in ((0, "0"), (0.5, _km(km / 2)), (1, f"{_km(km)} km")):
        artists.append(ax.text(left + frac * length, base + height + 3 * scale * per_px, label, ha="center",
                               va="bottom", fontsize=points(11, scale), color="#222222", zorder=31))
    for patch in artists:
        if isinstance(patch, Rectangle):
            ax.add_patch(patch)
    return artists


def _km(value: float) -> str:
    return f"{value:g}" if value == math.floor(value) else f"{value:.1f}"


def _kind_words(gdf: gpd.GeoDataFrame, rule: object, kind: str) -> str:
    """A kind as the features say it in words (their `direction`: "came under occupation"), not
    the style key ("came-in"), where they carry one."""
    if "direction" not in gdf:
        return kind
    words = gdf.loc[gdf[rule.property].astype(str) == kind, "direction"].astype(str)  # type: ignore[attr-defined]
    return words.iloc[0] if len(words) else kind
