"""Publish derived map files under the app's static folder, so the browser fetches (and caches)
them instead of receiving them inside every rerun's message.

Files are named by a hash of their content: the same data gives the same URL in every process,
and a changed data file gives a new URL (no stale cache). If the folder cannot be written (a
read-only deployment), `publish` returns None and the map falls back to inline data.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
GENERATED = STATIC_DIR / "generated"
#: The map iframe lives at <base>/component/streamlit_folium.st_folium/index.html.
URL_PREFIX = "../../app/static/generated"


def publish(name: str, data: bytes) -> str | None:
    digest = hashlib.sha256(data).hexdigest()[:16]
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60]
    filename = f"{safe}-{digest}.json"
    target = GENERATED / filename
    try:
        if not target.exists():
            GENERATED.mkdir(parents=True, exist_ok=True)
            # write-then-rename: a concurrent reader never sees half a file
            fd, tmp = tempfile.mkstemp(dir=GENERATED, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
    except OSError:
        return None
    return f"{URL_PREFIX}/{filename}"
