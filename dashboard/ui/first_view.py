"""A reader's first view of the map page draws the map before its panels (pure: no Streamlit;
`state.py` keeps one per session).

The page's panels (figures, charts, tables, 'what happened next') take the browser longer to
draw than the map, and the map's frame shares the page's thread: drawn in the same run, they
hold up the map's first paint. So a browser's first run draws the map and the page's controls,
and the panels follow in a second run once the map reports that it has painted, or after
`WAIT_S` should that report never come (a basemap file that failed, another component version).
"""

from __future__ import annotations

from dataclasses import dataclass

#: The longest the panels wait for the map's paint.
WAIT_S = 4.0
#: Where the panels will be, while they wait.
NOTE = "The figures and panels follow as soon as the map is drawn."


@dataclass
class FirstView:
    since: float | None = None  # when the panels started waiting (monotonic seconds)
    ready: bool = False         # the panels are drawn from now on

    def wait(self, browser: bool, now: float) -> bool:
        """Whether this run leaves the panels out: only a browser's, and only until they are due."""
        if self.ready or not browser:
            return False
        if self.since is None:
            self.since = now
        return True

    def go(self, now: float, after: float = 0.0) -> bool:
        """The panels are due (the map painted; with `after`, that long has passed since they began
        to wait): True once, when this ends a wait, so that the caller reruns the page."""
        if self.ready or self.since is None or now - self.since < after:
            return False
        self.ready = True
        return True
