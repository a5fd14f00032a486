"""The place search's list: towns of the project's gazetteer (GeoNames, CC BY 4.0), compact.

Read straight from geodata/gazetteer/places.tsv (the ingest package's loader would bring its
text tools along); only settlements of at least `MIN_POPULATION` people inside the map's
bounds, as JSON rows [name, lat, lon, population, keys], biggest first. `keys` are the
gazetteer's spelling keys (dashboard.data.spelling.match_key, '|'-separated), which the map's
search box computes the same way from what a reader types (see tools.py)."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

MIN_POPULATION = 1000
GAZETTEER = Path("gazetteer") / "places.tsv"


def town_list(root: Path, box: tuple[float, float, float, float] | None) -> bytes | None:
    """The JSON file's bytes, or None when the data folder has no gazetteer.
    `box` is (min_lat, max_lat, min_lon, max_lon)."""
    path = root / GAZETTEER
    if not path.is_file():
        return None
    return _towns(str(path), box)


@lru_cache(maxsize=4)
def _towns(path: str, box: tuple[float, float, float, float] | None) -> bytes:
    rows: list[tuple[str, float, float, int, str]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(cols) < 8 or cols[2] != "settlement":
                continue
            try:
                lat, lon, population = float(cols[3]), float(cols[4]), int(cols[7] or 0)
            except ValueError:
                continue
            if not (math.isfinite(lat) and math.isfinite(lon)) or population < MIN_POPULATION or not cols[1].strip():
                continue
            if box and not (box[0] <= lat <= box[1] and box[2] <= lon <= box[3]):
                continue
            keys = "|".join(k.lstrip("=") for k in cols[8].split("|") if k)[:400] if len(cols) > 8 else ""
            rows.append((cols[1].strip()[:80], round(lat, 4), round(lon, 4), population, keys))
    rows.sort(key=lambda r: -r[3])
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
