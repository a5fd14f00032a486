"""Every control change reaches the map and the URL, whatever came just before it.

A layer toggle reruns only the map fragment; a date step reruns the whole page. Done back to
back, the date step must still reach the slider, the map's as-of box and the URL (it once
moved the slider only, in 5 tries out of 12)."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Watched, wait_idle

pytestmark = pytest.mark.browser

START = date(2024, 9, 1)
ROUNDS = 16
#: (the checkbox's accessible name carries Markdown escapes: match it by its title only)
LAYERS = ("Towns in the story", "Oblast boundaries and state border")


def test_a_step_right_after_a_layer_toggle_reaches_map_and_url(app_server, watched: Watched):
    watched.open(app_server.url + f"?date={START}")
    page, frame = watched.page, watched.map()
    asof = frame.locator(".sm-asof")
    expect(asof).to_contain_text(f"Map date {START}", timeout=60_000)
    slider = page.get_by_role("slider", name="Map date")
    step = page.get_by_role("button", name="+1d")
    boxes = [page.get_by_role("checkbox", name=label) for label in LAYERS]
    for box in boxes:
        expect(box).to_be_attached()
    every = page.locator("[data-testid='stSidebar'] [data-testid='stCheckbox'] input")

    def all_boxes() -> dict[str, bool]:
        return {e.get_attribute("aria-label"): e.is_checked() for e in every.all()}

    day = START
    for n in range(ROUNDS):
        box = boxes[n % len(boxes)]
        was = box.is_checked()
        before = all_boxes()
        page.get_by_text(LAYERS[n % len(LAYERS)]).click()  # a layer switch: the fragment reruns
        wait_idle(page)
        step.click()  # then a date step, as soon as the page is idle: the whole page reruns
        day += timedelta(days=1)
        expect(slider, f"round {n}").to_have_attribute("aria-valuetext", day.isoformat())
        expect(asof, f"round {n}").to_contain_text(f"Map date {day}")
        expect(page, f"round {n}").to_have_url(re.compile(rf"[?&]date={day}(&|$)"))
        expect(box, f"round {n}").to_be_checked(checked=not was)
        # and every other box is as it was (the browser once dropped them all to unchecked)
        wait_idle(page)
        after = all_boxes()
        assert {k: v for k, v in after.items() if v == before.get(k)} == {
            k: v for k, v in before.items() if LAYERS[n % len(LAYERS)] not in k}, f"round {n}"
    # and they stay so once everything has settled (no late rerun undoes the last step)
    wait_idle(page)
    expect(slider, f"round {n}").to_have_attribute("aria-valuetext", day.isoformat())
    expect(asof, f"round {n}").to_contain_text(f"Map date {day}")
    expect(page, f"round {n}").to_have_url(re.compile(rf"[?&]date={day}(&|$)"))
    assert watched.errors == [] and watched.external == []


def test_a_sidebar_layer_switch_reaches_the_map_before_the_server_answers(app_server, watched: Watched):
    """The map follows the page's layer checkboxes itself, by pointer and by keyboard. The
    control the server last drew carries a mark: the towns go (and come back) while that same
    control is in place, so the change did not wait for the server's redraw."""
    watched.open(app_server.url + f"?date={START}")
    page, frame = watched.page, watched.map()
    expect(frame.locator(".sm-place").first).to_be_attached(timeout=60_000)
    box = page.get_by_role("checkbox", name=LAYERS[0])
    find_map = """() => { for (const k of Object.keys(window)) { try { const v = window[k];
        if (v instanceof L.Map && v._smControl) { return v; } } catch (e) {} } return null; }"""
    frames = [f for f in page.frames if "streamlit_folium" in f.url]

    def mark() -> None:
        wait_idle(page)
        frames[0].evaluate(f"() => {{ ({find_map})()._smControl.__smMark = true; }}")

    def marked_when(count_test: str) -> bool:
        frames[0].wait_for_function(f"() => document.querySelectorAll('.sm-place').length {count_test}")
        return frames[0].evaluate(f"() => ({find_map})()._smControl.__smMark === true")

    for press, shown in ((lambda: page.get_by_text(f"{LAYERS[0]} (reported)").click(), False),
                         (lambda: page.get_by_text(f"{LAYERS[0]} (reported)").click(), True),
                         (lambda: (box.focus(), page.keyboard.press("Space")), False),
                         (lambda: (box.focus(), page.keyboard.press("Space")), True)):
        mark()
        press()
        assert marked_when("> 0" if shown else "=== 0"), "the towns changed only with the server's redraw"
        # then the page follows: the box and the URL, and the map stays as the reader left it
        expect(box).to_be_checked(checked=shown)
        wait_idle(page)
        if shown:  # the default set: no layers parameter, or one with the towns
            expect(page).not_to_have_url(re.compile(r"layers=(?![^&]*places)"))
        else:
            expect(page).to_have_url(re.compile(r"layers=(?![^&]*places)"))
        if shown:
            expect(frame.locator(".sm-place").first).to_be_attached()
        else:
            expect(frame.locator(".sm-place")).to_have_count(0)
    assert watched.errors == [] and watched.external == []
