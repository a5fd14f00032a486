"""Values from data checked at the boundary: style options against what Leaflet accepts, URLs.

Style values end up inside the map's JavaScript, its CSS and the offline HTML download, so
anything that is not a plain colour, number, flag or dash pattern is refused here, at the
boundary, with the key that holds it named."""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urlparse

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_FUNC = re.compile(r"^(?:rgb|rgba|hsl|hsla)\(\s*[0-9.%]+\s*(?:,\s*[0-9.%]+\s*){2,3}\)$")
_NAMED = re.compile(r"^[a-zA-Z]{3,20}$")  # CSS named colours: letters only, nothing to escape
_DASH = re.compile(r"^\d{1,3}(?:[ ,]+\d{1,3}){0,7}$")
#: key -> kind of value; anything else in a style is dropped with a warning.
STYLE_KEYS = {"color": "colour", "fillColor": "colour", "weight": (0, 30), "opacity": (0, 1),
              "fillOpacity": (0, 1), "radius": (0, 40), "fill": "flag", "dashArray": "dash"}


def is_colour(value: Any) -> bool:
    return isinstance(value, str) and bool(_HEX.fullmatch(value) or _FUNC.fullmatch(value) or _NAMED.fullmatch(value))


def check_style(name: str, style: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The style with only valid Leaflet options kept, and one message per value refused."""
    kept: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in style.items():
        kind = STYLE_KEYS.get(key)
        if kind is None:
            problems.append(f"[styles.{name}] '{key}' is not a Leaflet path option this map uses; ignored")
        elif kind == "colour" and not is_colour(value):
            problems.append(f"[styles.{name}] '{key}' must be a colour (#rgb, #rrggbb, rgb(...) or a name)")
        elif kind == "flag" and not isinstance(value, bool):
            problems.append(f"[styles.{name}] '{key}' must be true or false")
        elif kind == "dash" and not (isinstance(value, str) and _DASH.fullmatch(value)):
            problems.append(f"[styles.{name}] '{key}' must be a dash pattern such as \"8 5\"")
        elif isinstance(kind, tuple) and not _number_in(value, kind):
            problems.append(f"[styles.{name}] '{key}' must be a number from {kind[0]} to {kind[1]}")
        else:
            kept[key] = value
    return kept, problems


def _number_in(value: Any, limits: tuple[float, float]) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    return limits[0] <= value <= limits[1]


def safe_url(value: object) -> str:
    """The URL if it is plain http(s), else '' (no javascript:, data:, relative tricks)."""
    text = str(value or "").strip()
    parsed = urlparse(text)
    if parsed.scheme in ("http", "https") and parsed.netloc and not any(c in text for c in "\"'<> `\\"):
        return text
    return ""


#: Status is drawn as a line pattern too, not by colour alone (reported solid, assessed dashed,
#: claimed dotted); the catalog's styles give colours and weights only. The map and the animation
#: both draw with it, so it sits below both.
STATUS_DASH = {"reported": None, "assessed": "8 5", "claimed": "1 6"}
