"""One matching key for every spelling of a place name.

The same function runs on gazetteer names (at build time) and on article text (at ingest time), so
"Kupyansk", "Kupiansk" and "Купянск" all meet on one key without a hand list of variants. The rules
fold what transliteration systems disagree on (y/i, ya/ia, kh/h, ts/c, doubled letters, soft signs)
and nothing else, so names that really differ keep different keys.
"""

from __future__ import annotations

import re
import unicodedata

# Bump when the rules change: the shipped gazetteer stores keys, and the loader refuses stale ones.
KEY_VERSION = 3

# Russian and Ukrainian letters to Latin. Where the two languages differ (и, г) the later folding
# makes the choice irrelevant (y and i meet, g and h meet).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ye",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ў": "u",
}  # fmt: skip

# Apostrophes and soft-sign marks that romanisations add or drop at will.
_MARKS = re.compile(r"[’'ʼʹ`´‘ʻ\u02bc\u0301]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.]+")

# Multi-letter rules, applied in order; uppercase placeholders keep a rewritten group from being
# rewritten again by a later rule.
_GROUPS = [
    ("shch", "Q"), ("sch", "Q"), ("szcz", "Q"), ("zh", "Z"), ("ż", "Z"), ("ž", "Z"), ("sz", "S"),
    ("sh", "S"), ("š", "S"), ("ch", "C"), ("č", "C"), ("cz", "C"), ("kh", "H"), ("tz", "c"),
    ("ts", "c"), ("w", "v"), ("g", "H"), ("h", "H"), ("j", "y"),
]  # fmt: skip


# Placeholders back to letters that no rule produces alone, so sh and s stay apart.
_PLACEHOLDERS = {"Q": "shch", "Z": "zh", "S": "sh", "C": "ch", "H": "h"}


def transliterate(text: str) -> str:
    """Cyrillic letters to Latin; other characters unchanged."""
    # A soft or hard sign before a vowel is written "y" in English (Запорожье -> Zaporozhye).
    text = re.sub(r"[ьъЬЪ](?=[еёяюиЕЁЯЮИ])", "y", text)
    out = []
    for ch in text:
        low = ch.lower()
        out.append(_CYRILLIC.get(low, ch) if low in _CYRILLIC else ch)
    return "".join(out)


def _strip_accents(text: str) -> str:
    # Polish/Czech letters carry meaning for the rules above, so map them before accents are dropped.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold_vowels(text: str) -> str:
    # y between letters or at word edges is the same sound as i in the romanisations seen in reporting.
    text = text.replace("y", "i")
    # ia/ya/ja, iu/yu/ju, ie/ye/je, iy/yi/ii all become one i followed by the vowel.
    text = re.sub(r"i+", "i", text)
    return text


def match_key(name: str) -> str:
    """The normalised key of a name (empty when nothing letter-like is left)."""
    text = transliterate(name.strip()).lower()
    text = _MARKS.sub("", text)
    for group, repl in _GROUPS[:9]:
        text = text.replace(group, repl)
    text = _strip_accents(text)
    for group, repl in _GROUPS[9:]:
        text = text.replace(group, repl)
    text = _SEPARATORS.sub(" ", text).strip()
    text = _fold_vowels(text)
    # Doubled letters (Donbass/Donbas, Zaporizhzhia/Zaporizhia) are spelling choices.
    text = re.sub(r"(.)\1+", r"\1", text)
    return "".join(_PLACEHOLDERS.get(ch, ch) for ch in text)


def is_cyrillic(text: str) -> bool:
    """True when the text holds any Cyrillic letter."""
    return any("\u0400" <= ch <= "\u04ff" for ch in text)
