"""Numbers with what they count: "about 10,000 North Korean troops", "1,000 km²", "$61bn in aid".

A number is kept only when a counted thing or a unit stands next to it; a bare number (a brigade's
number, a page count) is not a figure for the map.
"""

from __future__ import annotations

import re

from .model import Figure

_WORDNUMS = {w: i + 1 for i, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split())}
_WORDNUMS |= {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
              "ninety": 90, "hundred": 100, "a hundred": 100, "a thousand": 1000, "a million": 1e6,
              "a dozen": 12, "dozen": 12}  # fmt: skip
# Shares: "a third of its blocks", "about a fifth of the line"; a figure only when "of" follows.
_FRACTIONS = {"a third": 1 / 3, "one third": 1 / 3, "two thirds": 2 / 3,
              "two-thirds": 2 / 3, "a quarter": 1 / 4, "one quarter": 1 / 4, "three quarters": 3 / 4,
              "a fifth": 1 / 5, "one fifth": 1 / 5, "a tenth": 1 / 10}  # fmt: skip
_WORDNUMS |= _FRACTIONS
_MULT = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_CURRENCY = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "dollars": "USD", "euros": "EUR", "pounds": "GBP",
             "rubles": "RUB", "roubles": "RUB", "hryvnias": "UAH", "hryvnia": "UAH", "hryvnas": "UAH"}  # fmt: skip
_MODS = r"(?:about|around|some|nearly|almost|roughly|approximately|over|more than|fewer than|less than|up to|" \
        r"at least|at most|an estimated|as many as|close to|estimated|perhaps|maybe)"  # fmt: skip

_FIGURE = re.compile(
    rf"(?:(?P<mod>\b{_MODS})\s+)?(?P<cur>US\$|\$|€|£)?"
    rf"(?P<num>(?<![\w.,])\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|(?<![\w.,])\d+(?:\.\d+)?|"
    rf"\b(?:{'|'.join(sorted(_WORDNUMS, key=len, reverse=True))})\b)"
    r"(?:[\s-]?(?P<mult>thousand|million|billion|trillion|mn|bn|m|k)\b)?"
    r"(?P<glued>km²|km2|km|%)?(?![\w])",
    re.I,
)
# Units right after the number. Area first: "square kilometres" must not be read as kilometres.
_UNITS = [
    (re.compile(r"\s*(?:square kilomet(?:re|er)s?|sq\.? ?km|km²|km2|kilomet(?:re|er)s? squared)\b", re.I),
     "km²", "km²"),
    (re.compile(r"\s*(?:square miles?|sq\.? ?mi(?:les)?)\b", re.I), "sq mi", "sq mi"),
    (re.compile(r"\s*(?:hectares?|ha)\b", re.I), "ha", "ha"),
    (re.compile(r"\s*(?:gigawatts?|GW)\b", re.I), "GW", "GW"),
    (re.compile(r"\s*(?:megawatts?|MW)\b", re.I), "MW", "MW"),
    (re.compile(r"\s*(?:tonnes|tons)\b", re.I), "t", "t"),
    (re.compile(r"\s*(?:kilomet(?:re|er)s?|km)\b", re.I), "km", "km"),
    (re.compile(r"\s*miles?\b", re.I), "mi", "mi"),
    (re.compile(r"\s*(?:per ?cent|percent|%)", re.I), "%", "%"),
    (re.compile(r"\s*(?:dollars|euros|pounds|rubles|roubles|hryvnias?|hryvnas)\b", re.I), "cur", ""),
]
_PAIRS = r"(?:killed or wounded|killed and wounded|dead or wounded|dead and wounded|killed or injured|" \
         r"dead or injured|wounded or killed|killed|dead|wounded|injured)"  # fmt: skip
_NOUNS = r"(?:troops|soldiers|servicemen|service members|personnel|fighters|men|people|civilians|residents|children|" \
         r"prisoners(?: of war)?|POWs|casualties|deaths|losses|drones|missiles|shells|rockets|bombs|glide bombs|" \
         r"tanks|vehicles|armou?red vehicles|aircraft|helicopters|jets|artillery systems|artillery pieces|guns|" \
         r"systems|villages|settlements|towns|homes|houses|buildings|refugees|mercenaries|recruits|conscripts|" \
         r"attacks|strikes|brigades|battalions|divisions|regiments|positions|sorties|rounds|shells a day|" \
         r"launchers|volunteers|workers|officers|captives|hostages|evacuees|displaced people|" \
         r"households|families|apartment buildings|apartments|schools|hospitals|substations|inhabitants|" \
         r"infantrymen|shells|warplanes|ships|boats|" \
         r"soldier|troop|drone|missile|tank|village|person|civilian)"  # fmt: skip
# Any plural noun right after a number counts it ("1,300 attackers", "5,000 combat clashes"), except
# spans of time and words that only look plural.
_NOT_COUNTED = r"(?:seconds|minutes|hours|days|nights|weeks|months|years|decades|centuries|times|its|was|has|" \
               r"is|this|thus|as|us|yes|plus|versus|across|always|perhaps|less|unless|whereas|besides|towards)"
# The counted noun may follow after up to three describing words ("North Korean", "long-range attack").
_COUNTED = re.compile(rf"(?P<pre>(?:\s+(?!(?:of|and|or|in|on|at|to|from|by|for|with|a|the|after|before|ago|"
                      rf"{_NOT_COUNTED[3:-1]})\b)[\w’'-]+){{0,3}}?)"
                      rf"\s+(?P<noun>{_PAIRS}|{_NOUNS})\b", re.I)  # fmt: skip

