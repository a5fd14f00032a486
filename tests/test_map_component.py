"""The cached component bridge sends what st_folium itself would send for the same map."""

import json
from dataclasses import replace

import pytest
import streamlit_folium as sf

from dashboard import map_component as mc
from dashboard.map_builder import SyncedLayerControl, base_map, dated_groups, visible_labels
from dashboard.view_state import bounds_from, parse_query

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
    for name in ("script", "header", "html", "id", "key", "default", "feature_group", "layer_control",
                 "css_links", "js_links", "zoom", "center", "returned_objects", "height", "width"):
        assert ours[name] == theirs[name], name
    assert "sm-legend" in ours["script"] and ours["feature_group"].count("map_div.addLayer") == len(groups)


def test_control_lists_base_overlays_and_dated_groups(ds, bounds):
    view = parse_query({"compare": "2024-10-01"}, bounds)[0]
    m, groups, control = pieces(ds, replace(view, layers=bounds.layer_ids))
    base, rendered = mc.render_base(m, RETURNED), mc.render_groups(groups)
    script = mc.render_control(control, base.layers + rendered.layers)
    for label, name, _ in base.layers + rendered.layers:
        assert f"{json.dumps(label)} : {name}," in script, label
    assert {label for label, _, _ in rendered.layers} == {g.layer_name for g in groups}
    assert len(rendered.layers) >= 3 and all(overlay for _, _, overlay in base.layers)
