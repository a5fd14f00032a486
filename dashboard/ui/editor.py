"""What the Add-article page computes: whether editing is on, reading the input, the highlighted
text, the review tables and the DraftSpec built from them. No widgets here except the switch.

The article's text reaches the page only as escaped HTML (html_text) with <mark> spans placed
by offsets computed on the raw text, so nothing in a hostile article can become markup.
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import pandas as pd
import streamlit as st

from dashboard.data.drafts import DraftFigure, DraftPlace, DraftSpec, slug
from dashboard.data.specs import STATUSES
from dashboard.map.text import html_text

if TYPE_CHECKING:  # the ingest (spaCy, 1.5 s to import) loads only when an editor reads an article
    from dashboard.data.gazetteer import Entry, Gazetteer
    from dashboard.ingest import Article, Draft

ENV_SWITCH = "SITUATION_MAP_EDITOR"
UPLOAD_TYPES = ["txt", "md", "html"]
MARK_CSS = """<style>
.sm-article { white-space: pre-wrap; line-height: 1.55; font-size: .95rem; max-height: 26rem; overflow-y: auto;
  border: 1px solid #ddd; border-radius: 6px; padding: .6rem .8rem; background: #fff; color: #1f1f1f; }
.sm-marks mark { border-radius: 3px; padding: 0 2px; color: #111; }
.sm-marks mark.place { background: #bfe0f5; } .sm-marks mark.figure { background: #f7d9a8; }
.sm-marks mark.date { background: #cdebd9; }
</style>"""
LEGEND_HTML = ('<div class="sm-marks">Highlighted: <mark class="place">place</mark> <mark class="figure">figure</mark> '
               '<mark class="date">date</mark></div>')


def editing_enabled() -> bool:
    """On when the operator says so: SITUATION_MAP_EDITOR=1, or `editor = true` in Streamlit secrets."""
    if os.environ.get(ENV_SWITCH, "").strip() == "1":
        return True
    try:
        return st.secrets.get("editor") is True
    except Exception:  # noqa: BLE001 - no secrets file, or an unreadable one: editing stays off
        return False


def read_input(pasted: str, upload: Any) -> tuple[Article, Draft]:
    """The article from an uploaded file (checked again here: type and size) or the pasted text,
    and its draft. Reading runs in the worker process (ingest.worker) under the time limit: an
    IngestError (ReadTimeout when the limit was hit) with a one-line reason otherwise."""
    from dashboard.ingest.model import IngestError
    from dashboard.ingest.reader import PAGE_LIMIT
    from dashboard.ingest.worker import read_in_worker

    if upload is not None:
        name = str(getattr(upload, "name", "article.txt"))
        if name.rsplit(".", 1)[-1].lower() not in UPLOAD_TYPES:
            raise IngestError(f"{name}: only .txt, .md and .html files are read")
        size = int(getattr(upload, "size", 0) or 0)
        if size > PAGE_LIMIT:
            raise IngestError(f"file is {size:,} bytes; the limit is {PAGE_LIMIT:,} bytes ({PAGE_LIMIT // 1000} KB)")
        return read_in_worker(upload.getvalue(), name, PAGE_LIMIT)
    if not pasted.strip():
        raise IngestError("paste an article's text or upload a file first")
    if len(pasted) > PAGE_LIMIT:  # more characters than bytes allowed: refused without a copy to the worker
        raise IngestError(f"pasted text is at least {len(pasted):,} bytes; the limit is {PAGE_LIMIT:,} bytes "
                          f"({PAGE_LIMIT // 1000} KB)")
    return read_in_worker(pasted, "pasted.txt", PAGE_LIMIT)


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def highlight_html(text: str, draft: Draft) -> str:
    """The article as escaped HTML with every mention in a <mark>; overlapping spans are skipped."""
    spans = sorted([(p.start, p.end, "place") for p in draft.places] +
                   [(f.start, f.end, "figure") for f in draft.figures] +
                   [(d.start, d.end, "date") for d in draft.dates])
    out, pos = [], 0
    for start, end, kind in spans:
        if start < pos or not 0 <= start < end <= len(text):
            continue
        out.append(html_text(text[pos:start]))
        out.append(f'<mark class="{kind}">{html_text(text[start:end])}</mark>')
        pos = end
    out.append(html_text(text[pos:]))
    return MARK_CSS + f'<div class="sm-article sm-marks">{"".join(out)}</div>'


# ---------------------------------------------------------------------------- review tables
PLACE_COLUMNS = ["accept", "name", "lat", "lon", "status", "mentions", "candidates", "confidence", "geonameid",
                 "start", "end", "text"]


def place_rows(draft: Draft) -> list[dict[str, Any]]:
    """One row per distinct place (first mention's offsets), unresolved ones not accepted yet."""
    from dashboard.data.spelling import match_key

    rows: dict[tuple, dict[str, Any]] = {}
    for p in draft.places:
        key = (p.geonameid, p.name) if p.lat is not None else (None, match_key(p.text))
        if key in rows:
            rows[key]["mentions"] += 1
            continue
        rows[key] = {"accept": p.lat is not None, "name": p.name, "lat": p.lat, "lon": p.lon, "status": "reported",
                     "mentions": 1, "candidates": p.candidates, "confidence": p.confidence,
                     "geonameid": p.geonameid, "start": p.start, "end": p.end, "text": p.text}
    return list(rows.values())


def candidates(gaz: Gazetteer, text: str) -> list[Entry]:
    """The gazetteer entries a place's words could mean, most populous first."""
    from dashboard.data.spelling import match_key

    key = match_key(text)
    found = {*gaz.strong.get(key, ()), *gaz.weak.get(key, ()), *gaz.region_base.get(key, ())}
    return sorted((gaz.entries[i] for i in found), key=lambda e: -e.population)


def candidate_label(e: Entry) -> str:
    region = ", ".join(a for a in e.admin1 if a)
    return f"{e.name} ({region or '?'}, {e.country}; pop. {e.population:,}) {e.lat:.3f}, {e.lon:.3f}"


def figure_rows(draft: Draft) -> list[dict[str, Any]]:
    rows = []
    for f in draft.figures:
        label = (f.counts or f.unit or "figure").strip().capitalize()[:80]
        display = f"{f.value:,.0f}" if float(f.value).is_integer() else f"{f.value:,.2f}"
        rows.append({"accept": True, "label": label, "value": f.value, "display": display,
                     "status": "reported", "start": f.start, "end": f.end})
    return rows


def date_rows(draft: Draft) -> pd.DataFrame:
    return pd.DataFrame([{"date": d.date, "precision": d.precision, "characters": f"{d.start}-{d.end}"}
                         for d in draft.dates], columns=["date", "precision", "characters"])


def status_of(value: Any) -> str:
    return value if value in STATUSES else "reported"


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def _publisher_of(url: str) -> str:
    """Without a publisher named: the URL's host, else an honest placeholder."""
    host = urlparse(url.strip()).hostname or ""
    return host.removeprefix("www.") or "Publisher not given"


def build_spec(fields: dict[str, str], article: Article, places: pd.DataFrame, figures: pd.DataFrame) -> DraftSpec:
    """The draft from the page: its fields and the accepted rows of the edited tables."""
    sha = sha256_of(article.text)
    title = " ".join(fields.get("title", "").split()) or article.title
    kept_places = tuple(
        DraftPlace(name=" ".join(str(r["name"]).split()), lat=_number(r["lat"]), lon=_number(r["lon"]),
                   start=int(r["start"]), end=int(r["end"]), status=status_of(r["status"]),
                   geonameid=None if _number(r["geonameid"]) is None else int(r["geonameid"]),
                   confidence=round(float(r["confidence"]), 2))
        for r in places.to_dict("records") if r.get("accept"))
    kept_figures = tuple(
        DraftFigure(label=" ".join(str(r["label"]).split()), value=_number(r["value"]),
                    display=str(r["display"]).strip(), start=int(r["start"]), end=int(r["end"]),
                    status=status_of(r["status"]))
        for r in figures.to_dict("records") if r.get("accept"))
    return DraftSpec(id=fields.get("id", "").strip() or slug(title, f"article-{sha[:8]}"), title=title,
                     publisher=" ".join(fields.get("publisher", "").split()) or _publisher_of(fields.get("url", "")),
                     date=fields.get("date", "").strip(), url=fields.get("url", "").strip(), sha256=sha,
                     text_length=len(article.text), places=kept_places, figures=kept_figures)
