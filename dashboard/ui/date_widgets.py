"""The map date's widgets, the sidebar's slider and date input, and stale values from the
browser (pure: no Streamlit; `state.py` keeps one per session).

The date is the page's (`Key.DATE`); the widgets show it. A rerun request carries the browser's
value of every widget, and one sent while a run moves the date (the reader's sidebar step right
after the page took the map's date report) carries the old date: Streamlit may even call that
widget's callback with it, when the run it interrupted had drawn the widget anew. The old date
would come back and the step would be lost. So:

- a widget gets a new key whenever another control moved the date, with the date as default (a
  widget keyed once would need its value set by the page, which such a request overwrites);
- the widget the reader moved keeps its key, so a keyboard reader stays on the slider;
- a callback whose value is the one the page last knew for that key is no change: a stale value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

WIDGETS = ("slider", "pick")
#: Keys whose last known value is kept (older keys are long gone from every browser).
KEEP = 16


def widget_key(widget: str, version: int) -> str:
    return f"date.{widget}.{version}"


@dataclass
class DateWidgets:
    versions: dict[str, int] = field(default_factory=dict)
    known: dict[str, date] = field(default_factory=dict)  # key -> the value the page last knew, oldest first

    def key(self, widget: str, day: date) -> str:
        """The widget's key in this run; a new key starts at the page's date `day`."""
        key = widget_key(widget, self.versions.get(widget, 0))
        self._know(key, self.known.get(key, day))
        return key

    def moved(self, by: str | None) -> None:
        """The date moved, by the widget `by` (None: another control): the others are drawn anew."""
        for widget in WIDGETS:
            if widget != by:
                self.versions[widget] = self.versions.get(widget, 0) + 1

    def chosen(self, key: str, day: date) -> bool:
        """Whether a callback's value `day` for `key` is the reader's move (not a stale value)."""
        if self.known.get(key) == day:
            return False
        self._know(key, day)
        return True

    def _know(self, key: str, day: date) -> None:
        self.known.pop(key, None)
        self.known[key] = day
        while len(self.known) > KEEP:
            del self.known[next(iter(self.known))]
