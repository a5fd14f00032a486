"""Each day after the last shipped one: fetch it, check it, and measure and encode it if it passes.

A day's file is rejected, with its reason, when it is too big, does not parse as a GeoJSON
FeatureCollection of polygons, has no area left after repair (make_valid), lies outside
Ukraine's extent, or changes more area than is plausible since the last accepted day. A
rejected day never enters the data and does not move the chain on: the next day is checked and
encoded against the last accepted day, as if the rejected one were missing upstream.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import shapely

from dashboard.data.geometry import GRID, measured_km2, polygonal
from dashboard.data.series import Boundaries, Encoder, measure_day, parse_snapshot, snap
from dashboard.update.fetch import ABSENT, OK, UNREACHABLE, day_url, fetch
from dashboard.update.state import Current

#: Ukraine spans lon 22.1..40.2, lat 44.4..52.4; anything outside this box is not a map of it.
EXTENT = (22.0, 44.0, 41.0, 53.0)
#: Plausible changed area (gained + lost, km², EPSG:6933) per day since the last accepted day.
#: In the 769 shipped days (2024-07-08 .. 2026-08-22) the median day changed 7.8 km² and the
#: largest 123.7 km² (2026-08-13, a correction returning 120 km²); the largest net change of
#: the total was 115.8 km². 500 km² a day is four times that largest day, and far below what a
#: broken file changes (a lost oblast or a shifted outline: thousands of km²). A real collapse
#: of a front could exceed it: then re-run with --max-change-km2 after looking at the day.
MAX_CHANGE_KM2_PER_DAY = 500.0
#: After a gap the bound grows with the days since the last accepted day, but no further than a
#: week's worth (3,500 km²), so a long outage upstream does not let any file through.
MAX_GAP_DAYS = 7

APPLIED, ABSENT_DAY, REJECTED, STOPPED = "applied", "absent", "rejected", "unreachable"


@dataclass
class Outcome:
    day: date
    status: str
    reason: str = ""
    changed_km2: float = 0.0
    total_km2: float = 0.0
    geom: shapely.Geometry | None = None  # an accepted day's full-resolution area


@dataclass
class Plan:
    """What the update found: one outcome per day asked, and the accepted days' data."""

    outcomes: list[Outcome] = field(default_factory=list)
    records: list[dict[str, object]] = field(default_factory=list)
    rows: list[dict[str, object]] = field(default_factory=list)
    snapped: dict[date, shapely.Geometry] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


class Rejected(ValueError):
    pass


def days_after(last: date, until: date) -> list[date]:
    return [last + timedelta(n) for n in range(1, (until - last).days + 1)]


def vet(raw: bytes, chain: shapely.Geometry, days: int, max_change: float) -> tuple[shapely.Geometry, float]:
    """The day's full-resolution area and how much it changed against `chain` (km²), or Rejected."""
    try:
        geom = parse_snapshot(raw)
    except ValueError as exc:
        raise Rejected(str(exc)) from None
    minx, miny, maxx, maxy = geom.bounds
    if minx < EXTENT[0] or miny < EXTENT[1] or maxx > EXTENT[2] or maxy > EXTENT[3]:
        raise Rejected(f"outside Ukraine's extent (bounds {minx:.2f}, {miny:.2f}, {maxx:.2f}, {maxy:.2f})")
    changed = polygonal(shapely.symmetric_difference(snap(geom), chain, grid_size=GRID))
    changed_km2 = measured_km2(changed)
    limit = max_change * min(days, MAX_GAP_DAYS)
    if changed_km2 > limit:
        raise Rejected(f"implausible change: {changed_km2:,.0f} km² changed hands in {days} day(s), "
                       f"more than {limit:,.0f} km²")
    return geom, changed_km2


def collect(current: Current, until: date, source: str, timeout: float,
            max_change: float = MAX_CHANGE_KM2_PER_DAY, report=print) -> Plan:
    """Fetch and judge every day after the last shipped one up to `until`. Stops at the first day
    the source cannot be reached: later days would only wait for the same timeout, and leaving
    them unasked keeps the shipped days contiguous with what the next run will ask."""
    plan, encoder = Plan(), Encoder(current.provenance, current.chain, current.last_key)
    bounds: Boundaries | None = None
    accepted = current.last
    for day in days_after(current.last, until):
        got = fetch(day_url(source, day), timeout)
        if got.kind == UNREACHABLE:
            plan.outcomes.append(Outcome(day, STOPPED, got.reason))
            report(_line(plan.outcomes[-1]))
            break
        outcome = _judge(day, got, encoder.chain, (day - accepted).days, max_change)
        if outcome.status == APPLIED:
            bounds = bounds or Boundaries.read(current.root)
            plan.snapped[day] = snap(outcome.geom)
            plan.records += encoder.next_records(day, plan.snapped[day])
            plan.rows.append(measure_day(day, outcome.geom, bounds))
            outcome.total_km2, accepted = float(plan.rows[-1]["total_km2"]), day
        plan.outcomes.append(outcome)
        report(_line(outcome))
    return plan


def _judge(day: date, got, chain: shapely.Geometry, days: int, max_change: float) -> Outcome:
    if got.kind == ABSENT:
        return Outcome(day, ABSENT_DAY, "not published upstream (HTTP 404)")
    if got.kind != OK:
        return Outcome(day, REJECTED, got.reason)
    try:
        geom, changed = vet(got.data, chain, days, max_change)
    except Rejected as exc:
        return Outcome(day, REJECTED, str(exc))
    return Outcome(day, APPLIED, changed_km2=changed, geom=geom)


def _line(o: Outcome) -> str:
    if o.status == APPLIED:
        return f"{o.day}  applied    {o.total_km2:,.2f} km² occupied, {o.changed_km2:,.2f} km² changed hands"
    if o.status == ABSENT_DAY:
        return f"{o.day}  absent     {o.reason}"
    return f"{o.day}  {o.status:<10} {o.reason}"
