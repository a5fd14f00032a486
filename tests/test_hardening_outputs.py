"""Hostile catalog text and values, followed to every output: the page (Streamlit Markdown), the
map's HTML, the offline download, the legend, the CSV and `python -m dashboard.check`."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from dashboard.check import main as check_main
from dashboard.data.view import bounds_from, parse_query
from dashboard.export import CSV_COLUMNS, figures_csv, standalone_html
from dashboard.map.build import build_map
from dashboard.map.text import html_text, legend_html
from tests.conftest import ROOT, fresh

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
#: Elements whose text is HTML, not Markdown (the map component's arguments; the sidebar's layer
#: relay, whose data holds the map's HTML labels, compared and never drawn): there `![` is inert
#: text and only a raw tag would matter.
_HTML_ELEMENTS = {"component_instance", "html", "bidi_component"}


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


def test_catalog_text_reaches_the_map_html_escaped(markdown_data):
    """The map is HTML, not Markdown: there the tag must arrive as text, in every encoding folium
    uses (plain, or JSON with `<` written as \\u003c)."""
    ds = fresh(markdown_data)
    html = build_map(ds, _everything_view(ds)).get_root().render()
    assert "evil.example" in html, "the damaged titles are on the map"
    assert not re.search(r"(<|\\u003c)img src=http", html, re.IGNORECASE)
    assert html_text("Towns " + EVIL) in html or html_text("Towns " + EVIL).replace("&", "\\u0026") in html


# ------------------------------------------------------------------ items 3 and 7: style values

SCRIPT = "</script><script>alert(1)</script>"
CSS = "red;background-image:url(http://evil.example/x)"
STYLE_SWAPS = (
    ('[styles.salient]\ncolor = "#0072B2"', f'[styles.salient]\ncolor = "{SCRIPT}"'),
    ('fillColor = "#009E73"', f'fillColor = "{CSS}"'),                      # regained: a legend swatch
    ('fillColor = "#ffffff"', f'fillColor = "{CSS}"'),                      # towns: folium's style_function
    ('[styles.annotation]\n', '[styles.annotation]\ndashArray = "8 5 url(http://evil.example/d)"\n'),
    ('background = "#dbe7ef"', 'background = "url(http://evil.example/bg.png)"'),
)
HOSTILE = ("evil.example", "alert(1)")


@pytest.fixture
def style_data(data_copy):
    damage(data_copy, *STYLE_SWAPS)
    return data_copy


def test_bad_style_values_are_named_problems_in_check(style_data, capsys):
    assert check_main([str(style_data)]) != 0
    out = capsys.readouterr().out
    assert "[styles.salient] 'color' must be a colour" in out
    assert "[styles.regained] 'fillColor' must be a colour" in out
    assert "[styles.place] 'fillColor' must be a colour" in out
    assert "[styles.annotation] 'dashArray' must be a dash pattern" in out
    assert "'background' must be a colour" in out


def _everything_view(ds):
    """Every layer on, a compare date (changed-hands swatches and areas), the default date."""
    bounds = bounds_from(ds.catalog)
    view = parse_query({}, bounds)[0]
    return replace(view, layers=tuple(bounds.layer_ids), compare=date(2024, 10, 1))


def _assert_clean_and_whole(html: str, ds) -> None:
    for needle in HOSTILE:
        assert needle not in html, needle
    for spec in ds.catalog.layers.values():
        assert html_text(spec.title) in html, f"{spec.id}: the rest of the map still renders"


def test_bad_style_values_never_reach_the_map_html(style_data):
    ds = fresh(style_data)
    html = build_map(ds, _everything_view(ds)).get_root().render()
    _assert_clean_and_whole(html, ds)
    for spec in ds.catalog.layers.values():  # the layer control's keys, as folium's tojson writes them
        assert f'"{html_text(spec.title)} \\u00b7 {spec.status}"' in html, spec.id


def test_bad_style_values_never_reach_the_offline_download(style_data):
    ds = fresh(style_data)
    html = standalone_html(ds, _everything_view(ds))
    _assert_clean_and_whole(html, ds)
    assert "L.map(" in html and "<style>" in html


def test_bad_style_values_never_reach_the_legend(style_data):
    ds = fresh(style_data)
    legend = legend_html(ds)
    _assert_clean_and_whole(legend, ds)
    assert legend.count('class="sw"') >= len(ds.catalog.layers)


# ------------------------------------------------------------------ item 5: CSV formula injection

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_SWAPS = (
    ('label = "Troops massed (Kursk)"', 'label = "=HYPERLINK(\\"http://evil\\")"'),
    ('source = "The New York Times, via Ukrinform/MENAFN"', 'source = "+cmd|\' /C calc\'!A0"'),
    ('label = "North Korean troops"', 'label = "@SUM(1)"'),
    ('value = 10000\ndisplay = "≈10,000"', 'value = "-2+3"\ndisplay = "-2+3"'),
    ('source = "US and Ukrainian officials, via Ukrinform/MENAFN"', 'source = "\\t=1+2\\";=1+2, more"'),
)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.fixture
def csv_rows(data_copy):
    damage(data_copy, *CSV_SWAPS)
    ds = fresh(data_copy)
    view = _everything_view(ds)
    text = figures_csv(ds, view, bounds_from(ds.catalog).first)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == CSV_COLUMNS and all(len(row) == len(CSV_COLUMNS) for row in rows)
    return [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]


def test_csv_cells_never_start_a_formula(csv_rows):
    cells = [cell for row in csv_rows for cell in row.values()]
    assert [c for c in cells if c.startswith(FORMULA_START) and not _is_number(c)] == []
    # the hostile text is still there, shown as text
    for shown in ("\'=HYPERLINK(\"http://evil\")", "\'+cmd|\' /C calc\'!A0", "\'@SUM(1)", "\'-2+3",
                  "\'\t=1+2\";=1+2, more"):
        assert shown in cells, shown


def test_csv_numbers_stay_numbers(csv_rows):
    figures = {row["figure"]: row for row in csv_rows}
    assert figures["Russian killed/wounded"]["value"] == "700000"
    measured = [row for row in csv_rows if row["change"]]
    assert len(measured) >= 5, "every window figure: a measured area and its change"
    for row in measured:
        assert _is_number(row["value"]) and _is_number(row["change"]), row
    # the Kursk salient shrank over this window: a negative change, still a bare number
    assert any(row["change"].startswith("-") for row in measured)
