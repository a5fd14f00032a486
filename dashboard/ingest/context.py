"""What surrounds each place name, computed so that a long or hostile article stays linear.

Two clues resolve a name shared by several places: the article's other places (anchors: the nearest
one counts) and the places named in the same passage. Both were computed pair by pair, name against
name, which is the square of the number of distinct names: a text listing 5,000 gazetteer names
took minutes. Here the anchors are numpy arrays (one vectorised distance per candidate), at most
MAX_NAMES distinct names are resolved, and a passage is at most MAX_NEIGHBOURS names either side.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Hashable, Sequence

import numpy as np

#: Distinct names resolved from context; more than any article names (the longest labelled article
#: has under 100). Names after these are reported with their candidates and no coordinates.
MAX_NAMES = 600
#: Names on either side of a mention that can count as "the same passage".
MAX_NEIGHBOURS = 30
PASSAGE_CHARS = 150  # across a paragraph break, a name this close still belongs to the passage
FAR_KM = 1e9
_EARTH_KM = 6371.0
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


class Points:
    """Points to measure from in bulk: the nearest distance from one place to all of them."""

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        arr = np.radians(np.asarray(points, dtype=float).reshape(-1, 2))
        self.lat, self.lon = arr[:, 0], arr[:, 1]
        self.cos = np.cos(self.lat)

    def __len__(self) -> int:
        return len(self.lat)

    def nearest_km(self, lat: float, lon: float, skip: int | None = None) -> float:
        """Great-circle distance to the nearest point (haversine, as gazetteer.distance_km), leaving
        out the point at index `skip` (the name's own place); FAR_KM when there is none."""
        if not len(self.lat) or (len(self.lat) == 1 and skip == 0):
            return FAR_KM
        p, lam = np.radians(lat), np.radians(lon)
        a = np.sin((self.lat - p) / 2) ** 2 + np.cos(p) * self.cos * np.sin((self.lon - lam) / 2) ** 2
        d = 2 * _EARTH_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))
        if skip is not None:
            d[skip] = np.inf
        return float(d.min())

    def count_without(self, skip: int | None) -> int:
        return len(self.lat) - (skip is not None)


def paragraph_index(text: str) -> Callable[[int], int]:
    """Position -> paragraph number (paragraphs are separated by a blank line)."""
    breaks = [b.start() for b in _BLANK_LINE.finditer(text)]
    return lambda pos: bisect.bisect_right(breaks, pos)


def neighbours(starts: list[int], keys: list[Hashable], paragraph_of: Callable[[int], int]) -> list[set]:
    """For each mention (sorted by start), the keys of the other names in its passage: the same
    paragraph, or within PASSAGE_CHARS across a break; at most MAX_NEIGHBOURS mentions either side.
    Both conditions hold on a run of neighbouring mentions, so each passage is one slice."""
    paragraphs = [paragraph_of(s) for s in starts]
    first, last = {}, {}  # paragraph -> index of its first and last mention
    for i, par in enumerate(paragraphs):
        first.setdefault(par, i)
        last[par] = i
    out = []
    for i, start in enumerate(starts):
        lo = min(first[paragraphs[i]], bisect.bisect_right(starts, start - PASSAGE_CHARS))
        hi = max(last[paragraphs[i]], bisect.bisect_left(starts, start + PASSAGE_CHARS) - 1)
        near = set(keys[max(lo, i - MAX_NEIGHBOURS):min(hi, i + MAX_NEIGHBOURS) + 1])
        near.discard(keys[i])
        out.append(near)
    return out
