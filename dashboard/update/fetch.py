"""Ask the source for one day's file: its bytes, absent (HTTP 404), a file too big to take, or
the source unreachable (no answer in time, refused, broken transfer, any other HTTP error)."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date

DEFAULT_SOURCE = "https://raw.githubusercontent.com/cyterat/deepstate-map-data/main/data"
#: A day's file is about 80 KB; 20 MB is 250 times that and still small enough to hold in memory.
MAX_BYTES = 20 * 1024 * 1024

OK, ABSENT, TOO_BIG, UNREACHABLE = "ok", "absent", "too big", "unreachable"


@dataclass(frozen=True)
class Fetched:
    kind: str
    data: bytes = b""
    reason: str = ""


def day_url(source: str, day: date) -> str:
    return f"{source.rstrip('/')}/deepstatemap_data_{day:%Y%m%d}.geojson"


def fetch(url: str, timeout: float, max_bytes: int = MAX_BYTES) -> Fetched:
    request = urllib.request.Request(url, headers={"User-Agent": "situation-map-update"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            # One byte past the cap tells "too big" from "exactly at the cap", with or without a
            # Content-Length header, and never holds more than the cap in memory.
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return Fetched(ABSENT)
        return Fetched(UNREACHABLE, reason=f"HTTP {exc.code} {exc.reason} from {url}")
    except (OSError, ValueError, http.client.HTTPException) as exc:  # URLError, timeouts: OSErrors
        reason = getattr(exc, "reason", None) or exc
        return Fetched(UNREACHABLE, reason=f"source unreachable: {reason or type(exc).__name__} ({url})")
    if len(data) > max_bytes:
        return Fetched(TOO_BIG, reason=f"file larger than the {max_bytes // 2**20} MB cap")
    return Fetched(OK, data)
