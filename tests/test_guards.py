"""dashboard/serving/guards.py as ASGI middleware: what reaches Streamlit and what is refused or moved.
The same guards against the real server: tests/test_guards_http.py."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.serving import guards
from dashboard.serving.guards import UPLOAD_CAP, RequestGuards, page_target

UPLOAD = "/_stcore/upload_file/0b6f5d3e-session/file-1"


class Downstream:
    """Streamlit's stand-in: records what it was asked and the body it could read."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.body = b""

    async def __call__(self, scope, receive, send):
        self.calls.append((scope["method"], scope["path"]))
        if scope["method"] not in ("GET", "HEAD", "OPTIONS", "DELETE"):
            while True:
                message = await receive()
                self.body += message.get("body", b"")
                if not message.get("more_body"):
                    break
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def call(path: str, method: str = "GET", query: str = "", chunks: list[bytes] = (), headers=(),
         upload_cap: int = UPLOAD_CAP):
    """One request through the guards; returns (status, headers, downstream, body chunks read)."""
    downstream = Downstream()
    middleware = RequestGuards(downstream, upload_cap=upload_cap)
    pending = list(chunks) or [b""]
    read: list[int] = []

    async def receive():
        if pending:
            chunk = pending.pop(0)
            read.append(len(chunk))
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        return {"type": "http.disconnect"}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "query_string": query.encode("latin-1"),
             "headers": [(k.encode(), v.encode()) for k, v in headers]}
    with ThreadPoolExecutor(1) as pool:  # its own loop: a browser test's Playwright may hold this one
        pool.submit(asyncio.run, middleware(scope, receive, send)).result()
    return sent[0]["status"], dict(sent[0]["headers"]), downstream, read


@pytest.fixture
def editor_off(monkeypatch):
    monkeypatch.delenv("SITUATION_MAP_EDITOR", raising=False)


@pytest.fixture
def editor_on(monkeypatch):
    monkeypatch.setenv("SITUATION_MAP_EDITOR", "1")


@pytest.mark.parametrize("method", ["PUT", "POST", "PATCH"])
def test_uploads_are_refused_while_the_editor_is_off_without_reading_the_body(editor_off, method):
    status, _, downstream, read = call(UPLOAD, method, chunks=[b"x" * 65536] * 800,
                                       headers=[("content-length", str(65536 * 800))])
    assert status == 403 and downstream.calls == [] and read == []


@pytest.mark.parametrize("path", [f"/situation{UPLOAD}", "/_stcore/upload_file/s/", "/x/_stcore/upload_file/s/f",
                                  "/_stcore/upload_file"])
def test_every_spelling_of_the_upload_route_is_guarded(editor_off, path):
    assert call(path, "PUT", chunks=[b"x"])[0] == 403


@pytest.mark.parametrize("method", ["OPTIONS", "DELETE", "GET", "HEAD"])
def test_bodyless_methods_on_the_upload_route_pass(editor_off, method):
    status, _, downstream, _ = call(UPLOAD, method)
    assert status == 204 and downstream.calls == [(method, UPLOAD)]


def test_an_editor_upload_reaches_streamlit_whole(editor_on):
    chunks = [b"a" * 50_000, b"b" * 50_000, b"c" * 50_000]
    status, _, downstream, _ = call(UPLOAD, "PUT", chunks=chunks, headers=[("content-length", "150000")])
    assert status == 204 and downstream.body == b"".join(chunks)


def test_a_declared_size_above_the_cap_is_refused_before_reading(editor_on):
    status, _, downstream, read = call(UPLOAD, "PUT", chunks=[b"x" * 65536] * 8,
                                       headers=[("content-length", str(UPLOAD_CAP + 1))])
    assert status == 413 and downstream.calls == [] and read == []


@pytest.mark.parametrize("value", ["abc", "-1", "1e9", " 5", "9" * 5000])
def test_an_unreadable_content_length_is_refused(editor_on, value):
    assert call(UPLOAD, "PUT", chunks=[b"x"], headers=[("content-length", value)])[0] == 400


