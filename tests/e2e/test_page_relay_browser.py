"""The sidebar's layer switches reach the map in the browser, before (and without) the server's
rerun (ui/page_relay.py, map/elements.py)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Watched, wait_idle

pytestmark = pytest.mark.browser

TOWNS = "Towns in the story"
#: No rerun request reaches the server from here on: what the map does is the browser's alone.
CUT_THE_SERVER = "() => { window.__smDropped = 0; WebSocket.prototype.send = () => { window.__smDropped += 1; }; }"
#: Post to every frame of the page, as the relay does.
TO_FRAMES = "(msg) => { for (let i = 0; i < window.frames.length; i++) { window.frames[i].postMessage(msg, '*'); } }"


def _open(app_server, watched: Watched):
    watched.open(app_server.url + f"?date={date(2024, 11, 10)}")
    frame = watched.map()
    frame.locator(".sm-time-ready").wait_for(timeout=60_000)
    wait_idle(watched.page)
    watched.page.wait_for_function("() => window.__smLayerRelay === true")  # the relay's script ran
    return watched.page, frame


def test_a_sidebar_layer_switch_reaches_the_map_with_no_server_round_trip(app_server, watched: Watched):
    page, frame = _open(app_server, watched)
    places = frame.locator(".sm-place")
    expect(places).not_to_have_count(0)
    page.evaluate(CUT_THE_SERVER)
    page.get_by_test_id("stSidebar").get_by_text(TOWNS).click()
    expect(places).to_have_count(0)
    assert page.evaluate("() => window.__smDropped") >= 1, "the click asked the server for a rerun, which never came"
    # the map's own control shows it too
    frame.locator(".leaflet-control-layers").hover()
    box = frame.locator(".leaflet-control-layers-overlays label", has_text=TOWNS).locator("input")
    expect(box).not_to_be_checked()
    assert watched.errors == []


def test_from_the_keyboard_too_and_back_on(app_server, watched: Watched):
    page, frame = _open(app_server, watched)
    places = frame.locator(".sm-place")
    page.evaluate(CUT_THE_SERVER)
    switch = page.get_by_role("checkbox", name=TOWNS, exact=False)
    switch.focus()
    page.keyboard.press("Space")
    expect(places).to_have_count(0)
    page.keyboard.press("Space")
    expect(places).not_to_have_count(0)
    assert watched.errors == []


def test_the_map_takes_layer_messages_from_the_page_only(app_server, watched: Watched):
    """The map's frame ignores the same message from itself or with another shape: only the page
    (its parent, same origin) may switch its layers that way."""
    page, frame = _open(app_server, watched)
    places = frame.locator(".sm-place")
    label = page.evaluate("() => window.__smLayerLabels.places")
    assert label.startswith(TOWNS)
    frame.locator("body").evaluate(
        "(_b, label) => { window.postMessage({type: 'sm:layer', label, on: false}, '*');"
        " window.parent.postMessage({type: 'sm:layer', label, on: false}, '*'); }", label)
    page.evaluate(TO_FRAMES, {"type": "sm:layer", "label": label, "on": "no"})
    page.evaluate(TO_FRAMES, {"type": "sm:layer", "label": [label], "on": False})
    page.evaluate(TO_FRAMES, {"type": "sm:layers", "label": label, "on": False})
    page.wait_for_timeout(500)
    expect(places).not_to_have_count(0)
    page.evaluate(TO_FRAMES, {"type": "sm:layer", "label": label, "on": False})
    expect(places).to_have_count(0)  # the same message from the page: taken
    assert watched.errors == []


def test_the_date_slider_keeps_the_keyboard_focus_when_the_map_moves_the_date(app_server, watched: Watched):
    """The map's step gives the sidebar's slider a new key (ui/widget_keys.py): the new slider
    takes the focus back, and the keyboard goes on from the new day."""
    page, frame = _open(app_server, watched)
    slider = page.get_by_role("slider", name="Map date")
    slider.focus()
    before = page.evaluate("() => document.activeElement.closest('[class*=\"st-key-date-slider-\"]').className")
    frame.locator("body").evaluate("() => window.map._smTime.move('day', 1)")
    expect(page).to_have_url(re.compile(r"[?&]date=2024-11-11(&|$)"), timeout=30_000)
    page.wait_for_function("(before) => { const h = document.activeElement.closest('[class*=\"st-key-date-slider-\"]');"
                           " return h && h.className !== before; }", arg=before)
    assert page.evaluate("() => document.activeElement.matches('input[type=range], [role=slider]')")
    page.keyboard.press("ArrowRight")
    expect(frame.locator(".sm-time-date")).to_have_text("2024-11-12")
    expect(page).to_have_url(re.compile(r"[?&]date=2024-11-12(&|$)"), timeout=30_000)
    assert watched.errors == []


def test_the_sidebars_steps_move_the_map_with_no_server_round_trip(app_server, watched: Watched):
    """Once the map holds its history, the sidebar's ±1d/±7d/±1m step it in the browser (its
    report then brings the page along), by mouse and keyboard."""
    page, frame = _open(app_server, watched)
    page.evaluate(CUT_THE_SERVER)
    page.get_by_role("button", name="+1d", exact=True).click()
    expect(frame.locator(".sm-time-date")).to_have_text("2024-11-11")
    page.get_by_role("button", name="−7d", exact=True).focus()
    page.keyboard.press("Enter")
    expect(frame.locator(".sm-time-date")).to_have_text("2024-11-04")
    page.keyboard.press(" ")
    expect(frame.locator(".sm-time-date")).to_have_text("2024-10-28")
    assert watched.errors == []


def test_clicks_on_the_sidebars_steps_are_each_counted_and_the_page_follows(app_server, watched: Watched):
    page, frame = _open(app_server, watched)
    plus = page.get_by_role("button", name="+1d", exact=True)
    for _ in range(3):
        plus.click()
    page.get_by_role("button", name="+1m", exact=True).click()
    expect(frame.locator(".sm-time-date")).to_have_text("2024-12-13")
    expect(page).to_have_url(re.compile(r"[?&]date=2024-12-13(&|$)"), timeout=30_000)
    expect(frame.locator(".sm-asof")).to_contain_text("Map date 2024-12-13")
    assert watched.errors == []