_OPEN_COUNTED = re.compile(rf"(?P<pre>\s+(?!(?:of|and|or|in|on|at|to|from|by|for|with|a|the)\b)[a-z][\w’'-]+)?"
                           rf"\s+(?!{_NOT_COUNTED}\b)(?P<noun>[a-z][a-z-]*[^s\W]s)\b")  # fmt: skip
_SHARE_OF = re.compile(r"\s+of\s+(?:(?:the|its|their|his|her|our|this|that)\s+)?(?P<noun>[\w’'-]+)")
_OUTCOME = r"(?:killed|dead|wounded|injured)"
_PAIR_AFTER = re.compile(rf"\s+(?P<pair>{_OUTCOME} (?:or|and) {_OUTCOME})\b", re.I)


#: Characters after a number that its unit or counted noun may take: every look ahead is bounded, so
#: a number followed by a long run costs no more than one followed by a word.
AHEAD = 200


def _value(m: re.Match) -> float:
    raw = m["num"].lower()
    value = float(raw.replace(",", "")) if raw[0].isdigit() else float(_WORDNUMS[raw])
    return value * _MULT.get((m["mult"] or "").lower(), 1.0)


def _tail(text: str, end: int, glued: str) -> tuple[str, str, int]:
    """Unit and counted thing after a number ending at `end`; ("", "", end) when nothing is counted."""
    unit = {"km²": "km²", "km2": "km²", "km": "km", "%": "%"}.get(glued.lower(), "") if glued else ""
    if not unit:
        for pattern, name, _ in _UNITS:
            m = pattern.match(text, end, end + AHEAD)
            if m:
                unit, end = (_CURRENCY[m.group(0).strip().lower()] if name == "cur" else name), m.end()
                break
    if unit and unit not in ("%",) and unit not in _CURRENCY.values():
        return unit, unit, end
    m = _COUNTED.match(text, end, end + AHEAD) or (None if unit else _OPEN_COUNTED.match(text, end, end + AHEAD))
    if m and "\n" not in m.group(0):
        counts, end = m["noun"].lower(), m.end()
        # "700,000 soldiers killed or wounded": the outcome is what is counted.
        pair = _PAIR_AFTER.match(text, end, end + AHEAD)
        if pair:
            counts, end = pair["pair"].lower(), pair.end()
        return unit or "count", counts, end
    return unit, ("percent" if unit == "%" else "money" if unit else ""), end


def find_figures(text: str, skip: list[tuple[int, int]]) -> list[Figure]:
    """Figures in the text, leaving out spans already read as dates (skip)."""
    found = []
    dates = bytearray(len(text) + 1)  # 1 under each date: an overlap test costs the number's length
    for s, e in skip:
        dates[s:e] = b"\x01" * (e - s)
    for m in _FIGURE.finditer(text):
        start, num_end = m.start(), m.end()
        if dates.find(1, start, num_end) != -1 or _is_year_or_date(m):
            continue
        currency = _CURRENCY.get((m["cur"] or "").lower(), "")
        if m["num"].lower() in _FRACTIONS:
            share = _SHARE_OF.match(text, num_end, num_end + AHEAD)
            if share and not currency and not m["mult"]:
                found.append(Figure(text[start:num_end], start, num_end, _value(m), "share", share["noun"].lower()))
            continue
        unit, counts, end = _tail(text, num_end, m["glued"] or "")
        if currency:
            unit, counts = currency, (counts if unit == "count" else "money")
        if not counts:
            counts, unit = _inherited(text, start, found)
        if not counts:
            continue
        found.append(Figure(text[start:end], start, end, _value(m), unit, counts))
    return found


# "80,000 people ... against 150,000 before the war", "a pre-war population of about 27,000".
_LINKED = re.compile(r"(?:against|from|down from|up from|compared with|compared to|out of|versus|wounding|"
                     r"injuring|killing|wounded|injured|killed|(?:now )?(?:has|had|have))\s+$", re.I)  # fmt: skip
_POPULATION = re.compile(r"population (?:of|was|is|had been|stood at)\s+$", re.I)
# "its total casualties since February 2022 have passed 1.1 million": the counted noun comes first.
_NOUN_BEFORE = re.compile(rf"\b(?P<noun>{_NOUNS})\b[^.;]{{0,50}}?\s(?:passed|reached|exceeded|topped|surpassed|"
                          r"stood at|totall?ed|rose to|fell to|climbed to)\s+$", re.I)  # fmt: skip
# The verbs that pattern ends with: a cheap test first, since the pattern tries its long list of nouns
# at every one of 90 positions (0.1 ms for each bare number: 10 s on a text of numbers).
_VERBS_BEFORE = ("passed", "reached", "exceeded", "topped", "surpassed", "stood at", "totaled", "totalled",
                 "rose to", "fell to", "climbed to")


def _inherited(text: str, start: int, found: list[Figure]) -> tuple[str, str]:
    """What a bare number counts when the sentence says it: a comparison with the figure just before."""
    before = text[max(0, start - 30):start]
    if _POPULATION.search(before):
        return "people", "count"
    verb = text[max(0, start - 20):start].rstrip().lower().endswith(_VERBS_BEFORE)
    noun = _NOUN_BEFORE.search(text, max(0, start - 90), start) if verb else None
    if noun:
        return noun["noun"].lower(), "count"
    if found and start - found[-1].end < 80 and _LINKED.search(before) and "." not in text[found[-1].end:start]:
        return found[-1].counts, found[-1].unit
    return "", ""


def _is_year_or_date(m: re.Match) -> bool:
    raw = m["num"]
    # A lone year-like number with no unit is a year, not a count ("in 2024 troops..." is rare).
    return raw.isdigit() and len(raw) == 4 and raw.startswith(("19", "20")) and not m["cur"] and not m["mult"]
