"""The first view's order: a browser's map before its panels, and the panels never lost."""

from dashboard.ui.first_view import WAIT_S, FirstView


def test_only_a_browsers_first_runs_leave_the_panels_out():
    assert FirstView().wait(False, 0.0) is False  # no browser (a script, a test): panels at once
    view = FirstView()
    assert view.wait(True, 10.0) and view.wait(True, 11.0)
    assert view.since == 10.0  # the wait is timed from the first run that left them out


def test_the_maps_paint_ends_the_wait_once():
    view = FirstView()
    assert view.go(5.0) is False  # nothing was waiting: no rerun
    view.wait(True, 5.0)
    assert view.go(5.1) is True
    assert view.go(5.2) is False and view.wait(True, 6.0) is False


def test_without_the_maps_report_the_panels_come_after_the_longest_wait():
    view = FirstView()
    view.wait(True, 100.0)
    assert view.go(100.0 + WAIT_S / 2, after=WAIT_S) is False
    assert view.go(100.0 + WAIT_S, after=WAIT_S) is True
    assert view.wait(True, 200.0) is False
