"""Request guards in front of Streamlit (wired in main.MIDDLEWARE, outermost).

- Uploads: Streamlit stores any file a session PUTs to `/_stcore/upload_file/<session>/<id>` in
  memory, up to `server.maxUploadSize`, whatever widget the page shows; a widget's own limit is
  checked in the browser only. Here an upload is refused outright while the editor is off (no page
  of the app has an upload widget then), and with the editor on a body larger than the editor reads
  (`PAGE_LIMIT` plus the multipart framing) is refused with 413 as soon as it is seen: by its
  Content-Length, or while it streams in (chunked bodies have none). At most that cap is held, and
  a session holds at most MAX_FILES_PER_SESSION files (the editor's uploader holds one at a time),
  counting uploads still streaming in (else many sent at once all pass before any is stored), and
  the server at most MAX_FILES_TOTAL for all sessions (many sessions would otherwise each fill up).
- Deep paths: `/sources/x`, `/map/x/y`, `//map` get the app's HTML, whose relative script paths
  then resolve under the deep path and come back as HTML (a white page). They are sent to the page
  their first segment names (or the first page) with `notice=path`, which the page reports.
- Long query strings: Streamlit drops a query string of more than 1,000 parameters whole (valid
  date included) and only logs it. A page link with more than MAX_PARAMS parameters is sent back
  with the link's own keys only and `notice=params`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode

import streamlit as st
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboard.data.view import EMBED_KEYS, KEYS, NOTICE_KEY
from dashboard.ingest.reader import PAGE_LIMIT

#: Boundary lines, the part's headers and a long file name: a few hundred bytes in practice.
MULTIPART_FRAMING = 16 * 1024
UPLOAD_CAP = PAGE_LIMIT + MULTIPART_FRAMING
UPLOAD_ROUTE = "/_stcore/upload_file/"
#: Methods that carry no file: reading, the CORS preflight, and removing a file.
BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
#: The editor's uploader takes one file and deletes the one it replaces; a page that keeps adding
#: new file ids is not the editor's.
MAX_FILES_PER_SESSION = 8
#: And all sessions together (each is a reader's websocket, which anyone can open many of):
#: at most this many files of at most UPLOAD_CAP bytes are held in the server's memory.
MAX_FILES_TOTAL = 256
#: A link the app writes has at most len(KEYS) parameters; others add a few (utm_*, fbclid).
MAX_PARAMS = 50
#: Only this much of a query string is read when cutting it (servers refuse far less anyway).
MAX_QUERY_SCAN = 64 * 1024
#: First path segments Streamlit serves itself (assets, media, components, its API, sign-in).
RESERVED = frozenset({"_stcore", "static", "media", "component", "app", "auth", "oauth2callback"})
#: The default page's url_path (dashboard/ui/app.py): Streamlit serves the default page at the base
#: path only, and answers its own name with a "Page not found" dialog, so it is sent to the base.
DEFAULT_PAGE = "map"
#: A page's url_path as the app names them; anything else goes to the first page.
_PAGE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def base_path() -> str:
    """Streamlit's `server.baseUrlPath` as "" or "/situation" (read per request: tests and
    `streamlit run --server.baseUrlPath` set it after import)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def editor_on() -> bool:
    """The editor's own switch (ui/editor.py): SITUATION_MAP_EDITOR=1 or the `editor` secret."""
    from dashboard.ui.editor import editing_enabled

    return editing_enabled()


def files_held(path: str) -> tuple[int, bool]:
    """How many files Streamlit holds for the session a path names, and whether it already holds
    the named file (a replacement adds nothing). (0, False) when there is no runtime to ask."""
    from dashboard.ui.private_api import session_uploads

    session_id, _, file_id = path.partition(UPLOAD_ROUTE)[2].partition("/")
    held = session_uploads(session_id)
    if held is None:
        return 0, False
    return len(held), file_id in held


def files_held_total() -> int:
    """How many uploaded files Streamlit holds for all sessions (0 when there is no runtime)."""
    from dashboard.ui.private_api import uploads_total

    return uploads_total()


def is_upload(path: str) -> bool:
    # Anywhere in the path, not only under the base: a spelling the router would not match costs
    # nothing to refuse, and one it would match must never slip past.
    return UPLOAD_ROUTE in path or path.rstrip("/").endswith(UPLOAD_ROUTE.rstrip("/"))


def count_params(query: str) -> int:
    """Parameters as Streamlit counts them (its limit: 1,000)."""
    return query.count("&") + 1 if query else 0


def cut_query(query: str) -> str:
    """Only the link's own parameters (last value of each), in their order of first appearance."""
    kept: dict[str, str] = {}
    wanted = {*KEYS, *EMBED_KEYS}
    for name, value in parse_qsl(query[:MAX_QUERY_SCAN], keep_blank_values=True, max_num_fields=None):
        if name in wanted:
            kept[name] = value
    return urlencode(kept)


