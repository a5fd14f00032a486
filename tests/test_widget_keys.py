"""Keys of the sidebar widgets the page sets, and stale values from the browser (ui/widget_keys.py)."""

from datetime import date

from dashboard.ui.widget_keys import KEEP, WidgetKeys

D0, D1, D2 = date(2024, 9, 20), date(2024, 9, 21), date(2024, 9, 22)


def test_another_control_moving_the_date_gives_both_date_widgets_new_keys():
    w = WidgetKeys()
    slider, pick = w.date_key("slider", D0), w.date_key("pick", D0)
    w.moved(None)  # a step button, the map's report, Play
    assert w.date_key("slider", D1) != slider and w.date_key("pick", D1) != pick


def test_the_date_widget_the_reader_moved_keeps_its_key_and_the_other_is_drawn_anew():
    w = WidgetKeys()
    slider, pick = w.date_key("slider", D0), w.date_key("pick", D0)
    assert w.accept(slider, D1)
    w.moved("slider")
    assert w.date_key("slider", D1) == slider and w.date_key("pick", D1) != pick
    assert w.is_current("slider", slider) and not w.is_current("pick", pick)


def test_a_stale_date_is_no_change_but_a_move_is():
    """The replayed race: the page moved the date (the map's report), then a request sent before
    that brings the old widget's old value, and Streamlit calls its callback with it."""
    w = WidgetKeys()
    old = w.date_key("slider", D0)
    w.moved(None)
    w.date_key("slider", D1)
    assert not w.accept(old, D0), "the value the old slider was drawn with"
    assert w.accept(old, D2), "the reader moved the old slider before it was redrawn"
    assert not w.accept(old, D2), "and that value, sent again, is no change"
    assert not w.is_current("slider", old)


def test_a_layer_box_or_basemap_radio_changed_twice_before_it_is_redrawn_keeps_both_changes():
    w = WidgetKeys()
    box = w.layer_key("places", True)
    assert not w.accept(box, True), "the value the box was drawn with"
    assert w.accept(box, False) and w.accept(box, True), "off, then on again on the same box"
    radio = w.basemap_key("vector")
    assert w.accept(radio, "osm") and w.accept(radio, "vector")
    assert not w.accept(radio, "vector")


def test_a_box_drawn_again_starts_from_the_value_its_key_names():
    w = WidgetKeys()
    box = w.layer_key("places", True)
    assert w.accept(box, False)  # switched off: the next run draws the "off" box
    w.layer_key("places", False)
    assert w.layer_key("places", True) == box  # on again later: a new widget, drawn checked
    assert not w.accept(box, True)


def test_known_values_are_bounded():
    w = WidgetKeys()
    for n in range(KEEP * 3):
        w.date_key("slider", D0)
        w.layer_key(f"layer-{n}", True)
        w.moved(None)
    assert len(w.known) == KEEP
