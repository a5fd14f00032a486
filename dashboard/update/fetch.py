"""Ask the source for one day's file: its bytes, absent (HTTP 404), a file too big to take, or
the source unreachable (no whole answer in time, refused, cut off, any other HTTP status).

Written on http.client rather than urllib because urllib cannot bound a request as a whole: its
timeout is per socket operation, so a source sending a byte a second keeps it open for ever, and
it follows redirects to ftp:// and reads a redirect's whole body. Here one deadline covers name
lookup, connect, TLS, headers, body and every redirect: each socket wait is at most the time
left, and a watchdog shuts the socket down when the deadline passes (a trickle never times out
a single wait). Only http(s) redirects are followed, at most MAX_REDIRECTS, never https→http.
$http_proxy, $https_proxy and $no_proxy are honoured as urllib honours them (no proxy login).
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

DEFAULT_SOURCE = "https://raw.githubusercontent.com/cyterat/deepstate-map-data/main/data"
#: A day's file is about 80 KB; 20 MB is 250 times that and still small enough to hold in memory.
MAX_BYTES = 20 * 1024 * 1024
#: GitHub's raw files answer directly or after one redirect; three leaves room and stops loops.
MAX_REDIRECTS = 3
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024

OK, ABSENT, TOO_BIG, UNREACHABLE = "ok", "absent", "too big", "unreachable"


@dataclass(frozen=True)
class Fetched:
    kind: str
    data: bytes = b""
    reason: str = ""
    url: str = ""  # the address that answered last (after redirects)
    redirected: str = ""  # "" or how the request was redirected, for the day's line


class _Unreachable(Exception):
    pass


def day_url(source: str, day: date) -> str:
    return f"{source.rstrip('/')}/deepstatemap_data_{day:%Y%m%d}.geojson"


def fetch(url: str, timeout: float, max_bytes: int = MAX_BYTES, deadline: float | None = None) -> Fetched:
    """One GET, redirects included, finished within `timeout` seconds and before `deadline` (a
    time.monotonic() value: the whole run's bound)."""
    end = time.monotonic() + min(timeout, 86400.0)  # a timer cannot wait longer than time_t allows
    end = end if deadline is None else min(end, deadline)
    asked, hops = url, 0
    while True:
        try:
            status, reason, location, data = _exchange(url, end, max_bytes)
        except (_Unreachable, OSError, ValueError, UnicodeError, http.client.HTTPException) as exc:
            late = time.monotonic() >= end  # the watchdog's shutdown looks like a cut-off: say why
            why = f"no whole answer within {timeout:g} s" if late else (str(exc) or type(exc).__name__)
            return Fetched(UNREACHABLE, reason=f"source unreachable: {_printable(why)} ({_printable(url)})", url=url)
        if status not in _REDIRECTS:
            break
        target, refusal = _follow(url, location, hops)
        if refusal:
            return Fetched(UNREACHABLE, reason=f"{refusal} (from {_printable(url)})", url=url)
        url, hops = target, hops + 1
    note = _redirect_note(asked, url) if hops else ""
    if status == 404:
        return Fetched(ABSENT, url=url, redirected=note)
    if status != 200:
        return Fetched(UNREACHABLE, reason=f"HTTP {status} {_printable(reason)} from {_printable(url)}", url=url,
                       redirected=note)
    if data is None:
        return Fetched(TOO_BIG, reason=f"file larger than the {max_bytes // 2**20} MB cap", url=url, redirected=note)
    return Fetched(OK, data, url=url, redirected=note)


def _follow(url: str, location: str | None, hops: int) -> tuple[str, str]:
    """The redirect's absolute target, or why it is not followed."""
    if not location:
        return "", "redirect without a Location"
    if hops >= MAX_REDIRECTS:
        return "", f"more than {MAX_REDIRECTS} redirects"
    target = urljoin(url, location.strip())
    parts = urlsplit(target)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return "", f"redirect to {_shown(target)} refused: only http:// and https:// are followed"
    if urlsplit(url).scheme.lower() == "https" and scheme == "http":
        return "", f"redirect from https to plain http refused ({_shown(target)})"
    if not parts.hostname:
        return "", f"redirect to {_shown(target)} refused: no host"
    return target, ""


def _redirect_note(asked: str, final: str) -> str:
    a, b = urlsplit(asked), urlsplit(final)
    other = (a.hostname, a.port) != (b.hostname, b.port)
    where = f"redirected to another host ({_printable(b.netloc.rpartition('@')[2])}): " if other else "redirected: "
    return where + _printable(final)


def _exchange(url: str, end: float, max_bytes: int) -> tuple[int, str, str | None, bytes | None]:
    """Status, reason, Location and body (None when over max_bytes; b"" for redirects and
    errors, whose bodies are never read)."""
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port  # ValueError on a bad port: unreachable
    if not host:
        raise _Unreachable("no host")
    https = parts.scheme.lower() == "https"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    watchdog = _Watchdog(end)
    cls = http.client.HTTPSConnection if https else http.client.HTTPConnection
    proxy = _proxy(host, https)
    if proxy is None:
        conn = cls(host, port, timeout=watchdog.left())
    else:  # as urllib does: https through a CONNECT tunnel, http as an absolute URL to the proxy
        conn = cls(proxy[0], proxy[1], timeout=watchdog.left())
        if https:
            conn.set_tunnel(host, port)
        else:
            path = url.split("#", 1)[0]
    conn._create_connection = watchdog.connect  # type: ignore[attr-defined]  # bounded lookup + connect
    try:
        conn.request("GET", path, headers={"User-Agent": "situation-map-update", "Connection": "close"})
        response = conn.getresponse()
        location = response.getheader("Location")
        if response.status != 200:
            return response.status, response.reason, location, b""
        return 200, response.reason, None, _body(response, watchdog, max_bytes)
    finally:
        watchdog.stop()  # before close: the watchdog must never shut a reused descriptor
        conn.close()


def _proxy(host: str, https: bool) -> tuple[str, int] | None:
    """The proxy $https_proxy / $http_proxy name for this host (None: direct, or in $no_proxy)."""
    setting = urllib.request.getproxies().get("https" if https else "http")
    if not setting or urllib.request.proxy_bypass(host):
        return None
    proxy = urlsplit(setting if "://" in setting else f"http://{setting}")
    if not proxy.hostname:
        raise _Unreachable(f"the proxy setting {_shown(setting)} names no host")
    return proxy.hostname, proxy.port or 80


def _body(response: http.client.HTTPResponse, watchdog: _Watchdog, max_bytes: int) -> bytes | None:
    declared = response.length  # None: chunked or until close (chunked cut-offs raise IncompleteRead)
    if declared is not None and declared > max_bytes:
        return None
    chunks, total = [], 0
    while True:
        watchdog.left()  # a source that keeps sending past the deadline is cut off here too
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            return None
        chunks.append(chunk)
    if declared is not None and total < declared:
        raise _Unreachable(f"transfer cut off after {total:,} of {declared:,} bytes")
    return b"".join(chunks)


class _Watchdog:
    """One request's deadline: every wait is at most the time left, and at the deadline the
    socket is shut down, which ends any wait on it at once."""

    def __init__(self, end: float) -> None:
        self.end = end
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._done = False
        self._timer = threading.Timer(max(0.0, end - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        return remaining

    def connect(self, address: tuple[str, int], timeout: object = None, source_address: object = None) -> socket.socket:
        host, port = address
        infos = self._resolve(host, port)
        last: OSError = OSError(f"no address for {host}")
        for family, kind, proto, _, addr in infos:
            sock = socket.socket(family, kind, proto)
            with self._lock:
                self._fd = sock.fileno()
            try:
                sock.settimeout(self.left())
                sock.connect(addr)
                return sock
            except OSError as exc:
                last = exc
                with self._lock:
                    self._fd = None
                sock.close()
        raise last

    def _resolve(self, host: str, port: int) -> list:
        """getaddrinfo cannot be given a timeout: run it aside and stop waiting at the deadline."""
        box: dict[str, object] = {}

        def lookup() -> None:
            try:
                box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                box["error"] = exc

        worker = threading.Thread(target=lookup, daemon=True)
        worker.start()
        worker.join(self.left())
        if worker.is_alive():
            raise TimeoutError(f"no answer looking up {host}")
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        return box["infos"]  # type: ignore[return-value]

    def _fire(self) -> None:
        with self._lock:
            self._done = True
            if self._fd is not None:
                try:  # a duplicate of the descriptor: shutdown acts on the connection itself
                    with socket.socket(fileno=os.dup(self._fd)) as twin:
                        twin.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        with self._lock:
            self._timer.cancel()
            self._fd = None


def _printable(text: str) -> str:
    """Text from the source as it may go into a log line: no control characters (no terminal
    escapes, no fake extra lines), at most 200 characters."""
    text = text if text.isprintable() else repr(text)
    return text if len(text) <= 200 else text[:200] + "…"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:80] + "…")
