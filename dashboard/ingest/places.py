"""Resolve each place mention of an article to one gazetteer entry, or honestly to none.

Mentions are found in mentions.py. Resolution: a name shared by several places is scored per
candidate (population, a region named in the article, nearness to the article's unambiguous places,
the Ukraine-Russia war zone); only a clear winner gets coordinates, otherwise the place is reported
with null lat/lon and its candidate count rather than guessed somewhere far away.
"""

from __future__ import annotations

import bisect
import math
import re

from spacy.tokens import Doc

from dashboard.data.gazetteer import Entry, Gazetteer, distance_km
from dashboard.data.spelling import match_key

from .mentions import Mention, find_mentions, tokenize, unknown_places
from .model import Place

__all__ = ["Mention", "find_mentions", "find_places", "tokenize"]

_WAR_ZONE = (44.3, 53.5, 30.5, 40.5)  # lat/lon box: eastern and southern Ukraine, Russia's border oblasts


def _in_zone(lat: float, lon: float) -> bool:
    return _WAR_ZONE[0] <= lat <= _WAR_ZONE[1] and _WAR_ZONE[2] <= lon <= _WAR_ZONE[3]


def _score(gaz: Gazetteer, idx: int, m: Mention, regions: set, anchors: list[tuple[float, float]]) -> float:
    e = gaz.entries[idx]
    score = 0.8 * math.log10(e.population + 10)
    admins = {(e.country, a) for a in e.admin1}
    score += 3.0 if admins & m.local_admin else (1.5 if admins & regions else 0.0)
    score += 1.0 if _in_zone(e.lat, e.lon) else 0.0
    score += {"UA": 0.3, "RU": 0.2}.get(e.country, 0.0)
    near = min((distance_km(e.lat, e.lon, lat, lon) for lat, lon in anchors), default=1e9)
    # An old name within 2 km of a place named by its current name is that place (Artemovsk, Bakhmut).
    score += 2.0 if near < 2 and idx in m.weak else 0.0
    score += 2.0 if near < 30 else 1.2 if near < 75 else 0.5 if near < 150 else 0.0
    # Places named in the same passage ("a few kilometres east of Sloviansk") are the best clue.
    close = min((distance_km(e.lat, e.lon, lat, lon) for lat, lon in m.near), default=1e9)
    score += 3.0 if close < 15 else 2.0 if close < 30 else 1.0 if close < 60 else 0.0
    return score - (1.5 if idx in m.weak else 0.0)


def _resolve(
    gaz: Gazetteer, group: list[Mention], regions: set, anchors: list, towns: list | None = None
) -> tuple[int | None, float]:
    """The winning entry of one name (all its mentions together) and a confidence, or None."""
    first = group[0]
    local = set().union(*(m.local_admin for m in group))
    near = [p for m in group for p in m.near]
    probe = Mention(first.start, first.end, first.key, first.cands, first.weak, first.region_first, local, near)
    scored = sorted(((_score(gaz, c, probe, regions, anchors), c) for c in set(first.cands)), reverse=True)
    best_score, best = scored[0]
    # Two wrong villages must not vouch for each other: only towns (10,000 people or more) anchor.
    if _outlier(gaz.entries[best], anchors if towns is None else towns):
        return None, 0.2
    if len(scored) == 1:
        return best, (0.6 if best in first.weak else 0.95)
    # "X, in Y region" leaves out every namesake outside Y: only the ones inside contend.
    in_named = [c for _, c in scored if {(gaz.entries[c].country, a) for a in gaz.entries[c].admin1} & local]
    if in_named and best in in_named:
        scored = [(sc, c) for sc, c in scored if c in in_named]
        if len(scored) == 1:
            return best, 0.9
    second_score, second = scored[1]
    b, s = gaz.entries[best], gaz.entries[second]
    margin = best_score - second_score
    if _prominent(b, s, probe):
        return best, 0.85
    # With many namesakes one is near the article's other places by chance: ask for a wider margin.
    # Only namesakes in the article's part of the map can be near by chance; far ones do not count.
    plausible = [c for _, c in scored if c not in first.weak and _within(gaz.entries[c], anchors, 150)]
    needed = 1.0 + 0.5 * math.log2(max(2, len(plausible)))
    contenders = [gaz.entries[c] for sc, c in scored if best_score - sc < needed]
    if all(distance_km(b.lat, b.lon, e.lat, e.lon) < 10 for e in contenders):
        return best, 0.8  # the only close contenders lie side by side: either point is right
    if margin < needed:
        return None, round(0.3 * margin, 2)
    return best, round(min(0.95, 0.5 + margin / 5), 2)


def _within(entry: Entry, anchors: list[tuple[float, float]], km: float) -> bool:
    return not anchors or any(distance_km(entry.lat, entry.lon, lat, lon) <= km for lat, lon in anchors)


def _prominent(best: Entry, second: Entry, m: Mention) -> bool:
    """A bare name of a large city (Rivne, 240,000) means the city, not a village ten times smaller."""
    local = {(second.country, a) for a in second.admin1} & m.local_admin
    return best.population >= 100_000 and second.population * 10 <= best.population and not local


_TOWN = 10_000


def _outlier(entry: Entry, anchors: list[tuple[float, float]]) -> bool:
    """A small place far from everything else the article names is more likely a namesake the
    gazetteer lacks (Plekhovo in Kursk Oblast vs Plekhiv in Poltava Oblast) than the right match."""
    if entry.kind != "settlement" or entry.population >= _TOWN or len(anchors) < 2:
        return False
    return min(distance_km(entry.lat, entry.lon, lat, lon) for lat, lon in anchors) > 150


