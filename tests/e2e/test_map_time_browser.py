"""The map's own time control: it moves the map at once, and the page (URL, sidebar, panels)
follows the map's report; the page's own controls still move the map."""

import itertools
import json
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from dashboard.data.figures import window_start
from dashboard.data.settlements import load_settlements, settlements_spec, window_features
from dashboard.data.view import step
from dashboard.map.draw import rows_of
from dashboard.map.text import feature_popup, feature_tip
from tests.e2e.conftest import Watched, map_frame, wait_idle

pytestmark = pytest.mark.browser

START = date(2024, 9, 20)


def _open(app_server, watched: Watched, day: date = START):
    watched.open(app_server.url + f"?date={day}")
    frame = watched.map()
    # the history file is fetched after the first paint; the control says when it is in
    frame.locator(".sm-time-ready").wait_for(timeout=60_000)
    return watched.page, frame


def _page_follows(page, frame, day: date) -> None:
    """The map, the URL, the sidebar's slider and the date-dependent panel all show `day`."""
    expect(frame.locator(".sm-time-date")).to_have_text(day.isoformat())
    expect(frame.locator(".sm-asof")).to_contain_text(f"Map date {day}")
    expect(page).to_have_url(re.compile(rf"[?&]date={day}(&|$)"), timeout=30_000)
    expect(page.get_by_role("slider", name="Map date")).to_have_attribute("aria-valuetext", day.isoformat())
    expect(page.get_by_text(re.compile(rf"Occupied area and change: .* → {day}"))).to_be_visible()


def test_n_clicks_of_plus_one_day_move_the_date_n_days(app_server, watched: Watched):
    page, frame = _open(app_server, watched)
    occupied = frame.locator("path[fill='#D55E00']").first
    occupied.evaluate("p => { p.dataset.smMark = 'first'; }")
    server_dash = occupied.get_attribute("stroke-dasharray")  # the server's drawing: status "assessed"
    plus = frame.get_by_role("button", name="+1d")
    clicks = 9
    for _ in range(clicks):  # as fast as Playwright clicks: none may be lost
        plus.click()
    day = START + timedelta(days=clicks)
    expect(frame.locator(".sm-time-date")).to_have_text(day.isoformat())
    # the map drew another day's area itself (the server's first-paint path is gone)
    expect(frame.locator("path[data-sm-mark='first']")).to_have_count(0)
    assert frame.locator("path[fill='#D55E00']").count() >= 1
    assert server_dash and frame.locator("path[fill='#D55E00']").first.get_attribute("stroke-dasharray") == server_dash
    _page_follows(page, frame, day)
    # back by a week, then a month forward: each from the day before
    frame.get_by_role("button", name="−7d").click()
    frame.get_by_role("button", name="+1m").click()
    _page_follows(page, frame, date(2024, 10, 22))
    wait_idle(page)
    _page_follows(page, frame, date(2024, 10, 22))  # nothing late undoes it
    assert watched.errors == [] and watched.external == []


def test_the_keyboard_and_the_slider_step_the_map(app_server, watched: Watched):
    page, frame = _open(app_server, watched)
    frame.get_by_role("button", name="+1d").focus()
    frame.get_by_role("button", name="+1d").press("Enter")
    frame.get_by_role("button", name="+1d").press("Space")
    _page_follows(page, frame, START + timedelta(days=2))
    slider = frame.get_by_role("slider", name="Map date")
    slider.focus()
    slider.press("ArrowRight")
    _page_follows(page, frame, START + timedelta(days=3))
    assert watched.errors == []


def test_the_sidebar_still_moves_the_map_after_the_map_moved(app_server, watched: Watched):
    page, frame = _open(app_server, watched)
    frame.get_by_role("button", name="+7d").click()
    _page_follows(page, frame, START + timedelta(days=7))
    page.get_by_role("button", name="+1d").click()  # the sidebar's: a command to the map
    _page_follows(page, frame, START + timedelta(days=8))
    page.get_by_role("button", name="−1d").click()
    _page_follows(page, frame, START + timedelta(days=7))
    frame.get_by_role("button", name="+1d").click()  # the same day the map reported before
    _page_follows(page, frame, START + timedelta(days=8))
    assert watched.errors == []


