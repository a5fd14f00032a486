"""Publish derived map files into a cache folder that the app serves at
`<base>/app/static/generated/`, so the browser fetches (and caches) them instead of receiving them
inside every rerun's message.

The folder is outside the package (`SITUATION_MAP_CACHE`, else a folder in the system's temp
folder), so the app runs from a read-only install; `serving/gzip_static.py` serves it.

Files are named by a hash of their content: the same data gives the same URL in every process,
and a changed data file gives a new URL (no stale cache). If the folder cannot be written,
`publish` returns None and the map falls back to inline data.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

#: Names the cache folder; unset, a per-user folder in the system's temp folder.
CACHE_ENV = "SITUATION_MAP_CACHE"
#: The map iframe lives at <base>/component/<component>/index.html.
URL_PREFIX = "../../app/static/generated"


def cache_root() -> Path:
    named = os.environ.get(CACHE_ENV, "").strip()
    if named:
        return Path(named).expanduser().resolve()
    # Per user: another account's folder of the same name would not be writable.
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(tempfile.gettempdir()) / f"situation-map-{user}"


GENERATED = cache_root() / "generated"


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
