"""One module per page of the app (see `dashboard.ui.app` for the navigation)."""
