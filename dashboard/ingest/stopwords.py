"""Words that are never read as place names, whatever the gazetteer says.

GeoNames alternates include names that are also everyday English words (a village called "Bar", an
old name that reads "Victory"). A capitalised word at the start of a sentence would then become a
place. Precision matters more than these rare villages, so their keys are dropped at build time and
skipped at match time.
"""

from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS

from dashboard.data.spelling import match_key

# Everyday words that start sentences or headlines in war reporting, and words around names.
_COMMON = """
army air attack attacks back border capital city civilians command commander control day days defence
defense drone drones east eastern enemy forces front general government head heavy high home house
july june may march april august september october november december january february
monday tuesday wednesday thursday friday saturday sunday
line lines major man men minister ministry month months new night north northern official officials
peace people power president region republic river road russian russians said says sea south
southern state states strike strikes street tank tanks time today town troops union victory village
war week weeks west western world year years yesterday young zone soldier soldiers military
ukrainian ukrainians korean koreans american european british chinese iranian polish german french
kremlin pentagon nato soviet oblast news press report reports reported according source sources
bar star mir lenin sovetskiy oktyabrsky pervomaysk pobeda zarya progress rodina druzhba
central centre center lake hill hills green red white black gold silver field fields park port
station mine mines plant factory camp grove mountain island bay cape valley kim
""".split()

_STOP_KEYS = frozenset(match_key(w) for w in set(STOP_WORDS) | set(_COMMON))


def is_stop_key(key: str) -> bool:
    """True when a matching key is an everyday word, never a place."""
    return key in _STOP_KEYS
