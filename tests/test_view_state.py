from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.data.view import KEYS, NOTICES, bounds_from, parse_query, step, to_query


@pytest.fixture(scope="module")
def bounds(shipped):
    return bounds_from(shipped.catalog)


def test_default_view_writes_nothing(bounds):
    view, notices = parse_query({}, bounds)
    assert notices == [] and to_query(view, bounds) == {}
    assert view.date == date(2024, 11, 10) and view.basemap == "vector"


def test_full_link_round_trips(bounds):
    params = {"date": "2024-11-01", "compare": "2024-10-01", "layers": "occupied,places",
              "lat": "48.2801", "lon": "37.1771", "zoom": "11", "mode": "swipe", "town": "704508"}
    view, notices = parse_query(params, bounds)
    assert notices == []
    assert to_query(view, bounds) == params
    assert parse_query(to_query(view, bounds), bounds)[0] == view


def test_a_link_never_opens_online_tiles(bounds):
    """Online tiles load from another host: a reader picks them, a link cannot."""
    view, notices = parse_query({"basemap": "osm"}, bounds)
    assert view.basemap == bounds.default.basemap == "vector"
    assert len(notices) == 1 and "another host" in notices[0]


def test_hostile_values_become_nearest_valid_with_notices(bounds):
    view, notices = parse_query({
        "date": "2031-01-01", "compare": "<script>", "layers": "places,evil<b>,",
        "lat": "NaN", "lon": "1e309", "zoom": "99", "basemap": "x", "utm_source": "y",
    }, bounds)
    assert view.date == bounds.last and view.compare is None
    assert view.layers == ("places",) and view.zoom == 13
    assert (view.lat, view.lon) == (bounds.default.lat, bounds.default.lon)
    assert len(notices) == 8
    assert not any("<" in n or ">" in n for n in notices)


def test_compare_after_date_is_swapped(bounds):
    view, notices = parse_query({"date": "2024-09-01", "compare": "2024-10-01"}, bounds)
    assert (view.date, view.compare) == (date(2024, 10, 1), date(2024, 9, 1))
    assert any("swapped" in n for n in notices)


def test_repeated_keys_use_the_last(bounds):
    view, notices = parse_query({"zoom": ["8", "9"]}, bounds)
    assert view.zoom == 9 and notices == ["zoom: given 2 times; used the last"]


text = st.text(max_size=60) | st.sampled_from(["nan", "inf", "-0", "1e400", "2024-02-30", "9" * 500, ""])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*KEYS, "other"]), text | st.lists(text, max_size=3), max_size=8))
def test_any_query_gives_a_valid_view_that_round_trips(bounds, params):
    view, notices = parse_query(params, bounds)
    assert bounds.first <= view.date <= bounds.last
    assert view.compare is None or bounds.first <= view.compare < view.date
    assert set(view.layers) <= set(bounds.layer_ids) and view.basemap in bounds.basemap_ids
    assert 40 <= view.lat <= 60 and 20 <= view.lon <= 52 and 5 <= view.zoom <= 13
    assert parse_query(to_query(view, bounds), bounds) == (view, [])
    assert all(len(n) < 200 for n in notices)


def test_steps_by_day_week_and_month():
    assert step(date(2025, 1, 31), "month", 1) == date(2025, 2, 28)  # clamped to the month's end
    assert step(date(2024, 3, 31), "month", -1) == date(2024, 2, 29)
    # a month's end stays a month's end: no drift to the 28th over repeated steps
    day = date(2025, 1, 31)
    for expected in (date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)):
        day = step(day, "month", 1)
        assert day == expected
    assert step(date(2025, 3, 31), "month", -1) == date(2025, 2, 28)
    assert step(date(2024, 2, 29), "month", 12) == date(2025, 2, 28)
    assert step(date(2025, 2, 28), "month", 1) == date(2025, 3, 31)
    assert step(date(2025, 2, 27), "month", 1) == date(2025, 3, 27)
    assert step(date(2025, 12, 15), "month", 1) == date(2026, 1, 15)
    assert step(date(2025, 1, 1), "week", -1) == date(2024, 12, 25)
    assert step(date(2025, 1, 1), "day", 1) == date(2025, 1, 2)


def test_an_unknown_parameter_is_named_in_its_own_script(bounds):
    """Issue #21 (13): `?дата=1` was reported as "unknown parameter ''"."""
    assert parse_query({"дата": "1"}, bounds)[1] == ["unknown parameter 'дата' ignored"]
    assert parse_query({"utm_source": "x"}, bounds)[1] == ["unknown parameter 'utm_source' ignored"]
    notices = parse_query({"<b>*[x](y)": "1", "\u202e\u200b": "2"}, bounds)[1]
    assert notices == ["2 unknown parameters ignored ('bxy', (unreadable name))"]


def test_a_thousand_junk_parameters_give_one_short_notice_and_keep_the_valid_ones(bounds):
    """Issue #21 (16): 999 junk parameters listed all of them (about 30 KB)."""
    params = {f"junk{i}": "1" for i in range(999)} | {"date": "2024-09-01"}
    view, notices = parse_query(params, bounds)
    assert view.date == date(2024, 9, 1)
    assert len(notices) == 1 and notices[0].startswith("999 unknown parameters ignored") and len(notices[0]) < 200


def test_side_by_side_without_a_compare_date_is_dropped_and_said(bounds):
    """Issue #21 (13): `mode=swipe` alone stayed in the URL with nothing shown and no notice."""
    view, notices = parse_query({"mode": "swipe"}, bounds)
    assert view.mode == "overlay" and to_query(view, bounds) == {}
    assert notices == ["mode: side by side needs a compare date; showing one map"]
    view, notices = parse_query({"mode": "swipe", "date": "2024-09-01", "compare": "2024-09-01"}, bounds)
    assert view.mode == "overlay" and view.compare is None and len(notices) == 2
    assert parse_query({"mode": "swipe", "compare": "2024-09-01"}, bounds)[0].mode == "swipe"


def test_the_servers_notice_is_said_once_and_never_written_back(bounds):
    view, notices = parse_query({"notice": ["path", "path"], "date": "2024-09-01"}, bounds)
    assert view.date == date(2024, 9, 1) and notices == [NOTICES["path"]]
    assert "notice" not in to_query(view, bounds)
    assert parse_query({"notice": ["params", "path"]}, bounds)[1] == [NOTICES["params"], NOTICES["path"]]
    assert parse_query({"notice": "<script>"}, bounds)[1] == ["notice: unknown value ignored"]


def test_an_embed_link_is_a_share_link(bounds):
    """Streamlit's own `embed` parameters are not the view's and not unknown either."""
    view, notices = parse_query({"date": "2025-03-01", "embed": "true", "embed_options": "light_theme"}, bounds)
    assert notices == [] and view.date == date(2025, 3, 1)


def test_the_mode_is_written_only_with_a_compare_date(bounds):
    from dataclasses import replace

    swipe = replace(bounds.default, mode="swipe")
    assert "mode" not in to_query(swipe, bounds)
    assert to_query(replace(swipe, compare=date(2025, 1, 1)), bounds)["mode"] == "swipe"
