"""An embed for the newsroom: Share offers an <iframe> of the view's link with `embed=true`, and
that embedded view shows the map, its date controls and the key figures without the sidebar."""

import html
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Watched, map_reported

pytestmark = pytest.mark.browser


def test_share_offers_an_embed_snippet_of_this_view(app_server, watched: Watched):
    watched.open(app_server.url + "?date=2025-06-01&compare=2025-05-01")
    map_reported(watched)
    snippet = watched.page.get_by_role("textbox", name="Embed this view in an article (HTML)").input_value()
    match = re.fullmatch(r'<iframe src="([^"]+)" title="[^"]+" width="100%" height="720" style="border:0" '
                         r'loading="lazy" allow="fullscreen"></iframe>', snippet)
    assert match, snippet
    src = html.unescape(match.group(1))
    assert "embed=true" in src and "date=2025-06-01" in src and "compare=2025-05-01" in src
    assert "&amp;" in match.group(1) or src.count("&") == 0  # escaped for the attribute


@pytest.mark.parametrize("size", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_the_embedded_view_shows_map_controls_and_figures_without_the_sidebar(app_server, browser, size):
    context = browser.new_context(viewport=size)
    try:
        w = Watched(context.new_page())
        w.open(app_server.url + "?date=2025-06-01&embed=true")
        map_reported(w)
        expect(w.page.get_by_test_id("stSidebar")).to_be_hidden()
        expect(w.map().get_by_role("button", name="+1d")).to_be_visible()
        expect(w.page.get_by_role("heading", name="Key figures")).to_be_attached()
        expect(w.page.get_by_text("unknown parameter")).to_have_count(0)
        expect(w.page).to_have_url(re.compile(r"embed=true"))  # the link keeps its embed
        assert w.errors == [] and w.external == []
    finally:
        context.close()
