"""Accessibility: axe-core (vendored from npm, tests only: tests/e2e/vendor) audits each page for
WCAG 2.1 A and AA, in the light and the dark theme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import MAP_IFRAME, Watched, map_reported, wait_idle

pytestmark = pytest.mark.browser
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
RUN = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  const where = v => v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(' | ');
  return r.violations.map(v => `${v.id} (${v.nodes.length}): ${where(v)}`);
}"""


def audit(frame) -> list[str]:
    frame.add_script_tag(content=AXE)
    return frame.evaluate(RUN)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page", ["sources", "about"])
def test_the_pages_have_no_wcag_violation(app_server, browser, page: str, scheme: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    try:
        w = Watched(context.new_page())
        w.open(app_server.url + page)
        w.page.get_by_role("heading", level=1).first.wait_for()
        wait_idle(w.page)
        assert audit(w.page) == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_map_page_has_no_wcag_violation(app_server, browser, scheme: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    try:
        w = Watched(context.new_page())
        w.open(app_server.url)
        map_reported(w)
        assert audit(w.page) == []
        # a control's name is its label's raw text: an escape there is read out ("backslash")
        names = [line for line in w.page.locator("body").aria_snapshot().splitlines() if "\\" in line]
        assert names == [], names[:5]
        frame = w.page.locator(MAP_IFRAME).element_handle().content_frame()
        w.map().locator(".sm-search input").fill("Kram")  # the search's results list is open
        w.map().locator(".sm-search li").first.wait_for()
        assert audit(frame) == [], "the map's own document"
    finally:
        context.close()


def test_the_audit_finds_a_violation(app_server, browser):
    """The audit itself works: a page given an unnamed input and grey-on-white text fails it."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content('<html lang="en"><head><title>t</title></head><body><main>'
                         '<p style="color:#aaa;background:#fff">faint</p><input type="text"></main></body></html>')
        found = " ".join(audit(page))
        assert "color-contrast" in found and "label" in found
    finally:
        context.close()


def test_chart_figures_open_from_the_keyboard(app_server, watched: Watched):
    watched.open(app_server.url + "?date=2025-06-01")
    summary = watched.page.locator(".sm-figs summary").first
    summary.focus()
    watched.page.keyboard.press("Enter")
    row = watched.page.locator(".sm-figs").first.locator("tbody tr").first
    expect(row).to_be_visible()
    expect(row.locator("td").nth(1)).to_have_text(re.compile(r"^[+-]?\d[\d,]*$"))


def test_a_layer_toggle_and_a_download_work_from_the_keyboard(app_server, watched: Watched):
    """Date steps, Play and the town search have their own keyboard tests (test_map_time_browser,
    test_tools_browser); here the sidebar's layer switches and the downloads."""
    watched.open(app_server.url + "?date=2025-06-01")
    map_reported(watched)
    towns = watched.page.get_by_role("checkbox", name=re.compile("Towns in the story"))
    towns.focus()
    watched.page.keyboard.press("Space")
    expect(towns).not_to_be_checked()
    expect(watched.page).to_have_url(re.compile(r"[?&]layers=(?![^&]*places)"), timeout=30_000)
    button = watched.page.get_by_role("button", name="Figures (CSV)")
    button.focus()
    with watched.page.expect_download(timeout=60_000) as got:
        watched.page.keyboard.press("Enter")
    assert got.value.suggested_filename.endswith(".csv")


def test_the_editor_page_has_no_wcag_violation(browser):
    from tests.e2e.conftest import AppServer

    server = AppServer(env={"SITUATION_MAP_EDITOR": "1"})
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        w = Watched(context.new_page())
        w.open(server.url + "add-article")
        w.page.get_by_role("button", name="Read the article").wait_for()
        assert audit(w.page) == []
    finally:
        context.close()
        server.stop()
