"""Make text from data or URLs safe for every place the map or page shows it."""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|~$:])")


def html_text(value: object) -> str:
    """Escape for HTML *and* for a JavaScript template literal (folium puts tooltip text in
    backticks), so a name can never close the string or open `${...}`."""
    text = html.escape(str(value), quote=True)
    return text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def markdown_text(value: object) -> str:
    """Escape for Streamlit markdown: no links, images, emphasis or HTML from data."""
    return _MARKDOWN.sub(r"\\\1", str(value)).replace("\n", " ")


def safe_url(value: object) -> str:
    """The URL if it is plain http(s), else '' (no javascript:, data:, relative tricks)."""
    text = str(value or "").strip()
    parsed = urlparse(text)
    if parsed.scheme in ("http", "https") and parsed.netloc and not any(c in text for c in "\"'<> "):
        return text
    return ""


def link_html(label: object, url: object) -> str:
    href = safe_url(url)
    if not href:
        return html_text(label)
    return f'<a href="{html_text(href)}" target="_blank" rel="noopener noreferrer">{html_text(label)}</a>'
