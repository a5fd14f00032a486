"""Issue #21: property tests for the update's day reader. Any bytes in, "applied", "rejected" with
a reason, or "unreachable" out; never an exception.

Three layers, each fed by hypothesis: the reader alone (read_day: a geometry or Rejected), a day's
judgment (judge: applied or rejected with a reason), and the whole exchange (fetch + judge) against
a loopback socket that answers with arbitrary bytes in place of an HTTP response.
"""

from __future__ import annotations

import json
import socket
import threading
from datetime import date

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.data.series import snap
from dashboard.update.days import ABSENT_DAY, APPLIED, REJECTED, STOPPED, judge
from dashboard.update.fetch import ABSENT, OK, TOO_BIG, UNREACHABLE, Fetched, fetch
from dashboard.update.reader import Rejected, read_day

DAY = date(2026, 8, 23)
CHAIN = snap(shapely.box(37.0, 48.0, 37.2, 48.2))
GOOD = json.dumps({"type": "FeatureCollection",
                   "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
                   "features": [{"type": "Feature", "properties": {},
                                 "geometry": {"type": "Polygon", "coordinates": [[
                                     [37.0, 48.0], [37.21, 48.0], [37.21, 48.2], [37.0, 48.2], [37.0, 48.0]]]}}]}
                  ).encode()
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30),
                    st.floats(min_value=22, max_value=41), st.booleans(), st.none(), st.text(max_size=3))
json_values = st.recursive(
    st.one_of(numbers, st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=5)),
    max_leaves=30)
positions = st.lists(numbers, min_size=0, max_size=4)
rings = st.lists(st.one_of(positions, json_values), min_size=0, max_size=8)
geometries = st.fixed_dictionaries({
    "type": st.sampled_from(["Polygon", "MultiPolygon", "GeometryCollection", "Point", "LineString", "Blob", 7]),
    "coordinates": st.one_of(st.lists(rings, max_size=3), st.lists(st.lists(rings, max_size=3), max_size=3),
                             json_values),
    "geometries": st.one_of(st.lists(json_values, max_size=3), json_values)})
crs = st.one_of(st.none(), json_values, st.just("EPSG:4326"), st.fixed_dictionaries(
    {"type": st.just("name"), "properties": st.one_of(json_values, st.fixed_dictionaries(
        {"name": st.one_of(st.sampled_from(["EPSG:4326", "EPSG:3857"]), json_values)}))}))
collections = st.fixed_dictionaries({
    "type": st.sampled_from(["FeatureCollection", "Feature", "x"]), "crs": crs,
    "features": st.one_of(json_values, st.lists(st.one_of(json_values, st.fixed_dictionaries(
        {"type": st.just("Feature"), "geometry": st.one_of(st.none(), geometries, json_values)})), max_size=4))})


def as_bytes(value: object) -> bytes:
    return json.dumps(value, allow_nan=True).encode()  # NaN/Infinity literals on purpose


@st.composite
def damaged(draw) -> bytes:
    """The good file with a few bytes replaced, cut, doubled or nested deep."""
    raw = bytearray(GOOD)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        kind = draw(st.sampled_from(["replace", "cut", "insert", "nest"]))
        if kind == "replace" and at < len(raw):
            raw[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del raw[at : at + draw(st.integers(1, 40))]
        elif kind == "insert":
            raw[at:at] = draw(st.sampled_from([b"NaN", b"Infinity", b"1e999", b"-", b"[", b"]", b"\x00", b"9" * 500]))
        else:
            depth = draw(st.sampled_from([10, 1_000, 100_000]))
            raw[at:at] = b"[" * depth
    return bytes(raw)


any_day = st.one_of(st.binary(max_size=300), json_values.map(as_bytes), collections.map(as_bytes), damaged())


@FUZZ
@given(any_day)
def test_the_reader_gives_an_area_or_a_named_rejection(raw):
    try:
        geom = read_day(raw)
    except Rejected as exc:
        assert str(exc).strip()
    else:
        assert geom.geom_type in ("Polygon", "MultiPolygon") and not geom.is_empty and geom.is_valid


@FUZZ
@given(any_day)
def test_a_day_is_applied_or_rejected_with_a_reason(raw):
    outcome = judge(DAY, Fetched(OK, raw), CHAIN, 1, 500.0)
    assert outcome.status in (APPLIED, REJECTED)
    assert outcome.status == APPLIED or outcome.reason.strip()


def test_the_good_file_is_applied():  # the properties above are not vacuous
    assert judge(DAY, Fetched(OK, GOOD), CHAIN, 1, 500.0).status == APPLIED


@pytest.fixture(scope="module")
def raw_source():
    """A loopback socket that answers every request with the bytes in `reply[0]`, then closes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    reply = [b""]

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    seen = b""
                    while b"\r\n\r\n" not in seen:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        seen += chunk
                    conn.sendall(reply[0])
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/d.geojson", reply
    listener.close()


def http_reply(status: bytes, headers: list[bytes], body: bytes) -> bytes:
    return b"HTTP/1.1 " + status + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body


headers = st.lists(st.one_of(
    st.builds(lambda n: b"Content-Length: " + n, st.sampled_from([b"0", b"10", b"-1", b"abc", b"99999999999", b""])),
    st.just(b"Transfer-Encoding: chunked"), st.just(b"Location: ftp://127.0.0.1:1/x"), st.just(b"Location: /d.geojson"),
    st.binary(max_size=30)), max_size=4)
replies = st.one_of(
    st.binary(max_size=400),
    st.builds(http_reply, st.sampled_from([b"200 OK", b"404 Not Found", b"302 Found", b"500 Oops", b"999", b"abc"]),
              headers, st.one_of(st.binary(max_size=200), st.just(GOOD), damaged())))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(replies)
def test_any_answer_from_the_source_is_applied_rejected_absent_or_unreachable(raw_source, reply):
    url, slot = raw_source
    slot[0] = reply
    got = fetch(url, timeout=2.0)
    assert got.kind in (OK, ABSENT, TOO_BIG, UNREACHABLE)
    if got.kind == UNREACHABLE:
        assert got.reason.strip()
        status = STOPPED
    else:
        outcome = judge(DAY, got, CHAIN, 1, 500.0)
        status = outcome.status
        assert status in (APPLIED, REJECTED, ABSENT_DAY) and (status == APPLIED or outcome.reason.strip())
    assert status in (APPLIED, REJECTED, ABSENT_DAY, STOPPED)
