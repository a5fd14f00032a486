"""The page's side of the map's date (pure: no Streamlit; `state.py` keeps one per session).

The map owns its date (static/map/time.js). The page speaks to it in numbered commands, and the
map reports the reader's moves, each numbered. Three rules keep every click:

- the page makes a command only when its date is not the one the map shows (a link, Play), or
  when the reader used a sidebar step, never for a date the map itself reported;
- a report is taken only if it follows the latest command (one made before it was overtaken);
- a command names the map's last move the page had applied, and a sidebar step says what it
  was and from which day: the map makes its later moves again from that day, then the step,
  so n clicks anywhere move n steps, even where a step meets the first or last day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: A move number as the map writes it (ASCII digits, bounded): anything else is not a report.
_MOVE = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Step:
    """A sidebar step: its number in the session, unit, count and the day it stepped from."""

    n: int
    unit: str
    count: int
    base: date


@dataclass
class MapClock:
    seq: int = 0
    day: date | None = None                  # the latest command's date
    shown: date | None = None                # the date the map shows, as far as the page knows
    report: tuple[str, str] | None = None    # (map instance, move number) of the last report taken
    applied: int = 0                         # the map's last move the page had applied at the command
    step: Step | None = None                 # the sidebar step the latest command carries
    steps_seen: int = 0

    def command(self, day: date, instance: str, step: Step | None) -> tuple[int, date, int, Step | None]:
        """The latest command (number, date, move applied, step), made anew when needed."""
        new_step = step is not None and step.n != self.steps_seen
        if self.shown != day or new_step or self.day is None:
            last = self.report
            self.applied = int(last[1]) if last and last[0] == instance and _MOVE.fullmatch(last[1]) else 0
            self.seq, self.day, self.shown = self.seq + 1, day, day
            self.step = step if new_step else None
            if step is not None:
                self.steps_seen = step.n
        assert self.day is not None
        return self.seq, self.day, self.applied, self.step

    def reported(self, instance: str, day: date, move: str, seq: int, step: Step | None = None) -> bool:
        """Whether a report of the map's date is taken: once, only if no command overtook it, and
        not while a sidebar step waits for its command (that step was made from the page's date
        before this report: the command makes both, the step after the report's moves)."""
        if not _MOVE.fullmatch(move) or self.report == (instance, move) or seq != self.seq:
            return False
        if step is not None and step.n != self.steps_seen:
            return False
        self.shown, self.report = day, (instance, move)
        return True
