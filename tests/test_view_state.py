from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.data.view import KEYS, bounds_from, parse_query, step, to_query


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
