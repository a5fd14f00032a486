"""Deep links and over-long links in Chromium (the session's one browser: tests/e2e/conftest.py):
the reader ends on a working page, told what changed
(issue #21, findings 11 and 16). The HTTP-level checks are in tests/test_guards_http.py."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.harness import AppServer, Watched, wait_idle

pytestmark = pytest.mark.browser
expect.set_options(timeout=60_000)
MAP = 'iframe[title="streamlit_folium.st_folium"]'


@pytest.fixture(scope="module")
def server() -> Iterator[AppServer]:
    app = AppServer(base_path="situation")  # a base path: the harder case for relative URLs
    yield app
    app.stop()


def opened(browser: Browser, url: str) -> Watched:
    w = Watched(browser.new_context(viewport={"width": 1280, "height": 800}).new_page())
    w.page.goto(url)
    return w


def test_a_deep_map_link_opens_the_map_with_its_date_and_a_notice(server, browser):
    w = opened(browser, server.url + "map/x/y?date=2024-09-01")
    expect(w.page.frame_locator(MAP).locator(".sm-asof")).to_contain_text("Map date 2024-09-01")
    expect(w.page.get_by_text("the address went on after the page's name")).to_be_visible()
    wait_idle(w.page)
    expect(w.page).to_have_url(re.compile(r"/situation/\?date=2024-09-01$"))  # notice said, then gone
    expect(w.page.get_by_text("Page not found")).to_have_count(0)
    assert w.errors == [] and w.external == []
    w.page.context.close()


def test_a_deep_sources_link_opens_the_sources_page(server, browser):
    w = Watched(browser.new_context(viewport={"width": 1280, "height": 800}).new_page())
    missing: list[str] = []
    w.page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    w.page.goto(server.url + "sources/x")
    expect(w.page.get_by_role("heading", name=re.compile("Sources"))).to_be_visible()
    expect(w.page.get_by_text("the address went on after the page's name")).to_be_visible()  # said here
    wait_idle(w.page)
    expect(w.page).to_have_url(re.compile(r"/situation/sources(\?|$)"))
    # On any page but the first, Streamlit's client finds the base path by asking
    # <page>/_stcore/health and /host-config first: those two 404s (logged by the browser) are its own.
    probes = [u for u in missing if re.search(r"/situation/sources/_stcore/(health|host-config)$", u)]
    assert missing == probes and len(w.errors) == len(probes), (missing, w.errors)
    assert w.external == []
    w.page.context.close()


def test_a_link_with_a_thousand_junk_parameters_keeps_its_date_and_says_so(server, browser):
    junk = "&".join(f"j{i}=1" for i in range(1001))
    w = opened(browser, f"{server.url}?{junk}&date=2024-09-01")
    expect(w.page.frame_locator(MAP).locator(".sm-asof")).to_contain_text("Map date 2024-09-01")
    expect(w.page.get_by_text("the link had too many parameters")).to_be_visible()
    assert w.errors == []
    w.page.context.close()
