"""Streamlit's client, opened on a page's own address (/sources), probes <page>/_stcore/health and
<page>/_stcore/host-config to find the base path; the deep-path redirect must leave those to
Streamlit, or the client takes the page for the base path and gets a blank page."""

import pytest

from dashboard.serving.guards import page_target


@pytest.mark.parametrize("path", ["/sources/_stcore/health", "/about/_stcore/host-config",
                                  "/map/static/js/index.js", "/sources/component/x/index.html"])
def test_probes_and_assets_under_a_page_are_not_moved(path: str):
    assert page_target(path, "") is None
    assert page_target("/situation" + path, "/situation") is None


@pytest.mark.parametrize(("path", "target"), [("/sources/x", "/sources"), ("/map/x/y/z", "/map"),
                                              ("//map", "/map")])
def test_deep_page_paths_still_go_to_their_page(path: str, target: str):
    assert page_target(path, "") == target
