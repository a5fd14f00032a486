"""The view a link describes: parse it from query parameters, write it back. Pure.

Schema: date, compare (YYYY-MM-DD), layers (comma-separated overlay ids), lat, lon (map centre, 4 decimals),
zoom (integer), basemap, article (catalog ids), mode, town; `notice` is the server's, read only. Left out: the
default; the default view writes nothing. Parsing never raises: anything unusable becomes the nearest valid
value, named in a notice (never echoing the raw value); `embed` and `embed_options` are Streamlit's."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from dashboard.data.specs import Catalog, MapBounds

KEYS = ("date", "compare", "layers", "lat", "lon", "zoom", "basemap", "article", "mode", "town")
EMBED_KEYS = ("embed", "embed_options")  # Streamlit's own: an embed link is a share link
NOTICE_KEY = "notice"  # set by the server (serving/guards.py) when it moved the reader; never written
NOTICES = {"path": "the address went on after the page's name; showing the page",
           "params": "the link had too many parameters; only the map's own were kept"}
#: How a compare date is shown: as the changes layer over one map, or two dates side by side with a divider.
MODES = ("overlay", "swipe")
MAX_LEN = 400
_SAFE_ID = re.compile(r"[^a-z0-9-]")


@dataclass(frozen=True)
class ViewState:
    date: date
    compare: date | None
    layers: tuple[str, ...]
    lat: float
    lon: float
    zoom: int
    basemap: str
    article: str = ""  # the article whose layers and figures are shown ("" = the first)
    mode: str = "overlay"  # with a compare date: the changes layer ("overlay") or both dates side by side ("swipe")
    town: str = ""  # the town whose distance to the front is shown: a GeoNames id, or ""


@dataclass(frozen=True)
class Bounds:
    first: date
    last: date
    layer_ids: tuple[str, ...]
    basemap_ids: tuple[str, ...]
    default: ViewState
    article_ids: tuple[str, ...] = ()
    map: MapBounds = field(default_factory=MapBounds)
    #: Basemaps a link may open: the offline ones. Online tiles fetch from another host, so a
    #: reader chooses them in the page, never by following someone's link.
    link_basemaps: tuple[str, ...] = ()

    @property
    def lat_range(self) -> tuple[float, float]:
        return self.map.min_lat, self.map.max_lat

    @property
    def lon_range(self) -> tuple[float, float]:
        return self.map.min_lon, self.map.max_lon

    @property
    def zoom_range(self) -> tuple[float, float]:
        return self.map.min_zoom, self.map.max_zoom


def bounds_from(catalog: Catalog, data_last: date | None = None) -> Bounds:
    """The view's limits. `data_last` is the history's last day: days added by an update reach
    the slider without editing the catalog."""
    meta = catalog.meta
    first = meta.history_start if meta else date(2024, 7, 8)
    last = meta.history_end if meta else date(2024, 12, 31)
    if data_last is not None and data_last > last:
        last = data_last
    center = meta.default_center if meta else (49.7, 36.4)
    ids = tuple(catalog.layers)
    basemaps = tuple(catalog.basemaps) or ("vector",)
    default = ViewState(
        date=min(max(meta.article_date if meta else last, first), last), compare=None,
        layers=ids, lat=round(center[0], 4),
        lon=round(center[1], 4), zoom=meta.default_zoom if meta else 7, basemap=basemaps[0],
        article=next(iter(catalog.articles), ""),
    )
    offline = tuple(b.id for b in catalog.basemaps.values() if b.kind != "tiles") or basemaps[:1]
    return Bounds(first, last, ids, basemaps, default, tuple(catalog.articles),
                  meta.bounds if meta else MapBounds(), offline)


def parse_query(params: Mapping[str, str | Sequence[str]], bounds: Bounds) -> tuple[ViewState, list[str]]:
    """Nearest valid view for any query, plus one notice per thing ignored or corrected."""
    notices: list[str] = []
    values: dict[str, str] = {}
    unknown: list[str] = []
    for key, raw in params.items():
        key_text = str(key)
        if key_text == NOTICE_KEY:  # what the server changed on the way here, each said once
            given = [raw] if isinstance(raw, str) else [str(v) for v in raw]
            notices += [NOTICES.get(v, f"{NOTICE_KEY}: unknown value ignored") for v in dict.fromkeys(given[:3])]
            continue
        if key_text not in KEYS:
            unknown += [] if key_text in EMBED_KEYS else [key_text]
            continue
        items = [raw] if isinstance(raw, str) else [str(v) for v in raw]
        if not items:
            continue
        if len(items) > 1:
            notices.append(f"{key_text}: given {len(items)} times; used the last")
        value = items[-1]
        if len(value) > MAX_LEN:
            notices.append(f"{key_text}: value too long ({len(value)} characters); ignored")
            continue
        values[key_text] = value.strip()
    notices += [_unknown_notice(unknown)] if unknown else []

    d = bounds.default
    view_date = _date(values, "date", d.date, bounds, notices)
    compare = _date(values, "compare", None, bounds, notices)
    if compare is not None and compare == view_date:
        notices.append("compare: same as the map date; comparison dropped")
        compare = None
    elif compare is not None and compare > view_date:
        notices.append("compare: later than the map date; the two dates were swapped")
        view_date, compare = compare, view_date
    mode = _choice(values, "mode", d.mode, MODES, notices)
    if mode == "swipe" and compare is None:  # side by side needs two dates
        notices.append("mode: side by side needs a compare date; showing one map")
        mode = d.mode
    view = ViewState(
        date=view_date, compare=compare, layers=_layers(values, d.layers, bounds, notices),
        lat=_number(values, "lat", d.lat, bounds.lat_range, notices),
        lon=_number(values, "lon", d.lon, bounds.lon_range, notices),
        zoom=int(_number(values, "zoom", d.zoom, bounds.zoom_range, notices, integer=True)),
        basemap=_basemap(values, d.basemap, bounds, notices),
        article=_choice(values, "article", d.article, bounds.article_ids, notices) if bounds.article_ids else "",
        mode=mode, town=_town(values, notices),
    )
    return view, notices


def _unknown_notice(names: list[str]) -> str:
    """One short notice for all unknown parameters (a thousand: one line), five named in any script
    (`дата`) by letters, digits, `_` and `-` only: no markup reaches the page."""
    kept = ["".join(c for c in unicodedata.normalize("NFC", n) if c.isalnum() or c in "_-")[:20] for n in names[:5]]
    shown = [f"'{k}'" if k else "(unreadable name)" for k in kept]
    if len(names) == 1:
        return f"unknown parameter {shown[0]} ignored"
    return f"{len(names)} unknown parameters ignored ({', '.join(shown)}{', …' if len(names) > 5 else ''})"


def to_query(view: ViewState, bounds: Bounds) -> dict[str, str]:
    """Only what differs from the default view; parse_query(to_query(v)) == v."""
    d = bounds.default
    out: dict[str, str] = {}
    if view.date != d.date:
        out["date"] = view.date.isoformat()
    if view.compare is not None:
        out["compare"] = view.compare.isoformat()
    if set(view.layers) != set(d.layers):
        out["layers"] = ",".join(i for i in bounds.layer_ids if i in view.layers)
    if round(view.lat, 4) != d.lat:
        out["lat"] = f"{view.lat:.4f}"
    if round(view.lon, 4) != d.lon:
        out["lon"] = f"{view.lon:.4f}"
    if view.zoom != d.zoom:
        out["zoom"] = str(view.zoom)
    if view.basemap != d.basemap:
        out["basemap"] = view.basemap
    if view.article and view.article != d.article:
        out["article"] = view.article
    if view.mode != d.mode and view.compare is not None:  # the mode means nothing without one
        out["mode"] = view.mode
    if view.town:
        out["town"] = view.town
    return out


def _basemap(values: dict[str, str], default: str, bounds: Bounds, notices: list[str]) -> str:
    raw = values.get("basemap")
    if raw and raw in bounds.basemap_ids and bounds.link_basemaps and raw not in bounds.link_basemaps:
        notices.append("basemap: online map tiles are not opened from a link (they load from another "
                       "host); choose them under Layers if you want them")
        return default
    return _choice(values, "basemap", default, bounds.basemap_ids, notices)


def _town(values: dict[str, str], notices: list[str]) -> str:
    """A GeoNames id (digits only); whether the gazetteer holds it is checked where it is used."""
    raw = values.get("town", "")
    if raw and not re.fullmatch(r"\d{1,10}", raw):
        notices.append("town: not a GeoNames id; ignored")
    return raw if re.fullmatch(r"\d{0,10}", raw) else ""


def normalise(view: ViewState, bounds: Bounds) -> ViewState:
    """Round and clamp a view built from widgets or the map, as a link would carry it."""
    return replace(
        view, lat=round(_clamp(view.lat, *bounds.lat_range), 4), lon=round(_clamp(view.lon, *bounds.lon_range), 4),
        zoom=int(_clamp(view.zoom, *bounds.zoom_range)),
        layers=tuple(i for i in bounds.layer_ids if i in view.layers),
    )


def _clamp(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


def _date(values: dict[str, str], key: str, default: date | None, bounds: Bounds, notices: list[str]) -> date | None:
    raw = values.get(key)
    if not raw:
        return default
    try:
        day = date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
    except ValueError:  # 2024-02-30
        day = None
    if day is None:
        notices.append(f"{key}: not a YYYY-MM-DD date; ignored")
        return default
    if day < bounds.first or day > bounds.last:
        near = bounds.first if day < bounds.first else bounds.last
        notices.append(f"{key}: outside {bounds.first.isoformat()} to {bounds.last.isoformat()}; "
                       f"showing {near.isoformat()}")
        return near
    return day


def _number(values: dict[str, str], key: str, default: float, limits: tuple[float, float],
            notices: list[str], integer: bool = False) -> float:
    raw = values.get(key)
    if not raw:
        return default
    if not re.fullmatch(r"[+-]?\d{1,4}(\.\d{1,12})?", raw):  # plain digits: never nan, inf or 1e309
        notices.append(f"{key}: not a {'whole ' if integer else ''}number; ignored")
        return default
    value = float(raw)
    if integer and value != int(value):
        notices.append(f"{key}: not a whole number; rounded")
        value = round(value)
    if value < limits[0] or value > limits[1]:
        notices.append(f"{key}: outside {limits[0]:g} to {limits[1]:g}; clamped")
        value = _clamp(value, *limits)
    return int(value) if integer else round(value, 4)


def _layers(values: dict[str, str], default: tuple[str, ...], bounds: Bounds, notices: list[str]) -> tuple[str, ...]:
    if "layers" not in values:
        return default
    wanted = [p.strip() for p in values["layers"].split(",") if p.strip()]
    unknown = [p for p in wanted if p not in bounds.layer_ids]
    if unknown:
        shown = ", ".join(_SAFE_ID.sub("", u.lower())[:30] or "?" for u in unknown[:5])
        notices.append(f"layers: {len(unknown)} unknown layer id(s) ignored ({shown})")
    return tuple(i for i in bounds.layer_ids if i in wanted)


def same_spot(a: tuple[float, float], b: tuple[float, float], zoom: int, pixels: float = 1.5) -> bool:
    """True if two centres are within a pixel or so at this zoom (Web Mercator, 256 px tiles)."""
    deg_per_px = 360.0 / (256 * 2 ** zoom)
    lat_scale = max(math.cos(math.radians((a[0] + b[0]) / 2)), 0.1)
    return abs(a[1] - b[1]) < pixels * deg_per_px and abs(a[0] - b[0]) < pixels * deg_per_px * lat_scale


def _choice(values: dict[str, str], key: str, default: str, allowed: tuple[str, ...], notices: list[str]) -> str:
    raw = values.get(key)
    if raw is None or raw == "":
        return default
    if raw not in allowed:
        notices.append(f"{key}: unknown id; using '{default}'")
        return default
    return raw


def shift_months(day: date, months: int) -> date:
    """The same day of the month `months` later (or earlier), clamped to the month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for dom in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, dom)
        except ValueError:
            continue
    return date(year, month + 1, 28)


#: Steps a reader can take through the days (label, unit, count): Play uses the same units.
STEP_UNITS = {"day": 1, "week": 7}


def step(day: date, unit: str, count: int) -> date:
    """`count` days, weeks or months from `day`. A month's last day steps to the target month's
    last day, so stepping or playing by month from 31 January gives 28 February, then 31 March
    (not 28 March: the steps would otherwise drift to the 28th)."""
    if unit == "month":
        if (day + timedelta(days=1)).month != day.month:
            first_after = shift_months(day.replace(day=1), count + 1)
            return first_after - timedelta(days=1)
        return shift_months(day, count)
    return day + timedelta(days=STEP_UNITS[unit] * count)
