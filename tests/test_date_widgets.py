"""The map date's sidebar widgets and stale values from the browser (ui/date_widgets.py)."""

from datetime import date

from dashboard.ui.date_widgets import KEEP, DateWidgets

D0, D1, D2 = date(2024, 9, 20), date(2024, 9, 21), date(2024, 9, 22)


def test_another_control_moving_the_date_gives_both_widgets_new_keys():
    w = DateWidgets()
    slider, pick = w.key("slider", D0), w.key("pick", D0)
    w.moved(None)  # a step button, the map's report, Play
    assert w.key("slider", D1) != slider and w.key("pick", D1) != pick


def test_the_widget_the_reader_moved_keeps_its_key_and_the_other_is_drawn_anew():
    w = DateWidgets()
    slider, pick = w.key("slider", D0), w.key("pick", D0)
    assert w.chosen(slider, D1)
    w.moved("slider")
    assert w.key("slider", D1) == slider and w.key("pick", D1) != pick


def test_a_stale_value_is_no_change_but_a_move_is():
    """The replayed race: the page moved the date (the map's report), then a request sent before
    that brings the old widget's old value, and Streamlit calls its callback with it."""
    w = DateWidgets()
    old = w.key("slider", D0)
    w.moved(None)
    w.key("slider", D1)
    assert not w.chosen(old, D0), "the value the old slider was drawn with"
    assert w.chosen(old, D2), "the reader moved the old slider before it was redrawn"
    assert not w.chosen(old, D2), "and that value, sent again, is no change"


def test_known_values_are_bounded():
    w = DateWidgets()
    for _ in range(KEEP * 3):
        w.key("slider", D0)
        w.moved(None)
    assert len(w.known) == KEEP
