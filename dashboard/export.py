"""What a reader can take away: the visible layers as GeoJSON, the figures as CSV, the map as
one offline HTML file. Pure: no Streamlit. Features come from the same builder as the map's."""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import re
from datetime import date
from pathlib import Path

from dashboard.data.figures import key_figures, occupied_changes, salient_change, window_start
from dashboard.data.layers import visible_features
from dashboard.data.load import Dataset
from dashboard.data.view import ViewState
from dashboard.map.build import build_map
from dashboard.map.style import allow_zoom

LEAFLET_DIR = Path(__file__).resolve().parent / "static" / "vendor" / "leaflet"
_PLACEHOLDER = "__SITUATION_MAP_LEAFLET__"
#: A spreadsheet treats a cell starting with one of these as a formula (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_COLUMNS = ["figure", "value", "unit", "change", "status", "date", "source", "source_url", "article_section"]


def geojson_bytes(ds: Dataset, view: ViewState) -> bytes:
    gdf = visible_features(ds, view)
    data = json.loads(gdf.to_json(drop_id=True, na="null"))
    data["view"] = {"date": view.date.isoformat(), "compare": view.compare.isoformat() if view.compare else None,
                    "layers": list(view.layers)}
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def csv_cell(value: object) -> object:
    """Numbers stay numbers; text that a spreadsheet would run as a formula gets a leading
    apostrophe (shown as text, never evaluated)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value if math.isfinite(value) else ""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def figures_csv(ds: Dataset, view: ViewState, first: date) -> str:
    """Key figures and the window's measured changes, one row each, with their provenance."""
    buf = io.StringIO()
    # Every text cell quoted as well (OWASP): a ";" cannot start a formula in locales that split on it.
    writer = csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(CSV_COLUMNS)
    for fig in key_figures(ds, view.date, view.article):
        s = fig.spec
        value = s.value if isinstance(s.value, int | float) and not s.computed else fig.value
        writer.writerow([csv_cell(v) for v in (s.label, value, "", "", s.status, fig.data_date.replace("dated ", ""),
                                               s.source, s.source_url, s.article_section)])
    start = window_start(view.date, view.compare, first)
    salient = salient_change(ds, start, view.date)
    for fig in [*occupied_changes(ds, start, view.date), *([salient] if salient else [])]:
        writer.writerow([csv_cell(v) for v in (
            f"{fig.label} ({fig.start_shown} to {fig.end_shown})", round(fig.value_km2), "km²",
            round(fig.change_km2), fig.status, fig.end_shown, fig.source, fig.source_url,
            "measured from the data")])
    return buf.getvalue()


def standalone_html(ds: Dataset, view: ViewState) -> str:
    """The map as one HTML file that works offline: Leaflet and its images are inlined."""
    html = allow_zoom(build_map(ds, view, asset_base=_PLACEHOLDER).get_root().render())
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def inline_image(match: re.Match[str]) -> str:
        data = base64.b64encode((LEAFLET_DIR / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[a-z0-9-]+\.png)\)", inline_image, css)
    html = re.sub(rf'<script src="{_PLACEHOLDER}/leaflet.js"></script>', lambda _m: f"<script>{js}</script>", html)
    return re.sub(rf'<link rel="stylesheet" href="{_PLACEHOLDER}/leaflet.css"\s*/>',
                  lambda _m: f"<style>{css}</style>", html)