def test_the_days_a_step_reaches_are_replayed_before_the_reader_steps(app_server, watched: Watched):
    """After the history arrives the map replays, in idle time, the days within a week and a day
    of its date (so a first step does not replay weeks of days within its click), and again
    around the day a step reached."""
    _, frame = _open(app_server, watched)

    def warmed(day: date) -> None:
        near = [(day + timedelta(days=k)).isoformat() for k in range(-8, 9)]
        frame.locator("body").evaluate("""(_body, near) => new Promise((done, fail) => {
            const occ = window.map._smTime.occupied, t0 = Date.now();
            const want = near.map(d => occ.days[occ.shownIndex(d)]).filter(Boolean);
            (function check() {
              if (want.every(d => d in occ.cache)) { done(); }
              else if (Date.now() - t0 > 20000) {
                fail(new Error('not replayed: ' + want.filter(d => !(d in occ.cache))));
              }
              else { setTimeout(check, 50); }
            })();
        })""", near)

    warmed(START)
    frame.get_by_role("button", name="+1m").click()
    warmed(step(START, "month", 1))
    assert watched.errors == []


def test_a_date_chosen_in_the_map_is_reported_before_the_components_debounce(app_server, watched: Watched):
    """A step's report leaves shortly after the click (60 ms), not after streamlit-folium's
    250 ms debounce: 120 ms after a click (page timers fire in order of their due time, so this
    does not depend on the machine's speed) it has been sent. Clicks within those 60 ms are one
    report; a report within 300 ms of one sent goes through the debounce, and the page ends on
    the last day of a burst."""
    page, frame = _open(app_server, watched)
    wait_idle(page)
    spy = """() => {
        const lib = window.Streamlit;
        if (!lib.__smSpied) {
          const send = lib.setComponentValue.bind(lib);
          lib.setComponentValue = (v) => {
            window.__smSent.push((v.selected_layers || []).map(l => l.name).filter(n => n.startsWith('sm:date=')));
            return send(v);
          };
          lib.__smSpied = true;
        }
        window.__smSent = [];
    }"""
    click = ("(n) => { const plus = [...document.querySelectorAll('button')]"
             ".find(b => b.textContent.trim() === '+1d'); for (let i = 0; i < n; i++) { plus.click(); } }")
    frame.locator("body").evaluate(f"() => ({spy})()")
    sent = frame.locator("body").evaluate(
        f"(_b) => {{ ({click})(1); return new Promise(r => setTimeout(() => r(window.__smSent.slice()), 120)); }}")
    assert sent == [[f"sm:date={START + timedelta(days=1)}"]], "sent before the component's debounce"
    _page_follows(page, frame, START + timedelta(days=1))
    wait_idle(page)
    frame.locator("body").evaluate(f"() => ({spy})()")
    frame.locator("body").evaluate(
        f"(_b) => {{ ({click})(2); setTimeout(() => ({click})(1), 100); setTimeout(() => ({click})(1), 200); }}")
    last = START + timedelta(days=5)
    _page_follows(page, frame, last)
    sent = frame.locator("body").evaluate("() => window.__smSent")
    assert sent[0] == [f"sm:date={START + timedelta(days=3)}"] and sent[-1] == [f"sm:date={last}"], sent
    assert len(sent) <= 3, sent
    wait_idle(page)
    # the throttle itself (timers above may run late on a busy page): a second report within
    # 300 ms of one sent is left to the debounce
    held = frame.locator("body").evaluate("""() => {
        const t = window.map._smTime, lib = window.Streamlit, send = lib.setComponentValue;
        let calls = 0;
        lib.setComponentValue = (v) => { calls += 1; };
        const changed = (k) => {
          window.__GLOBAL_DATA__.selected_layers[k] = {name: k, url: null};
          t.flush();
          return calls;
        };
        t.flushed = 0;
        const out = [changed('sm:check-1'), changed('sm:check-2')];
        lib.setComponentValue = send;
        return out;
    }""")
    assert held == [1, 1]
    assert watched.errors == []


