"""Hostile catalog text and values, followed to every output: the page (Streamlit Markdown), the
map's HTML, the offline download, the legend, the CSV and `python -m dashboard.check`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "dashboard" / "app.py")
IMAGE_MD = "![x](http://evil.example/t.png)"
IMAGE_HTML = "<img src=http://evil.example/t.png>"
EVIL = f"{IMAGE_MD} {IMAGE_HTML}"


def damage(root: Path, *swaps: tuple[str, str]) -> None:
    """Replace each (old, new) once in the copy's catalog; every old text must be there."""
    path = root / "catalog.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------ item 6: Markdown on the page

#: Catalog text that Streamlit shows: a figure's label, value and source, a layer's title and
#: description, a basemap's title, a source's name, licence and attribution, the article title.
MARKDOWN_SWAPS = (
    ('label = "Troops massed (Kursk)"', f'label = "Troops {EVIL}"'),
    ('display = "up to 50,000"', f'display = "{EVIL}"'),
    ('source = "The New York Times, via Ukrinform/MENAFN"', f'source = "NYT {EVIL}"'),
    ('title = "Towns in the story"', f'title = "Towns {EVIL}"'),
    ('description = "Towns named in the story', f'description = "{EVIL} Towns named in the story'),
    ('title = "Offline map (Natural Earth)"', f'title = "Offline {EVIL}"'),
    ('name = "Natural Earth"', f'name = "Natural Earth {EVIL}"'),
    ('licence = "Public domain"', f'licence = "Public domain {EVIL}"'),
    ('attribution = "Made with Natural Earth', f'attribution = "{EVIL} Made with Natural Earth'),
    ('article_title = "Ukraine War', f'article_title = "{EVIL} Ukraine War'),
)
_UNESCAPED_IMAGE = re.compile(r"(?<!\\)!\[")
_UNESCAPED_TAG = re.compile(r"(?<!\\)<img", re.IGNORECASE)
#: Elements whose text is HTML, not Markdown (the map component's arguments): there `![` is
#: inert text and only a raw tag would matter.
_HTML_ELEMENTS = {"component_instance", "html"}


def _elements(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _elements(child)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def unescaped_markup(at: AppTest) -> list[str]:
    """Every string of every element on the page that would render an image from data."""
    found = []
    for element in _elements(at._tree):
        proto = getattr(element, "proto", None)
        if proto is None or not hasattr(proto, "DESCRIPTOR"):
            continue
        html = element.type in _HTML_ELEMENTS
        for text in _strings(MessageToDict(proto)):
            if _UNESCAPED_TAG.search(text) or (not html and _UNESCAPED_IMAGE.search(text)):
                found.append(f"{element.type}: {text[:200]}")
    return found


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def markdown_data(data_copy, monkeypatch):
    damage(data_copy, *MARKDOWN_SWAPS)
    monkeypatch.setenv("SITUATION_MAP_DATA", str(data_copy))
    return data_copy


def test_catalog_text_reaches_the_map_page_escaped(markdown_data):
    at = run(AppTest.from_file(APP, default_timeout=120))
    assert any("evil.example" in m.label for m in at.metric), "the damaged label is on the page"
    assert any("evil.example" in c.label for c in at.checkbox), "the damaged layer title is on the page"
    assert unescaped_markup(at) == []
    assert len(at.metric) >= 5, "the rest of the page still renders"


def _sources_page() -> None:
    from dashboard.ui.pages import sources

    sources.render()


def _about_page() -> None:
    from dashboard.ui.pages import about

    about.render()


@pytest.mark.parametrize("page", [_sources_page, _about_page])
def test_catalog_text_reaches_the_other_pages_escaped(markdown_data, page):
    at = run(AppTest.from_function(page, default_timeout=120))
    text = " ".join(md.value for md in [*at.markdown, *at.caption])
    assert "evil.example" in text, "the damaged text is on the page"
    assert unescaped_markup(at) == []
