"""Every session-state key of the app, named once (ui/state.py is the only module using them)."""

from __future__ import annotations


class Key:
    """Every session-state key of the app."""

    DATE = "date"                      # the map date (its slider and date input: ui/widget_keys.py)
    WIDGET_KEYS = "widget_keys"        # ui/widget_keys.WidgetKeys: keys of widgets the page sets
    COMPARE_ON = "compare_on"          # checkbox: comparison on
    COMPARE = "compare"                # date input: the comparison date
    BASEMAP = "basemap"                # the basemap id shown (its radio: basemap_key)
    ARTICLE = "article"                # select: the article whose layers and figures are shown
    MODE = "compare_mode"              # radio: a compare date as the changes layer or side by side
    TOWN = "town"                      # the chosen town's GeoNames id ("" = none)
    LAST_CLICK = "map_last_click"      # (component instance, click count) last acted on
    PLAYING = "playing"                # toggle: Play
    LAYERS = "layers_shown"            # frozenset of the layer ids shown (their checkboxes: layer_key)
    LAYER_PREFIX = "layer_"            # checkboxes: one per layer id and value
    PENDING_DATE = "pending_date"      # set at the end of a run, applied before the widgets exist
    PENDING_STOP = "pending_stop"
    PENDING_LAYERS = "pending_layers"
    ORIGIN = "view_origin"             # the session's first view: the base map keeps its centre
    CURRENT = "view_current"           # the last view shown, kept across pages
    NOTICES = "url_notices"            # what the opening link had wrong, said once
    CENTER = "center"                  # the map's centre and zoom as the reader left them
    MAP_START = "map_start"            # (component instance, centre, zoom) the map was created with
    ZOOM = "zoom"
    MAP_SYNC = "map_layer_sync"        # layer sets sent to the map and reported back (LayerSync)
    SHARE_LINK = "share_link"          # text box with the view's link
    EMBED_CODE = "embed_code"          # text box with the view's <iframe> snippet
    PLAY_UNIT = "play_unit"            # select: Play's step (day, week or month)
    DOWNLOAD_VIEW = "download_view"    # the view downloads export, read at click time
    PAGE_CONTROLS = "page_controls"    # the page's own controls as the last full run set them
    MAP_CLOCK = "map_clock"            # ui/map_clock.MapClock: commands to the map, its reports
    STEP = "map_step"                  # the latest sidebar step (map_clock.Step)
    FIRST_VIEW = "first_view"          # ui/first_view.FirstView: the panels wait for the map's paint


#: Controls drawn by the whole page, outside the map fragment: only a full run may change them.
PAGE_OWNED = (Key.DATE, Key.COMPARE_ON, Key.COMPARE, Key.MODE, Key.PLAYING, Key.PLAY_UNIT, Key.ARTICLE)


def layer_key(layer_id: str, shown: bool) -> str:
    """A layer's checkbox: one key per value, so that a new value is a new widget whose default
    is that value (see state.layer_box)."""
    return f"{Key.LAYER_PREFIX}{layer_id}.{'on' if shown else 'off'}"


def basemap_key(basemap_id: str) -> str:
    """The basemap radio: one key per choice, as for the layers' checkboxes."""
    return f"{Key.BASEMAP}.{basemap_id}"
