"""Keys of the sidebar widgets whose value the page sets (the map date's slider and date input,
the layer boxes, the basemap radio), and stale values from the browser (pure: no Streamlit;
`state.py` keeps one per session).

A rerun request carries the browser's value of every widget, and one sent while a run changes
the view (the reader's sidebar step right after the page took the map's date report) carries
the old values: Streamlit may even call a widget's callback with one, when the run it
interrupted had drawn the widget anew. An old date would come back and the step would be lost.
So:

- a widget whose value the page sets gets a new key when the page sets it, with that value as
  its default (a widget keyed once would need its value written by the page, which such a
  request overwrites). A layer box and the basemap radio are keyed by their value; the date's
  two widgets by a version, new whenever another control moved the date, so the one the reader
  moved keeps its key (and a keyboard reader stays on it);
- a callback whose value is the one the page last knew for that key (drawn with it, or taken
  from it) is no change: a stale value. Any other value is the reader's, even on an old widget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dashboard.ui.keys import basemap_key, layer_key

DATE_WIDGETS = ("slider", "pick")
#: Keys whose last known value is kept (older keys are long gone from every browser).
KEEP = 64


@dataclass
class WidgetKeys:
    versions: dict[str, int] = field(default_factory=dict)  # date widget -> its key's version
    known: dict[str, object] = field(default_factory=dict)  # key -> the value the page last knew, oldest first

    def date_key(self, widget: str, day: date) -> str:
        """The date's slider ("slider") or date input ("pick") key; a new key starts at `day`."""
        key = f"date.{widget}.{self.versions.get(widget, 0)}"
        self._know(key, self.known.get(key, day))
        return key

    def layer_key(self, layer_id: str, shown: bool) -> str:
        """A layer box's key: the box is drawn with the value its key names."""
        key = layer_key(layer_id, shown)
        self._know(key, shown)
        return key

    def basemap_key(self, chosen: str) -> str:
        key = basemap_key(chosen)
        self._know(key, chosen)
        return key

    def is_current(self, widget: str, key: str) -> bool:
        return key == f"date.{widget}.{self.versions.get(widget, 0)}"

    def moved(self, by: str | None) -> None:
        """The date moved, by the date widget `by` (None: anything else): the others are drawn anew."""
        for widget in DATE_WIDGETS:
            if widget != by:
                self.versions[widget] = self.versions.get(widget, 0) + 1

    def accept(self, key: str, value: object) -> bool:
        """Whether a callback's `value` for `key` is the reader's change (not a stale value)."""
        if key in self.known and self.known[key] == value:
            return False
        self._know(key, value)
        return True

    def _know(self, key: str, value: object) -> None:
        self.known.pop(key, None)
        self.known[key] = value
        while len(self.known) > KEEP:
            del self.known[next(iter(self.known))]
