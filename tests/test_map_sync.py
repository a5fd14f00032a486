"""The map's layer reports: echoes of what the page sent are not the reader's toggles."""

from dashboard.ui.map_sync import MAX_ASKED, LayerSync

ALL = frozenset({"occupied", "salient", "towns"})
NO_TOWNS = ALL - {"towns"}


def test_a_first_report_arriving_after_a_sidebar_toggle_is_an_echo():
    # The page loads with every layer, the reader switches towns off before the map's first
    # report: that report (every layer) must not switch towns back on.
    sync = LayerSync()
    sync.send(ALL)
    sync.send(NO_TOWNS)
    assert sync.toggled_from(ALL) is None
    assert sync.toggled_from(NO_TOWNS) is None
    assert sync.asked == []


def test_a_toggle_in_the_map_control_is_the_readers():
    sync = LayerSync()
    sync.send(ALL)
    assert sync.toggled_from(ALL) is None
    sync.send(ALL)  # an unchanged set: the map will not report it again
    assert sync.toggled_from(NO_TOWNS) == ALL
    assert sync.toggled_from(NO_TOWNS) is None, "the same report twice is one toggle"


def test_late_reports_settle_every_set_sent_before_them():
    sync = LayerSync()
    for layers in (ALL, NO_TOWNS, ALL - {"salient"}):
        sync.send(layers)
    assert sync.toggled_from(NO_TOWNS) is None
    assert sync.asked == [ALL - {"salient"}]
    assert sync.toggled_from(ALL - {"salient"}) is None


def test_a_map_toggle_while_a_new_set_is_on_the_way_keeps_waiting_for_it():
    sync = LayerSync()
    sync.send(ALL)
    sync.toggled_from(ALL)
    sync.send(NO_TOWNS)
    assert sync.toggled_from(ALL - {"salient"}) == ALL
    assert sync.asked == [NO_TOWNS]
    assert sync.toggled_from(NO_TOWNS) is None


def test_sets_never_reported_are_bounded():
    sync = LayerSync()
    for n in range(200):
        sync.send(frozenset({f"layer-{n}"}))
    assert len(sync.asked) == MAX_ASKED
