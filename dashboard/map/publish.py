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

import functools
import hashlib
import logging
import os
import re
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
log = logging.getLogger(__name__)


def private(folder: Path) -> bool:
    """Whether `folder` and its parent are this user's and no one else can write there (made
    so, 0o700, when missing): a file is trusted by its name, so one planted there by another
    account on the machine would be served, and a script run in the map's frame."""
    try:
        for f in (folder.parent, folder):
            f.mkdir(mode=0o700, exist_ok=True)
            info = f.stat()
            if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o022):
                log.warning("not publishing into %s: another account owns it or may write there", f)
                return False
    except OSError:
        return False
    return True


def publish(name: str, data: bytes, suffix: str = ".json") -> str | None:
    digest = hashlib.sha256(data).hexdigest()[:16]
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60]
    filename = f"{safe}-{digest}{suffix}"
    target = GENERATED / filename
    if not private(GENERATED):
        return None
    try:
        if not target.exists():
            # write-then-rename: a concurrent reader never sees half a file
            fd, tmp = tempfile.mkstemp(dir=GENERATED, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
    except OSError:
        return None
    return f"{URL_PREFIX}/{filename}"


#: The app's own static files, and the URL the map's frame reaches them at.
STATIC = Path(__file__).resolve().parents[1] / "static"
STATIC_URL = "../../app/static/"


#: A source map comment names a file next to the script: mid-bundle it points nowhere.
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=\S*\s*$", re.M)


@functools.lru_cache(maxsize=8)  # every new base map asks (a new centre, basemap, article); the files never change
def bundle_scripts(urls: tuple[str, ...]) -> tuple[str, ...]:
    """The map's scripts as one file, in their order: streamlit-folium loads a map's scripts one
    after another, each waiting for the last, so one file saves a round trip per script on the
    first paint. Anything not among the app's own static files, or a folder that cannot be
    written, leaves the list as it was."""
    files = [STATIC / url[len(STATIC_URL):] for url in urls if url.startswith(STATIC_URL)]
    if len(urls) < 2 or len(files) != len(urls) or not all(f.resolve().is_relative_to(STATIC) for f in files):
        return tuple(urls)
    try:
        # each file ends its own statements: one without a final newline or semicolon must not
        # run into the next
        text = "".join(f"/* {f.relative_to(STATIC)} */\n{_SOURCE_MAP.sub('', f.read_text(encoding='utf-8'))}\n;\n"
                       for f in files)
    except (OSError, UnicodeDecodeError):
        return tuple(urls)
    url = publish("map-scripts", text.encode("utf-8"), suffix=".js")
    return (url,) if url else tuple(urls)
