"""Show a map through streamlit-folium's component, rendering each piece once per process.

`st_folium` turns the whole folium map into JavaScript on every rerun: on this app that is most
of a rerun's server time, although the base map only changes with the basemap or the session's
first view and the dated layers only with the date. Here the three pieces the component takes
(the base map's code, the dated feature groups, the layer control) are rendered separately and
memoised, so a rerun that changes nothing re-renders nothing and a date change renders only the
dated groups (and only the first time anyone asks for that date).

This uses streamlit-folium's own rendering helpers through `ui/private_api.py`, the one module
that touches either library's internals. `tests/test_map_component.py` checks the output against
`st_folium`'s for the same map; `tests/test_private_api.py` fails on an unchecked version.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from textwrap import dedent
from typing import Any

import branca
import folium
import folium.elements
from folium.map import Layer

from dashboard.data.load import Dataset
from dashboard.data.view import Bounds, ViewState
from dashboard.map.build import base_map, dated_groups
from dashboard.map.elements import SyncedLayerControl
from dashboard.map.publish import bundle_scripts, publish
from dashboard.map.style import allow_zoom
from dashboard.ui import private_api as api
from dashboard.ui import state
from dashboard.ui.map_clock import Step


@dataclass(frozen=True)
class BaseRender:
    """What the component needs of the base map, plus the layers its control lists."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    defaults: dict[str, Any]
    layers: tuple[tuple[str, str, bool], ...]  # (label, JavaScript name, overlay)


@dataclass(frozen=True)
class GroupsRender:
    script: str
    layers: tuple[tuple[str, str, bool], ...]
    ids: tuple[tuple[str, str], ...] = ()  # (catalog layer id, JavaScript name) of each group


def _walk(element: Any) -> Iterable[Any]:
    if isinstance(element, folium.elements.JSCSSMixin | branca.colormap.ColorMap):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def render_base(m: folium.Map, returned_objects: Sequence[str]) -> BaseRender:
    """The base map's code, as `st_folium` would send it (same order of steps: the html and
    header before the map string, which renames the map's elements)."""
    m.get_root().render()
    m.render()
    html, header = api.map_html(m), allow_zoom(api.map_header(m))
    script = api.map_script(m)
    css = [href for e in _walk(m) for _, href in getattr(e, "default_css", [])]
    js = [src for e in _walk(m) for _, src in getattr(e, "default_js", [])]
    south_west, north_east = m.get_bounds()
    defaults = {"bounds": {"_southWest": {"lat": south_west[0], "lng": south_west[1]},
                           "_northEast": {"lat": north_east[0], "lng": north_east[1]}},
                "zoom": m.options.get("zoom"), "selected_layers": None}
    layers = tuple((c.layer_name, c.get_name(), bool(c.overlay)) for c in m._children.values()
                   if isinstance(c, Layer) and c.control)
    scripts = bundle_scripts(tuple(dict.fromkeys(js)))
    return BaseRender(script, header, html, api.map_id(m), tuple(dict.fromkeys(css)), scripts,
                      {k: v for k, v in defaults.items() if k in returned_objects}, layers)


#: Dated groups are kept in the browser between reruns, by a hash of their code: a rerun that
#: changes only the layer control (a sidebar toggle) or only some groups (a date change that
#: leaves the Kursk outline as it was) re-creates and redraws only what changed. streamlit-folium
#: itself removes and re-evaluates every group whenever the control changes, redrawing the whole
#: occupied area; it removes only what it finds in `window.feature_group`, which stays empty here.
_KEEP = """
var {name} = window.__smGroups["{key}"];
if (!{name}) {{
{code}
}}
__smNext["{key}"] = {name};
"""
_START = "window.__smGroups = window.__smGroups || {}; var __smNext = {};\n"
_END = """
Object.keys(window.__smGroups).forEach(function(k) {
  if (!(k in __smNext)) { map_div.removeLayer(window.__smGroups[k]); }
});
window.__smGroups = __smNext;
"""


def render_groups(groups: Sequence[folium.FeatureGroup]) -> GroupsRender:
    """The dated feature groups' code. They are rendered against a scratch map: its name is
    swapped for the component's `map_div`, so which map they were rendered on is invisible."""
    scratch = folium.Map(tiles=None)
    parts = []
    for idx, group in enumerate(groups):
        group._id = f"feature_group_{idx}"
        group.add_to(scratch)
        group.render()
        code = api.element_script(group, f"feature_group_{idx}")
        code = dedent(code.replace(api.map_id(scratch), "map_div"))
        key = hashlib.sha256(code.encode()).hexdigest()[:20]
        parts.append(_KEEP.format(name=group.get_name(), key=key, code=code))
    script = _START + "".join(parts) + _END  # even with no group: it removes the last run's
    ids = tuple((str(getattr(g, "sm_layer_id", "")), g.get_name()) for g in groups)
    return GroupsRender(script, tuple((g.layer_name, g.get_name(), True) for g in groups), ids)


