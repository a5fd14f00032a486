import json
import re
from dataclasses import replace
from datetime import date

import pytest

from dashboard.data.layers import change_geometries, held_outline
from dashboard.data.view import bounds_from, parse_query
from dashboard.map.build import (
    ASSET_BASE,
    base_map,
    build_map,
    dated_groups,
    layer_names,
)
from tests.conftest import ROOT, fresh

CDN = re.compile(r"cdn\.jsdelivr|unpkg\.com|cdnjs\.|code\.jquery\.com|bootstrapcdn|fonts\.googleapis|d3js\.org")


@pytest.fixture(scope="module")
def default_view(shipped):
    return parse_query({}, bounds_from(shipped.catalog))[0]


def _render(m) -> str:
    return m.get_root().render()


def test_map_holds_every_layer_with_its_status(shipped, default_view):
    m = build_map(shipped, replace(default_view, compare=date(2024, 10, 1)))
    names = layer_names(m)
    for spec in shipped.catalog.layers.values():
        assert any(spec.title in n and spec.status in n for n in names), spec.title
    plain = layer_names(build_map(shipped, default_view))
    assert not any("Changed hands" in n for n in plain), "changes need a compare date"
    assert any("Offline map" in n for n in names)
    assert m.location == pytest.approx([49.7, 37.2]) and m.options["zoom"] == 7


def test_styles_come_from_the_catalog(shipped, default_view):
    html = _render(build_map(shipped, default_view))
    occupied = shipped.catalog.styles["occupied"]["fillColor"]
    salient = shipped.catalog.styles["salient"]["fillColor"]
    assert f'"fillColor": "{occupied}"' in html and f'"fillColor": "{salient}"' in html
    # the border gets its own style through style_by
    assert f'"color": "{shipped.catalog.styles["border"]["color"]}"' in html


def test_assets_are_local_no_cdn(shipped, default_view):
    m = build_map(shipped, default_view)
    html = _render(m)
    assert not CDN.search(html)
    assert f"{ASSET_BASE}/leaflet.js" in html and f"{ASSET_BASE}/leaflet.css" in html
    assert "$(" not in html  # no jQuery-dependent code: jQuery is not served


def test_hidden_layers_are_not_shown(shipped, default_view):
    view = replace(default_view, layers=("places",))
    m = build_map(shipped, view)
    shown = {c.layer_name: c.show for c in m._children.values() if hasattr(c, "show") and c.overlay}
    assert [n for n, s in shown.items() if s and "Towns" not in n] == []
    assert dated_groups(shipped, view) == []


def test_dated_layers_follow_the_date(shipped, default_view):
    early = _render(build_map(shipped, replace(default_view, date=date(2024, 8, 13))))
    late = _render(build_map(shipped, replace(default_view, date=date(2024, 11, 10))))
    outlines = shipped.layers["kursk-salient"].gdf["date"].astype(str)
    latest = outlines[outlines <= "2024-11-10"].max()
    assert "Kursk Oblast, 2024-08-12" in early and f"Kursk Oblast, {latest}" in late
    assert "Map date 2024-11-10" in late
    before = _render(build_map(shipped, replace(default_view, date=date(2024, 7, 20))))
    assert "Ukrainian-held area in Kursk Oblast, 2024-" not in before


def test_missing_day_is_labelled(shipped, default_view):
    html = _render(build_map(shipped, replace(default_view, date=date(2024, 8, 19))))
    assert "nearest earlier day 2024-08-17" in html


def test_changes_between_dates(shipped, default_view):
    geoms = change_geometries(shipped, date(2024, 10, 1), date(2024, 11, 1))
    import geopandas as gpd

    taken = gpd.GeoSeries([geoms["taken"]], crs=4326).to_crs(6933).area.iloc[0] / 1e6
    regained = gpd.GeoSeries([geoms["regained"]], crs=4326).to_crs(6933).area.iloc[0] / 1e6
    table = shipped.history.areas.set_index("date")["total_km2"]
    net_table = table["2024-11-01"] - table["2024-10-01"]
    # in Kursk Oblast a shrinking held outline counts as taken by Russian forces
    held = {d: gpd.GeoSeries([held_outline(shipped, d)], crs=4326).to_crs(6933).area.iloc[0] / 1e6
            for d in (date(2024, 10, 1), date(2024, 11, 1))}
    net_kursk = held[date(2024, 10, 1)] - held[date(2024, 11, 1)]
    assert taken > 100 and taken - regained == pytest.approx(net_table + net_kursk, rel=0.01)


