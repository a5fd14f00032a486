"""A town marker's tooltip picks its town (pages/map.py `follow_town_click`): the name alone or
the name then " · " and the map's status words; nothing that is not a name of the towns layer."""

from __future__ import annotations

import pytest

from dashboard.ui.pages import map as map_page
from tests.conftest import fresh


@pytest.fixture
def picked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    chosen: list[str] = []
    monkeypatch.setattr(map_page.state, "new_click", lambda instance, count: True)
    monkeypatch.setattr(map_page.state, "choose_town", chosen.append)
    monkeypatch.setattr(map_page.st, "rerun", lambda **kwargs: None)
    return chosen


@pytest.mark.parametrize(("tooltip", "town"), [
    ("Pokrovsk", "704422"),
    (" Pokrovsk \n", "704422"),
    ("Pokrovsk · inside the occupied area on 2025-11-03 (assessed)", "704422"),
    ("Kramatorsk · not inside on 2025-11-03 (assessed)", "704508"),
    ("Pokrovsk·inside", None),  # not the map's separator
    ("Pokrovs", None),
    ("Pokrovsk2 · inside", None),
    ("Nowhere · Pokrovsk", None),
    ("", None),
    (" · inside", None),
])
def test_a_tooltip_picks_only_a_town_of_the_layer(shipped, picked, tooltip, town):
    map_page.follow_town_click(shipped, tooltip, "map", 1)
    assert picked == ([town] if town else [])


def test_the_longest_name_wins_and_a_forged_name_picks_nothing(data_copy, picked):
    path = data_copy / "layers" / "places.geojson"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"Kramatorsk"', '"Pokrovsk · inside"', 1), encoding="utf-8")
    ds = fresh(data_copy)
    map_page.follow_town_click(ds, "Pokrovsk · inside · not inside on 2025-11-03 (assessed)", "map", 1)
    map_page.follow_town_click(ds, "Pokrovsk · inside the occupied area on 2025-11-03 (assessed)", "map", 2)
    map_page.follow_town_click(ds, "<img src=x> · inside", "map", 3)
    map_page.follow_town_click(ds, ["Pokrovsk"], "map", 4)
    assert picked == ["704508", "704422"]
