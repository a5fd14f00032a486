"""Resolve each place mention of an article to one gazetteer entry, or honestly to none.

Mentions are found in mentions.py. Resolution: a name shared by several places is scored per
candidate (population, a region named in the article, nearness to the article's unambiguous places,
the Ukraine-Russia war zone); only a clear winner gets coordinates, otherwise the place is reported
with null lat/lon and its candidate count rather than guessed somewhere far away.
"""

from __future__ import annotations

import math
import re

from spacy.tokens import Doc

from dashboard.data.gazetteer import Entry, Gazetteer, distance_km
from dashboard.data.spelling import match_key

from .context import MAX_NAMES, Points, neighbours, paragraph_index
from .mentions import Mention, find_mentions, tokenize, unknown_places
from .model import Place

__all__ = ["Mention", "find_mentions", "find_places", "tokenize"]

_WAR_ZONE = (44.3, 53.5, 30.5, 40.5)  # lat/lon box: eastern and southern Ukraine, Russia's border oblasts


def _in_zone(lat: float, lon: float) -> bool:
    return _WAR_ZONE[0] <= lat <= _WAR_ZONE[1] and _WAR_ZONE[2] <= lon <= _WAR_ZONE[3]


def _score(gaz: Gazetteer, idx: int, m: Mention, regions: set, anchors: Points, skip: int | None,
           near: Points) -> float:
    e = gaz.entries[idx]
    score = 0.8 * math.log10(e.population + 10)
    admins = {(e.country, a) for a in e.admin1}
    score += 3.0 if admins & m.local_admin else (1.5 if admins & regions else 0.0)
    score += 1.0 if _in_zone(e.lat, e.lon) else 0.0
    score += {"UA": 0.3, "RU": 0.2}.get(e.country, 0.0)
    near_km = anchors.nearest_km(e.lat, e.lon, skip)
    # An old name within 2 km of a place named by its current name is that place (Artemovsk, Bakhmut).
    score += 2.0 if near_km < 2 and idx in m.weak else 0.0
    score += 2.0 if near_km < 30 else 1.2 if near_km < 75 else 0.5 if near_km < 150 else 0.0
    # Places named in the same passage ("a few kilometres east of Sloviansk") are the best clue.
    close = near.nearest_km(e.lat, e.lon)
    score += 3.0 if close < 15 else 2.0 if close < 30 else 1.0 if close < 60 else 0.0
    return score - (1.5 if idx in m.weak else 0.0)


def _resolve(gaz: Gazetteer, group: list[Mention], regions: set, ctx: _Round, key: tuple) -> tuple[int | None, float]:
    """The winning entry of one name (all its mentions together) and a confidence, or None."""
    first = group[0]
    local = set().union(*(m.local_admin for m in group))
    near = Points(sorted({p for m in group for p in m.near}))
    probe = Mention(first.start, first.end, first.key, first.cands, first.weak, first.region_first, local)
    anchors, skip = ctx.anchors, ctx.index.get(key)
    scored = sorted(((_score(gaz, c, probe, regions, anchors, skip, near), c) for c in set(first.cands)),
                    reverse=True)
    best_score, best = scored[0]
    # Two wrong villages must not vouch for each other: only towns (10,000 people or more) anchor.
    town_skip = ctx.town_index.get(key)
    if ctx.towns.count_without(town_skip) >= 2:
        outlier = _outlier(gaz.entries[best], ctx.towns, town_skip)
    else:
        outlier = _outlier(gaz.entries[best], anchors, skip)
    if outlier:
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
    plausible = [c for _, c in scored if c not in first.weak and _within(gaz.entries[c], anchors, skip, 150)]
    needed = 1.0 + 0.5 * math.log2(max(2, len(plausible)))
    contenders = [gaz.entries[c] for sc, c in scored if best_score - sc < needed]
    if all(distance_km(b.lat, b.lon, e.lat, e.lon) < 10 for e in contenders):
        return best, 0.8  # the only close contenders lie side by side: either point is right
    if margin < needed:
        return None, round(0.3 * margin, 2)
    return best, round(min(0.95, 0.5 + margin / 5), 2)


def _within(entry: Entry, anchors: Points, skip: int | None, km: float) -> bool:
    return not anchors.count_without(skip) or anchors.nearest_km(entry.lat, entry.lon, skip) <= km


def _prominent(best: Entry, second: Entry, m: Mention) -> bool:
    """A bare name of a large city (Rivne, 240,000) means the city, not a village ten times smaller."""
    local = {(second.country, a) for a in second.admin1} & m.local_admin
    return best.population >= 100_000 and second.population * 10 <= best.population and not local


_TOWN = 10_000


def _outlier(entry: Entry, anchors: Points, skip: int | None) -> bool:
    """A small place far from everything else the article names is more likely a namesake the
    gazetteer lacks (Plekhovo in Kursk Oblast vs Plekhiv in Poltava Oblast) than the right match."""
    if entry.kind != "settlement" or entry.population >= _TOWN or anchors.count_without(skip) < 2:
        return False
    return anchors.nearest_km(entry.lat, entry.lon, skip) > 150


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