def test_a_layer_toggle_in_the_map_reaches_the_url_and_survives_a_date_step(app_server, watched: Watched):
    page, frame = _open(app_server, watched)
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers-overlays label", has_text="Towns in the story").click()
    expect(frame.locator(".sm-place")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]layers=[^&]*"), timeout=30_000)
    expect(page.get_by_role("checkbox", name=re.compile("Towns in the story"))).not_to_be_checked()
    frame.get_by_role("button", name="+1d").click()
    _page_follows(page, frame, START + timedelta(days=1))
    expect(frame.locator(".sm-place")).to_have_count(0)
    assert "places" not in re.search(r"layers=([^&]*)", page.url).group(1)
    assert watched.errors == []


def test_play_advances_day_by_day_and_the_page_follows_when_it_stops(app_server, watched: Watched):
    page, frame = _open(app_server, watched)
    frame.locator(".sm-time-date").evaluate(
        "(el) => { window.__smSeen = []; new MutationObserver(() => window.__smSeen.push(el.textContent))"
        ".observe(el, {childList: true, characterData: true, subtree: true}); }")
    play = frame.get_by_role("button", name="Play")
    play.click()
    expect(play).to_have_attribute("aria-pressed", "true")
    expect(frame.locator(".sm-time-date")).not_to_have_text(
        re.compile("|".join((START + timedelta(days=k)).isoformat() for k in range(6))), timeout=30_000)
    play.click()
    expect(play).to_have_attribute("aria-pressed", "false")
    seen = [s for s in frame.locator("body").evaluate("() => window.__smSeen") if s]
    days = [d for d in map(date.fromisoformat, dict.fromkeys(seen)) if d > START]
    assert len(days) >= 6 and days[0] == START + timedelta(days=1)
    assert all(b - a == timedelta(days=1) for a, b in itertools.pairwise(days)), "no day skipped"
    _page_follows(page, frame, days[-1])
    assert watched.errors == []


def test_the_maps_date_arithmetic_is_the_pages(app_server, watched: Watched):
    """time.js repeats data/view.py's `step` (a month's last day steps to a last day)."""
    _, frame = _open(app_server, watched)
    cases = [(date(2025, 1, 31), "month", 1), (date(2025, 2, 28), "month", 1), (date(2024, 3, 31), "month", -1),
             (date(2024, 12, 30), "week", 1), (date(2024, 3, 1), "day", -1), (date(2024, 1, 15), "month", 13)]
    for day, unit, count in cases:
        got = frame.locator("body").evaluate("(_, [d, u, c]) => window.SmTime.step(d, u, c)",
                                        [day.isoformat(), unit, count])
        assert got == step(day, unit, count).isoformat(), (day, unit, count)


#: Click one of the map's steps and, in the same task (no server message can arrive in between), read the
#: settlements group's markers on the map and where they sit among the overlay paths.
STEP_AND_READ = """([id, label]) => {
  const t = window.map._smTime, group = t.groups[id], pane = window.map.getPane('overlayPane');
  [...document.querySelectorAll('.sm-time-step')].find(b => b.textContent === label).click();
  const shown = [];
  group.eachLayer(function walk(l) {
    if (l.eachLayer) { l.eachLayer(walk); return; }
    if (l.feature && window.map.hasLayer(l)) {
      shown.push([l.feature.properties.tip, l.getPopup() ? l.getPopup().getContent() : '', l.getRadius()]);
    }
  });
  const paths = [...pane.querySelectorAll('path')];
  const marker = p => ['#CC79A7', '#009E73'].includes(p.getAttribute('fill'));
  return {date: t.date, shown: shown, markers: paths.filter(marker).length, firstMarker: paths.findIndex(marker),
          occupied: paths.findIndex(p => p.getAttribute('fill') === '#D55E00')};
}"""


