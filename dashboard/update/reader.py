"""The day reader: one upstream day's bytes to its occupied area, or `Rejected` with the reason.

Every byte is hostile. The JSON parser's own recursion guard stops deep nesting (RecursionError,
caught), NaN/Infinity literals are refused, and the GeoJSON is then walked along the one shape it
may have (FeatureCollection → features → geometry → rings → positions) with fixed depth, so
nothing below recurses on the input and nothing reaches shapely/GEOS that is not a finite
position. The counts are capped, but repairing even a small outline can take GEOS minutes (a
300-vertex polygon whose edges all cross each other: over a minute in make_valid), so
`read_day_bounded` reads the day in a forked child and rejects it when that takes too long.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os

import shapely
import shapely.errors

from dashboard.data.geometry import polygonal

#: Names of the one CRS the files are in (lon/lat on WGS84); RFC 7946 GeoJSON has no crs member.
WGS84_NAMES = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326",
               "urn:ogc:def:crs:EPSG::4326")
#: A real day is one feature of some hundred polygons and tens of thousands of positions; these
#: caps are far above that and keep make_valid/union on a hostile file within seconds.
MAX_FEATURES = 10_000
MAX_POLYGONS = 50_000
MAX_POSITIONS = 1_000_000
AREAL, OTHER = ("Polygon", "MultiPolygon"), ("Point", "MultiPoint", "LineString", "MultiLineString")


class Rejected(ValueError):
    """The day's file arrived whole and is not a usable map of the occupied area."""


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def read_day(raw: bytes) -> shapely.Geometry:
    """The file's occupied area (full resolution, repaired, areal parts only), or Rejected."""
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise Rejected("not valid JSON (nested too deep)") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, a 5,000-digit integer, NaN
        raise Rejected(f"not valid JSON ({_short(exc)}); truncated or damaged file?") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise Rejected("not a GeoJSON FeatureCollection")
    _check_crs(data.get("crs"))
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise Rejected("no features")
    if len(features) > MAX_FEATURES:
        raise Rejected(f"{len(features):,} features, more than the {MAX_FEATURES:,} a day's file may have")
    budget = _Budget()
    shapes: list[shapely.Geometry] = []
    for n, feature in enumerate(features, 1):
        if not isinstance(feature, dict):
            raise Rejected(f"feature {n}: not a JSON object")
        geometry = feature.get("geometry")
        if geometry is None:
            continue
        try:
            shapes += _shapes(geometry, budget, nested=False)
        except Rejected as exc:
            raise Rejected(f"feature {n}: {exc}") from None
    try:
        # Upstream outlines now and then self-touch; make_valid keeps all of their area.
        geom = polygonal(shapely.union_all(shapely.make_valid(shapes))) if shapes else shapely.MultiPolygon()
    except (shapely.errors.ShapelyError, ValueError) as exc:
        raise Rejected(f"the polygons cannot be repaired ({_short(exc)})") from None
    if geom.is_empty:
        raise Rejected("no polygonal area")
    return geom


def read_day_bounded(raw: bytes, seconds: float) -> shapely.Geometry:
    """read_day in a forked child, killed after `seconds` (GEOS cannot be interrupted)."""
    ctx = multiprocessing.get_context("fork")  # the child starts at once, with the reader loaded
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_read_in_child, args=(raw, send), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise Rejected(f"the outline could not be repaired within {seconds:g} s (edges crossing everywhere?)")
        try:
            kind, payload = receive.recv()
        except (EOFError, OSError):  # the child died: out of memory, or killed
            raise Rejected(f"the reader stopped on this file (exit status {child.join(5) or child.exitcode})") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()
    if kind == "rejected":
        raise Rejected(payload)
    return shapely.from_wkb(payload)


def _read_in_child(raw: bytes, send) -> None:
    try:
        try:
            send.send(("ok", shapely.to_wkb(read_day(raw))))
        except Rejected as exc:
            send.send(("rejected", str(exc)))
        except Exception as exc:  # noqa: BLE001 - whatever it is, the parent rejects the day with its name
            send.send(("rejected", f"the reader failed ({type(exc).__name__}: {_short(exc)})"))
    finally:
        os._exit(0)  # no atexit handlers or pytest/finalizers of the parent in the child


def _check_crs(crs: object) -> None:
    if crs is None:
        return
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    if not isinstance(name, str):
        raise Rejected(f"crs must be an object naming a CRS in properties.name, not {_shown(crs)}")
    if name not in WGS84_NAMES:
        raise Rejected(f"unexpected CRS {_shown(name)}")


class _Budget:
    def __init__(self) -> None:
        self.polygons = self.positions = 0

    def spend(self, polygons: int, positions: int) -> None:
        self.polygons += polygons
        self.positions += positions
        if self.polygons > MAX_POLYGONS or self.positions > MAX_POSITIONS:
            raise Rejected(f"more than {MAX_POLYGONS:,} polygons or {MAX_POSITIONS:,} positions")


def _shapes(geometry: object, budget: _Budget, nested: bool) -> list[shapely.Geometry]:
    if not isinstance(geometry, dict):
        raise Rejected(f"geometry is not a JSON object ({_shown(geometry)})")
    kind = geometry.get("type")
    if kind == "GeometryCollection" and not nested:
        members = geometry.get("geometries")
        if not isinstance(members, list):
            raise Rejected("GeometryCollection without a geometries list")
        return [s for m in members for s in _shapes(m, budget, nested=True)]
    if kind in OTHER:
        return []  # no area: dropped, as overlays drop stray lines and points
    if kind not in AREAL:
        raise Rejected(f"geometry type {_shown(kind)} is not a GeoJSON polygon"
                       + (" (collections inside collections are not read)" if kind == "GeometryCollection" else ""))
    coords = geometry.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords
    if not isinstance(polygons, list):
        raise Rejected(f"{kind} coordinates are not a list")
    budget.spend(len(polygons), 0)
    return [_polygon(p, budget) for p in polygons]


def _polygon(rings: object, budget: _Budget) -> shapely.Geometry:
    if not isinstance(rings, list) or not rings:
        raise Rejected("a polygon is not a non-empty list of rings")
    out = [_ring(r, budget) for r in rings]
    try:
        return shapely.Polygon(out[0], out[1:])
    except (shapely.errors.ShapelyError, ValueError, TypeError) as exc:
        raise Rejected(f"malformed polygon ({_short(exc)})") from None


def _ring(ring: object, budget: _Budget) -> list[tuple[float, float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise Rejected("a ring is not a list of at least 4 positions")
    budget.spend(0, len(ring))
    return [_position(p) for p in ring]


def _position(position: object) -> tuple[float, float]:
    if not isinstance(position, list) or not 2 <= len(position) <= 3:
        raise Rejected(f"a position is not [lon, lat] ({_shown(position)})")
    # bool is an int to Python, 1e999 parses as inf and a 400-digit integer overflows a float:
    # all are refused here.
    try:
        values = [float(v) for v in position if type(v) in (int, float)]
    except OverflowError:
        values = []
    if len(values) != len(position) or not all(math.isfinite(v) for v in values):
        raise Rejected(f"a position holds something other than finite numbers ({_shown(position)})")
    lon, lat = values[0], values[1]
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise Rejected(f"a position is not a longitude and latitude ({_shown(position)})")
    return lon, lat


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:120] + "…"