def test_markup_in_feature_names_is_escaped(data_copy):
    payload = '<img src=x onerror="alert(1)">`${alert(2)}`<script>alert(3)</script>'
    path = data_copy / "layers" / "places.geojson"
    data = json.loads(path.read_text())
    data["features"][0]["properties"]["name"] = payload
    data["features"][0]["properties"]["source_url"] = "javascript:alert(4)"
    path.write_text(json.dumps(data))
    ds = fresh(data_copy)
    view = parse_query({}, bounds_from(ds.catalog))[0]
    html = _render(build_map(ds, view))
    assert "<img src=x" not in html and "<script>alert(3)" not in html
    assert "${alert(2)}" not in html and "javascript:alert(4)" not in html
    # shown as text: escaped once (inside JSON, '&' itself is written as \u0026)
    assert "&lt;img src=x onerror=" in html or "\\u0026lt;img src=x onerror=" in html


def test_big_undated_layers_can_be_served_as_static_files(shipped, default_view):
    published: dict[str, bytes] = {}

    def publish(name: str, data: bytes) -> str:
        published[name] = data
        return f"../../app/static/generated/{name}.json"

    html = _render(base_map(shipped, default_view, publish=publish))
    assert {"layer-oblasts", "basemap-vector-countries", "basemap-vector-rivers"} <= set(published)
    assert "../../app/static/generated/layer-oblasts.json" in html
    oblasts = json.loads(published["layer-oblasts"])
    assert len(oblasts["features"]) == len(shipped.layers["oblasts"].gdf)
    assert all("popup" in f["properties"] for f in oblasts["features"])
    inline = _render(base_map(shipped, default_view))
    assert len(html) < len(inline) / 5, "the map code no longer carries the big layers"
    # a publisher that cannot write falls back to inline data
    assert "generated/" not in _render(base_map(shipped, default_view, publish=lambda _n, _d: None))


def test_published_files_are_named_by_content(tmp_path, monkeypatch):
    from dashboard.map import publish as static_files

    monkeypatch.setattr(static_files, "GENERATED", tmp_path / "generated")
    a = static_files.publish("layer-x", b'{"a": 1}')
    assert a == static_files.publish("layer-x", b'{"a": 1}')
    assert a != static_files.publish("layer-x", b'{"a": 2}')
    assert a.startswith("../../app/static/generated/layer-x-") and len(list((tmp_path / "generated").iterdir())) == 2
    monkeypatch.setattr(static_files, "GENERATED", tmp_path / "file-not-dir")
    (tmp_path / "file-not-dir").write_text("x")
    assert static_files.publish("layer-y", b"{}") is None


def test_swipe_draws_both_dates_in_their_own_panes(shipped, default_view):
    view = replace(default_view, compare=date(2024, 9, 1), mode="swipe")
    groups = dated_groups(shipped, view)
    labels = [g.layer_name for g in groups]
    assert not any("Changed hands" in n for n in labels), "the swipe view replaces the changes layer"
    html = _render(build_map(shipped, view, tools=True))
    assert html.count('"pane": "sm-left"') >= 2 and html.count('"pane": "sm-right"') >= 2
    assert "Kursk Oblast, 2024-08-" in html and "swipe: left 2024-09-01, right 2024-11-10" in html
    assert "L.control.sideBySide" in html and "_smSwipeDates" in html
    # a download (no plugins) and the changes mode keep today's map
    plain = _render(build_map(shipped, view))
    assert '"pane": "sm-left"' not in plain and "changes since 2024-09-01" in plain
    changes = dated_groups(shipped, replace(view, mode="changes"))
    assert any("Changed hands" in g.layer_name for g in changes)


