"""Issue #21, findings 1-5: `python -m dashboard.update` against a hostile source on loopback.

A malformed day is rejected with its reason and the good days around it are written; a transfer
cut off is "unreachable" and asked again; a rejected day is asked again on later runs (the count
in update-state.json, itself read as hostile); one deadline bounds a request and the run;
redirects are http(s) only, at most three, and named; --until and runs of absent days are bounded.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dashboard.update.__main__ import main as update_main
from tests.test_update import D1, D2, D3, D4, D6, LAST, LAYER, assert_clean, digest, history_of
from tests.test_update import files as _files  # noqa: F401 - registered as the fixture `_files`

STATE_FILE, MAX_RUNS = "update-state.json", 7  # dashboard/update/retry.py (checked below)
Behaviour = Callable[[BaseHTTPRequestHandler], None]


@pytest.fixture(scope="module")
def files(_files):  # noqa: F811 - the imported fixture, by its pytest name
    """test_update's day files (good days from the shipped last day, and broken ones)."""
    return _files


def name(day: date) -> str:
    return f"deepstatemap_data_{day:%Y%m%d}.geojson"


def body(data: bytes) -> Behaviour:
    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
    return send


def cut_off(data: bytes) -> Behaviour:
    """Content-Length says the whole file; the connection closes half-way."""
    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data[: len(data) // 2])
        h.wfile.flush()
        h.close_connection = True
    return send


def redirect(location: str, code: int = 302) -> Behaviour:
    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(code)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return send


class Source:
    """A loopback HTTP server: `routes` maps a file name to what the server does; others 404."""

    def __init__(self) -> None:
        self.routes: dict[str, Behaviour] = {}
        self.asked: list[str] = []
        routes, asked = self.routes, self.asked

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                asked.append(self.path)
                send = routes.get(self.path.rsplit("/", 1)[-1]) or routes.get(self.path)
                if send is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    try:
                        send(self)
                    except OSError:  # the client gave up: that is what some tests want
                        pass
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/data"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def src():
    s = Source()
    yield s
    s.close()


def update(data: Path, url: str, until: date, *extra: str) -> int:
    return update_main(["--source", url, "--data", str(data), "--until", until.isoformat(), "--timeout", "10", *extra])


def variant(good: bytes, change: Callable[[dict], object]) -> bytes:
    doc = json.loads(good)
    change(doc)
    return json.dumps(doc).encode()


def first_ring(doc: dict) -> list:
    geom = doc["features"][0]["geometry"]
    return geom["coordinates"][0] if geom["type"] == "Polygon" else geom["coordinates"][0][0]


def set_vertex(value: str) -> Callable[[dict], None]:
    return lambda doc: first_ring(doc).__setitem__(1, value)


# Finding 1 ---------------------------------------------------------------------------------------
def malformed(good: bytes) -> dict[str, bytes]:
    text = good.decode()
    nan_vertex = variant(good, set_vertex("NANHERE")).replace(b'"NANHERE"', b"[NaN, 48.0]")
    return {
        "crs is a string": variant(good, lambda d: d.__setitem__("crs", "EPSG:4326")),
        "crs.properties is a string": variant(good, lambda d: d["crs"].__setitem__("properties", "EPSG:4326")),
        "crs is a list": variant(good, lambda d: d.__setitem__("crs", [1, 2])),
        "NaN vertex": nan_vertex,
        "Infinity vertex": nan_vertex.replace(b"NaN", b"Infinity"),
        "1e999 vertex": nan_vertex.replace(b"NaN", b"1e999"),
        "huge integer vertex": nan_vertex.replace(b"NaN", b"9" * 400),
        "string vertex": variant(good, set_vertex("x")),
        "bool vertex": variant(good, set_vertex([True, 48.0])),
        "200,000 deep": ("[" * 200_000 + "]" * 200_000).encode(),
        "deep inside coordinates": text.replace('"coordinates": [', '"coordinates": ' + "[" * 100_000, 1).encode(),
        "features is an object": variant(good, lambda d: d.__setitem__("features", {"a": 1})),
        "feature is a number": variant(good, lambda d: d.__setitem__("features", [7])),
        "geometry is a string": variant(good, lambda d: d["features"][0].__setitem__("geometry", "POLYGON")),
        "ring of two positions": variant(good, lambda d: d["features"][0].__setitem__(
            "geometry", {"type": "Polygon", "coordinates": [[[37.0, 48.0], [37.1, 48.0]]]})),
        "unknown geometry type": variant(good, lambda d: d["features"][0]["geometry"].__setitem__("type", "Blob")),
        "nested collections": variant(good, lambda d: d["features"][0].__setitem__("geometry", {
            "type": "GeometryCollection", "geometries": [{"type": "GeometryCollection", "geometries": []}]})),
        "latin-1 bytes": b"\xff\xfe\x00garbage",
        "empty": b"",
    }


def test_each_malformed_day_is_rejected_with_a_reason_and_the_good_days_around_it_are_written(
        data_copy, src, files, capsys):
    cases = malformed(files[D1])
    days = [LAST + timedelta(n) for n in range(1, len(cases) + 3)]
    src.routes[name(days[0])] = body(files[D1])
    for day, raw in zip(days[1:-1], cases.values(), strict=True):
        src.routes[name(day)] = body(raw)
    src.routes[name(days[-1])] = body(files[D6])
    assert update(data_copy, src.url, days[-1]) == 1
    out = capsys.readouterr().out
    assert "Traceback" not in out
    for day, what in zip(days[1:-1], cases, strict=True):
        (text,) = [x for x in out.splitlines() if x.startswith(str(day))]
        assert "  rejected   " in text and len(text.split("rejected", 1)[1].strip()) > 5, (what, text)
    assert f"2 applied, 0 absent upstream, {len(cases)} rejected" in out
    assert history_of(data_copy).days[-2:] == [days[0], days[-1]]
    assert_clean(data_copy)


# Finding 2 ---------------------------------------------------------------------------------------
def test_a_transfer_cut_off_is_unreachable_and_asked_again_next_run(data_copy, src, files, capsys):
    src.routes[name(D1)] = body(files[D1])
    src.routes[name(D2)] = cut_off(files[D1])
    src.routes[name(D3)] = body(files[D6])
    assert update(data_copy, src.url, D3) == 3
    out = capsys.readouterr().out
    assert f"{D2}  unreachable" in out and "cut off" in out and "rejected" not in out.split("summary")[0]
    assert history_of(data_copy).last == D1  # the day before it is written
    src.routes[name(D2)] = body(files[D1])
    assert update(data_copy, src.url, D3) == 0
    assert history_of(data_copy).days[-3:] == [D1, D2, D3]
    assert_clean(data_copy)


def test_a_rejected_day_is_asked_again_and_inserted_when_it_is_good(data_copy, src, files, capsys):
    src.routes[name(D1)] = body(files[D1])
    src.routes[name(D2)] = body(b'{"type": "FeatureCollection", "crs": "EPSG:4326", "features": []}')
    src.routes[name(D3)] = body(files[D6])
    assert update(data_copy, src.url, D3) == 1
    assert history_of(data_copy).days[-2:] == [D1, D3]
    state = json.loads((data_copy / STATE_FILE).read_text())
    assert state["rejected"][D2.isoformat()]["runs"] == 1
    replay_d3 = history_of(data_copy).snapshot(D3).geometry
    capsys.readouterr()
    src.routes[name(D2)] = body(files[D6])  # now good: the next run inserts it before D3
    assert update(data_copy, src.url, D3) == 0
    out = capsys.readouterr().out
    assert f"{D2}  applied" in out and "asked again" in out
    history = history_of(data_copy)
    assert history.days[-3:] == [D1, D2, D3]
    assert history.snapshot(D3).geometry.equals(replay_d3) or history.snapshot(D3).geometry.symmetric_difference(
        replay_d3).area == 0
    assert json.loads((data_copy / STATE_FILE).read_text())["rejected"] == {}
    assert_clean(data_copy)


def test_a_day_that_stays_bad_is_given_up_after_the_named_number_of_runs(data_copy, src, files, capsys):
    from dashboard.update import retry

    assert (retry.STATE_FILE, retry.MAX_RUNS) == (STATE_FILE, MAX_RUNS)
    src.routes[name(D1)] = body(files[D1])
    src.routes[name(D2)] = body(b"not json")
    src.routes[name(D3)] = body(files[D6])
    for run in range(MAX_RUNS):
        assert update(data_copy, src.url, D3) == 1, run
    assert "no longer asked" in capsys.readouterr().out
    src.asked.clear()
    assert update(data_copy, src.url, D3) == 0  # up to date: D2 is not asked an eighth time
    assert not [p for p in src.asked if name(D2) in p]
    assert_clean(data_copy)


@pytest.mark.parametrize("state", [
    b"{", b"[]", b'{"version": 1, "rejected": {"2026-08-24": {"runs": 99, "reason": "x"}}}',
    b'{"version": 1, "rejected": {"2026-02-30": {"runs": 1, "reason": "x"}}}',
    b'{"version": 1, "rejected": {"24.08.2026": {"runs": true, "reason": "x"}}}',
    b'{"version": 1, "rejected": {"2026-08-24": {"runs": NaN, "reason": "x"}}}',
    b"[" * 100_000, b"\x00" * 70_000, "symlink", "fifo",
])
def test_a_hostile_state_file_is_named_and_ignored(state, data_copy, src, files, capsys):
    path = data_copy / STATE_FILE
    if state == "symlink":
        path.symlink_to("/etc/passwd")
    elif state == "fifo":
        os.mkfifo(path)  # reading it would block for ever
    else:
        path.write_bytes(state)
    src.routes[name(D1)] = body(files[D1])
    assert update(data_copy, src.url, D1) == 0
    captured = capsys.readouterr()
    assert f"warning: {STATE_FILE}" in captured.err and "ignored" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert path.is_file() and not path.is_symlink()  # rewritten with the data
    assert json.loads(path.read_text())["version"] == 1
    assert history_of(data_copy).last == D1


# Finding 3 ---------------------------------------------------------------------------------------
def trickle(data: bytes, every: float, sent: list[int]) -> Behaviour:
    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        for i in range(len(data)):
            h.wfile.write(data[i : i + 1])
            h.wfile.flush()
            sent[0] = i + 1
            time.sleep(every)
    return send


def slow_headers(sent: list[int]) -> Behaviour:
    def send(h: BaseHTTPRequestHandler) -> None:
        for i, byte in enumerate(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 400):
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            sent[0] = i + 1
            time.sleep(0.05)
    return send


@pytest.mark.parametrize("where", ["body", "headers"])
def test_timeout_bounds_the_whole_request_against_a_trickling_source(where, data_copy, src, files, capsys):
    sent = [0]
    src.routes[name(D1)] = body(files[D1])
    src.routes[name(D2)] = trickle(files[D1], 0.05, sent) if where == "body" else slow_headers(sent)
    code = update_main(["--source", src.url, "--data", str(data_copy), "--until", D2.isoformat(), "--timeout", "1"])
    assert code == 3
    out = capsys.readouterr().out
    assert f"{D2}  unreachable" in out and "no whole answer within 1 s" in out
    # The source would have trickled for 20 s or more; the update hung up long before.
    assert sent[0] < 100
    assert history_of(data_copy).last == D1


def slow(data: bytes, wait: float) -> Behaviour:
    def send(h: BaseHTTPRequestHandler) -> None:
        time.sleep(wait)
        body(data)(h)
    return send


def test_max_run_bounds_the_whole_run_and_writes_what_was_accepted(data_copy, src, files, capsys):
    days = [LAST + timedelta(n) for n in range(1, 40)]
    for day in days:
        src.routes[name(day)] = slow(files[D1], 0.4)
    code = update(data_copy, src.url, days[-1], "--max-run", "1.5")
    assert code == 3
    out = capsys.readouterr().out
    assert "time bound" in out and "asked next run" in out
    written = history_of(data_copy).days
    assert LAST < written[-1] < days[-1]  # some days, not all
    assert len(src.asked) < 10
    assert_clean(data_copy)


# Finding 4 ---------------------------------------------------------------------------------------
def test_a_redirect_to_ftp_is_refused_and_never_connects(data_copy, src, files, capsys):
    ftp = socket.socket()
    ftp.bind(("127.0.0.1", 0))
    ftp.listen(4)
    ftp.settimeout(0.5)
    try:
        src.routes[name(D1)] = redirect(f"ftp://127.0.0.1:{ftp.getsockname()[1]}/{name(D1)}")
        assert update(data_copy, src.url, D1) == 3
        with pytest.raises(TimeoutError):
            ftp.accept()
    finally:
        ftp.close()
    out = capsys.readouterr().out
    assert f"{D1}  unreachable" in out and "ftp://" in out and "refused" in out


def test_redirects_are_limited_and_other_hosts_are_named(data_copy, src, files, capsys):
    src.routes[name(D1)] = redirect(f"http://localhost:{src.port}/hop1")
    src.routes["/hop1"] = redirect("/hop2", 301)
    src.routes["/hop2"] = body(files[D1])
    for n in range(6):  # a loop
        src.routes[name(D2 + timedelta(n))] = redirect(f"/loop{n}")
        src.routes[f"/loop{n}"] = redirect(f"/loop{n}")
    assert update(data_copy, src.url, D2) == 3
    out = capsys.readouterr().out
    (applied,) = [x for x in out.splitlines() if x.startswith(f"{D1}  applied")]
    assert f"another host (localhost:{src.port})" in applied and applied.endswith(f"http://localhost:{src.port}/hop2]")
    assert f"{D2}  unreachable" in out and "more than 3 redirects" in out
    assert len([p for p in src.asked if "loop" in p]) == 3


def test_a_redirect_from_https_to_http_is_refused():
    from dashboard.update.fetch import _follow

    assert "refused" in _follow("https://example.org/a", "http://example.org/b", 0)[1]
    assert _follow("http://example.org/a", "https://example.org/b", 0) == ("https://example.org/b", "")
    assert "refused" in _follow("http://example.org/a", "file:///etc/passwd", 0)[1]
    assert "refused" in _follow("http://example.org/a", "gopher://example.org/", 0)[1]


# Finding 5 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("until", ["9999-12-31", "2999-01-01"])
def test_until_beyond_tomorrow_is_one_line_and_exit_2(until, data_copy, capsys):
    before = digest(data_copy)
    with pytest.raises(SystemExit) as exc:
        update_main(["--data", str(data_copy), "--until", until])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "--until" in err and "tomorrow" in err and "\n" not in err
    assert digest(data_copy) == before


def test_until_tomorrow_is_allowed(data_copy, src, files, capsys):
    from dashboard.update.__main__ import parse_args, today_utc

    assert parse_args(["--until", (today_utc() + timedelta(1)).isoformat()]).until == today_utc() + timedelta(1)


def test_a_run_of_absent_days_stops_the_run_and_the_good_days_are_written(data_copy, src, files, capsys):
    src.routes[name(D1)] = body(files[D1])
    src.routes[name(D2)] = body(files[D1])
    until = LAST + timedelta(100)
    assert update(data_copy, src.url, until, "--max-absent", "5") == 3
    out = capsys.readouterr().out
    assert "5 days in a row not published" in out
    assert len(src.asked) == 2 + 5
    assert history_of(data_copy).days[-2:] == [D1, D2]
    assert_clean(data_copy)


@pytest.mark.parametrize("extra", [["--timeout", "1e308"], ["--max-run", "1e308"], ["--max-absent", "0"],
                                   ["--max-absent", "x"], ["--until", "2026-02-30"], ["--until", "20260823"]])
def test_more_bad_arguments_are_one_line_and_exit_2(extra, data_copy, capsys):
    with pytest.raises(SystemExit) as exc:
        update_main(["--data", str(data_copy), *extra])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert extra[0] in captured.err and "\n" not in captured.err.strip() and "Traceback" not in captured.err


def test_an_outline_too_tangled_to_repair_in_time_is_rejected_and_the_run_goes_on(data_copy, src, files, capsys,
                                                                                   monkeypatch):
    """400 random vertices whose edges cross everywhere: GEOS's make_valid needs minutes for it."""
    import random

    import dashboard.update.days as days

    monkeypatch.setattr(days, "REPAIR_SECONDS", 2.0)
    rng = random.Random(7)
    ring = [[37.0 + rng.random() / 2, 48.0 + rng.random() / 2] for _ in range(400)]
    tangled = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}}]}
    src.routes[name(D1)] = body(json.dumps(tangled).encode())
    src.routes[name(D2)] = body(files[D1])
    assert update(data_copy, src.url, D2) == 1
    out = capsys.readouterr().out
    assert f"{D1}  rejected" in out and "could not be repaired within 2 s" in out
    assert history_of(data_copy).last == D2


