"""Session and URL state: the only module that reads or writes `st.session_state` and
`st.query_params`. Every key is named once, in `Key` (ui/keys.py).

The view lives in three places that must agree: the URL (what a link carries), the widgets
(what the reader changes) and `Key.CURRENT` (what survives a visit to another page, when
Streamlit drops the state of widgets it did not draw).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import streamlit as st

from dashboard.data.view import Bounds, ViewState, normalise, parse_query, same_spot, step, to_query
from dashboard.ui.first_view import FirstView
from dashboard.ui.keys import PAGE_OWNED, Key
from dashboard.ui.map_clock import MapClock, Step
from dashboard.ui.map_sync import LayerSync
from dashboard.ui.widget_keys import WidgetKeys


def init_session(bounds: Bounds, *, draws_view_widgets: bool = True) -> None:
    """First run: the URL seeds the view. Back on the map page after another page (whose run
    dropped the widgets' state) the widgets are seeded again from `Key.CURRENT`.

    Only a page that draws the view's widgets seeds them, in the run that draws them (a value put
    there by a page without the widget reaches the server's widget, not the browser's)."""
    s = st.session_state
    if Key.ORIGIN not in s:
        params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
        view, notices = parse_query(params, bounds)
        s.update({Key.ORIGIN: view, Key.CURRENT: view, Key.NOTICES: notices,
                  Key.CENTER: (view.lat, view.lon), Key.ZOOM: view.zoom})
        if draws_view_widgets:
            _seed_widgets(view, bounds)
    elif draws_view_widgets and Key.COMPARE_ON not in s:
        _seed_widgets(s[Key.CURRENT], bounds)
        s.pop(Key.MAP_START, None)  # back from another page: a new map, created where the reader left it


def _seed_widgets(view: ViewState, bounds: Bounds) -> None:
    set_date(view.date, bounds)
    before = max(bounds.first, view.date - timedelta(days=30))
    st.session_state.update({
        Key.COMPARE_ON: view.compare is not None, Key.COMPARE: view.compare or before,
        Key.BASEMAP: view.basemap, Key.ARTICLE: view.article, Key.MODE: view.mode, Key.TOWN: view.town,
        Key.LAYERS: frozenset(view.layers)})


def last_view() -> ViewState:
    """The view the map page last showed (or the link's): for pages without the view's widgets."""
    return st.session_state[Key.CURRENT]


def take_url_notices(keep: bool = False) -> list[str]:
    """What the opening link had wrong: forgotten once taken, unless `keep` (a run to be redone)."""
    return st.session_state.get(Key.NOTICES, []) if keep else st.session_state.pop(Key.NOTICES, [])


def current_view(bounds: Bounds) -> tuple[ViewState, list[str]]:
    s = st.session_state
    notices: list[str] = []
    day: date = s[Key.DATE]
    compare: date | None = s[Key.COMPARE] if s[Key.COMPARE_ON] else None
    if compare is not None and compare >= day:
        notices.append("The comparison date must be earlier than the map date; comparison is off.")
        compare = None
    view = ViewState(date=day, compare=compare,
                     layers=tuple(i for i in bounds.layer_ids if i in s.get(Key.LAYERS, ())),
                     lat=s[Key.CENTER][0], lon=s[Key.CENTER][1], zoom=s[Key.ZOOM], basemap=s[Key.BASEMAP],
                     article=s.get(Key.ARTICLE) or bounds.default.article,
                     mode=s.get(Key.MODE) or bounds.default.mode, town=s.get(Key.TOWN) or "")
    return normalise(view, bounds), notices


def keep_view_in_url(view: ViewState, bounds: Bounds) -> dict[str, str]:
    """Write the view to the URL (every page, so a link from any page carries it)."""
    st.session_state[Key.CURRENT] = view
    query = to_query(view, bounds)
    st.query_params.from_dict(query)
    return query


def compare_on() -> bool:
    return bool(st.session_state.get(Key.COMPARE_ON))


def origin() -> ViewState:
    return st.session_state[Key.ORIGIN]


def map_start(instance: str) -> tuple[tuple[float, float], int]:
    """The centre and zoom to give the map component `instance`: where the reader is when it is
    created (first view, another basemap or article, back from another page), the same after:
    the component moves the map whenever these change, so following the map's own (late)
    reports would move it back."""
    s = st.session_state
    start = s.get(Key.MAP_START)
    if start is None or start[0] != instance:
        start = (instance, s[Key.CENTER], s[Key.ZOOM])
        s[Key.MAP_START] = start
        s.pop(Key.LAST_CLICK, None)  # a new map counts its clicks from 1 again
        s.pop(Key.MAP_CLOCK, None)   # and takes the page's date as a new command
    return start[1], start[2]


def follow_map_move(center: tuple[float, float], zoom: int) -> None:
    """Leaflet snaps the centre to whole pixels: a sub-pixel difference is not a move."""
    if not same_spot(center, st.session_state[Key.CENTER], zoom):
        st.session_state[Key.CENTER] = center
    st.session_state[Key.ZOOM] = zoom


# --------------------------------------------------------------------- date and play callbacks
def shift_date(unit: str, count: int, bounds: Bounds) -> None:
    """A step button's callback. The step goes to the map too, made from its own date
    (map_clock.py); a date the map reported and the page queued is newer than the page's."""
    s = st.session_state
    base, previous = s.pop(Key.PENDING_DATE, None) or s[Key.DATE], s.get(Key.STEP)
    s[Key.STEP] = Step((previous.n if previous else 0) + 1, unit, count, base)
    set_date(step(base, unit, count), bounds)


def date_widget(widget: str) -> tuple[str, date]:
    """The key and value of the date's slider ("slider") or date input ("pick") in this run."""
    day = st.session_state[Key.DATE]
    return _keys().date_key(widget, day), day


def _keys() -> WidgetKeys:
    return st.session_state.setdefault(Key.WIDGET_KEYS, WidgetKeys())


def date_chosen(widget: str, key: str, bounds: Bounds) -> None:
    """The slider's or date input's callback: the day chosen there becomes the map date."""
    chosen, keys = st.session_state.get(key), _keys()
    if isinstance(chosen, date) and keys.accept(key, chosen):  # an old widget's move: redraw both
        set_date(chosen, bounds, widget if keys.is_current(widget, key) else None)


def set_date(day: date, bounds: Bounds, widget: str | None = None) -> None:
    """Move the map date (`widget`: the date widget the reader used, if one did)."""
    s, day = st.session_state, min(max(day, bounds.first), bounds.last)
    if s.get(Key.DATE) != day:
        _keys().moved(widget)
    s[Key.DATE] = day


def play_unit() -> str:
    return st.session_state.get(Key.PLAY_UNIT) or "day"


def playing() -> bool:
    return bool(st.session_state.get(Key.PLAYING))


def queue_next_date(day: date) -> None:
    st.session_state[Key.PENDING_DATE] = day


def queue_stop() -> None:
    st.session_state[Key.PENDING_STOP] = True


def apply_pending(bounds: Bounds) -> None:
    """Values queued at the end of a run (Play's next day, layers toggled in the map): applied
    here, before the widgets that own them exist."""
    s = st.session_state
    pending = s.pop(Key.PENDING_DATE, None)
    if pending is not None:
        set_date(pending, bounds)
    if s.pop(Key.PENDING_STOP, False):
        s[Key.PLAYING] = False
    layers = s.pop(Key.PENDING_LAYERS, None)
    if layers is not None:
        s[Key.LAYERS] = frozenset(layers) & set(bounds.layer_ids)


def hold_page_controls() -> None:
    """Start of a full run (after the callbacks and the pending values): remember the page's own
    controls as this run has them."""
    s = st.session_state
    s[Key.PAGE_CONTROLS] = {key: s[key] for key in PAGE_OWNED if key in s}


def keep_page_controls() -> None:
    """Start of the map fragment: a fragment-only run must not change the page's controls. A
    rerun request sent while a full run is under way (the map reporting a redraw, say) carries
    the browser's values from before that run, and may rerun only the fragment, which does not
    draw these: put back what the last full run set (in a full run this changes nothing)."""
    s = st.session_state
    for key, value in s.get(Key.PAGE_CONTROLS, {}).items():
        if s.get(key) != value:
            s[key] = value


# ------------------------------------------------------------- layer and basemap switches
# The page owns the layers and basemap (Key.LAYERS, Key.BASEMAP); each switch is keyed by its value,
# its default: the browser sometimes drops the fragment's widget state (boxes came back unchecked).
def layer_box(layer_id: str) -> tuple[str, bool]:
    """The key and value of a layer's checkbox in this run."""
    shown = layer_id in st.session_state.get(Key.LAYERS, ())
    return _keys().layer_key(layer_id, shown), shown


def switch_layer(layer_id: str, key: str) -> None:
    """A layer checkbox's callback: the box's new value becomes the page's (not a stale one:
    widget_keys.py)."""
    shown, on = set(st.session_state.get(Key.LAYERS, ())), bool(st.session_state.get(key))
    if _keys().accept(key, on):
        st.session_state[Key.LAYERS] = frozenset(shown | {layer_id} if on else shown - {layer_id})


def basemap_box() -> tuple[str, str]:
    """The key and value of the basemap radio in this run."""
    chosen = st.session_state[Key.BASEMAP]
    return _keys().basemap_key(chosen), chosen


def switch_basemap(key: str) -> None:
    """The basemap radio's callback (not a stale value, as for layers)."""
    picked = st.session_state.get(key)
    if isinstance(picked, str) and _keys().accept(key, picked):
        st.session_state[Key.BASEMAP] = picked


def first_view() -> FirstView:
    return st.session_state.setdefault(Key.FIRST_VIEW, FirstView())


def layer_sync() -> LayerSync:
    """The session's record of layer sets sent to the map and reported back (see map_sync)."""
    return st.session_state.setdefault(Key.MAP_SYNC, LayerSync())


def queue_layers(layers: Iterable[str]) -> None:
    st.session_state[Key.PENDING_LAYERS] = set(layers)


def map_command(day: date, instance: str) -> tuple[int, date, int, Step | None]:
    """The page's latest date command to the map (see ui/map_clock.py)."""
    s, last_step = st.session_state, st.session_state.get(Key.STEP)
    # a new clock (a new map) owes nothing to the steps made before it
    clock = s.setdefault(Key.MAP_CLOCK, MapClock(steps_seen=last_step.n if last_step else 0))
    return clock.command(day, instance, last_step)


def map_reported_date(instance: str, day: date, count: str, seq: int) -> bool:
    """The map's report of a date the reader chose there: True once per report made after the
    page's latest command (an older one was overtaken by it), and the page's date follows."""
    clock = st.session_state.get(Key.MAP_CLOCK)
    if clock is None or not clock.reported(instance, day, count, seq, st.session_state.get(Key.STEP)):
        return False
    queue_next_date(day)
    return True


def show_share_link(link: str, embed: str) -> None:
    st.session_state.update({Key.SHARE_LINK: link, Key.EMBED_CODE: embed})  # each run; edits are dropped


def download_holder(view: ViewState | None = None) -> dict[str, Any]:
    """The view the downloads export; the map fragment updates it on every rerun."""
    holder = st.session_state.setdefault(Key.DOWNLOAD_VIEW, {})
    if view is not None:
        holder["view"] = view
    return holder


def map_report(instance: str) -> dict[str, Any] | None:
    """The map component's latest report (its widget value), before the component is drawn."""
    value = st.session_state.get(instance)
    return value if isinstance(value, dict) else None


def mirror(source_key: str, target_key: str) -> None:
    st.session_state[target_key] = st.session_state.get(source_key, {})


def editor_state() -> dict[str, Any]:
    """The Add-article page's per-session data (the article read, its draft, map clicks). Its
    widgets own their own keys; everything else of that page lives in this one dict."""
    return st.session_state.setdefault("editor_page", {})


def choose_town(geonameid: str) -> None:
    """A town picked in the search box or on the map ('' clears it)."""
    st.session_state[Key.TOWN] = geonameid


def new_click(instance: str, count: int) -> bool:
    """True once per click on the map (the component repeats its last value on every run). The
    count starts again at 0 in each new component, so it is kept with the component's id."""
    if st.session_state.get(Key.LAST_CLICK) == (instance, count):
        return False
    st.session_state[Key.LAST_CLICK] = (instance, count)
    return True