def test_the_settlements_window_is_drawn_by_the_map_for_its_own_date(app_server, watched: Watched, shipped):
    """The settlements that changed hands in the 30 days up to the map date: a +7d in the map
    draws the new window's markers at once (Pokrovsk's point came inside on 2025-11-03), the
    same markers, texts and stacking as the server draws for that day."""
    spec = settlements_spec(shipped.catalog)
    found = load_settlements(shipped.root, spec.table)

    def expected(day: date) -> list[list]:
        gdf = window_features(found, window_start(day, None, shipped.history.first), day)
        return [[feature_tip(r), feature_popup(r), 7] for r in (rows_of(gdf) if gdf is not None else [])]

    page, frame = _open(app_server, watched, date(2025, 11, 1))
    before, after = expected(date(2025, 11, 1)), expected(date(2025, 11, 8))
    assert before != after and any("Pokrovsk: came under occupation" in tip for tip, _, _ in after)
    expect(frame.locator("path[fill='#CC79A7']")).to_have_count(
        sum(1 for tip, _, _ in before if "came under occupation" in tip), timeout=60_000)
    got = frame.locator("body").evaluate(f"(_, arg) => ({STEP_AND_READ})(arg)", [spec.id, "+7d"])
    assert got["date"] == "2025-11-08"
    assert got["shown"] == after and got["markers"] == len(after)
    assert 0 <= got["occupied"] < got["firstMarker"], "markers over the occupied area, as the server stacks them"
    _page_follows(page, frame, date(2025, 11, 8))
    wait_idle(page)  # the page's run for the reported day leaves the map's markers as they are
    assert frame.locator("path[fill='#CC79A7'], path[fill='#009E73']").count() == len(after)
    # a day with a new occupied area and the same window: the area is redrawn, the markers stay on top
    got = frame.locator("body").evaluate(f"(_, arg) => ({STEP_AND_READ})(arg)", [spec.id, "+1d"])
    assert got["date"] == "2025-11-09" and got["shown"] == after == expected(date(2025, 11, 9))
    assert 0 <= got["occupied"] < got["firstMarker"]
    assert watched.errors == []


REPLAY_ALL = """([daily, scale]) => {
  const occ = new window.SmOccupied(daily, scale);
  const area = mp => mp.reduce((a, p) => a + p.reduce((b, r, k) => {
    let s = 0;
    for (let j = 0; j + 1 < r.length; j++) { s += r[j][0] * r[j + 1][1] - r[j + 1][0] * r[j][1]; }
    return b + (k === 0 ? 1 : -1) * Math.abs(s) / 2;
  }, 0), 0);
  return daily.days.map((d, i) => { const g = occ.grid(i); return g === null ? null : area(g); });
}"""


def test_the_map_rebuilds_every_day_of_the_history_as_the_server_has_it(app_server, watched: Watched, shipped):
    """Each day's occupied area replayed by the browser's own code (time.js, polygon-clipping) from
    the history file, in order as Play would: none missing (it once failed on 2024-08-05 and
    2024-12-04 in floating point) and each the server's snapshot to within a thousandth."""
    from dashboard.data.layers import view_bounds
    from dashboard.map.timeline import history_payload

    payload = json.loads(history_payload(shipped, view_bounds(shipped).default.article))
    _open(app_server, watched)
    areas = map_frame(watched).evaluate(REPLAY_ALL, [payload["daily"], payload["scale"]])
    days = payload["daily"]["days"]
    assert [d for d, a in zip(days, areas, strict=True) if a is None] == []
    scale2 = payload["scale"] ** 2
    for day, got in zip(days, areas, strict=True):
        server = shipped.history.snapshot(date.fromisoformat(day)).geometry.area * scale2
        assert abs(got - server) <= 1e-3 * server, (day, got, server)
    assert watched.errors == []
