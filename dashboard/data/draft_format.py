"""The files of a draft article, written from a DraftSpec: `article.toml` (a fragment in the
catalog's own format) and `places.geojson`, plus the README of the download. Pure.

Strings are written as TOML basic strings with every control character escaped, so any title or
name stays one value; nothing is HTML-escaped here (these are data files, escaped where shown).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

LICENCE = "Facts cited with a link; no text reproduced"


@dataclass(frozen=True)
class DraftPlace:
    name: str
    lat: float
    lon: float
    start: int  # offsets of the first mention in the article's plain text
    end: int
    status: str = "reported"
    geonameid: int | None = None
    confidence: float = 0.0


@dataclass(frozen=True)
class DraftFigure:
    label: str
    value: float
    display: str
    start: int
    end: int
    status: str = "reported"


@dataclass(frozen=True)
class DraftSpec:
    id: str
    title: str
    publisher: str
    date: str  # YYYY-MM-DD
    url: str
    sha256: str  # of the article's plain text, which every offset indexes
    text_length: int
    places: tuple[DraftPlace, ...] = ()
    figures: tuple[DraftFigure, ...] = ()


def _toml(value: object) -> str:
    """A TOML value: strings as basic strings with every control character escaped."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(float(value))
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", text) + '"'


def _table(header: str, entries: dict[str, object]) -> str:
    return f"[[{header}]]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in entries.items()) + "\n"


def places_file(spec: DraftSpec) -> str:
    return f"drafts/{spec.id}/places.geojson"


def article_toml(spec: DraftSpec) -> str:
    """The draft's catalog fragment (no [meta]: it is merged into the main catalog)."""
    out = [f"# Draft article {spec.id}: proposed by an editor, not yet reviewed. Offsets index the article's\n"
           f"# plain text ({spec.text_length} characters, sha256 below); the text itself is not stored.\n\n"]
    out.append(_table("sources", {"id": spec.id, "name": spec.publisher, "url": spec.url, "licence": LICENCE,
                                  "attribution": f"Places and figures: {spec.publisher}, “{spec.title}”"}))
    out.append(_table("articles", {"id": spec.id, "title": spec.title, "publisher": spec.publisher,
                                   "date": spec.date, "url": spec.url, "sha256": spec.sha256, "status": "draft"}))
    if spec.places:
        out.append(_table("layers", {
            "id": f"{spec.id}-places", "title": f"Places in “{spec.title}” (draft)", "file": places_file(spec),
            "style": "place", "status": "reported", "source": spec.id, "date": spec.date,
            "article_section": spec.title, "article": spec.id,
            "description": f"Places named in the article, located with the offline gazetteer or by the editor; "
                           f"{len(spec.places)} accepted."}))
    for n, f in enumerate(spec.figures, 1):
        out.append(_table("figures", {
            "id": f"{spec.id}-fig-{n}", "label": f.label, "value": f.value, "display": f.display,
            "status": f.status, "date": spec.date, "source": spec.publisher, "source_url": spec.url,
            "article_section": spec.title, "article": spec.id,
            "note": f"characters {f.start}-{f.end} of the article"}))
    return "".join(out)


def places_geojson(spec: DraftSpec) -> str:
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]}, "properties": {
        "name": p.name, "source": spec.publisher, "source_url": spec.url, "date": spec.date, "status": p.status,
        "geonameid": p.geonameid, "article": spec.id, "mention_start": p.start, "mention_end": p.end,
        "confidence": p.confidence}} for p in spec.places]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1) + "\n"


def files(spec: DraftSpec) -> dict[str, str]:
    files = {"article.toml": article_toml(spec)}
    if spec.places:
        files["places.geojson"] = places_geojson(spec)
    return files


README = """Draft article {id}: "{title}" ({publisher}, {date})

Proposed with the situation map's Add-article page; not yet reviewed. To review it in git:

  1. Unzip into the data folder (geodata/) so the files land in drafts/{id}/.
  2. .venv/bin/python -m dashboard.check           (must report 0 errors)
  3. git add geodata/drafts/{id} && git diff --cached  (read every place, coordinate and figure)
  4. Check each figure against the article: its note gives the characters it was read from;
     the article's text is not included, only its sha256 ({sha256}).
  5. Commit, or delete the folder to drop the draft.
"""
