"""A still picture of the view the page shows, for an article: PNG at 1200x675 or 2400x1350.

The same drawing as an animation frame (projection, basemap, layer styles, towns, scale bar,
attribution), but for a whole view: every layer the reader has on for the chosen article, the
compare date's changes, and a legend of exactly those layers with their statuses. Features come
from `view_features`, the one builder behind the map and the downloads. Offline: the vector
basemap only (an online tile basemap in the view falls back to it, as in animations)."""

from __future__ import annotations

import io
import textwrap
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import shapely
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from dashboard.animation import overlay
from dashboard.animation.gate import GATE, Waiting
from dashboard.animation.projection import area_for, project
from dashboard.animation.scene import draw_basemap, draw_markers, draw_styled, draw_towns
from dashboard.animation.style import DPI, REFERENCE_HEIGHT
from dashboard.animation.window import DEFAULT_BBOX, AnimationError, BBox, check_bbox
from dashboard.animation.worker import run_job, scratch_file, still_job
from dashboard.data.layers import view_bounds, view_features
from dashboard.data.load import Dataset
from dashboard.data.specs import LayerSpec, MapBounds
from dashboard.data.view import ViewState

#: An article's column and twice that for print or high-density screens (16:9).
STILL_SIZES = ((1200, 675), (2400, 1350))
#: Characters per line of the notes under the date (about the date box's width; text scales with the picture).
NOTE_CHARS = 44


@dataclass(frozen=True)
class StillRequest:
    view: ViewState
    size: tuple[int, int] = STILL_SIZES[0]
    #: None: the default area (Kursk Oblast to Zaporizhzhia); widened to the picture's shape.
    bbox: BBox | None = None


@dataclass(frozen=True)
class Still:
    data: bytes
    request: StillRequest
    seconds: float

    @property
    def filename(self) -> str:
        view, (w, h) = self.request.view, self.request.size
        compare = f"_vs_{view.compare.isoformat()}" if view.compare else ""
        return f"situation-map_{view.date.isoformat()}{compare}_{w}x{h}.png"


def plan_still(ds: Dataset, request: StillRequest) -> StillRequest:
    """The request checked (size, dates inside the history, area inside the map) and its area
    filled in; AnimationError with a one-line reason otherwise."""
    if tuple(request.size) not in STILL_SIZES:
        raise AnimationError("size must be " + " or ".join(f"{w}x{h}" for w, h in STILL_SIZES)
                             + f", not {request.size[0]}x{request.size[1]}")
    bounds, view = view_bounds(ds), request.view
    for name, day in (("date", view.date), ("compare date", view.compare)):
        if day is not None and not bounds.first <= day <= bounds.last:
            raise AnimationError(f"{name} {day.isoformat()} is outside the history "
                                 f"({bounds.first.isoformat()} to {bounds.last.isoformat()})")
    if view.compare is not None and view.compare >= view.date:
        raise AnimationError(f"compare date {view.compare.isoformat()} must be before the map date "
                             f"{view.date.isoformat()}")
    limits = ds.catalog.meta.bounds if ds.catalog.meta else MapBounds()
    return replace(request, bbox=check_bbox(request.bbox or BBox(*DEFAULT_BBOX), limits))


def render_still(ds: Dataset, request: StillRequest, waiting: Waiting | None = None,
                 isolated: bool = False) -> Still:
    """The PNG for `request`, drawn under the same one-job-at-a-time gate as animations;
    `isolated` draws it in the watched child process (see worker.py)."""
    request = plan_still(ds, request)
    with GATE.turn(waiting):
        started = time.perf_counter()
        with scratch_file(".png") as path:
            if isolated:
                run_job(still_job(request, path), ds.root)
            else:
                write_still(ds, request, path)
            data = path.read_bytes()
    return Still(data, request, time.perf_counter() - started)


def write_still(ds: Dataset, request: StillRequest, out: Path) -> None:
    request = plan_still(ds, request)
    rgb = draw_still(ds, request)
    view = request.view
    info = PngInfo()
    meta = ds.catalog.meta
    info.add_itxt("Title", f"{meta.title if meta else 'Situation map'}, {view.date.isoformat()}")
    if view.compare:
        info.add_itxt("Comment", f"Changes since {view.compare.isoformat()}")
    info.add_itxt("Source", "; ".join(_attributions(ds, _drawn_sources(ds, request))))
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", pnginfo=info, compress_level=6)
    out.write_bytes(buffer.getvalue())


