"""Rejected days are asked again on later runs, until they pass or MAX_RUNS runs have rejected them.

The count lives in `update-state.json` in the data folder, written with the layer and the table
in the same switch (swap.py), so it always describes the data beside it. It is read as hostile
input: a regular file (no symlink, no FIFO) of at most 64 KB, one JSON object of known keys,
real dates, counts 1..MAX_RUNS, short reasons. A file that fails any of this is ignored with a
warning naming the problem (the days it listed are then not asked again), never a traceback.

A day that passes later is inserted between the days shipped around it: its records are encoded
against the day before it, and the shipped day after it gets a whole snapshot (a keyframe) of
what it already showed, so the shipped records after it still replay unchanged (swap.verify
checks that they do).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import shapely
import shapely.errors

from dashboard.data.geometry import GRID, measured_km2, polygonal
from dashboard.data.series import Boundaries, Encoder, as_shipped, feature, same_on_grid, snap
from dashboard.update.days import (
    ABSENT_DAY,
    APPLIED,
    MAX_GAP_DAYS,
    REJECTED,
    STOPPED,
    Limits,
    Outcome,
    Plan,
    accept,
    ask,
    judge,
    line,
)
from dashboard.update.fetch import UNREACHABLE
from dashboard.update.state import Current

STATE_FILE = "update-state.json"
#: A rejected day is asked on this many runs in all (a week of daily runs), then given up.
MAX_RUNS = 7
MAX_STATE_BYTES = 64 * 1024
MAX_PENDING = 366
MAX_REASON = 300
#: Shipped days after an inserted one whose replay is re-checked (a keyframe interval and more).
RECHECKED_DAYS = 40


@dataclass(frozen=True)
class Pending:
    runs: int  # runs that have rejected the day so far
    reason: str  # the last reason


def read_state(root: Path) -> tuple[dict[date, Pending], str]:
    """The pending days and "" or, for a file that cannot be used, {} and a warning."""
    path = root / STATE_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return {}, ""
    except OSError as exc:
        return {}, _ignored(f"cannot be opened ({exc.strerror or exc})")
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return {}, _ignored("not a regular file")
        raw = fh.read(MAX_STATE_BYTES + 1)
    if len(raw) > MAX_STATE_BYTES:
        return {}, _ignored(f"larger than {MAX_STATE_BYTES // 1024} KB")
    try:
        return _entries(json.loads(raw, parse_constant=_no_constant)), ""
    except RecursionError:
        return {}, _ignored("nested too deep")
    except ValueError as exc:  # JSON errors, bad dates, bad counts: all say what is wrong
        return {}, _ignored(str(exc)[:200])


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed")


def _entries(data: object) -> dict[date, Pending]:
    if not isinstance(data, dict) or set(data) != {"version", "rejected"} or data["version"] != 1:
        raise ValueError('not {"version": 1, "rejected": {...}}')
    rejected = data["rejected"]
    if not isinstance(rejected, dict) or len(rejected) > MAX_PENDING:
        raise ValueError(f'"rejected" is not an object of at most {MAX_PENDING} days')
    out: dict[date, Pending] = {}
    for key, value in rejected.items():
        try:
            day = date.fromisoformat(key) if len(key) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise ValueError(f"{key[:40]!r} is not a YYYY-MM-DD day")
        runs = value.get("runs") if isinstance(value, dict) else None
        reason = value.get("reason") if isinstance(value, dict) else None
        if type(runs) is not int or not 1 <= runs <= MAX_RUNS or not isinstance(reason, str):
            raise ValueError(f"{key}: not {{\"runs\": 1..{MAX_RUNS}, \"reason\": text}}")
        out[day] = Pending(runs, reason[:MAX_REASON])
    return out


def _ignored(problem: str) -> str:
    return f"{STATE_FILE}: {problem}; ignored (days it listed are not asked again)"


def state_text(pending: dict[date, Pending]) -> str:
    days = sorted(pending)[-MAX_PENDING:]
    body = {d.isoformat(): {"runs": pending[d].runs, "reason": pending[d].reason[:MAX_REASON]} for d in days}
    return json.dumps({"version": 1, "rejected": body}, ensure_ascii=False, indent=1) + "\n"


def between(current: Current, pending: dict[date, Pending]) -> list[date]:
    """Pending days that lie between shipped days (later ones are asked as new days anyway)."""
    shipped = set(current.history.days)
    return sorted(d for d in pending if current.history.first < d < current.last and d not in shipped)


def reask(current: Current, pending: dict[date, Pending], source: str, limits: Limits, plan: Plan,
          report: Callable[[str], None] = print) -> None:
    shipped = current.history.days
    inserted: dict[date, object] = {}  # day → the app's replay of it after insertion
    keyframed: set[date] = set()
    bounds: Boundaries | None = None
    for day in between(current, pending):
        got = ask(day, source, limits)
        if got is None or got.kind == UNREACHABLE:
            if got is not None:
                plan.outcomes.append(Outcome(day, STOPPED, got.reason))
                report(line(plan.outcomes[-1]))
            why = "source unreachable" if got is not None else "the run's time bound (--max-run) is up"
            plan.stopped = f"{day}: {why}; asked again next run"
            return
        before = max(d for d in [*shipped, *inserted] if d < day)
        chain = inserted[before] if before in inserted else current.history.snapshot(before).geometry
        outcome = judge(day, got, chain, (day - before).days, limits.max_change)
        after = [d for d in shipped if d > day]
        if outcome.status == APPLIED:
            problem = _fits_before(day, outcome.geom, after[0], current, limits.max_change, keyframed)
            if problem:
                outcome = Outcome(day, REJECTED, problem, note=outcome.note)
        if outcome.status == APPLIED:
            encoder = Encoder(current.provenance, chain, before)
            bounds = bounds or Boundaries.read(current.root)
            outcome = accept(outcome, encoder, bounds, plan)
        if outcome.status == APPLIED:
            inserted[day] = encoder.chain
            if after[0] not in current.base_days and after[0] not in keyframed:
                whole = current.history.snapshot(after[0]).geometry
                plan.records.append(feature(after[0], "base", as_shipped(whole), current.provenance))
                keyframed.add(after[0])
            for d in after[:RECHECKED_DAYS]:
                plan.unchanged.setdefault(d, current.history.snapshot(d).geometry)
        runs = pending[day].runs + (outcome.status != APPLIED)
        outcome.note = "; ".join(filter(None, [f"asked again, run {runs} of {MAX_RUNS}", outcome.note]))
        plan.outcomes.append(outcome)
        report(line(outcome))


def _fits_before(day: date, geom: shapely.Geometry, nxt: date, current: Current, max_change: float,
                 keyframed: set[date]) -> str:
    """"" or why `day` cannot go before the shipped day `nxt`: the change to it must be plausible
    too, and `nxt` must replay unchanged from the keyframe it then gets."""
    whole = current.history.snapshot(nxt).geometry
    days = (nxt - day).days
    try:
        changed = measured_km2(polygonal(shapely.symmetric_difference(snap(geom), whole, grid_size=GRID)))
        has_key = nxt in current.base_days or nxt in keyframed
        same = has_key or same_on_grid(shapely.set_precision(polygonal(as_shipped(whole)), GRID), whole)
    except (shapely.errors.ShapelyError, ValueError) as exc:
        return f"cannot be compared with the next shipped day {nxt} ({type(exc).__name__})"
    limit = max_change * min(days, MAX_GAP_DAYS)
    if changed > limit:
        return (f"implausible change against the next shipped day {nxt}: {changed:,.0f} km² in {days} day(s), "
                f"more than {limit:,.0f} km²")
    return "" if same else f"cannot go before {nxt}: that day would not replay unchanged"


def next_state(pending: dict[date, Pending], plan: Plan, last: date) -> tuple[dict[date, Pending], list[str]]:
    """The pending days after this run, and a line for each day given up."""
    out, given_up = dict(pending), []
    for o in plan.outcomes:
        if o.status == APPLIED:
            out.pop(o.day, None)
        elif o.status == REJECTED or (o.status == ABSENT_DAY and o.day in pending):
            runs = (pending[o.day].runs if o.day in pending else 0) + 1
            if runs >= MAX_RUNS and o.day < last:
                out.pop(o.day, None)
                given_up.append(f"{o.day}: rejected on {MAX_RUNS} runs, no longer asked (last: {o.reason[:120]})")
            else:
                out[o.day] = Pending(min(runs, MAX_RUNS), o.reason or "not published upstream")
    return out, given_up