def test_a_chunked_body_above_the_cap_is_cut_off_while_it_streams(editor_on):
    """No Content-Length (Transfer-Encoding: chunked): counted as it arrives, never held whole."""
    chunks = [b"x" * 65536] * 800  # 50 MB
    status, _, downstream, read = call(UPLOAD, "PUT", chunks=chunks)
    assert status == 413 and downstream.calls == []
    assert sum(read) <= UPLOAD_CAP + 65536 and len(read) < 10


def test_the_cap_counts_bytes_not_messages(editor_on):
    chunks = [b"x" * 1000] * 30
    assert call(UPLOAD, "PUT", chunks=chunks, upload_cap=30_000)[0] == 204
    assert call(UPLOAD, "PUT", chunks=[*chunks, b"x"], upload_cap=30_000)[0] == 413


def test_the_cap_lets_the_editors_largest_article_through():
    """200 KB of article plus its multipart framing fits; Streamlit's own limit (1 MB) is above."""
    from dashboard.ingest import PAGE_LIMIT

    assert PAGE_LIMIT + 500 < UPLOAD_CAP < 1024 * 1024


# ------------------------------------------------------------------ deep paths and long links
@pytest.mark.parametrize("path,target", [
    ("/sources/x", "/sources"), ("/about/x", "/about"), ("/map/x/y/z", "/map"), ("//map", "/map"),
    ("/map/static/js/main.js", None), ("/sources/_stcore/health", None),
    ("/map/../sources", "/map"), ("/../map", "/"), ("/./map/x", "/"),
    ("//evil.example/x", "/"), ("/\\\\evil/x", "/"), ("/Map/x", "/"), ("/a b/c", "/"), ("/map//", None),
    ("/", None), ("/map", None), ("/map/", None), ("/sources", None), ("/unknown-page", None), ("/favicon.png", None),
    ("/static/js/main.js", None), ("/_stcore/health", None), ("/app/static/vendor/x.js", None),
    ("/media/abc.json", None), ("/component/streamlit_folium.st_folium/index.html", None), ("/auth/login", None),
])
def test_deep_paths_go_to_their_page(path, target):
    assert page_target(path, "") == target
    based = page_target(f"/situation{path}", "/situation")
    assert based == (None if target is None else f"/situation{target}")


def test_paths_outside_the_base_path_are_left_alone():
    assert page_target("/sources/x", "/situation") is None
    assert page_target("/situationx/map/y", "/situation") is None


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_deep_link_is_moved_with_its_query_and_a_notice(method):
    status, headers, downstream, _ = call("/sources/x", method, query="date=2024-09-01&zoom=9")
    assert status == 302 and downstream.calls == []
    assert headers[b"location"] == b"/sources?date=2024-09-01&zoom=9&notice=path"


def test_a_deep_link_under_a_base_path(monkeypatch):
    monkeypatch.setattr(guards, "base_path", lambda: "/situation")
    status, headers, _, _ = call("/situation/map/x/y", query="date=2024-09-01")
    assert status == 302 and headers[b"location"] == b"/situation/?date=2024-09-01&notice=path"
    status, headers, _, _ = call("/situation/about/x")
    assert status == 302 and headers[b"location"] == b"/situation/about?notice=path"
    assert call("/map/x")[0] == 204, "outside the base path: Streamlit's answer"


def test_other_methods_on_deep_paths_pass():
    assert call("/sources/x", "POST")[0] == 204


