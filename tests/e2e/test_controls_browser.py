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
    """The map follows the page's layer checkboxes itself: within the click's own event
    dispatch (no round trip can have happened) the towns are gone from the map and back."""
    watched.open(app_server.url + f"?date={START}")
    page, frame = watched.page, watched.map()
    expect(frame.locator(".sm-place").first).to_be_attached(timeout=60_000)
    wait_idle(page)
    switch = """(name) => {
        const box = [...document.querySelectorAll("[data-testid='stSidebar'] input[type=checkbox]")]
            .find(i => (i.getAttribute("aria-label") || "").startsWith(name));
        const map = document.querySelector("iframe[title='streamlit_folium.st_folium']").contentDocument;
        const before = map.querySelectorAll(".sm-place").length;
        box.click();
        return [before, map.querySelectorAll(".sm-place").length];
    }"""
    before, after = page.evaluate(switch, LAYERS[0])
    assert before > 0 and after == 0, (before, after)
    # then the page follows: the box, the URL, and the map stays as the reader left it
    expect(page.get_by_role("checkbox", name=LAYERS[0])).not_to_be_checked()
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"layers=(?![^&]*places)"))
    expect(frame.locator(".sm-place")).to_have_count(0)
    before, after = page.evaluate(switch, LAYERS[0])
    assert before == 0 and after > 0, (before, after)
    expect(page.get_by_role("checkbox", name=LAYERS[0])).to_be_checked()
    wait_idle(page)
    expect(page).not_to_have_url(re.compile(r"layers=(?![^&]*places)"))  # the default set has no param
    expect(frame.locator(".sm-place").first).to_be_attached()
    assert watched.errors == [] and watched.external == []
