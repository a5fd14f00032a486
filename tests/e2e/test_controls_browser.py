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
        url = page.url
        page.get_by_text(LAYERS[n % len(LAYERS)]).click()  # a layer switch: the fragment reruns
        # idle once that run has written the new layers to the URL (the page shows "not running"
        # for a moment after the click, before the run starts)
        expect(page, f"round {n}").not_to_have_url(url)
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
