"""Tell the reader's own toggles in the map's layer control from the map echoing the page.

Pure (no Streamlit): `state.py` keeps one `LayerSync` per session.

The component returns its last value on every run, and after drawing each new control the map
reports the set of layers it was asked for: late, sometimes after the page has moved on (a
sidebar toggle whose report arrives with the next toggle, or the map's first report arriving
with a toggle made right after the page loaded). Acting on such an echo would undo the later
toggle. So every set the page sends is kept until the map reports it (the map draws them in
order, so a report also settles the sets sent before it), and only a report that is none of
them is a reader's toggle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Sets asked of the map and never reported back (a report can cover several) are dropped after this.
MAX_ASKED = 16


@dataclass
class LayerSync:
    asked: list[frozenset[str]] = field(default_factory=list)  # sent, not yet reported, oldest first
    sent: frozenset[str] | None = None       # the last set sent
    reported: frozenset[str] | None = None   # the last full set the map reported
    sent_is_new: bool = False                # the last `send` changed what the map is asked for

    def send(self, layers: frozenset[str]) -> None:
        """Every run, before the map is drawn, whether or not the map has reported yet: the
        set this run's control asks the map to show. An unchanged set leaves the map as it
        is, so it will not be reported again."""
        self.sent_is_new = layers != self.sent
        if self.sent_is_new:
            self.sent = layers
            self.asked.append(layers)
            del self.asked[:-MAX_ASKED]

    def toggled_from(self, shown: frozenset[str]) -> frozenset[str] | None:
        """What the map showed before the reader switched layers in its own control, or None
        when the report `shown` is nothing the reader did there."""
        previous = self.reported
        if shown == previous:
            return None
        self.reported = shown
        if shown in self.asked:
            del self.asked[:self.asked.index(shown) + 1]
            return None
        # The reader's own toggle: what the page sent before it is drawn over; this run's set,
        # if new, is still on its way and will be reported back.
        self.asked[:] = [self.sent] if self.sent_is_new and self.sent is not None else []
        if shown == self.sent:
            return None
        return previous if previous is not None else self.sent