def page_target(path: str, base: str) -> str | None:
    """The page a GET for `path` should be sent to instead, or None to let it through. Only paths
    deeper than one segment under the base and outside Streamlit's own routes are moved."""
    if not path.startswith(base + "/"):
        return None
    rest = path[len(base) + 1:]
    if "/" not in rest.rstrip("/"):
        return None  # the root, a page, a file at the root, or `page/` (Streamlit redirects that)
    segments = rest.split("/")
    # Streamlit's client, opened on /sources, first probes /sources/_stcore/health and
    # /sources/_stcore/host-config to find the base path: those must get Streamlit's own 404, or
    # the client takes /sources for the base path and its websocket is refused (a blank page).
    if any(segment in RESERVED for segment in segments):
        return None
    first = next((s for s in segments if s), "")
    return f"{base}/{first}" if _PAGE.fullmatch(first) and first not in RESERVED else f"{base}/"


def page_url(base: str, page: str) -> str:
    """A page's address, rebuilt from its (decoded) name, quoted: never `//...` (a host to a browser)."""
    return f"{base}/" if page == DEFAULT_PAGE else f"{base}/{quote(page, safe='-_.~')}"


def with_notice(query: str, reason: str | None) -> str:
    """The query with the notice marker added (if any); bytes a header cannot carry as they are (a
    client may send raw non-ASCII) are percent-encoded, existing escapes are kept."""
    query = quote(query.encode("latin-1"), safe="&=+%,;:/?@!$'()*-._~")  # the bytes as sent
    if reason is None:
        return query
    return f"{query}&{NOTICE_KEY}={reason}" if query else f"{NOTICE_KEY}={reason}"


async def respond(send: Send, status: int, text: str) -> None:
    """A refusal, sent before the body is read. The server (uvicorn) drops whatever of the body
    still arrives once the response is complete: it is never held, and the client still gets
    this answer instead of a reset connection."""
    body = text.encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


async def redirect(send: Send, location: str) -> None:
    await send({"type": "http.response.start", "status": 302, "headers": [
        (b"location", location.encode("latin-1")), (b"cache-control", b"no-store"), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


async def capped_body(receive: Receive, cap: int) -> list[Message] | None:
    """The request's messages while their bodies add up to at most `cap` bytes; None past it."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages  # the client went away: pass that on
        size += len(message.get("body", b""))
        if size > cap:
            return None
        if not message.get("more_body", False):
            return messages


class RequestGuards:
    """ASGI middleware: the upload guard, deep-path redirects and query cuts described above."""

    def __init__(self, app: ASGIApp, upload_cap: int = UPLOAD_CAP) -> None:
        self.app = app
        self.upload_cap = upload_cap
        #: Per session, the file ids of uploads this guard let in that Streamlit has not stored yet.
        self.streaming: dict[str, set[str]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if is_upload(path) and method not in BODYLESS:
            await self.upload(scope, receive, send)
            return
        if method in ("GET", "HEAD"):
            location = self.page_location(path, scope.get("query_string", b"").decode("latin-1"))
            if location is not None:
                await redirect(send, location)
                return
        await self.app(scope, receive, send)

    def page_location(self, path: str, query: str) -> str | None:
        base = base_path()
        target = page_target(path, base)
        reason = None if target is None else "path"
        if target is not None:
            target = page_url(base, target[len(base) + 1:])
        else:
            if not path.startswith(base + "/"):
                return None
            page = path[len(base) + 1:].split("/")[0]
            if page in RESERVED:
                return None
            target = page_url(base, page)
            if count_params(query) > MAX_PARAMS:
                reason = "params"
            elif page != DEFAULT_PAGE:
                return None  # an ordinary page and link: Streamlit's
        query = with_notice(cut_query(query) if count_params(query) > MAX_PARAMS else query, reason)
        return f"{target}?{query}" if query else target

    async def upload(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not editor_on():
            await respond(send, 403, "Uploads are off: this server's editor is not enabled.")
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or len(declared) > 18:  # int() refuses 4,300 digits and more
                await respond(send, 400, "Invalid Content-Length.")
                return
            if int(declared) > self.upload_cap:
                await respond(send, 413, f"Files are limited to {PAGE_LIMIT // 1000} KB.")
                return
        path = scope.get("path", "")
        session_id, _, file_id = path.partition(UPLOAD_ROUTE)[2].partition("/")
        count, replacing = files_held(path)
        # Looked up, not created: a refused request (any made-up session id) leaves nothing behind.
        streaming = self.streaming.get(session_id, set())
        if file_id in streaming or (count + len(streaming) >= MAX_FILES_PER_SESSION and not replacing):
            await respond(send, 429, "This page holds as many uploaded files as it may; remove one first.")
            return
        in_flight = sum(len(files) for files in self.streaming.values())
        if not replacing and files_held_total() + in_flight >= MAX_FILES_TOTAL:
            # 429, not 503: a proxy takes a 503 for a failing replica (nginx retries the upload
            # elsewhere and stops sending anyone to this one for a while).
            await respond(send, 429, "The server holds as many uploaded files as it may; try again later.")
            return
        # No await between the count and this: the next request of the session sees this one.
        streaming = self.streaming.setdefault(session_id, streaming)
        streaming.add(file_id)
        try:
            messages = await capped_body(receive, self.upload_cap)
            if messages is None:
                await respond(send, 413, f"Files are limited to {PAGE_LIMIT // 1000} KB.")
                return
            pending = iter(messages)

            async def replay() -> Message:
                return next(pending, None) or await receive()

            await self.app(scope, replay, send)
        finally:  # stored, refused or failed: Streamlit's own count (or nothing) holds it now
            streaming.discard(file_id)
            if not streaming:
                self.streaming.pop(session_id, None)
