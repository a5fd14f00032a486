"""Find place-name mentions in an article: every run of capitalised tokens keyed with
normalize.match_key and looked up in the gazetteer, longest first, skipping people, rivers and
parts of longer names; plus capitalised names in place-like patterns the gazetteer lacks.

Which gazetteer entry a mention means is decided in places.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import spacy
from spacy.tokens import Doc

from dashboard.data.gazetteer import Gazetteer
from dashboard.data.spelling import match_key as _match_key

from .model import Place
from .stopwords import is_stop_key

#: Keys of the words seen lately: an article repeats its names, and a key costs a dozen string passes.
#: Only short words are kept, so the cache holds at most 8,192 x 64 characters.
_cached_key = lru_cache(maxsize=8192)(_match_key)


def match_key(text: str) -> str:
    return _cached_key(text) if len(text) <= 64 else _match_key(text)


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
_DEMONYMS = ("ian", "ean", "ese", "ish")  # "Ukrainian", "Korean", "Chinese", "British"
_LISTED_BEFORE = re.compile(r"\b(?P<name>[A-ZА-ЯІЇЄҐ][\w’'-]+)(?:,|,? and|,? or)\s+$")
_LISTED_AFTER = re.compile(r"(?:,|,? and|,? or)\s+(?P<name>[A-ZА-ЯІЇЄҐ][\w’'-]+)\b")


#: A whitespace-free run longer than this is no word of an article (a rule line, a URL, noise): it is
#: kept as one token. spaCy strips prefixes and suffixes one at a time and searches the rest again each
#: time, so a long run of punctuation ("[[[[...") cost it time in the square of its length.
MAX_TOKEN = 64


def _long_run_or(original: Callable[[str], object] | None) -> Callable[[str], object]:
    def token_match(span: str) -> object:
        return len(span) > MAX_TOKEN or (original is not None and original(span))

    return token_match


@lru_cache(maxsize=1)
def _nlp() -> spacy.Language:
    # A blank pipeline: tokenizer and rule sentencizer only; no trained model is downloaded.
    nlp = spacy.blank("en")
    nlp.tokenizer.token_match = _long_run_or(nlp.tokenizer.token_match)
    nlp.add_pipe("sentencizer")
    return nlp


def tokenize(text: str) -> Doc:
    nlp = _nlp()
    # spaCy's max_length (1,000,000 characters) guards the parser's and NER's memory; this pipeline
    # is the tokenizer and a rule sentencizer only, linear in the text, so any accepted text is taken.
    nlp.max_length = max(nlp.max_length, len(text) + 1)
    return nlp(text)


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


def _opens_sentence(doc: Doc, k: int) -> bool:
    """Token k starts a sentence, a paragraph or a line (the sentencizer gives the start of a new
    paragraph to its newline token, not to the word after it)."""
    if k == 0 or doc[k].is_sent_start:
        return True
    before = doc[k - 1]
    return before.is_space or "\n" in before.whitespace_ or before.text in (".", "!", "?", ":", "|", "·", "-", "—")


def _is_person(doc: Doc, i: int, j: int) -> bool:
    prev = doc[i - 1] if i > 0 else None
    nxt = doc[j] if j < len(doc) else None
    if prev is not None and prev.text.lower().rstrip(".") in _TITLES:
        return True
    # "Oleksandr Syrskyi said": a capitalised word before the name that is itself no place or cue.
    first_name = prev is not None and _capital(prev.text) and not _opens_sentence(doc, i - 1) and prev.text.isalpha()
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


def unknown_places(text: str, known: list[Mention], gaz: Gazetteer) -> list[Place]:
    """Capitalised names in place-like patterns that the gazetteer lacks: reported without coordinates."""
    hits = [(m.start("name"), m["name"], m["cue"]) for m in _UNKNOWN_CUE.finditer(text)]
    # A name listed with a known town ("Snagost and Olgovka", "near Kruhliakivka and Borova") is a place too.
    for m in known:
        if gaz.entries[m.cands[0]].kind != "settlement":
            continue
        before = _LISTED_BEFORE.search(text, max(0, m.start - 40), m.start)
        after = _LISTED_AFTER.match(text, m.end, m.end + 80)  # a separator and a name
        hits += [(x.start("name"), x["name"], "listed") for x in (before, after) if x]
    found = []
    # One byte per character, 1 where a place already is: an overlap test costs the name's length,
    # not the number of places found so far (a text of a thousand names stays linear).
    taken = bytearray(len(text) + 1)
    for m in known:
        taken[m.start:m.end] = b"\x01" * (m.end - m.start)
    for start, raw, cue in sorted(hits):
        words = raw.rstrip("’'-").split()
        while words and is_stop_key(match_key(words[-1])):
            words.pop()
        if not words or is_stop_key(match_key(words[0])) or words[0].endswith(_DEMONYMS):
            continue
        name = " ".join(words)
        end = start + len(name)
        known_name = match_key(name) in gaz.strong or match_key(name) in gaz.weak
        if known_name or taken.find(1, start, end) != -1:
            continue
        kind = "settlement" if cue.startswith(("village", "town", "settlement", "city", "hamlet")) else "other"
        taken[start:end] = b"\x01" * (end - start)
        found.append(Place(name, start, end, name, None, None, None, kind, 0.5, 0))
    return found