def draw_still(ds: Dataset, request: StillRequest) -> np.ndarray:
    """The picture as an RGB array of shape (height, width, 3)."""
    view, size = request.view, request.size
    scale = size[1] / REFERENCE_HEIGHT
    area = area_for(request.bbox or BBox(*DEFAULT_BBOX), size)
    fig = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    x0, y0, x1, y1 = area.extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_autoscale_on(False)
    basemap = _offline_basemap(ds, view.basemap)
    bm = ds.catalog.basemaps.get(basemap)
    fig.set_facecolor(bm.background if bm else "#dbe7ef")
    labels = [a for a in draw_basemap(ax, ds, basemap, area, scale) if isinstance(a, Text)]
    frame = shapely.box(*area.extent)
    town_names: list[Text] = []
    shown: list[tuple[LayerSpec, object]] = []
    for z, spec in enumerate(_layers_shown(ds, view)):
        gdf = view_features(ds, spec, view)
        if gdf is None:
            continue
        projected = project(gdf, area)
        projected = projected[projected.intersects(frame)]  # the clip keeps a margin outside the picture
        if projected.empty:
            continue  # nothing of it inside the picture: neither drawn nor in the legend
        if spec.role == "towns":
            town_names += [a for a in draw_towns(ax, ds, projected, spec.style, scale, zorder=20)
                           if isinstance(a, Text)]
        else:
            draw_styled(ax, ds, projected, spec.style, spec.style_by, scale, zorder=5 + z * 0.5)
            draw_markers(ax, ds, projected, spec.style, spec.style_by, scale, zorder=20.05)  # over towns' circles
        shown.append((spec, projected))
    meta = ds.catalog.meta
    head, day, note = overlay.title_and_date(ax, meta.title if meta else "", scale)
    day.set_text(view.date.isoformat())
    # As narrow as the date box: wider, the notes would cover the Kursk border area next to it.
    note_text = "\n".join(textwrap.fill(n, NOTE_CHARS) for n in _notes(ds, view))
    note.set_text(note_text)
    note.set_visible(bool(note_text))
    sources = overlay.attribution(ax, ds, _drawn_sources(ds, request, shown), size[0], scale)
    boxes: list[Artist] = [head, day, note, sources, *overlay.scale_bar(ax, area, size[0], scale)]
    legend = overlay.view_legend(ax, ds, shown, view, scale)
    boxes += [legend] if legend is not None else []
    _hide_covered(canvas, town_names, boxes)  # the legend and the text boxes sit over the map
    _hide_covered(canvas, labels, [*boxes, *town_names])
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[:, :, :3].copy()
    fig.clear()
    return rgb


def _hide_covered(canvas: FigureCanvasAgg, labels: list[Text], blockers: list[Artist]) -> None:
    """Leave out a name that the picture's edge cuts or that the legend, a text box or (for
    basemap names: country, sea, oblast) a town's name would cover: half a name is worse than
    none, and the towns matter more."""
    renderer = canvas.get_renderer()
    # Texts and boxes only: a marker collection's extent spans all its points, most of the map.
    boxes = [b.get_window_extent(renderer) for b in blockers
             if b.get_visible() and not isinstance(b, Collection)]
    frame = canvas.figure.bbox
    for label in labels:
        box = label.get_window_extent(renderer)
        cut = box.x0 < frame.x0 or box.x1 > frame.x1 or box.y0 < frame.y0 or box.y1 > frame.y1
        if cut or any(box.overlaps(other) for other in boxes):
            label.set_visible(False)


def _offline_basemap(ds: Dataset, wanted: str) -> str:
    bm = ds.catalog.basemaps.get(wanted)
    if bm is not None and bm.kind == "vector":
        return wanted
    return next((b.id for b in ds.catalog.basemaps.values() if b.kind == "vector"), wanted)


def _layers_shown(ds: Dataset, view: ViewState) -> list[LayerSpec]:
    """The article's layers the reader has on, in catalog order; the changes layer only with a
    compare date (a swipe view becomes the changes layer: a picture has no divider to drag)."""
    return [spec for spec in ds.catalog.for_article(view.article) if spec.id in view.layers]


def _notes(ds: Dataset, view: ViewState) -> list[str]:
    """What the date alone does not say: the comparison, a day without a snapshot, the end of
    the salient outlines."""
    notes = []
    if view.compare is not None:
        changes = any(s.role == "changed-hands" and s.id in view.layers for s in ds.catalog.layers.values())
        notes.append(f"Compared with {view.compare.isoformat()}: changes shown" if changes
                     else f"Compare date {view.compare.isoformat()} (changes layer off)")
    if ds.history is not None and any(s.role == "history" and s.id in view.layers for s in ds.catalog.layers.values()):
        shown: date | None = ds.history.shown_day(view.date)
        if shown and shown != view.date:
            notes.append(f"Occupied area: no snapshot for this day; nearest earlier, {shown.isoformat()}")
    salient = ds.catalog.by_role("salient")
    if salient is not None and salient.id in view.layers:
        gdf = view_features(ds, salient, view)
        if gdf is not None and not gdf.geom_type.isin(["Polygon", "MultiPolygon"]).any():
            statuses = "/".join(sorted(set(gdf["status"].astype(str))))
            notes.append(f"{salient.title.split(' (')[0]}: none drawn since {gdf['date'].iloc[0]} "
                         f"({statuses} end of the outlines)")
    return notes


def _drawn_sources(ds: Dataset, request: StillRequest, shown: list | None = None) -> list[str]:
    """Source ids of the basemap and of every layer drawn (or shown by the view)."""
    bm = ds.catalog.basemaps.get(_offline_basemap(ds, request.view.basemap))
    specs = [s for s, _ in shown] if shown is not None else _layers_shown(ds, request.view)
    ids = [bm.source if bm else "", *(s.source for s in specs)]
    return list(dict.fromkeys(i for i in ids if i))


def _attributions(ds: Dataset, source_ids: list[str]) -> list[str]:
    return [ds.catalog.sources[s].attribution for s in source_ids if s in ds.catalog.sources]
