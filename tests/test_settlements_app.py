"""The settlements panel under Streamlit's AppTest (the Map page calls the same render), its CSV, and
the distance panel's sentence on when the chosen town came under occupation."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data.load import DEFAULT_DATA
from dashboard.data.settlements import CAME_IN, Change, load_settlements
from dashboard.ui.settlements_panel import OBLAST_KEY, SIZE_KEY, settlements_csv
from tests.conftest import ROOT

PAGE = """
from dashboard.ui import settlements_panel, state
from dashboard.ui.chrome import loaded

ds, bounds = loaded()
state.init_session(bounds)
view = state.current_view(bounds)[0]
settlements_panel.render(ds, view, bounds)
"""


def run(params: dict[str, str]) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def found():
    return load_settlements(DEFAULT_DATA)


def test_the_panel_lists_the_window_filters_it_and_counts_it(found):
    at = run({"date": "2025-11-10", "compare": "2025-06-01"})
    want = found.changes(date(2025, 6, 1), date(2025, 11, 10))
    table = at.dataframe[0].value
    assert list(table["name"]) == [c.name for c in want] and table["population"].dtype.kind == "i"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Came under occupation"] == f"{sum(c.direction == CAME_IN for c in want):,}"
    assert metrics["Population of these places"] == f"{sum(c.population for c in want):,}"
    assert "2025-06-01 → 2025-11-10" in at.subheader[0].value
    assert any("rule:" in c.value and "assessed" in c.value for c in at.caption)

    at.selectbox(key=OBLAST_KEY).set_value("Donetsk Oblast").run()
    at.number_input(key=SIZE_KEY).set_value(5000).run()
    table = at.dataframe[0].value
    want = found.changes(date(2025, 6, 1), date(2025, 11, 10), "Donetsk Oblast", 5000)
    assert list(table["name"]) == [c.name for c in want] and "Pokrovsk" in list(table["name"])
    assert set(table["oblast"]) == {"Donetsk Oblast"} and (table["population"] >= 5000).all()


def test_without_a_compare_date_the_panel_says_its_30_day_window():
    at = run({"date": "2025-11-10"})
    assert "2025-10-11 → 2025-11-10" in at.subheader[0].value
    assert any("30 days before the map date" in c.value for c in at.caption)
    assert "Pokrovsk" in list(at.dataframe[0].value["name"])


def test_the_csv_keeps_numbers_and_defuses_formulas(found):
    hostile = Change(1, "=HYPERLINK(\"http://x\")", 1234, "+Oblast", date(2025, 1, 2), CAME_IN, 48.0, 37.0)
    rows = list(csv.reader(io.StringIO(settlements_csv(found, [hostile])), quoting=csv.QUOTE_NONNUMERIC))
    assert rows[0][:5] == ["day", "direction", "name", "oblast", "population"]
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")" and rows[1][3] == "'+Oblast"
    assert rows[1][4] == 1234 and rows[1][5] == 1  # numbers stay numbers
    assert rows[1][6] == "assessed" and "GeoNames point" in rows[1][8]


def test_the_distance_panel_says_when_the_town_came_under_occupation():
    at = AppTest.from_file(str(ROOT / "tests" / "front_panel_app.py"), default_timeout=300)
    at.query_params["town"] = "704422"  # Pokrovsk
    at.query_params["date"] = "2026-01-01"
    at.run()
    assert not at.exception, at.exception
    text = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "came under occupation on 2025-11-03" in text and "on 2026-01-01 it is inside" in text


def test_the_downloads_offer_the_windows_settlements_as_csv(shipped):
    """The downloads' file: every change of the window, with provenance, the same rows as changes()."""
    import csv as csv_module
    import io
    from dataclasses import replace
    from datetime import date as day

    from dashboard.data.layers import view_bounds
    from dashboard.data.settlements import load_settlements, table_path
    from dashboard.ui.settlements_panel import window_csv

    bounds = view_bounds(shipped)
    view = replace(bounds.default, date=day(2025, 11, 10), compare=day(2025, 6, 1))
    rows = list(csv_module.DictReader(io.StringIO(window_csv(shipped, view, bounds))))
    expected = load_settlements(shipped.root, table_path(shipped.root, shipped.catalog)).changes(
        day(2025, 6, 1), day(2025, 11, 10))
    assert len(rows) == len(expected) > 0
    assert {r["name"] for r in rows} == {c.name for c in expected}
    assert all(r["status"] == "assessed" and r["rule"] for r in rows)