def test_a_re_asked_day_must_also_fit_the_shipped_day_after_it(data_copy, src, files, capsys):
    src.routes[name(D2)] = body(b"not json")
    src.routes[name(D3)] = body(files[D1])
    assert update(data_copy, src.url, D3) == 1
    before = digest(data_copy)
    # Now D2 is 8,300 km² away from both the day before (two days earlier: plausible with this
    # bound) and D3 (one day later: not plausible): it must not go in between.
    src.routes[name(D2)] = body(files[D4])
    assert update(data_copy, src.url, D3, "--max-change-km2", "5000") == 1
    out = capsys.readouterr().out
    assert f"{D2}  rejected" in out and f"against the next shipped day {D3}" in out
    assert history_of(data_copy).days[-2:] == [LAST, D3]
    assert digest(data_copy)[LAYER] == before[LAYER]


def test_addresses_from_the_source_cannot_write_control_characters_into_the_log(data_copy, src, capsys):
    src.routes[name(D1)] = redirect("http://127.0.0.1:1/\x1b[2J\nFAKE LINE")
    update(data_copy, src.url, D1)
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\nFAKE LINE" not in out


def test_the_proxy_setting_is_honoured_as_urllib_honoured_it(data_copy, src, files, capsys, monkeypatch):
    """The loopback server stands in for a proxy: it is asked for the absolute URL."""
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{src.port}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    src.routes[name(D1)] = body(files[D1])
    assert update(data_copy, "http://upstream.invalid/data", D1) == 0
    assert src.asked == [f"http://upstream.invalid/data/{name(D1)}"]
    monkeypatch.setenv("no_proxy", "upstream.invalid")
    assert update(data_copy, "http://upstream.invalid/data", D2) == 3  # direct: no such host
