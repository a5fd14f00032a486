"""Frames of the map for any day: the static parts drawn once, the dated parts per frame.

The figure is drawn once without its animated artists and that image is kept; each frame
restores it, draws the dated layers and the overlays on top (`draw_artist`, no full redraw)
and copies out the RGB pixels."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pyproj
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dashboard.animation import overlay
from dashboard.animation.projection import area_for, project
from dashboard.animation.scene import draw_basemap, draw_styled, draw_towns
from dashboard.animation.style import DPI, REFERENCE_HEIGHT
from dashboard.animation.window import BBox
from dashboard.data.layers import view_bounds, view_features
from dashboard.data.load import Dataset
from dashboard.data.specs import LayerSpec

_AREAL = ("Polygon", "MultiPolygon")


class _Layer:
    """A transparent RGBA image kept as its covered pixels only, blended over a frame in place
    (in 16 bits: 255 * 255 + 127 still fits)."""

    def __init__(self, rgba: np.ndarray) -> None:
        flat = rgba.reshape(-1, 4)
        self._where = np.flatnonzero(flat[:, 3])
        self._alpha = flat[self._where, 3:4].astype(np.uint16)
        self._colour = flat[self._where, :3].astype(np.uint16) * self._alpha

    def blend_into(self, rgba: np.ndarray) -> None:
        flat = rgba.reshape(-1, 4)
        under = flat[self._where, :3].astype(np.uint16)
        flat[self._where, :3] = (self._colour + under * (255 - self._alpha) + 127) // 255


class _Canvas(FigureCanvasAgg):
    def draw_idle(self, *args, **kwargs) -> None:
        """GeoPandas' plot() asks for a redraw after every call: a full redraw per dated layer per
        frame (about 40 ms each). Frames are drawn explicitly, so the request is dropped."""


class FrameRenderer:
    """Renders frames of `bbox` at `size` (width, height) pixels. One per thread: a matplotlib
    figure is not safe to draw from two threads at once."""

    def __init__(self, ds: Dataset, bbox: BBox, size: tuple[int, int] = (1280, 720), basemap: str | None = None):
        self.ds, self.size = ds, size
        self.scale = size[1] / REFERENCE_HEIGHT
        self.area = area_for(bbox, size)
        self._view = view_bounds(ds).default
        self.fig = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI)
        self.canvas = _Canvas(self.fig)
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_axis_off()
        x0, y0, x1, y1 = self.area.extent
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        self.ax.set_autoscale_on(False)  # later plots must not move the frame
        self._dated: dict[str, tuple[str, list[Artist]]] = {}
        self.texts: dict[str, str] = {}
        self._sources: list[str] = []
        self._draw_static(basemap or self._view.basemap)
        overlays = self._draw_overlays()
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._overlay = self._flatten(overlays)

    def _draw_static(self, basemap_id: str) -> None:
        bm = self.ds.catalog.basemaps.get(basemap_id)
        if bm is None or bm.kind != "vector":  # tiles would need the internet: use the offline map
            basemap_id = next((b.id for b in self.ds.catalog.basemaps.values() if b.kind == "vector"), basemap_id)
            bm = self.ds.catalog.basemaps.get(basemap_id)
        self.fig.set_facecolor(bm.background if bm else "#dbe7ef")
        draw_basemap(self.ax, self.ds, basemap_id, self.area, self.scale)
        self._sources.append(bm.source if bm else "")
        for spec in self.ds.catalog.layers.values():
            if not spec.dated and not spec.role and spec.id in self.ds.layers:  # the oblast lines
                draw_styled(self.ax, self.ds, self._features(spec, self._view.date), spec.style, spec.style_by,
                            self.scale, zorder=5)
                self._sources.append(spec.source)

    def _draw_overlays(self) -> list[Artist]:
        """Towns and the texts over every frame (animated: out of the background); the date and
        note texts are kept apart, as they change per frame."""
        towns = self.ds.catalog.by_role("towns")
        artists: list[Artist] = []
        for role in ("history", "salient"):
            spec = self.ds.catalog.by_role(role)
            if spec is not None and spec.id in self.ds.layers:
                self._sources.append(spec.source)
        if towns is not None and towns.id in self.ds.layers:
            artists += draw_towns(self.ax, self.ds, self._features(towns, self._view.date), towns.style,
                                  self.scale, zorder=20)
            self._sources.append(towns.source)
        meta = self.ds.catalog.meta
        head, self._date_text, self._note_text = overlay.title_and_date(self.ax, meta.title if meta else "",
                                                                         self.scale)
        self._date_text.set_animated(True)
        self._note_text.set_animated(True)
        artists.append(head)
        artists.append(overlay.legend(self.ax, self.ds, self.scale))
        artists += overlay.scale_bar(self.ax, self.area, self.size[0], self.scale)
        artists.append(overlay.attribution(self.ax, self.ds, self._sources, self.size[0], self.scale))
        for artist in artists:
            artist.set_animated(True)
        return artists

    def _flatten(self, artists: list[Artist]) -> _Layer:
        """The static overlays rendered once into a transparent layer, blended over each frame's
        dated layers: drawn as text, the legend, the haloed town names and the attribution cost
        about 150 ms a frame; blended, a few ms."""
        hidden = [a for a in (self.fig.patch, self.ax.patch, *self.ax.get_children())
                  if a.get_visible() and a not in artists]
        for artist in hidden:
            artist.set_visible(False)
        for artist in artists:
            artist.set_animated(False)
        self.canvas.draw()
        rgba = np.asarray(self.canvas.buffer_rgba()).copy()
        for artist in hidden:
            artist.set_visible(True)
        for artist in artists:
            artist.remove()
        return _Layer(rgba)

    def _features(self, spec: LayerSpec, day: date):
        gdf = view_features(self.ds, spec, replace(self._view, date=day))
        return None if gdf is None else project(gdf, self.area)

    def frame(self, day: date) -> np.ndarray:
        """The frame for `day` as an RGB array of shape (height, width, 3)."""
        notes = [self._update_occupied(day), self._update_salient(day)]
        self.texts = {"date": day.isoformat(), "note": "\n".join(n for n in notes if n)}
        self._date_text.set_text(self.texts["date"])
        self._note_text.set_text(self.texts["note"])
        self.canvas.restore_region(self._background)
        dated = [a for _, artists in self._dated.values() for a in artists]
        for artist in sorted(dated, key=lambda a: a.get_zorder()):
            self.ax.draw_artist(artist)
        self._overlay.blend_into(np.asarray(self.canvas.buffer_rgba()))
        self.ax.draw_artist(self._date_text)
        self.ax.draw_artist(self._note_text)
        return np.asarray(self.canvas.buffer_rgba())[:, :, :3].copy()

    def text_box(self, name: str) -> tuple[int, int, int, int]:
        """Where the last frame drew its `date` or `note` text: (left, top, right, bottom) pixels
        from the frame's top left, for tests and for a page that wants to crop or highlight it."""
        artist = {"date": self._date_text, "note": self._note_text}[name]
        box = artist.get_window_extent(self.canvas.get_renderer())
        height = self.size[1]
        return int(box.x0), int(height - box.y1), int(np.ceil(box.x1)), int(np.ceil(height - box.y0))

    def pixel_of(self, lon: float, lat: float) -> tuple[int, int]:
        """The frame pixel (column, row from the top) showing a longitude/latitude."""
        x, y = pyproj.Transformer.from_crs(4326, self.area.crs, always_xy=True).transform(lon, lat)
        col, row = self.ax.transData.transform((x, y))
        return int(col), int(self.size[1] - row)

    def _swap(self, spec: LayerSpec, key: str, draw) -> None:
        """Replace a dated layer's artists unless they already show `key` (the same data)."""
        old = self._dated.get(spec.id)
        if old is not None and old[0] == key:
            return
        for artist in old[1] if old else []:
            artist.remove()
        artists = draw() if key else []
        for artist in artists:
            artist.set_animated(True)
        self._dated[spec.id] = (key, artists)

    def _update_occupied(self, day: date) -> str:
        spec = self.ds.catalog.by_role("history")
        if spec is None or spec.id not in self.ds.layers:
            return ""
        gdf = self._features(spec, day)
        shown = str(gdf["date"].iloc[0]) if gdf is not None and not gdf.empty else ""
        self._swap(spec, shown, lambda: draw_styled(self.ax, self.ds, gdf, spec.style, spec.style_by,
                                                     self.scale, zorder=10))
        if shown and shown != day.isoformat():
            return f"Occupied area: no snapshot for this day; nearest earlier, {shown}"
        return ""

    def _update_salient(self, day: date) -> str:
        """The held outline shown on `day`; after the outlines end (point records), none and why."""
        spec = self.ds.catalog.by_role("salient")
        if spec is None or spec.id not in self.ds.layers:
            return ""
        gdf = view_features(self.ds, spec, replace(self._view, date=day))
        areal = gdf[gdf.geom_type.isin(_AREAL)] if gdf is not None else None
        key = str(areal["date"].iloc[0]) if areal is not None and not areal.empty else ""
        self._swap(spec, key, lambda: draw_styled(self.ax, self.ds, project(areal, self.area), spec.style,
                                                   spec.style_by, self.scale, zorder=11))
        if gdf is None or key:
            return ""
        statuses = "/".join(sorted(set(gdf["status"].astype(str))))
        return f"{spec.title.split(' (')[0]}: none drawn since {gdf['date'].iloc[0]} ({statuses} end of the outlines)"

    def close(self) -> None:
        self.fig.clear()
