"""Identifiers, dates, colours, dash patterns and page names are checked as whole strings: a value
with a trailing newline passed `re.match` with `$` (which also matches before a final newline)."""

import pytest

from dashboard.data.values import check_style, is_colour
from dashboard.serving.guards import page_target


@pytest.mark.parametrize("value", ["#fff\n", "red\n", "rgb(1,2,3)\n"])
def test_a_colour_with_a_trailing_newline_is_refused(value: str):
    assert is_colour(value.strip()) and not is_colour(value)


def test_a_dash_pattern_with_a_trailing_newline_is_refused():
    kept, problems = check_style("s", {"dashArray": "8 5\n"})
    assert kept == {} and problems
    assert check_style("s", {"dashArray": "8 5"})[0] == {"dashArray": "8 5"}


def test_ids_and_days_in_the_catalog_are_whole_strings():
    from dashboard.data.toml_reader import Reader

    good = Reader("catalog.toml", "layers", {"id": "kursk", "date": "2024-11-10"}, [])
    assert good.ident() == "kursk" and str(good.day("date")) == "2024-11-10" and good.problems == []
    bad = Reader("catalog.toml", "layers", {"id": "kursk\n", "date": "2024-11-10\n"}, [])
    bad.ident()
    assert bad.day("date") is None and len(bad.problems) == 2


def test_a_page_name_with_a_newline_is_not_a_page():
    assert page_target("/sources/x", "") == "/sources"
    assert page_target("/sources\n/x", "") == "/"
