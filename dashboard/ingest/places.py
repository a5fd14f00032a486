"""Find place names in an article and resolve each to one gazetteer entry, or honestly to none.

Matching: every run of capitalised tokens is keyed with normalize.match_key and looked up, longest
first. Resolution: a name shared by several places is scored per candidate (population, a region
named in the article, nearness to the article's unambiguous places, the Ukraine-Russia war zone);
only a clear winner gets coordinates, otherwise the place is reported with null lat/lon and its
candidate count rather than guessed somewhere far away.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import spacy
from spacy.tokens import Doc

from .gazetteer import Entry, Gazetteer, distance_km
from .model import Place
from .normalize import match_key
from .stopwords import is_stop_key

REGION_WORDS = {"oblast", "oblasts", "region", "regions", "province", "krai", "oblast's", "region's"}
# "The Kursk incursion", "the Kharkiv offensive": a regional capital's name before these nouns means
# the region, not the city.
_REGION_MODIFIED = {"incursion", "offensive", "operation", "push", "salient", "campaign", "counteroffensive",
                    "counter-offensive", "raid", "invasion", "border", "frontier", "front"}
# Words before a name that make it a person, not a place ("President Zelensky", "Gen. Syrskyi").
_TITLES = {"president", "mr", "mrs", "ms", "dr", "gen", "general", "colonel", "col", "lt", "minister", "commander",
           "spokesman", "spokeswoman", "chief", "governor", "mayor", "sergeant", "captain",
           "leader", "envoy"}  # fmt: skip
_QUALIFIED = {"area", "direction", "axis", "axes", "sector", "front", "district", "salient", "bridgehead", "pocket",
              "highway", "road", "city", "town", "agglomeration", "garrison", "operation", "offensive"}
_PERSON_AFTER = {"said", "says", "told", "added", "wrote", "stated", "announced", "claimed"}
# Cues that a capitalised word the gazetteer lacks is a place (the village of X, near X ...).
_UNKNOWN_CUE = re.compile(
    r"\b(?P<cue>villages? of|towns? of|settlements? of|city of|hamlet of|near|outside|towards?|around|"
    r"captured|recaptured|liberated|seized|entered)\s+(?P<name>[A-ZА-ЯІЇЄҐ][\w’'-]+(?:\s[A-ZА-ЯІЇЄҐ][\w’'-]+)?)"
)
_LISTED_BEFORE = re.compile(r"\b(?P<name>[A-ZА-ЯІЇЄҐ][\w’'-]+)(?:,|,? and|,? or)\s+$")
_LISTED_AFTER = re.compile(r"(?:,|,? and|,? or)\s+(?P<name>[A-ZА-ЯІЇЄҐ][\w’'-]+)\b")
_WAR_ZONE = (44.3, 53.5, 30.5, 40.5)  # lat/lon box: eastern and southern Ukraine, Russia's border oblasts


@lru_cache(maxsize=1)
def _nlp() -> spacy.Language:
    # A blank pipeline: tokenizer and rule sentencizer only; no trained model is downloaded.
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def tokenize(text: str) -> Doc:
    return _nlp()(text)


@dataclass
class Mention:
    start: int
    end: int
    key: str
    cands: list[int]
    weak: frozenset[int] = frozenset()  # candidates matched only by an old name or exonym
    region_first: bool = False
    local_admin: set[tuple[str, str]] = field(default_factory=set)
    near: list[tuple[float, float]] = field(default_factory=list)  # places named in the same passage


def _capital(text: str) -> bool:
    return bool(text) and text[0].isupper()


def _is_person(doc: Doc, i: int, j: int) -> bool:
    prev = doc[i - 1] if i > 0 else None
    nxt = doc[j] if j < len(doc) else None
    if prev is not None and prev.text.lower().rstrip(".") in _TITLES:
        return True
    # "Oleksandr Syrskyi said": a capitalised word before the name that is itself no place or cue.
    first_name = prev is not None and _capital(prev.text) and not prev.is_sent_start and prev.text.isalpha()
    if first_name and not is_stop_key(match_key(prev.text)):
        return nxt is None or nxt.text.lower() in _PERSON_AFTER or not _capital(nxt.text)
    # "Volodymyr Zelensky": a name glued to a following capitalised word is a first name or part of
    # a longer proper name (a newspaper, a company) that the gazetteer does not hold.
    return nxt is not None and nxt.is_alpha and _capital(nxt.text) and not nxt.is_sent_start


def _region_after(doc: Doc, j: int) -> int:
    """Index after a region word that follows token j-1 (0 when there is none)."""
    return j + 1 if j < len(doc) and doc[j].lower_ in REGION_WORDS else 0


def _lookup(gaz: Gazetteer, doc: Doc, text: str, i: int) -> Mention | None:
    if doc[i].text in gaz.exact:
        return Mention(doc[i].idx, doc[i].idx + len(doc[i]), doc[i].text, list(gaz.exact[doc[i].text]))
    words = gaz.first_words.get(match_key(doc[i].text), 0)
    # Tokens per name word: hyphens and apostrophes are tokens of their own ("Kupiansk", "-", "Vuzlovyi").
    for n in range(min(2 * words, len(doc) - i), 0, -1):
        j = i + n
        if not _capital(doc[j - 1].text):
            continue
        start, end = doc[i].idx, doc[j - 1].idx + len(doc[j - 1])
        key = match_key(text[start:end])
        if not key or is_stop_key(key):
            continue
        after = _region_after(doc, j)
        if after and key in gaz.region_base:
            end = doc[after - 1].idx + len(doc[after - 1])
            return Mention(start, end, key, list(gaz.region_base[key]), region_first=True)
        if j < len(doc) and doc[j].lower_ in _REGION_MODIFIED and key in gaz.region_base:
            return Mention(start, end, key, list(gaz.region_base[key]), region_first=True)
        weak = frozenset(gaz.weak.get(key, ())) - set(gaz.strong.get(key, ()))
        cands = list(gaz.strong.get(key, ())) + sorted(weak)
        if not cands:
            continue
        if _is_person(doc, i, j) or _not_a_town(doc, i, j, cands, gaz):
            return None
        return Mention(start, end, key, cands, weak=weak)
    return None


def _not_a_town(doc: Doc, i: int, j: int, cands: list[int], gaz: Gazetteer) -> bool:
    """Rivers and parts of longer names that share a town's name."""
    if any(gaz.entries[c].kind != "settlement" for c in cands):
        return False
    # "Donets-Donbas canal": the end of a hyphenated compound the gazetteer does not hold.
    if i > 1 and doc[i - 1].text == "-" and not doc[i - 2].whitespace_:
        return True
    after = doc[j].lower_ if j < len(doc) else ""
    if after in ("river", "canal", "reservoir"):
        return True
    # "across the Oskil", "on the Dnipro": English puts no article before a town's name, unless the
    # name qualifies a noun ("the Kramatorsk area", "the Pokrovsk direction", "the Kupiansk and ...").
    listed = after == "," and j + 1 < len(doc) and _capital(doc[j + 1].text)  # "the Toretsk, Chasiv Yar ... axes"
    return i > 0 and doc[i - 1].lower_ == "the" and after not in _QUALIFIED and after != "and" and not listed



