"""The Add-article page in headless Chromium: a hostile article pasted, shown as text; an
unresolved place placed by clicking the map; the draft saved into a copy of the data; all offline."""

from __future__ import annotations

import json
import shutil
import time
import tomllib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard.data.drafts import validate_draft
from dashboard.data.load import DEFAULT_DATA
from tests.e2e.conftest import ARTIFACTS, AppServer, Watched, wait_idle

pytestmark = pytest.mark.browser
# Written for this test; the markup is the attack, and it must show as text.
HOSTILE = """Shelling near Sudzha <script>window.__pwned = 1</script>
Published 12 November 2024

Ukrainian units kept their positions around Sudzha in Kursk Oblast on 12 November, while Russian troops
pushed on towards Kurakhove. <img src=x onerror="window.__pwned = 2"> Officials spoke of about 50,000 troops
gathered near Kursk. Overnight, shells fell on the village of Zelenyi Shlyakh.
"""


@pytest.fixture(scope="module")
def editor_server(tmp_path_factory) -> Iterator[tuple[AppServer, object]]:
    data = tmp_path_factory.mktemp("editor") / "geodata"
    shutil.copytree(DEFAULT_DATA, data)
    server = AppServer(data=data, env={"SITUATION_MAP_EDITOR": "1"})
    yield server, data
    server.stop()


def settle(w: Watched, seconds: float = 1.0) -> None:
    time.sleep(seconds)
    wait_idle(w.page)


def choose(w: Watched, label: str, option: str) -> None:
    wanted = w.page.get_by_role("option").filter(has_text=option)
    for _ in range(3):  # a click during the map's first report (a rerun) may not open the list
        w.page.get_by_test_id("stSelectbox").filter(has_text=label).locator("input").click()
        try:
            wanted.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            w.page.keyboard.press("Escape")
            settle(w)
    wanted.click()
    settle(w)


def test_paste_fix_save_offline_and_no_live_markup(editor_server, browser: Browser):
    server, data = editor_server
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    w = Watched(ctx.new_page())
    w.open(server.url + "add-article")
    assert w.page.get_by_role("link", name="Add an article").count() == 1, "in the menu when editing is on"
    box = w.page.get_by_label("Paste the article's text")
    box.fill(HOSTILE)
    box.press("Control+Enter")
    settle(w)
    w.page.get_by_role("button", name="Read the article").click()
    settle(w, 2)

    shown = w.page.locator(".sm-article")
    assert "<script>window.__pwned = 1</script>" in shown.inner_text()
    assert '<img src=x onerror="window.__pwned = 2">' in shown.inner_text()
    assert shown.locator("script, img").count() == 0
    assert w.page.evaluate("window.__pwned") is None
    assert shown.locator("mark.place").first.inner_text() == "Sudzha"

    # Zelenyi Shlyakh is not in the gazetteer: pick it, click the map, and it is placed there.
    choose(w, "Click the map to place", "Zelenyi Shlyakh")
    frame = w.map()
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    time.sleep(1.5)
    frame.locator(".leaflet-container").click(position={"x": 60, "y": 60})
    settle(w, 2.5)
    for label, value in (("Publisher", "Test Wire"), ("Article URL", "https://example.org/story")):
        field = w.page.get_by_label(label)
        field.fill(value)
        field.press("Enter")
        settle(w)
    w.page.screenshot(path=str(ARTIFACTS / "add-article-desktop.png"), full_page=True)
    w.page.get_by_role("button", name="Save draft").click()
    settle(w, 2)
    success = w.page.get_by_test_id("stAlertContentSuccess")
    assert "Saved" in success.inner_text() and "0 errors" in success.inner_text()

    folder = next((data / "drafts").iterdir())
    assert validate_draft(folder) == []
    features = json.loads((folder / "places.geojson").read_text())["features"]
    placed = {f["properties"]["name"]: f["geometry"]["coordinates"] for f in features}
    assert "Zelenyi Shlyakh" in placed, "placed by the map click"
    # The files are data: the hostile title is kept literally (escaped wherever it is shown).
    article = tomllib.loads((folder / "article.toml").read_text())["articles"][0]
    assert article["title"] == "Shelling near Sudzha <script>window.__pwned = 1</script>"
    assert "Ukrainian units kept their positions" not in (folder / "article.toml").read_text()
    assert w.external == [], "every request stays on localhost"
    assert w.dialogs == []
    ctx.close()


def test_phone_layout_and_off_link(editor_server, browser: Browser):
    server, _ = editor_server
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    w = Watched(ctx.new_page())
    w.open(server.url + "add-article")
    box = w.page.get_by_label("Paste the article's text")
    box.fill(HOSTILE)
    box.press("Control+Enter")
    settle(w)
    w.page.get_by_role("button", name="Read the article").click()
    settle(w, 2)
    w.map().locator(".leaflet-container").wait_for(timeout=60_000)
    time.sleep(1.5)
    w.page.screenshot(path=str(ARTIFACTS / "add-article-phone.png"), full_page=True)
    for name, part in (("text", w.page.locator(".sm-article")), ("map", w.page.locator("iframe").first)):
        part.scroll_into_view_if_needed()
        time.sleep(0.5)
        w.page.screenshot(path=str(ARTIFACTS / f"add-article-phone-{name}.png"))
    assert w.page.locator(".sm-article script").count() == 0
    assert w.external == []
    ctx.close()


def test_off_without_the_switch(browser: Browser, tmp_path):
    server = AppServer(env={"SITUATION_MAP_EDITOR": "0"})
    try:
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        w = Watched(ctx.new_page())
        w.open(server.url + "add-article")
        assert "Editing is off on this deployment" in w.page.get_by_test_id("stAlert").first.inner_text()
        assert w.page.get_by_role("link", name="Add an article").count() == 0
        assert w.external == []
        ctx.close()
    finally:
        server.stop()
