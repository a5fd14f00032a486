"""The settlements table against an independent point-in-polygon computation, and the readers of it
(the map layer's features, the towns' status, What happened next, the distance panel's note).

The independent computation may not read ../shared: it replays the shipped daily history
(dashboard.data.history, exact on a 1e-4 degree grid) and tests each sampled town's point with
shapely.contains_xy, day by day. The table was measured on the full-resolution snapshots, so a
point within EDGE_DEG (2e-4 degree, at least 14 m here) of the occupied area's edge on some day may
rightly differ: those towns are left out of the comparison, and the test says how many.
"""

from __future__ import annotations

import os
import random
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
import shapely

from dashboard.data.aftermath import towns_taken
from dashboard.data.gazetteer import load_gazetteer
from dashboard.data.layers import view_bounds, view_features, visible_features
from dashboard.data.load import DEFAULT_DATA
from dashboard.data.settlements import CAME_IN, WENT_OUT, load_settlements, settlements_spec
from dashboard.ui.settlements_panel import occupation_note

#: The grid moves a vertex at most about 8 m; twice the grid step keeps clear of that.
EDGE_DEG = 2e-4
SEED = int(os.environ.get("SETTLEMENTS_SEED", "0")) or random.SystemRandom().randrange(1, 10**6)
SAMPLE_CHANGED, SAMPLE_OTHER = 200, 150


@pytest.fixture(scope="module")
def found():
    return load_settlements(DEFAULT_DATA)


@pytest.fixture(scope="module")
def independent(shipped, found):
    """(sampled ids kept, {id: [(day, inside), ...]} computed from the history, towns excluded)."""
    rng = random.Random(SEED)
    places = {e.geonameid: e for e in load_gazetteer(DEFAULT_DATA / "gazetteer").entries
              if e.country == "UA" and e.kind == "settlement"}
    changed = sorted(set(found.table.ids))
    others = sorted(set(places) - set(changed))
    ids = rng.sample(changed, SAMPLE_CHANGED) + rng.sample(others, SAMPLE_OTHER)
    lons = np.array([places[g].lon for g in ids])
    lats = np.array([places[g].lat for g in ids])
    points = shapely.points(lons, lats)
    hist = shipped.history
    status = np.zeros((len(hist.days), len(ids)), dtype=bool)
    near = np.zeros(len(ids), dtype=bool)
    for i, day in enumerate(hist.days):
        geom = hist.snapshot(day).geometry
        shapely.prepare(geom)
        status[i] = shapely.contains_xy(geom, lons, lats)
        edge = shapely.boundary(geom)
        shapely.prepare(edge)
        near |= shapely.dwithin(edge, points, EDGE_DEG)
    kept = [g for g, n in zip(ids, near, strict=True) if not n]
    expected = {}
    for j, gid in enumerate(ids):
        column, rows = status[:, j], []
        for i, day in enumerate(hist.days):
            if (i == 0 and column[0]) or (i > 0 and column[i] != column[i - 1]):
                rows.append((day, bool(column[i])))
        expected[gid] = rows
    print(f"seed {SEED}: {len(ids)} towns sampled, {len(ids) - len(kept)} within {EDGE_DEG} degree of the edge")
    return kept, expected, sorted(set(ids) - set(kept))


def test_every_sampled_town_has_the_first_day_and_every_flip_of_the_independent_computation(found, independent):
    kept, expected, excluded = independent
    assert len(excluded) <= 0.15 * (SAMPLE_CHANGED + SAMPLE_OTHER), f"seed {SEED}: too many towns near the edge"
    wrong = {g: (found.table.history(g), expected[g]) for g in kept if found.table.history(g) != expected[g]}
    assert not wrong, f"seed {SEED}: {wrong}"
    assert sum(bool(expected[g]) for g in kept) >= SAMPLE_CHANGED * 0.8  # the sample holds real changes


def test_the_lists_of_random_windows_match_the_independent_computation(shipped, found, independent):
    kept, expected, _ = independent
    rng, days = random.Random(SEED + 1), shipped.history.days
    for _ in range(12):
        since, until = sorted(rng.sample(days, 2))
        want = sorted((g, d, s) for g in kept for d, s in expected[g] if since < d <= until)
        got = sorted((c.geonameid, c.day, c.direction == CAME_IN) for c in found.changes(since, until)
                     if c.geonameid in set(kept))
        assert got == want, f"seed {SEED}: window {since} .. {until}"


def test_status_on_a_day_matches_the_independent_computation(shipped, found, independent):
    kept, expected, _ = independent
    for day in random.Random(SEED + 2).sample(shipped.history.days, 8):
        inside = found.status_on(day)
        for gid in kept:
            earlier = [s for d, s in expected[gid] if d <= day]
            assert (gid in inside) == bool(earlier and earlier[-1]), (SEED, gid, day)


NEWS = {"Selydove": 694677, "Kurakhove": 695357, "Toretsk": 709354, "Chasiv Yar": 710915,
        "Pokrovsk": 704422, "Myrnohrad": 710035}


def test_towns_in_the_news_came_under_occupation_on_plausible_days(found):
    """Reported captured between autumn 2024 (Selydove) and winter 2025-26 (Myrnohrad)."""
    by_name = NEWS
    for name, gid in NEWS.items():
        assert found.places[gid].name == name
        first = found.first_inside(gid)
        assert first is not None and date(2024, 9, 1) <= first <= date(2026, 3, 31), (name, first)
        assert gid in found.status_on(found.table.last), name
    assert found.first_inside(by_name["Selydove"]) < found.first_inside(by_name["Pokrovsk"]) \
        < found.first_inside(by_name["Myrnohrad"])