def _link_regions(mentions: list[Mention], gaz: Gazetteer) -> set[tuple[str, str]]:
    """Regions named in the article; each also qualifies the names just before it (X, Kharkiv region)."""
    regions: set[tuple[str, str]] = set()
    for k, m in enumerate(mentions):
        entry = gaz.entries[m.cands[0]]
        if entry.kind != "region":
            continue
        admins = {(entry.country, a) for a in entry.admin1}
        regions |= admins
        for prev in mentions[max(0, k - 3):k]:
            if 0 <= m.start - prev.end <= 40:
                prev.local_admin |= admins
    return regions


_NAME = r"[A-Z][\w’'-]+"
_SEP = r"(?:,|,? and|,? or)\s+"
# "Bryansk, Kursk and Belgorod regions", "the regions of Lviv, Rivne and Volyn": every name is a region.
_REGION_LISTS = [
    re.compile(rf"(?P<list>(?:{_NAME}{_SEP})+{_NAME})\s+(?:regions|oblasts|provinces)\b"),
    re.compile(rf"\b(?:regions|oblasts|provinces) of\s+(?P<list>{_NAME}(?:{_SEP}{_NAME})+)"),
]


def _plural_regions(text: str, mentions: list[Mention], gaz: Gazetteer) -> list[Mention]:
    extra = []
    for pattern in _REGION_LISTS:
        for m in pattern.finditer(text):
            for name in re.finditer(_NAME, m["list"]):
                key = match_key(name.group(0))
                if key in gaz.region_base:
                    start = m.start("list") + name.start()
                    end = start + len(name.group(0))
                    extra.append(Mention(start, end, key, list(gaz.region_base[key]), region_first=True))
    kept = [m for m in mentions if not any(m.start < e.end and e.start < m.end for e in extra)]
    return sorted(kept + extra, key=lambda m: m.start)


class _Spots:
    """Where one name is mentioned: its sorted offsets and their paragraphs (so a check is a lookup
    and a bisection, not a walk over every mention: long articles stay linear)."""

    def __init__(self, group: list[Mention], paragraph_of) -> None:
        self.starts = sorted(o.start for o in group)
        self.paragraphs = {paragraph_of(s) for s in self.starts}


def _close_in_text(m: Mention, spots: _Spots, paragraph: int) -> bool:
    """Another name in the same paragraph, or within 150 characters across a paragraph break."""
    if paragraph in spots.paragraphs:
        return True
    i = bisect.bisect_left(spots.starts, m.start)  # the nearest mention is at i - 1 or i
    return any(abs(spots.starts[j] - m.start) < 150 for j in (i - 1, i) if 0 <= j < len(spots.starts))


def _paragraphs(text: str):
    """Position -> paragraph number (paragraphs are separated by a blank line)."""
    breaks = [b.start() for b in re.finditer(r"\n[ \t]*\n", text)]
    return lambda pos: bisect.bisect_right(breaks, pos)


def find_places(gaz: Gazetteer, doc: Doc) -> list[Place]:
    text = doc.text  # Doc.text rebuilds the string on every access: read it once
    mentions = _plural_regions(text, find_mentions(gaz, doc), gaz)
    regions = _link_regions(mentions, gaz)
    paragraph_of = _paragraphs(text)
    groups: dict[tuple[str, bool], list[Mention]] = {}
    for m in mentions:
        groups.setdefault((m.key, m.region_first), []).append(m)
    spots = {k: _Spots(g, paragraph_of) for k, g in groups.items()}
    resolved: dict[tuple[str, bool], tuple[int | None, float]] = {}
    # Two rounds: names resolved in the first become anchors for the harder ones in the second.
    for _ in range(2):
        anchors_by_key = {k: gaz.entries[r[0]] for k, r in resolved.items() if r[0] is not None}
        anchors_by_key |= {k: gaz.entries[g[0].cands[0]] for k, g in groups.items() if len(set(g[0].cands)) == 1}
        for key, group in groups.items():
            others = {k: e for k, e in anchors_by_key.items() if k != key and e.kind == "settlement"}
            for m in group:
                par = paragraph_of(m.start)
                m.near = [(e.lat, e.lon) for k, e in others.items() if _close_in_text(m, spots[k], par)]
            towns = [(e.lat, e.lon) for e in others.values() if e.population >= _TOWN]
            towns = towns if len(towns) >= 2 else None
            resolved[key] = _resolve(gaz, group, regions, [(e.lat, e.lon) for e in others.values()], towns)
    places = []
    for key, group in groups.items():
        idx, conf = resolved[key]
        for m in group:
            places.append(_place(gaz, text, m, idx, conf))
    places += unknown_places(text, mentions, gaz)
    return sorted(places, key=lambda p: p.start)


def _place(gaz: Gazetteer, text: str, m: Mention, idx: int | None, conf: float) -> Place:
    n = len(set(m.cands))
    if idx is None:
        kinds = {gaz.entries[c].kind for c in m.cands}
        kind = kinds.pop() if len(kinds) == 1 else "other"
        return Place(text[m.start:m.end], m.start, m.end, text[m.start:m.end], None, None, None, kind, conf, n)
    e = gaz.entries[idx]
    gid = e.geonameid if e.geonameid > 0 else None
    return Place(text[m.start:m.end], m.start, m.end, e.name, gid, e.lat, e.lon, e.kind, conf, n)
