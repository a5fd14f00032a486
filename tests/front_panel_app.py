"""A page with only the front panel, for AppTest (the Map page calls the same render)."""

from dashboard.ui import front_panel, state
from dashboard.ui.chrome import loaded

ds, bounds = loaded()
state.init_session(bounds)
view = state.current_view(bounds)[0]
front_panel.render(ds, view, bounds)
state.keep_view_in_url(view, bounds)