def test_a_town_inside_on_the_first_day_is_never_a_change(found):
    first = found.table.first
    inside_from_start = found.status_on(first)
    assert len(inside_from_start) > 500  # Donetsk, Luhansk, Crimea ...
    assert not [c for c in found.changes(first - timedelta(days=30), first + timedelta(days=1))
                if c.day == first]


def view_for(ds, day: str, compare: str | None = None):
    default = view_bounds(ds).default
    return replace(default, date=date.fromisoformat(day), compare=date.fromisoformat(compare) if compare else None)


def test_the_layer_shows_the_window_changes_with_their_provenance(shipped, found):
    spec = settlements_spec(shipped.catalog)
    assert spec is not None and spec.status == "assessed"
    gdf = view_features(shipped, spec, view_for(shipped, "2025-11-10", "2025-06-01"))
    want = found.changes(date(2025, 6, 1), date(2025, 11, 10))
    assert len(gdf) == len(want) > 10
    assert sorted(gdf["geonameid"]) == sorted(c.geonameid for c in want)
    assert set(gdf["kind"]) == {"came-in", "left"} and set(gdf["direction"]) == {CAME_IN, WENT_OUT}
    assert (gdf.geometry.geom_type == "Point").all()
    for column in ("name", "population", "oblast", "day", "rule", "source", "source_url"):
        assert gdf[column].astype(str).str.len().gt(0).all(), column
    assert (gdf["status"] == "assessed").all() and gdf["source"].str.contains("DeepStateMap").all()
    pokrovsk = gdf[gdf["geonameid"] == NEWS["Pokrovsk"]].iloc[0]
    assert pokrovsk["day"] == "2025-11-03" and pokrovsk["direction"] == CAME_IN
    assert pokrovsk["oblast"] == "Donetsk Oblast" and pokrovsk["population"] == 60127


def test_with_no_compare_date_the_layer_shows_the_30_days_before_the_map_date(shipped, found):
    spec = settlements_spec(shipped.catalog)
    gdf = view_features(shipped, spec, view_for(shipped, "2025-11-10"))
    want = found.changes(date(2025, 10, 11), date(2025, 11, 10))
    assert sorted(gdf["geonameid"]) == sorted(c.geonameid for c in want)
    assert NEWS["Pokrovsk"] in set(gdf["geonameid"])
    assert view_features(shipped, spec, view_for(shipped, "2025-10-01")) is None or \
        NEWS["Pokrovsk"] not in set(view_features(shipped, spec, view_for(shipped, "2025-10-01"))["geonameid"])


def test_the_downloads_carry_the_layer(shipped):
    view = view_for(shipped, "2025-11-10")
    every = visible_features(shipped, view)
    spec = settlements_spec(shipped.catalog)
    assert (every["layer"] == spec.id).sum() == len(view_features(shipped, spec, view))


def test_town_markers_say_their_status(shipped):
    towns = view_features(shipped, shipped.catalog.by_role("towns"), view_for(shipped, "2025-01-01"))
    detail = dict(zip(towns["geonameid"], towns["detail"], strict=True))
    assert "came under occupation 2025-11-03" in detail[NEWS["Pokrovsk"]] and "assessed" in detail[NEWS["Pokrovsk"]]
    assert "never" in detail[704508]  # Kramatorsk
    sudzha = 486816  # in Russia: not measured, no status claimed
    assert detail[sudzha] == ""


def test_what_happened_next_lists_the_largest_towns_taken_since_the_article(shipped, found):
    article = shipped.catalog.meta.article_date
    taken = towns_taken(shipped, article, date(2026, 8, 22))
    names = [c.name for c in taken.towns]
    assert names[:2] == ["Pokrovsk", "Myrnohrad"]
    assert all(c.day > article and c.direction == CAME_IN for c in taken.towns)
    pops = [c.population for c in taken.towns]
    assert pops == sorted(pops, reverse=True)
    assert "Selydove" not in names  # inside on 2024-10-28, before the article
    assert towns_taken(shipped, article, article) is None


def test_the_distance_panel_note_says_when_the_town_came_under_occupation(shipped):
    note = occupation_note(shipped, NEWS["Pokrovsk"], date(2026, 1, 1))
    assert note and "came under occupation on 2025-11-03" in note and "inside" in note
    before = occupation_note(shipped, NEWS["Pokrovsk"], date(2025, 1, 1))
    assert "not inside" in before
    assert occupation_note(shipped, 704508, date(2026, 1, 1)) is None  # Kramatorsk: never inside


def test_changes_filter_by_oblast_and_size(found):
    since, until = date(2025, 1, 1), date(2025, 12, 31)
    every = found.changes(since, until)
    donetsk = found.changes(since, until, oblast="donetsk", min_population=2000)
    assert donetsk == [c for c in every if c.oblast == "Donetsk Oblast" and c.population >= 2000]
    assert 0 < len(donetsk) < len(every)
    assert found.changes(since, until, oblast="Narnia") == []


def test_the_map_draws_the_layer_markers(shipped):
    from dashboard.map.build import build_map

    html = build_map(shipped, view_for(shipped, "2025-11-10")).get_root().render()
    assert "Pokrovsk: came under occupation on 2025-11-03" in html
    assert "Rule: a settlement counts as inside" in html