def test_tools_are_served_locally_and_the_town_list_is_published(shipped, default_view):
    published: dict[str, bytes] = {}

    def publish(name: str, data: bytes) -> str:
        published[name] = data
        return f"../../app/static/generated/{name}.json"

    html = _render(base_map(shipped, default_view, publish=publish, tools=True))
    assert not CDN.search(html)
    for path in ("leaflet-side-by-side/leaflet-side-by-side.js", "leaflet-measure/leaflet-measure.js",
                 "leaflet-measure/leaflet-measure.css"):
        assert f"../../app/static/vendor/{path}" in html
        assert (ROOT / "dashboard" / "static" / "vendor" / path).is_file()
    towns = json.loads(published["search-towns"])
    names = {row[0] for row in towns}
    assert {"Kramatorsk", "Pokrovsk", "Sudzha"} <= names and all(row[3] >= 1000 for row in towns)
    assert "generated/search-towns.json" in html and '"sqkilometers"' in html
    # the download's map has no plugin (its offline HTML inlines Leaflet only)
    assert "leaflet-measure.js" not in _render(build_map(shipped, default_view))


def test_first_view_fits_the_story_only_when_the_link_named_none(shipped, default_view):
    assert "fitBounds" in _render(base_map(shipped, default_view))
    moved = replace(default_view, lat=48.3, lon=37.2, zoom=9)
    assert "fitBounds" not in _render(base_map(shipped, moved))
    html = _render(base_map(shipped, default_view))
    assert "smDeclutter" in html and "Sources" in html


def test_the_maps_scripts_are_one_file_in_their_order(tmp_path, monkeypatch, shipped, default_view):
    """streamlit-folium loads a map's scripts one after another: the live map gets one file of
    them all, Leaflet first; anything not among the app's own files keeps the list as it was."""
    from dashboard.map import publish as static_files
    from dashboard.ui.map_widget import render_base

    monkeypatch.setattr(static_files, "GENERATED", tmp_path / "generated")
    static_files.bundle_scripts.cache_clear()  # kept per process: this test has its own folder
    links = render_base(base_map(shipped, default_view, publish=static_files.publish, tools=True), ()).js_links
    assert len(links) == 1 and re.fullmatch(r"\.\./\.\./app/static/generated/map-scripts-[0-9a-f]{16}\.js", links[0])
    text = (tmp_path / "generated" / links[0].rsplit("/", 1)[1]).read_text(encoding="utf-8")
    order = [text.index(f"/* {name} */") for name in ("vendor/leaflet/leaflet.js",
                                                      "vendor/polygon-clipping/polygon-clipping.min.js",
                                                      "map/time.js")]
    assert order == sorted(order) and text.index("Leaflet 1.9") < order[1]
    local = "../../app/static/vendor/leaflet/leaflet.js"
    for odd in ("https://cdn.example/x.js", "../../app/static/../../../etc/passwd", "../../app/static/no/such.js"):
        assert static_files.bundle_scripts((local, odd)) == (local, odd)


def test_files_are_published_only_into_a_folder_no_one_else_can_write(tmp_path, monkeypatch):
    """A published file is trusted by its name: a folder another account may write into (a
    planted script would run in the map's frame) is refused, and a new one is made private."""
    from dashboard.map import publish as static_files

    fresh_folder = tmp_path / "cache" / "generated"
    monkeypatch.setattr(static_files, "GENERATED", fresh_folder)
    assert static_files.publish("layer-x", b"{}") is not None
    assert (fresh_folder.stat().st_mode & 0o777) == 0o700 and (fresh_folder.parent.stat().st_mode & 0o777) == 0o700
    shared = tmp_path / "shared" / "generated"
    shared.mkdir(parents=True)
    shared.chmod(0o777)
    monkeypatch.setattr(static_files, "GENERATED", shared)
    assert static_files.publish("layer-x", b"{}") is None
    static_files.bundle_scripts.cache_clear()
    assert static_files.bundle_scripts(("../../app/static/vendor/leaflet/leaflet.js", "../../app/static/map/time.js")) \
        == ("../../app/static/vendor/leaflet/leaflet.js", "../../app/static/map/time.js")