_NAME = r"(?<![\w’'-])[A-Z][\w’'-]{1,39}(?![\w’'-])"
_SEP = r"(?:,|,? and|,? or)\s{1,3}"
# "Bryansk, Kursk and Belgorod regions", "the regions of Lviv, Rivne and Volyn": every name is a region.
# Found from the plural word and read in a bounded window beside it: a pattern searched over the whole
# text tried every capitalised word as a list's start and ran to the end of the run each time
# (52 s on 48 KB of one capital letter, 13 s on "Kursk, " repeated).
_PLURAL = re.compile(r"\b(?:regions|oblasts|provinces)\b")
_LIST_BEFORE = re.compile(rf"(?P<list>{_NAME}(?:{_SEP}{_NAME}){{1,11}})\s{{1,3}}$")
_LIST_AFTER = re.compile(rf" of\s{{1,3}}(?P<list>{_NAME}(?:{_SEP}{_NAME}){{1,11}})")
_ONE_NAME = re.compile(_NAME)
LIST_WINDOW = 600  # characters beside the plural word: twelve names of up to 40 letters and separators


def _region_lists(text: str):
    """(offset of the list, the list) for each list of names next to "regions", "oblasts", "provinces"."""
    for hit in _PLURAL.finditer(text):
        lo, hi = max(0, hit.start() - LIST_WINDOW), min(len(text), hit.end() + LIST_WINDOW)
        before = _LIST_BEFORE.search(text, lo, hit.start())
        if before:
            yield before.start("list"), before["list"]
        after = _LIST_AFTER.match(text, hit.end(), hi)
        if after and after.end() < hi:  # a list cut by the window's edge is not read
            yield after.start("list"), after["list"]


def _plural_regions(text: str, mentions: list[Mention], gaz: Gazetteer) -> list[Mention]:
    extra = []
    for offset, names in _region_lists(text):
        for name in _ONE_NAME.finditer(names):
            key = match_key(name.group(0))
            if key in gaz.region_base:
                start = offset + name.start()
                extra.append(Mention(start, start + len(name.group(0)), key, list(gaz.region_base[key]),
                                     region_first=True))
    covered = bytearray(len(text) + 1)  # 1 under each region read from a list: overlap in O(length)
    for e in extra:
        covered[e.start:e.end] = b"\x01" * (e.end - e.start)
    kept = [m for m in mentions if covered.find(1, m.start, m.end) == -1]
    return sorted(kept + extra, key=lambda m: m.start)


class _Round:
    """One round's anchors: the settlements already placed (their index by name key, to leave a
    name's own place out), and among them the towns."""

    def __init__(self, gaz: Gazetteer, anchors_by_key: dict[tuple, int]) -> None:
        keys = [k for k, i in anchors_by_key.items() if gaz.entries[i].kind == "settlement"]
        towns = [k for k in keys if gaz.entries[anchors_by_key[k]].population >= _TOWN]
        self.index = {k: n for n, k in enumerate(keys)}
        self.town_index = {k: n for n, k in enumerate(towns)}
        self.coords = {k: (gaz.entries[anchors_by_key[k]].lat, gaz.entries[anchors_by_key[k]].lon) for k in keys}
        self.anchors = Points([self.coords[k] for k in keys])
        self.towns = Points([self.coords[k] for k in towns])


def find_places(gaz: Gazetteer, doc: Doc) -> list[Place]:
    text = doc.text  # Doc.text rebuilds the string on every access: read it once
    mentions = _plural_regions(text, find_mentions(gaz, doc), gaz)
    regions = _link_regions(mentions, gaz)
    groups: dict[tuple[str, bool], list[Mention]] = {}
    for m in mentions:
        groups.setdefault((m.key, m.region_first), []).append(m)
    # Bounded work: the first MAX_NAMES distinct names are resolved; the rest keep their candidates.
    solved = dict(list(groups.items())[:MAX_NAMES])
    keys = [(m.key, m.region_first) for m in mentions]
    passages = neighbours([m.start for m in mentions], keys, paragraph_index(text))
    near_keys = dict(zip(map(id, mentions), passages, strict=True))
    resolved: dict[tuple[str, bool], tuple[int | None, float]] = {k: (None, 0.0) for k in groups}
    single = {k: g[0].cands[0] for k, g in solved.items() if len(set(g[0].cands)) == 1}
    # Two rounds: names resolved in the first become anchors for the harder ones in the second.
    for _ in range(2):
        placed = {k: r[0] for k, r in resolved.items() if r[0] is not None}
        ctx = _Round(gaz, placed | single)
        for key, group in solved.items():
            for m in group:
                m.near = [ctx.coords[k] for k in near_keys[id(m)] if k in ctx.coords]
            resolved[key] = _resolve(gaz, group, regions, ctx, key)
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
