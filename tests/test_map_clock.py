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
    assert state.map_command(D, "map-a") == (1, D, 0, None), "the first paint is a command"
    assert state.map_reported_date("map-a", D + timedelta(days=1), "3", 1)  # moves 1..3, reported
    # the page now shows the reported day: no new command for it
    assert state.map_command(D + timedelta(days=1), "map-a") == (1, D, 0, None)
    # another date for the page (a link's, Play's): a new command, after move 3
    assert state.map_command(D + timedelta(days=2), "map-a") == (2, D + timedelta(days=2), 3, None)
    # a report made before that command (move 5, following command 1) is overtaken by it...
    assert not state.map_reported_date("map-a", D + timedelta(days=4), "5", 1)
    # ...and the map makes move 5 again from the command's day, then reports it after command 2
    assert state.map_reported_date("map-a", D + timedelta(days=3), "5", 2)
    assert not state.map_reported_date("map-a", D + timedelta(days=3), "5", 2), "the same report twice"


def test_a_new_map_starts_counting_its_moves_again(session):
    state.map_command(D, "map-a")
    assert state.map_reported_date("map-a", D + timedelta(days=1), "7", 1)
    # another basemap is another map: its moves start at 1, none of them applied yet
    assert state.map_command(D + timedelta(days=5), "map-b") == (2, D + timedelta(days=5), 0, None)


def test_a_forged_move_number_is_no_report(session):
    """The report comes from the browser: only ASCII digits (a '²' passed isdigit() and then
    broke int() in the next command)."""
    state.map_command(D, "map-a")
    for forged in ("x1", "²", "+5", "1_0", "9" * 5000, ""):
        assert not state.map_reported_date("map-a", D, forged, 1), forged
    assert state.map_command(D + timedelta(days=1), "map-a")[2] == 0


def test_a_report_waits_while_a_sidebar_step_has_no_command_yet(session):
    """Found in review: the map's +1d report and a sidebar +1d in one run. The step was made from
    the page's date before the report, so the report must not be taken on its own: the command
    carries the step, and the map makes its move, then the step (two days, not one)."""
    state.map_command(D, "map-a")
    session[state.Key.STEP] = state.Step(1, "day", 1, D)  # the step's callback ran first
    assert not state.map_reported_date("map-a", D + timedelta(days=1), "1", 1)
    seq, _, applied, step = state.map_command(D + timedelta(days=1), "map-a")
    assert (seq, applied, step) == (2, 0, state.Step(1, "day", 1, D)), "the map redoes move 1, then the step"
    assert state.map_reported_date("map-a", D + timedelta(days=2), "1", 2)


def test_a_sidebar_step_is_a_command_even_where_the_date_stays(session):
    """At the last day a sidebar +1d leaves the page's date as it is, but the map may have moved
    back meanwhile: the step still goes to the map, with the day it was made from."""
    last = date(2026, 8, 22)
    state.map_command(last, "map-a")
    session[state.Key.STEP] = state.Step(1, "day", 1, last)
    seq, day, applied, step = state.map_command(last, "map-a")
    assert (seq, day, applied) == (2, last, 0) and step == state.Step(1, "day", 1, last)
    assert state.map_command(last, "map-a") == (2, last, 0, step), "the same step is one command"


def test_a_new_map_owes_nothing_to_earlier_steps(session):
    session[state.Key.STEP] = state.Step(4, "week", 1, D)
    assert state.map_command(D + timedelta(days=30), "map-b") == (1, D + timedelta(days=30), 0, None)
