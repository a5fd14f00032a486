"""The serving process: compressed Streamlit bundles, and nothing outside the bundle folder."""

import asyncio
import gzip
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard.serving.gzip_static import APP_STATIC, GzipStaticBundles, canonical_rest, streamlit_static_dir


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
    return GzipStaticBundles(app=None, static_dir=root, app_static=app_static, generated=app_static / "generated")


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


def test_generated_files_are_served_from_the_cache_folder_even_without_gzip(tmp_path):
    """The generated files are not in the package (a read-only install): the app serves them
    from its cache folder, compressed or not, and nothing else from there."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "history-0123abcd.json").write_text('{"days": []}' * 40)
    (tmp_path / "app_static").mkdir()
    served = GzipStaticBundles(app=None, static_dir=tmp_path, app_static=tmp_path / "app_static", generated=cache)
    status, headers, body, passed = call(served, "/app/static/generated/history-0123abcd.json")
    assert status == 200 and not passed and body == ('{"days": []}' * 40).encode()
    assert b"content-encoding" not in headers and b"immutable" in headers[b"cache-control"]
    status, headers, body, _ = call(served, "/app/static/generated/history-0123abcd.json",
                                    [("accept-encoding", "gzip")])
    assert status == 200 and gzip.decompress(body) == ('{"days": []}' * 40).encode()
    for path in ("/app/static/generated/missing.json", "/app/static/generated/../cache/history-0123abcd.json"):
        assert call(served, path)[3] == [path]


def _variants(path: str, count: int) -> list[str]:
    """`count` spellings of one path that a lax server maps to the same file: doubled slashes,
    `.` and `x/..` segments, percent-encoded dots and slashes, suffixes after the name."""
    head, _, tail = path.rpartition("/")

    def shapes(i: int) -> list[str]:
        return [f"{head}/{'./' * (i + 1)}{tail}", f"{head}{'/' * (i + 2)}{tail}", f"{head}/x{i}/../{tail}",
                f"{head}/%2e/{'%2E/' * i}{tail}", f"{head}%2f{'/' * i}{tail}", f"{path}?v={i}",
                f"{head}/.%2e/x{i}/{tail}", f"{path}/.{'/' * i}"]

    return [shape for i in range(count // 8 + 1) for shape in shapes(i)][:count]


REAL = ["/static/js/main.abc.js", "/app/static/generated/layer-x-0123abcd.json", "/app/static/vendor/leaflet.js"]


@pytest.mark.parametrize("real", REAL)
def test_path_variants_do_not_grow_memory(bundles, real):
    accept = [("accept-encoding", "gzip")]
    canonical = call(bundles, real, accept)[2]
    variants = _variants(real, 2000)
    assert len(set(variants)) == 2000
    for path in variants:
        status, _, body, passed = call(bundles, path, accept)
        assert passed == [path] or (status == 200 and body == canonical), path
    # bounded by the files on disk, whatever the clients send
    assert len(bundles._found) <= len(REAL)


def test_only_canonical_paths_are_served(bundles):
    accept = [("accept-encoding", "gzip")]
    for path in ("/static/./js/main.abc.js", "/static//js/main.abc.js", "/static/js/%2e/main.abc.js",
                 "/static/x/../js/main.abc.js", "/app/static/vendor//leaflet.js", "/app/static/./vendor/leaflet.js"):
        assert call(bundles, path, accept)[3] == [path], f"{path}: left to Streamlit, which refuses or serves it"
    assert bundles._found == {}


@pytest.mark.parametrize("accept", [
    "gzip;q=0", "gzip; q=0.000", "GZIP;Q=0, br", "br, *;q=0", "identity", "identity, *;q=0", "",
    "gzip;q=abc", "x-gzipped",
])
def test_gzip_refused_by_the_client_is_not_sent(bundles, accept):
    status, _, _, passed = call(bundles, "/static/js/main.abc.js", [("accept-encoding", accept)])
    assert status == 204 and passed, accept


@pytest.mark.parametrize("accept", ["gzip", "gzip;q=0.5", "br;q=1.0, gzip;q=0.001", "*", "br, *;q=0.1",
                                    "identity;q=0, gzip", "deflate, gzip ; q = 1"])
def test_gzip_accepted_by_the_client_is_sent(bundles, accept):
    status, headers, _, _ = call(bundles, "/static/js/main.abc.js", [("accept-encoding", accept)])
    assert status == 200 and headers[b"content-encoding"] == b"gzip", accept


def test_every_shipped_file_name_is_canonical():
    """The path check must not turn away a real bundle: hashes use `_` and `-`, for instance."""
    roots = [streamlit_static_dir() / "static", APP_STATIC]
    names = [file.relative_to(root).as_posix() for root in roots for file in root.rglob("*") if file.is_file()]
    assert len(names) > 50
    assert [name for name in names if not canonical_rest(name)] == []


def test_memo_has_a_ceiling_and_serving_goes_on_past_it(bundles, monkeypatch):
    monkeypatch.setattr("dashboard.serving.gzip_static.MAX_FOUND", 2)
    for path in REAL:
        status, headers, _, _ = call(bundles, path, [("accept-encoding", "gzip")])
        assert status == 200 and headers[b"content-encoding"] == b"gzip", path
    assert len(bundles._found) == 2