def find_mentions(gaz: Gazetteer, doc: Doc) -> list[Mention]:
    mentions: list[Mention] = []
    text = doc.text
    i = 0
    while i < len(doc):
        tok = doc[i]
        starts_name = (_capital(tok.text) and tok.text[0].isalpha()) or tok.text in gaz.exact
        mention = _lookup(gaz, doc, text, i) if starts_name else None
        if mention is None:
            i += 1
            continue
        mentions.append(mention)
        while i < len(doc) and doc[i].idx < mention.end:
            i += 1
    return mentions


def _unknown(text: str, known: list[Mention], gaz: Gazetteer) -> list[Place]:
    """Capitalised names in place-like patterns that the gazetteer lacks: reported without coordinates."""
    taken = [(m.start, m.end) for m in known]
    hits = [(m.start("name"), m["name"], m["cue"]) for m in _UNKNOWN_CUE.finditer(text)]
    # A name listed with a known town ("Snagost and Olgovka", "near Kruhliakivka and Borova") is a place too.
    for m in known:
        if gaz.entries[m.cands[0]].kind != "settlement":
            continue
        before = _LISTED_BEFORE.search(text, max(0, m.start - 40), m.start)
        after = _LISTED_AFTER.match(text, m.end)
        hits += [(x.start("name"), x["name"], "listed") for x in (before, after) if x]
    found = []
    for start, raw, cue in sorted(hits):
        words = raw.rstrip("’'-").split()
        while words and is_stop_key(match_key(words[-1])):
            words.pop()
        if not words or is_stop_key(match_key(words[0])) or re.search(r"(ian|ean|ese|ish)$", words[0]):
            continue
        name = " ".join(words)
        end = start + len(name)
        known_name = match_key(name) in gaz.strong or match_key(name) in gaz.weak
        if known_name or any(start < e and s < end for s, e in taken):
            continue
        kind = "settlement" if cue.startswith(("village", "town", "settlement", "city", "hamlet")) else "other"
        taken.append((start, end))
        found.append(Place(name, start, end, name, None, None, None, kind, 0.5, 0))
    return found


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
    score += 2.0 if close < 30 else 0.0
    return score - (1.5 if idx in m.weak else 0.0)


