"""Each day after the last shipped one: fetch it, check it, and measure and encode it if it passes.

A day's file is rejected, with its reason, when it is too big, does not read as a GeoJSON
FeatureCollection of polygons (reader.py), has no area left after repair (make_valid), lies
outside Ukraine's extent, or changes more area than is plausible since the last accepted day. A
rejected day never enters the data and does not move the chain on: the next day is checked and
encoded against the last accepted day, as if the rejected one were missing upstream. It is asked
again on later runs (retry.py). A transfer that did not complete is "unreachable": the run stops
there and the next run asks again from that day.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import shapely
import shapely.errors

from dashboard.data.geometry import GRID, measured_km2, polygonal
from dashboard.data.series import Boundaries, Encoder, measure_day, snap
from dashboard.update.fetch import ABSENT, OK, UNREACHABLE, Fetched, day_url, fetch
from dashboard.update.reader import Rejected, read_day_bounded
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
#: The longest run of days missing upstream in 2024-2026 was 2 days; after 14 in a row the
#: source has stopped publishing (or the URL is wrong), and asking further only makes requests.
MAX_ABSENT_IN_A_ROW = 14
#: Reading and repairing a real day takes well under a second; a file that keeps GEOS busy for a
#: minute is rejected (and asked again next run) instead of holding the run for hours.
REPAIR_SECONDS = 60.0

APPLIED, ABSENT_DAY, REJECTED, STOPPED = "applied", "absent", "rejected", "unreachable"


@dataclass
class Outcome:
    day: date
    status: str
    reason: str = ""
    changed_km2: float = 0.0
    total_km2: float = 0.0
    geom: shapely.Geometry | None = None  # an accepted day's full-resolution area
    note: str = ""  # how the request was redirected, if it was


@dataclass
class Plan:
    """What the update found: one outcome per day asked, and the accepted days' data."""

    outcomes: list[Outcome] = field(default_factory=list)
    records: list[dict[str, object]] = field(default_factory=list)
    rows: list[dict[str, object]] = field(default_factory=list)
    snapped: dict[date, shapely.Geometry] = field(default_factory=dict)
    #: days already shipped whose replay must not change (after a day inserted before them)
    unchanged: dict[date, shapely.Geometry] = field(default_factory=dict)
    stopped: str = ""  # why the run ended before --until ("" when it asked every day)
    notes: list[str] = field(default_factory=list)  # lines for the report (re-asks given up)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


@dataclass
class Limits:
    timeout: float  # one request, all of it
    deadline: float  # time.monotonic() by which the whole run stops asking
    max_change: float = MAX_CHANGE_KM2_PER_DAY
    max_absent: int = MAX_ABSENT_IN_A_ROW


def days_after(last: date, until: date) -> list[date]:
    return [last + timedelta(n) for n in range(1, (until - last).days + 1)]


def vet(raw: bytes, chain: shapely.Geometry, days: int, max_change: float) -> tuple[shapely.Geometry, float]:
    """The day's full-resolution area and how much it changed against `chain` (km²), or Rejected."""
    geom = read_day_bounded(raw, REPAIR_SECONDS)
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


def ask(day: date, source: str, limits: Limits) -> Fetched | None:
    """The day's answer, or None when the run's time is up (the day is left for the next run)."""
    left = limits.deadline - time.monotonic()
    if left <= 0:
        return None
    got = fetch(day_url(source, day), min(limits.timeout, left), deadline=limits.deadline)
    if got.kind == UNREACHABLE and time.monotonic() >= limits.deadline:
        return None  # cut off by the run's bound, not by the source: say so
    return got


def collect(current: Current, until: date, source: str, limits: Limits,
            report: Callable[[str], None] = print, plan: Plan | None = None) -> Plan:
    """Fetch and judge every day after the last shipped one up to `until`. Stops at the first day
    the source cannot be reached (later days would only wait for the same timeout, and leaving
    them unasked keeps the shipped days contiguous with what the next run will ask), when the
    run's time is up, or after `max_absent` days in a row that are not published."""
    plan = plan or Plan()
    encoder = Encoder(current.provenance, current.chain, current.last_key)
    bounds: Boundaries | None = None
    accepted, absent_run = current.last, 0
    for day in days_after(current.last, until):
        if plan.stopped:
            break
        if absent_run >= limits.max_absent:
            plan.stopped = (f"{absent_run} days in a row not published upstream (--max-absent); "
                            f"from {day} on, asked next run")
            break
        got = ask(day, source, limits)
        if got is None:
            plan.stopped = f"the run's time bound (--max-run) is up; from {day} on, asked next run"
            break
        if got.kind == UNREACHABLE:
            plan.outcomes.append(Outcome(day, STOPPED, got.reason))
            plan.stopped = f"{day}: source unreachable; from that day on, asked next run"
            report(line(plan.outcomes[-1]))
            break
        outcome = judge(day, got, encoder.chain, (day - accepted).days, limits.max_change)
        absent_run = absent_run + 1 if outcome.status == ABSENT_DAY else 0
        if outcome.status == APPLIED:
            bounds = bounds or Boundaries.read(current.root)
            outcome = accept(outcome, encoder, bounds, plan)
            if outcome.status == APPLIED:
                accepted = day
        plan.outcomes.append(outcome)
        report(line(outcome))
    return plan


def judge(day: date, got: Fetched, chain: shapely.Geometry, days: int, max_change: float) -> Outcome:
    if got.kind == ABSENT:
        return Outcome(day, ABSENT_DAY, "not published upstream (HTTP 404)", note=got.redirected)
    if got.kind != OK:
        return Outcome(day, REJECTED, got.reason, note=got.redirected)
    try:
        geom, changed = vet(got.data, chain, days, max_change)
    except Rejected as exc:
        return Outcome(day, REJECTED, str(exc), note=got.redirected)
    except (shapely.errors.ShapelyError, ValueError, TypeError) as exc:  # GEOS on a shape that read well
        return Outcome(day, REJECTED, f"cannot be measured ({type(exc).__name__}: {str(exc)[:120]})",
                       note=got.redirected)
    return Outcome(day, APPLIED, changed_km2=changed, geom=geom, note=got.redirected)


def accept(outcome: Outcome, encoder: Encoder, bounds: Boundaries, plan: Plan) -> Outcome:
    """Measure and encode an accepted day into `plan`; the encoder moves on only when both
    worked, so a day that fails here is rejected and leaves the chain where it was."""
    day, saved = outcome.day, (encoder.chain, encoder.last_key, list(encoder.repairs))
    try:
        snapped = snap(outcome.geom)
        row = measure_day(day, outcome.geom, bounds)
        records = encoder.next_records(day, snapped)
    except (shapely.errors.ShapelyError, ValueError, TypeError, KeyError) as exc:
        encoder.chain, encoder.last_key, encoder.repairs = saved
        return Outcome(day, REJECTED, f"cannot be measured ({type(exc).__name__}: {str(exc)[:120]})",
                       note=outcome.note)
    plan.snapped[day], plan.records, plan.rows = snapped, [*plan.records, *records], [*plan.rows, row]
    outcome.total_km2 = float(row["total_km2"])
    return outcome


def line(o: Outcome) -> str:
    if o.status == APPLIED:
        text = f"{o.day}  applied    {o.total_km2:,.2f} km² occupied, {o.changed_km2:,.2f} km² changed hands"
    elif o.status == ABSENT_DAY:
        text = f"{o.day}  absent     {o.reason}"
    else:
        text = f"{o.day}  {o.status:<10} {o.reason}"
    return text + (f" [{o.note}]" if o.note else "")
