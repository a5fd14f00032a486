"""The serving process: compressed Streamlit bundles, and nothing outside the bundle folder."""

import asyncio
import gzip
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard.serving.gzip_static import GzipStaticBundles


def call(middleware, path, headers=(), method="GET"):
    """Run one request through the middleware; return (status, headers, body, passed_on)."""
    passed: list[str] = []

    async def downstream(scope, receive, send):
        passed.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    middleware.app = downstream
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "method": method, "path": path,
             "headers": [(k.encode(), v.encode()) for k, v in headers]}
    # In its own thread: the browser tests' Playwright may hold this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, middleware(scope, receive, send)).result()
    start = sent[0]
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in sent[1:]), passed


@pytest.fixture
def bundles(tmp_path):
    root = tmp_path / "static"
    (root / "static" / "js").mkdir(parents=True)
    (root / "static" / "js" / "main.abc.js").write_text("console.log('x');\n" * 500)
    (root / "static" / "media").mkdir()
    (root / "static" / "media" / "font.woff2").write_bytes(b"\x00" * 100)
    (tmp_path / "secret.js").write_text("nope")
    app_static = tmp_path / "app_static"
    (app_static / "generated").mkdir(parents=True)
    (app_static / "generated" / "layer-x-0123abcd.json").write_text('{"type": "FeatureCollection"}' * 50)
    (app_static / "vendor").mkdir()
    (app_static / "vendor" / "leaflet.js").write_text("L = {};" * 100)
    return GzipStaticBundles(app=None, static_dir=root, app_static=app_static)


def test_bundle_is_sent_gzipped_and_compressed_once(bundles, monkeypatch):
    compressions = []
    real = gzip.compress
    monkeypatch.setattr(gzip, "compress", lambda data, **kw: compressions.append(1) or real(data, **kw))
    status, headers, body, passed = call(bundles, "/static/js/main.abc.js", [("accept-encoding", "gzip, br")])
    assert status == 200 and not passed
    assert headers[b"content-encoding"] == b"gzip" and b"immutable" in headers[b"cache-control"]
    assert gzip.decompress(body) == ("console.log('x');\n" * 500).encode()
    assert len(body) < 200 and int(headers[b"content-length"]) == len(body)
    again = call(bundles, "/static/js/main.abc.js", [("accept-encoding", "gzip")])[2]
    assert again == body and len(compressions) == 1


@pytest.mark.parametrize("path,headers", [
    ("/static/js/main.abc.js", []),                                   # client does not accept gzip
    ("/static/js/main.abc.js", [("accept-encoding", "gzip"), ("range", "bytes=0-9")]),
    ("/static/media/font.woff2", [("accept-encoding", "gzip")]),      # already compressed
    ("/static/../secret.js", [("accept-encoding", "gzip")]),           # outside the folder
    ("/static/js/missing.js", [("accept-encoding", "gzip")]),
    ("/app/static/generated/x.json", [("accept-encoding", "gzip")]),  # no such file
    ("/app/static/../../secret.js", [("accept-encoding", "gzip")]),
    ("/component/x/main.js", [("accept-encoding", "gzip")]),           # not ours
])
def test_everything_else_passes_through(bundles, path, headers):
    status, _, _, passed = call(bundles, path, headers)
    assert status == 204 and passed == [path]


def test_head_gets_headers_without_body(bundles):
    status, headers, body, _ = call(bundles, "/static/js/main.abc.js", [("accept-encoding", "gzip")], "HEAD")
    assert status == 200 and body == b"" and int(headers[b"content-length"]) > 0


def test_app_static_files_are_compressed_with_their_own_cache_policy(bundles):
    status, headers, body, _ = call(bundles, "/app/static/generated/layer-x-0123abcd.json",
                                    [("accept-encoding", "gzip")])
    assert status == 200 and gzip.decompress(body).startswith(b'{"type"')
    assert b"immutable" in headers[b"cache-control"], "content-hashed name: cached for good"
    status, headers, _, _ = call(bundles, "/app/static/vendor/leaflet.js", [("accept-encoding", "gzip")])
    assert status == 200 and b"immutable" not in headers[b"cache-control"]
