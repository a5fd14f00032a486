"""Gzip for Streamlit's own hashed script bundles and the app's static files; and the app's
generated files, which live in a cache folder outside the package (`map/publish.py`).

Streamlit serves its bundles uncompressed on purpose, because compressing on every request costs
CPU; here each file is compressed once per process (in a worker thread, never on the event loop)
and kept, so a reader's first view is about a quarter of the bytes at no recurring cost.
"""

from __future__ import annotations

import gzip
import logging
import mimetypes
import re
from pathlib import Path

import anyio
import streamlit as st
from starlette.types import ASGIApp, Receive, Scope, Send

from dashboard.map import publish

LOG = logging.getLogger("situation_map.server")
COMPRESSIBLE = {".js", ".css", ".svg", ".json", ".txt"}
#: Streamlit's bundles and the app's generated files are content-hashed: a URL never changes
#: content, so caching is forever. The app's vendored scripts keep their names across upgrades.
IMMUTABLE = "public, immutable, max-age=31536000"
VENDOR = "public, max-age=3600"
APP_STATIC = Path(__file__).resolve().parents[1] / "static"


#: Compressed copies for the life of the process (~3 MB for what a page loads). Keyed by the
#: resolved file, never by the request path, so it is bounded by the compressible files on disk.
COMPRESSED: dict[Path, bytes] = {}
#: A hard ceiling on the path memo, whatever happens to the files or the base path; beyond it
#: lookups still work, they are just not remembered.
MAX_FOUND = 4096
#: One path segment as our files are named (letters, digits, `_.~@+-`): never '', '.', '..',
#: a percent-escape or a backslash, each of which is another spelling of some other path.
_SEGMENT = re.compile(r"^(?!\.{1,2}$)[\w.~@+-]+$")
_QUALITY = re.compile(r"^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")


def streamlit_static_dir() -> Path:
    return Path(st.__file__).resolve().parent / "static"


def compressed(file: Path, cache: dict[Path, bytes]) -> bytes:
    body = cache.get(file)
    if body is None:  # two threads may race on one file: both results are the same bytes
        body = gzip.compress(file.read_bytes(), compresslevel=6, mtime=0)
        cache[file] = body
    return body


def precompress_entry_bundles() -> None:
    """Compress the scripts Streamlit's index.html names (about 2 MB) before the first browser
    asks for them; the chunks loaded later are compressed on first request, off the event loop."""
    root = streamlit_static_dir()
    html = (root / "index.html").read_text(encoding="utf-8", errors="replace")
    for rel in re.findall(r'(?:src|href)="\./(static/[^"]+\.(?:js|css))"', html):
        file = (root / rel).resolve()
        if file.is_relative_to(root) and file.is_file():
            compressed(file, COMPRESSED)


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding value lets us send gzip (RFC 9110 12.5.3): `gzip` (or `x-gzip`)
    with a quality above zero, or else `*` above zero. `gzip;q=0`, `*;q=0` without gzip, an
    unreadable quality and `identity` alone all mean no."""
    qualities: dict[str, float] = {}
    for item in header.lower().split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        quality = _quality(params)
        if coding and quality is not None:
            qualities["gzip" if coding == "x-gzip" else coding] = quality
    if "gzip" in qualities:
        return qualities["gzip"] > 0
    return qualities.get("*", 0) > 0


def _quality(params: list[str]) -> float | None:
    """The `q` parameter's value (1 when absent), or None when it is not a valid quality."""
    for param in params:
        name = param.split("=", 1)[0].strip()
        if name == "q":
            found = _QUALITY.match(param.replace(" ", ""))
            return float(found.group(1)) if found else None
    return 1.0


def canonical_rest(rest: str) -> bool:
    """Whether the part of a path after our prefix is the one spelling of a file name: each
    variant (`//`, `./`, `x/../`, `%2e`) would otherwise be a new key naming the same file."""
    return all(_SEGMENT.match(segment) for segment in rest.split("/"))


class GzipStaticBundles:
    """ASGI middleware: answer requests for Streamlit's bundles (`<base>/static/...`) and the
    app's static files (`<base>/app/static/...`) that accept gzip with a compressed copy made
    once per file and kept in memory; everything else passes through untouched. The generated
    files (`<base>/app/static/generated/...`) are always answered here, compressed or not:
    Streamlit does not know their folder."""

    def __init__(self, app: ASGIApp, static_dir: Path | None = None, app_static: Path | None = None,
                 generated: Path | None = None) -> None:
        self.app = app
        self.generated = (generated or publish.GENERATED).resolve()
        # (URL prefix, folder, whether every file name there carries a content hash); the
        # generated prefix first: it lies inside the app's static prefix.
        self.roots = (("/static/", (static_dir or streamlit_static_dir()).resolve() / "static", True),
                      ("/app/static/generated/", self.generated, True),
                      ("/app/static/", (app_static or APP_STATIC).resolve(), False))
        self._cache = COMPRESSED
        # Resolving a path costs a few system calls: remember the files found (they never change
        # within a process: hashed names, or new names for new content).
        self._found: dict[str, tuple[Path, str]] = {}

    def _base(self) -> str:
        base = (st.get_option("server.baseUrlPath") or "").strip("/")
        return f"/{base}" if base else ""

    def target(self, path: str) -> tuple[Path, str] | None:
        """The file a request path names and its caching policy, or None (not one of ours, not
        compressible, or outside its folder)."""
        found = self._found.get(path)
        if found is None:
            found = self._lookup(path)
            # Only canonical paths of real files get here, so the memo is bounded by the files;
            # the ceiling holds even so.
            if found is not None and len(self._found) < MAX_FOUND:
                self._found[path] = found
        return found

    def _lookup(self, path: str) -> tuple[Path, str] | None:
        if "\\" in path or "\x00" in path:
            return None
        for prefix, root, all_hashed in self.roots:
            prefix = self._base() + prefix
            if not path.startswith(prefix):
                continue
            if not canonical_rest(path[len(prefix):]):
                return None  # left to Streamlit, which serves or refuses it uncompressed
            file = (root / path[len(prefix):]).resolve()
            if not file.is_relative_to(root) or file.suffix not in COMPRESSIBLE or not file.is_file():
                return None
            return file, IMMUTABLE if all_hashed else VENDOR
        return None

    def compressed(self, file: Path) -> bytes:
        return compressed(file, self._cache)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        accepts = accepts_gzip(headers.get(b"accept-encoding", b"").decode("latin-1"))
        found = self.target(scope.get("path", ""))
        plain = found is not None and (not accepts or b"range" in headers)
        if plain and not found[0].is_relative_to(self.generated):
            found = None  # Streamlit serves its own folders uncompressed (and ranges)
        if found is None:
            await self.app(scope, receive, send)
            return
        file, policy = found
        if plain:  # a generated file to a client without gzip: whole, as it is on disk
            body = await anyio.to_thread.run_sync(file.read_bytes)
            coding: list[tuple[bytes, bytes]] = []
        else:
            body = self._cache.get(file)
            if body is None:  # zlib lets go of the interpreter lock: compress off the event loop
                body = await anyio.to_thread.run_sync(self.compressed, file)
            coding = [(b"content-encoding", b"gzip")]
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", f"{kind}; charset=utf-8".encode()), *coding, (b"vary", b"Accept-Encoding"),
            (b"cache-control", policy.encode()), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
