"""One builder of a view's features: the map and every download show the same features with the
same name, source, status and date."""

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from dashboard.data.layers import PROVENANCE, view_features
from dashboard.data.view import bounds_from
from dashboard.export import geojson_bytes, standalone_html
from dashboard.map.text import html_text


@pytest.fixture(scope="module")
def view(shipped):
    default = bounds_from(shipped.catalog).default
    return replace(default, date=date(2024, 11, 10), compare=date(2024, 9, 1))


def test_every_layer_has_provenance_on_every_feature(shipped, view):
    seen = set()
    for spec in shipped.catalog.layers.values():
        gdf = view_features(shipped, spec, view)
        if gdf is None:
            continue
        seen.add(spec.id)
        for column in PROVENANCE:
            assert column in gdf.columns, (spec.id, column)
            assert gdf[column].astype(str).str.strip().ne("").all(), (spec.id, column)
    assert seen == set(shipped.catalog.layers)  # the changes layer too, with a compare date set


def test_map_and_downloads_show_the_same_features(shipped, view):
    download = json.loads(geojson_bytes(shipped, view))
    html = standalone_html(shipped, view)
    for spec in shipped.catalog.layers.values():
        gdf = view_features(shipped, spec, view)
        if gdf is None:
            continue
        expected = [tuple(str(r[c]) for c in PROVENANCE) for _, r in gdf.iterrows()]
        got = [tuple(str(f["properties"][c]) for c in PROVENANCE)
               for f in download["features"] if f["properties"]["layer"] == spec.id]
        assert got == expected, spec.id
        for name, _status, day, source, _url in expected:
            # the map's popups carry the same name, date and source (escaped for HTML and JS)
            for text in (name, source, day):
                assert html_text(text) in html or json.dumps(html_text(text))[1:-1] in html, (spec.id, text)


def test_changes_name_both_sources_and_measure_their_area(shipped, view):
    spec = shipped.catalog.by_role("changed-hands")
    gdf = view_features(shipped, spec, view)
    assert set(gdf["kind"]) == {"taken", "regained"}
    history = shipped.catalog.sources[shipped.catalog.by_role("history").source]
    assert all(history.name in s for s in gdf["source"])
    assert (gdf["measured_area_km2"] > 0).all()
    assert all(view.compare.isoformat() in n and view.date.isoformat() in n for n in gdf["name"])


def test_events_show_from_their_date_until_their_end(shipped, view):
    spec = shipped.catalog.layers["counteroffensive"]
    gdf = shipped.layers["counteroffensive"].gdf
    ended = gdf[gdf["until"].notna()]
    assert not ended.empty
    first = ended.iloc[0]
    day_after = date.fromisoformat(first["until"]) + timedelta(days=1)
    shown_before = view_features(shipped, spec, replace(view, date=date.fromisoformat(first["until"])))
    shown_after = view_features(shipped, spec, replace(view, date=day_after))
    assert first["name"] in set(shown_before["name"])
    assert shown_after is None or first["name"] not in set(shown_after["name"])
    assert view_features(shipped, spec, replace(view, date=date(2024, 9, 1))) is None  # not yet reported


def test_the_record_a_day_shows_is_the_latest_at_or_before_it(shipped):
    """Figures of the Kursk outline are cached by the record shown (data/layers.shown_record_day):
    it must be exactly the record extent_for picks, for any day."""
    from datetime import date, timedelta

    from dashboard.data.history import extent_for
    from dashboard.data.layers import shown_record_day

    spec = shipped.catalog.by_role("salient")
    gdf = shipped.layers[spec.id].gdf
    first = min(str(d)[:10] for d in gdf["date"])
    for k in range(0, 800, 7):
        day = date(2024, 7, 1) + timedelta(days=k)
        picked = extent_for(gdf, day)
        expected = None if picked.empty else date.fromisoformat(str(picked["date"].iloc[0])[:10])
        assert shown_record_day(shipped, spec.id, day) == expected, day
    assert shown_record_day(shipped, spec.id, date.fromisoformat(first) - timedelta(days=1)) is None
