"""The cached component bridge sends what st_folium itself would send for the same map."""

import json
from dataclasses import replace
from datetime import date

import pytest
import streamlit_folium as sf

from dashboard.data.load import load_dataset
from dashboard.data.view import bounds_from, parse_query
from dashboard.map.build import base_map, dated_groups, visible_labels
from dashboard.map.elements import SyncedLayerControl
from dashboard.map.style import allow_zoom
from dashboard.ui import map_widget as mc

RETURNED = ["center", "zoom", "selected_layers"]


@pytest.fixture(scope="module")
def ds(shipped):
    return shipped


@pytest.fixture(scope="module")
def bounds(shipped):
    return bounds_from(shipped.catalog)


@pytest.fixture
def captured(monkeypatch):
    calls = []
    monkeypatch.setattr(sf, "_component_func", lambda **kw: calls.append(kw) or None)
    return calls


def pieces(ds, view):
    groups = dated_groups(ds, view)
    return base_map(ds, view), groups, SyncedLayerControl(visible_labels(ds, view), collapsed=True)


@pytest.mark.parametrize("query", [{}, {"date": "2024-09-01", "compare": "2024-08-10", "zoom": "8"}])
def test_pieces_equal_what_st_folium_sends(ds, bounds, captured, query):
    view = parse_query(query, bounds)[0]
    m, groups, control = pieces(ds, view)
    sf.st_folium(m, key="k", height=600, use_container_width=True, feature_group_to_add=groups,
                 layer_control=control, center=(view.lat, view.lon), zoom=view.zoom, returned_objects=RETURNED)
    m, groups, control = pieces(ds, view)
    base = mc.render_base(m, RETURNED)
    rendered = mc.render_groups(groups)
    mc.show(base, rendered, mc.render_control(control, base.layers + rendered.layers), key="k", height=600,
            center=(view.lat, view.lon), zoom=view.zoom, returned_objects=RETURNED)
    theirs, ours = captured
    for name in ("script", "html", "id", "key", "default", "layer_control",
                 "css_links", "js_links", "zoom", "center", "returned_objects", "height", "width"):
        assert ours[name] == theirs[name], name
    # the header too, but for folium's viewport line, which no longer forbids pinch-zoom
    assert ours["header"] == allow_zoom(theirs["header"]) and "user-scalable=no" in theirs["header"]
    assert "user-scalable" not in ours["header"] and "width=device-width" in ours["header"]
    assert "sm-legend" in ours["script"]
    # The groups' code is streamlit-folium's, each wrapped so the browser keeps it between reruns.
    for idx in range(len(groups)):
        name = f"feature_group_feature_group_{idx}"
        body = theirs["feature_group"].split(f"var {name} = L.featureGroup(")[1].split("map_div.addLayer(")[0]
        assert body.strip() in ours["feature_group"]
        assert '__smNext["' in ours["feature_group"] and f"var {name} = window.__smGroups[" in ours["feature_group"]


def test_control_lists_base_overlays_and_dated_groups(ds, bounds):
    view = parse_query({"compare": "2024-10-01"}, bounds)[0]
    m, groups, control = pieces(ds, replace(view, layers=bounds.layer_ids))
    base, rendered = mc.render_base(m, RETURNED), mc.render_groups(groups)
    script = mc.render_control(control, base.layers + rendered.layers)
    for label, name, _ in base.layers + rendered.layers:
        assert f"{json.dumps(label)} : {name}," in script, label
    assert {label for label, _, _ in rendered.layers} == {g.layer_name for g in groups}
    assert len(rendered.layers) >= 3 and all(overlay for _, _, overlay in base.layers)


def test_a_group_keeps_its_key_while_its_content_stays(ds, bounds):
    import re

    def keys(day: str) -> dict[str, str]:
        view = parse_query({"date": day}, bounds)[0]
        script = mc.render_groups(dated_groups(ds, replace(view, layers=bounds.layer_ids))).script
        found = re.findall(r'var (feature_group_feature_group_\d+) = window.__smGroups\["(\w+)"\]', script)
        return dict(found)

    a, b, again = keys("2024-10-01"), keys("2024-10-02"), keys("2024-10-01")
    assert a == again, "same day, same keys (in any process: the key is a hash of the code)"
    assert a["feature_group_feature_group_0"] != b["feature_group_feature_group_0"], "occupied area changed"
    assert a["feature_group_feature_group_1"] == b["feature_group_feature_group_1"], "same Kursk outline"


def test_the_page_finds_what_the_warm_up_rendered(bounds, monkeypatch):
    """warm() and a default session build the same cache keys: the first reader renders nothing."""
    from dashboard.serving import warm

    monkeypatch.setattr(mc, "publish", lambda name, _d: f"../../app/static/generated/{name}.json")
    mc.cached_base.cache_clear()
    mc.cached_groups.cache_clear()
    warm.warm()
    base_misses, group_misses = mc.cached_base.cache_info().misses, mc.cached_groups.cache_info().misses
    # the dataset the warm-up and a page get (other tests may have pushed the fixture's copy out
    # of the loader's small cache)
    ds = load_dataset()
    origin = parse_query({}, bounds)[0]
    mc.base_for(ds, bounds, origin, origin.basemap, origin.article)
    mc.groups_for(ds, bounds, origin.date, origin.compare, origin.article)
    assert mc.cached_base.cache_info().misses == base_misses and mc.cached_groups.cache_info().misses == group_misses
    mc.groups_for(ds, bounds, origin.date, date(2024, 10, 1), origin.article)
    assert mc.cached_groups.cache_info().misses == group_misses + 1, "a comparison is another key"