def with_time(groups: GroupsRender, seq: int, day: date, drawn: date, compare: bool,
              town: dict[str, object] | None = None, applied: int = 0, step: Step | None = None) -> GroupsRender:
    """The groups' script, then the page's word to the map's clock (static/map/time.js): which
    groups hold which day, whether the page draws a comparison, its numbered date command, and the
    chosen town's line to the front (data/front.town_line), which the map redraws for any day, and
    the map's last move the page had applied when it made the command (fixed per command, so the
    script changes only with a command), and the sidebar step the command is, if it is one (the
    map makes it from its own date). Evaluated whenever the component re-evaluates the groups;
    the map takes a command once."""
    names = ", ".join(f"{json.dumps(layer_id)}: {name}" for layer_id, name in groups.ids if layer_id)
    message = json.dumps({"seq": seq, "date": day.isoformat(), "drawn": drawn.isoformat(), "compare": compare,
                          "town": town, "applied": applied,
                          "step": {"unit": step.unit, "count": step.count, "base": step.base.isoformat()}
                          if step is not None else None}, ensure_ascii=True)
    tell = (f"\nif (window.SmTime) {{ var __smMsg = {message}; __smMsg.groups = {{{names}}};\n"
            f"  window.SmTime.server(map_div, __smMsg); }}\n")
    return replace(groups, script=groups.script + tell.replace("<", "\\u003c"))


def render_control(control: folium.LayerControl, layers: Iterable[tuple[str, str, bool]]) -> str:
    """The layer control's code for an explicit list of layers (folium would look them up among
    the map's children, which the cached pieces no longer share)."""
    scratch = folium.Map(tiles=None)
    control.add_to(scratch)
    control.render = functools.partial(_render_listed, control, tuple(layers))  # type: ignore[method-assign]
    return api.layer_control_script(control, scratch)


@functools.lru_cache(maxsize=64)  # bounded: sets of visible layers readers use
def control_for(visible: tuple[str, ...], listed: tuple[tuple[str, str, bool], ...]) -> str:
    """The page's layer control (showing exactly `visible`) for the listed layers, rendered once
    per set: every rerun asks for it."""
    return render_control(SyncedLayerControl(list(visible), collapsed=True), listed)


def _render_listed(control: folium.LayerControl, layers: tuple[tuple[str, str, bool], ...], **kwargs: Any) -> None:
    control.reset()
    for label, name, overlay in layers:
        (control.overlays if overlay else control.base_layers)[label] = name
    folium.MacroElement.render(control, **kwargs)


def instance_id(base: BaseRender, key: str) -> str:
    """The component's key: a new base map (basemap, article) is a new component in the browser."""
    return api.component_key(base.script, key)


def show(base: BaseRender, groups: GroupsRender | None, control: str | None, *, key: str, height: int,
         center: tuple[float, float] | None, zoom: int | None, returned_objects: Sequence[str],
         on_change: Callable[[], None] | None = None) -> Any:
    """Call the component with pre-rendered pieces (the arguments `st_folium` would pass)."""
    hash_key = instance_id(base, key)

    def _on_change() -> None:
        state.mirror(hash_key, key)  # as st_folium does: the value under the caller's key too
        if on_change is not None:
            on_change()

    return api.call_map_component(
        script=base.script, header=base.header, html=base.html, id=base.map_id, key=hash_key,
        height=height, width=None, returned_objects=list(returned_objects), default=base.defaults,
        zoom=zoom, center=center, feature_group=groups.script if groups else None,
        return_on_hover=False, layer_control=control, pixelated=False, css_links=list(base.css_links),
        js_links=list(base.js_links), on_change=_on_change, wrap_longitude=False)


#: What the page reads back from the map: its view and its visible layers.
RETURNED = ("center", "zoom", "selected_layers", "last_object_clicked_tooltip", "last_object_clicked_count")


def base_for(ds: Dataset, bounds: Bounds, origin: ViewState, basemap: str, article: str) -> BaseRender:
    """The base map for a session's first centre, zoom and layers, its basemap and article. The
    cache key leaves out what the base map does not use (date, comparison), so sessions share it."""
    key = replace(bounds.default, lat=origin.lat, lon=origin.lon, zoom=origin.zoom, layers=origin.layers,
                  basemap=basemap, article=article)
    return cached_base(ds, key, RETURNED)


def groups_for(ds: Dataset, bounds: Bounds, day: date, compare: date | None, article: str,
               mode: str = "overlay") -> GroupsRender:
    """Every dated layer of the article for a day (and comparison, shown as changes or side by
    side); the layer control decides what shows. Without a comparison the mode changes nothing."""
    mode = mode if compare is not None else bounds.default.mode
    return cached_groups(ds, replace(bounds.default, date=day, compare=compare, layers=bounds.layer_ids,
                                     article=article, mode=mode))


@functools.lru_cache(maxsize=16)
def cached_base(ds: Dataset, view: ViewState, returned_objects: tuple[str, ...]) -> BaseRender:
    """The base map for a view's basemap, centre, zoom and layers (its date is not used)."""
    return render_base(base_map(ds, view, publish=publish, tools=True), returned_objects)


@functools.lru_cache(maxsize=256)  # the days readers visit most, plus comparisons (bounded)
def cached_groups(ds: Dataset, view: ViewState) -> GroupsRender:
    """The dated groups for a view's date, comparison and mode (pass every layer: the control hides)."""
    return render_groups(dated_groups(ds, view))