def junk(count: int, valid: str = "date=2024-09-01") -> str:
    return "&".join([f"j{i}=1" for i in range(count // 2)] + [valid] + [f"k{i}=%3Cb%3E" for i in range(count // 2)])


@pytest.mark.parametrize("path,page", [("/", "/"), ("/map", "/"), ("/sources", "/sources"), ("/map/", "/")])
def test_a_link_with_too_many_parameters_keeps_its_own(path, page):
    status, headers, downstream, _ = call(path, query=junk(1001) + "&embed=true&layers=a,b")
    assert status == 302 and downstream.calls == []
    location = headers[b"location"].decode()
    assert location.startswith(page + "?")
    assert parse_qs(urlsplit(location).query) == {"date": ["2024-09-01"], "embed": ["true"], "layers": ["a,b"],
                                                   "notice": ["params"]}
    assert len(location) < 200


def test_a_deep_link_with_too_many_parameters_is_cut_too():
    location = call("/about/x", query=junk(2000))[1][b"location"].decode()
    assert location == "/about?date=2024-09-01&notice=path"


def test_ordinary_links_pass_untouched():
    for query in ("", "date=2024-09-01", junk(48), "utm_source=x&fbclid=y&date=2024-09-01"):
        assert call("/", query=query)[0] == 204, query
    assert call("/_stcore/health", query=junk(3000))[0] == 204, "Streamlit's own routes are not pages"


def test_a_raw_non_ascii_query_is_escaped_in_the_redirect():
    status, headers, _, _ = call("/map/x", query="%D0%B4%D0%B0%D1%82%D0%B0=1&x=\u00e9 y")
    assert status == 302 and headers[b"location"] == b"/?%D0%B4%D0%B0%D1%82%D0%B0=1&x=%E9%20y&notice=path"


def test_the_default_page_is_sent_to_the_base_path():
    """Streamlit serves the default page at the base path only: `/map` showed a "Page not found"
    dialog over the map. Its own name, with or without more path, goes to the base."""
    assert call("/map", query="date=2024-09-01")[1][b"location"] == b"/?date=2024-09-01"
    assert call("/map")[1][b"location"] == b"/"
    assert call("/map/x", "HEAD", query="zoom=9")[1][b"location"] == b"/?zoom=9&notice=path"
    assert call("/sources", query="date=2024-09-01")[0] == 204


def test_the_default_page_is_the_apps():
    from tests.conftest import ROOT

    app = (ROOT / "dashboard" / "ui" / "app.py").read_text()
    assert re.search(rf'url_path="{guards.DEFAULT_PAGE}",\s*default=True', app)


def test_a_session_holds_a_bounded_number_of_files(editor_on, monkeypatch):
    monkeypatch.setattr(guards, "files_held", lambda path: (guards.MAX_FILES_PER_SESSION, False))
    status, _, downstream, read = call(UPLOAD, "PUT", chunks=[b"x" * 100])
    assert status == 429 and downstream.calls == [] and read == []
    monkeypatch.setattr(guards, "files_held", lambda path: (guards.MAX_FILES_PER_SESSION, True))
    assert call(UPLOAD, "PUT", chunks=[b"x" * 100])[0] == 204, "replacing a file it holds adds nothing"


def test_the_server_holds_a_bounded_number_of_files_for_all_sessions(editor_on, monkeypatch):
    monkeypatch.setattr(guards, "files_held", lambda path: (0, False))
    monkeypatch.setattr(guards, "files_held_total", lambda: guards.MAX_FILES_TOTAL)
    status, _, downstream, read = call(UPLOAD, "PUT", chunks=[b"x" * 100])
    assert status == 429 and downstream.calls == [] and read == []
    monkeypatch.setattr(guards, "files_held_total", lambda: guards.MAX_FILES_TOTAL - 1)
    assert call(UPLOAD, "PUT", chunks=[b"x" * 100])[0] == 204
    monkeypatch.setattr(guards, "files_held", lambda path: (1, True))
    monkeypatch.setattr(guards, "files_held_total", lambda: guards.MAX_FILES_TOTAL)
    assert call(UPLOAD, "PUT", chunks=[b"x" * 100])[0] == 204, "replacing a file it holds adds nothing"


def test_without_a_runtime_nothing_is_counted():
    assert guards.files_held(UPLOAD) == (0, False)
    assert guards.files_held_total() == 0