def _resolve(gaz: Gazetteer, group: list[Mention], regions: set, anchors: list) -> tuple[int | None, float]:
    """The winning entry of one name (all its mentions together) and a confidence, or None."""
    first = group[0]
    local = set().union(*(m.local_admin for m in group))
    near = [p for m in group for p in m.near]
    probe = Mention(first.start, first.end, first.key, first.cands, first.weak, first.region_first, local, near)
    scored = sorted(((_score(gaz, c, probe, regions, anchors), c) for c in set(first.cands)), reverse=True)
    best_score, best = scored[0]
    if _outlier(gaz.entries[best], anchors):
        return None, 0.2
    if len(scored) == 1:
        return best, (0.6 if best in first.weak else 0.95)
    second_score, second = scored[1]
    b, s = gaz.entries[best], gaz.entries[second]
    margin = best_score - second_score
    if _prominent(b, s, probe):
        return best, 0.85
    # With many namesakes one is near the article's other places by chance: ask for a wider margin.
    needed = 1.0 + 0.5 * math.log2(max(2, len([c for _, c in scored if c not in first.weak])))
    contenders = [gaz.entries[c] for sc, c in scored if best_score - sc < needed]
    if all(distance_km(b.lat, b.lon, e.lat, e.lon) < 10 for e in contenders):
        return best, 0.8  # the only close contenders lie side by side: either point is right
    if margin < needed:
        return None, round(0.3 * margin, 2)
    return best, round(min(0.95, 0.5 + margin / 5), 2)


def _prominent(best: Entry, second: Entry, m: Mention) -> bool:
    """A bare name of a large city (Rivne, 240,000) means the city, not a village ten times smaller."""
    local = {(second.country, a) for a in second.admin1} & m.local_admin
    return best.population >= 100_000 and second.population * 10 <= best.population and not local


def _outlier(entry: Entry, anchors: list[tuple[float, float]]) -> bool:
    """A small place far from everything else the article names is more likely a namesake the
    gazetteer lacks (Plekhovo in Kursk Oblast vs Plekhiv in Poltava Oblast) than the right match."""
    if entry.kind != "settlement" or entry.population >= 10_000 or len(anchors) < 2:
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


def _close_in_text(m: Mention, others: list[Mention]) -> bool:
    return any(abs(o.start - m.start) < 150 for o in others)


def find_places(gaz: Gazetteer, doc: Doc) -> list[Place]:
    text = doc.text  # Doc.text rebuilds the string on every access: read it once
    mentions = _plural_regions(text, find_mentions(gaz, doc), gaz)
    regions = _link_regions(mentions, gaz)
    groups: dict[tuple[str, bool], list[Mention]] = {}
    for m in mentions:
        groups.setdefault((m.key, m.region_first), []).append(m)
    resolved: dict[tuple[str, bool], tuple[int | None, float]] = {}
    # Two rounds: names resolved in the first become anchors for the harder ones in the second.
    for _ in range(2):
        anchors_by_key = {k: gaz.entries[r[0]] for k, r in resolved.items() if r[0] is not None}
        anchors_by_key |= {k: gaz.entries[g[0].cands[0]] for k, g in groups.items() if len(set(g[0].cands)) == 1}
        for key, group in groups.items():
            others = {k: e for k, e in anchors_by_key.items() if k != key and e.kind == "settlement"}
            for m in group:
                m.near = [(e.lat, e.lon) for k, e in others.items() if _close_in_text(m, groups[k])]
            resolved[key] = _resolve(gaz, group, regions, [(e.lat, e.lon) for e in others.values()])
    places = []
    for key, group in groups.items():
        idx, conf = resolved[key]
        for m in group:
            places.append(_place(gaz, text, m, idx, conf))
    places += _unknown(text, mentions, gaz)
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
