"""The page's date commands to the map and the map's reports (ui/state.py): a command says which
of the map's moves the page had applied, so the map can make the later ones again."""

from datetime import date, timedelta

import pytest

from dashboard.ui import state

D = date(2024, 9, 20)


@pytest.fixture
def session(monkeypatch) -> dict:
    fake: dict = {}
    monkeypatch.setattr(state.st, "session_state", fake)
    return fake


def test_a_command_names_the_last_move_the_page_applied(session):
    assert state.map_command(D, "map-a") == (1, D, 0), "the first paint is a command"
    assert state.map_reported_date("map-a", D + timedelta(days=1), "3", 1)  # moves 1..3, reported
    # the page now shows the reported day: no new command for it
    assert state.map_command(D + timedelta(days=1), "map-a") == (1, D, 0)
    # a sidebar step: a new command, after move 3
    assert state.map_command(D + timedelta(days=2), "map-a") == (2, D + timedelta(days=2), 3)
    # a report made before that command (move 5, following command 1) is overtaken by it...
    assert not state.map_reported_date("map-a", D + timedelta(days=4), "5", 1)
    # ...and the map makes move 5 again from the command's day, then reports it after command 2
    assert state.map_reported_date("map-a", D + timedelta(days=3), "5", 2)
    assert not state.map_reported_date("map-a", D + timedelta(days=3), "5", 2), "the same report twice"


def test_a_new_map_starts_counting_its_moves_again(session):
    state.map_command(D, "map-a")
    assert state.map_reported_date("map-a", D + timedelta(days=1), "7", 1)
    # another basemap is another map: its moves start at 1, none of them applied yet
    assert state.map_command(D + timedelta(days=5), "map-b") == (2, D + timedelta(days=5), 0)


def test_a_forged_move_number_counts_as_none(session):
    state.map_command(D, "map-a")
    assert state.map_reported_date("map-a", D, "x1", 1)
    assert state.map_command(D + timedelta(days=1), "map-a")[2] == 0
