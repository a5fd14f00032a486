"""A reader's first view: the map paints before the page's panels are drawn, and the panels
come without the map's report too."""

import re

import pytest
from playwright.sync_api import expect

from dashboard.ui.first_view import NOTE, WAIT_S
from tests.e2e.conftest import Watched, wait_idle

pytestmark = pytest.mark.browser

#: In the page, from its first script: when the panels' first heading appears (epoch ms).
PANELS_CLOCK = """() => {
  const seen = () => { if (!window.__smPanelsAt && document.body && document.body.innerText.includes('Key figures')) {
    window.__smPanelsAt = performance.timeOrigin + performance.now(); } };
  new MutationObserver(seen).observe(document, {childList: true, subtree: true, characterData: true});
}"""


def test_the_panels_are_drawn_after_the_map_reports_its_paint(app_server, watched: Watched):
    page = watched.page
    page.add_init_script(f"({PANELS_CLOCK})()")
    page.goto(app_server.url)
    expect(page.get_by_text(NOTE)).to_be_visible(timeout=60_000)  # the first run: map, controls
    expect(page.get_by_text("Key figures")).to_be_visible(timeout=60_000)
    expect(page.get_by_text(NOTE)).to_have_count(0)
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    painted_at = frame.evaluate("() => window.map._smTime.paintedAt || 0")
    panels_at = page.evaluate("() => window.__smPanelsAt || 0")
    assert painted_at > 0, "the map reported its first paint"
    assert frame.evaluate("() => window.__GLOBAL_DATA__.previous_data.selected_layers"
                          ".some(l => l.name === 'sm:painted')")
    assert frame.locator("path[fill='#fbfaf6']").count() > 0, "the basemap was drawn before that report"
    assert panels_at > painted_at, "the panels came after the map's paint"
    # the map took the fetches it waited for: the list does not grow with each base map
    assert frame.evaluate("() => window.__smFetches.length") == 0
    wait_idle(page)
    assert watched.errors == []


def test_the_panels_come_when_the_map_never_reports_its_paint(app_server, watched: Watched):
    page = watched.page
    # no map script (the map's scripts come as one file, publish.bundle_scripts): no paint, no report
    page.route(re.compile(r".*/static/(generated/map-scripts-[0-9a-f]+\.js|map/time\.js)(\?.*)?$"),
               lambda route: route.abort())
    page.goto(app_server.url)
    expect(page.get_by_text(NOTE)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Key figures")).to_be_visible(timeout=(WAIT_S + 30) * 1000)
    expect(page.get_by_text(NOTE)).to_have_count(0)
    # the fallback's timer ends with the wait: the page is not rerun every few seconds after it
    wait_idle(page)
    page.evaluate("""() => { window.__smRuns = 0; const app = document.querySelector("[data-testid='stApp']");
      new MutationObserver(() => { if (app.dataset.testScriptState === 'running') { window.__smRuns += 1; } })
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }""")
    page.wait_for_timeout(WAIT_S * 2.5 * 1000)
    assert page.evaluate("() => window.__smRuns") == 0
