"""Every text the map shows, escaped: tooltips, popups, labels, legend, attributions.

Text from data is escaped for HTML *and* for a JavaScript template literal (folium puts tooltip
text in backticks), so a name can never close the string or open `${...}`."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from typing import Any

from dashboard.data.load import Dataset
from dashboard.data.specs import LayerSpec
from dashboard.data.values import safe_url
from dashboard.map.style import STATUS_CSS, leaflet_style

_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|~$:-])")


def html_text(value: object) -> str:
    text = html.escape(str(value), quote=True)
    return text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def markdown_text(value: object) -> str:
    """Escape for Streamlit markdown: no links, images, emphasis or HTML from data."""
    return break_links(_MARKDOWN.sub(r"\\\1", str(value)).replace("\n", " "))


#: Bare addresses and shortcodes are found in the text *after* Markdown escapes are taken out
#: (GitHub's autolinks, Streamlit's `:emoji:` and `:material/icon:`), so a backslash cannot stop
#: them: an invisible word joiner (U+2060, not read out) breaks each pattern instead.
_WJ = "\u2060"
_AUTOLINK = re.compile(r"(?i)(www)(?=\.)|(:)(?=//)|(?=@)|(:)(?=[A-Za-z+][\w/+-]*\\?:)")


def break_links(text: str) -> str:
    """No autolink (`www.`, `scheme://`, `name@host`) and no shortcode (`:name:`) in `text`."""
    return _AUTOLINK.sub(lambda m: (m.group(1) or m.group(2) or m.group(3) or "") + _WJ, text)


#: A widget's label is Markdown to Streamlit, and its raw text is the control's accessible name,
#: so every escape there is read out ("backslash"). Escaped: what makes a link, image, markup,
#: emphasis, code or maths anywhere; a block marker at the start. Brackets are escaped, so
#: parentheses cannot link; hyphens, colons and word-inner underscores stay.
_LABEL_ANYWHERE = re.compile(r"([\\`*\[\]<$~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_LABEL_BLOCK = re.compile(r"^(?:>|(?:[#+-]|\d{1,9}[.)])(?=\s|$))")


def label_text(value: object) -> str:
    """Escape catalog text for a widget's label: as safe as `markdown_text`, fewer escapes."""
    text = break_links(_LABEL_ANYWHERE.sub(r"\\\1", " ".join(str(value).split())))
    block = _LABEL_BLOCK.match(text)
    if block:
        cut = block.end() - 1  # before the marker's last character: "\#", "1\.", "\-"
        text = text[:cut] + "\\" + text[cut:]
    return text


def link_html(label: object, url: object) -> str:
    href = safe_url(url)
    if not href:
        return html_text(label)
    return f'<a href="{html_text(href)}" target="_blank" rel="noopener noreferrer">{html_text(label)}</a>'


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def feature_tip(row: dict[str, Any]) -> str:
    """Short hover text: name, status, date, and areas where the feature has them."""
    tip = (f"<b>{html_text(row.get('name', ''))}</b><br>"
           f"<i>{html_text(row.get('status', ''))}</i> · {html_text(row.get('date', ''))}")
    claimed, measured = _number(row.get("claimed_area_km2")), _number(row.get("measured_area_km2"))
    if claimed is not None and claimed > 0:
        tip += f"<br>claimed {claimed:,.0f} km²"
    if measured is not None:
        tip += f"{' · ' if claimed else '<br>'}measured {measured:,.0f} km²"
    return tip


def feature_popup(row: dict[str, Any]) -> str:
    """Click text: what it is, caveats, areas, status, date and source with its link."""
    parts = [f"<b>{html_text(row.get('name', ''))}</b>"]
    parts.extend(html_text(row[key]) for key in ("detail", "claim", "note") if row.get(key))
    parts.extend(_areas(row))
    if row.get("approximation"):
        parts.append(f"<i>{html_text(row['approximation'])}</i>")
    parts.append(f"Status: <b>{html_text(row.get('status', ''))}</b> · dated {html_text(row.get('date', ''))}")
    parts.append("Source: " + link_html(row.get("source", ""), row.get("source_url", "")))
    if row.get("note_source"):
        parts.append(f"Note source ({html_text(row.get('note_status', ''))}): "
                     + link_html(row["note_source"], row.get("note_url", "")))
    return "<div style='max-width:320px'>" + "<br>".join(parts) + "</div>"


def _areas(row: dict[str, Any]) -> list[str]:
    claimed, measured = _number(row.get("claimed_area_km2")), _number(row.get("measured_area_km2"))
    if measured is None:
        return []
    if "claimed_area_km2" in row:
        claim = f"{claimed:,.0f} km²" if claimed else "no area stated"
        return [f"Claimed area: <b>{html_text(claim)}</b> · measured on this outline: <b>{measured:,.0f} km²</b>"]
    return [f"Measured area: <b>{measured:,.0f} km²</b>"]


def label_html(row: dict[str, Any], css: str = "sm-label") -> str:
    kind = re.sub(r"[^a-z-]", "", str(row.get("kind", "")).lower())[:20]
    return f'<div class="{css} {kind}">{html_text(row.get("name", ""))}</div>'


def layer_label(spec: LayerSpec) -> str:
    """Layer-control label: title plus status (the control is a legend too)."""
    return f"{html_text(spec.title)} · {html_text(spec.status)}"


def _swatch(ds: Dataset, style_name: str, status: str) -> str:
    st = leaflet_style(ds, style_name)
    fill = st.get("fillColor", "transparent") if st.get("fill", True) else "transparent"
    border = STATUS_CSS.get(status, "solid")
    return (f'<span class="sw" style="background:{html_text(fill)};opacity:.85;'
            f'border:2px {border} {html_text(st.get("color", "#333"))}"></span>')


def _swatches(ds: Dataset, spec: LayerSpec) -> str:
    names: Iterable[str] = [spec.style]
    if spec.style_by and spec.role == "changed-hands":
        names = [spec.style, *spec.style_by.values.values()]
    return "".join(_swatch(ds, n, spec.status) for n in names)


def legend_html(ds: Dataset, article: str = "") -> str:
    """Static legend: every layer of the article with its symbol, status and date; caveats."""
    rows = []
    layers = ds.catalog.for_article(article) if article else list(ds.catalog.layers.values())
    for spec in layers:
        dated = "map date" if spec.dated else spec.date
        missing = "" if spec.id in ds.layers else " — <b>not loaded</b>"
        rows.append(f"<div>{_swatches(ds, spec)}{html_text(spec.title)}{missing}"
                    f"<span class='st'> · {html_text(spec.status)} · {html_text(dated)}</span></div>")
    caveat = " ".join(f"{html_text(s.title)}: hand-drawn approximations." for s in layers if s.approximate)
    rows.append("<div class='note'>Outline: solid = reported, dashed = assessed, dotted = claimed. "
                f"{caveat} Click an area for its source.</div>")
    return "<details open><summary>Legend</summary>" + "".join(rows) + "</details>"


def attribution_html(ds: Dataset, article: str = "") -> str:
    """The attributions of what this map draws: the basemaps' sources and its layers' sources."""
    layers = ds.catalog.for_article(article) if article else list(ds.catalog.layers.values())
    used = {b.source for b in ds.catalog.basemaps.values()} | {spec.source for spec in layers}
    return " · ".join(html_text(s.attribution) for s in ds.catalog.sources.values() if s.id in used)
