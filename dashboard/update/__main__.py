"""`python -m dashboard.update [--source URL] [--data DIR] [--until YYYY-MM-DD] [--dry-run]
[--timeout SECONDS] [--max-run SECONDS] [--max-absent DAYS] [--max-change-km2 KM2]`

Asks the source again for days rejected on earlier runs (retry.py), then for every day after the
last shipped day up to --until; prints one line per day (applied / absent / rejected: reason /
unreachable) and a summary, and writes the accepted days, also when the run stops early.

Exit status: 0 every day asked was applied or absent upstream (or there was nothing to ask);
1 a day was rejected (the others were applied); 2 bad arguments, or the data folder cannot be
read or the written result failed its check (nothing written); 3 the run stopped before
--until: the source could not be reached, the run's time bound was up, or --max-absent days in
a row were not published (days accepted before that are written; the rest are asked next run).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from dashboard.data.load import data_dir
from dashboard.update.days import (
    ABSENT_DAY,
    APPLIED,
    MAX_ABSENT_IN_A_ROW,
    MAX_CHANGE_KM2_PER_DAY,
    REJECTED,
    Limits,
    Plan,
    collect,
)
from dashboard.update.fetch import DEFAULT_SOURCE
from dashboard.update.retry import between, next_state, read_state, reask, state_text
from dashboard.update.state import DataProblem, read_current
from dashboard.update.swap import PublishError, locked, publish

OK, REJECTED_EXIT, FAILED, UNREACHABLE_EXIT = 0, 1, 2, 3
#: The whole run stops asking after this long (the k8s Job is killed at 30 min, copy and check
#: included); the days not asked are asked on the next run.
MAX_RUN_SECONDS = 900.0


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr (no usage block) and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(FAILED, f"{self.prog}: error: {message} (see --help)\n")


def _shown(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:80] + "…")


def positive(text: str) -> float:
    """A finite number above 0 (nan would switch a check off, inf or <= 0 make it meaningless)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, not {_shown(text)}")
    return value


def http_source(text: str) -> str:
    """An http:// or https:// URL with a host; file://, ftp:// and anything else are refused."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:  # an unclosed [IPv6 literal
        raise argparse.ArgumentTypeError(f"must be an http:// or https:// URL, not {_shown(text)}") from None
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"{parts.scheme}:// sources are not read; " if parts.scheme else ""
        raise argparse.ArgumentTypeError(f"{scheme}must be an http:// or https:// URL, not {_shown(text)}")
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        host = None
    if not host:
        raise argparse.ArgumentTypeError(
            f"must be an http:// or https:// URL with a host (and a port 1-65535 if any), not {_shown(text)}")
    return text.strip()


def today_utc() -> date:
    return datetime.now(UTC).date()


def seconds(limit: float):
    """A positive number of seconds up to `limit` (a timer cannot wait 1e308 s: it overflows)."""
    def parse(text: str) -> float:
        value = positive(text)
        if value > limit:
            raise argparse.ArgumentTypeError(f"must be at most {limit:g} seconds, not {_shown(text)}")
        return value
    return parse


def until_day(text: str) -> date:
    """A real day no later than tomorrow (UTC): upstream cannot have later files, and a typo such
    as 9999-12-31 would otherwise ask for millions of days."""
    try:
        day = date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(f"must be a day YYYY-MM-DD, not {_shown(text)}")
    latest = today_utc() + timedelta(1)
    if day > latest:
        raise argparse.ArgumentTypeError(f"{day} is after tomorrow ({latest}, UTC): no file can exist for it yet")
    return day


def whole_days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 3660:
        raise argparse.ArgumentTypeError(f"must be a whole number of days from 1 to 3660, not {_shown(text)}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineParser(prog="python -m dashboard.update", description=__doc__.split("\n\n")[1])
    parser.add_argument("--source", type=http_source, default=DEFAULT_SOURCE,
                        help="http(s) base URL holding deepstatemap_data_YYYYMMDD.geojson (default: %(default)s)")
    parser.add_argument("--data", type=Path, default=None,
                        help="data folder to update (default: $SITUATION_MAP_DATA, else the shipped geodata/)")
    parser.add_argument("--until", type=until_day, default=today_utc(),
                        help="last day to ask for, YYYY-MM-DD, at most tomorrow (default: today, UTC)")
    parser.add_argument("--dry-run", action="store_true", help="fetch and check, report, write nothing")
    parser.add_argument("--timeout", type=seconds(3600), default=20.0,
                        help="seconds one request may take, all of it: connect, headers, body, redirects "
                             "(default: %(default)s)")
    parser.add_argument("--max-run", type=seconds(86400), default=MAX_RUN_SECONDS,
                        help="seconds the whole run may spend asking; later days are asked next run "
                             "(default: %(default)s)")
    parser.add_argument("--max-absent", type=whole_days, default=MAX_ABSENT_IN_A_ROW,
                        help="stop after this many days in a row not published upstream (default: %(default)s)")
    parser.add_argument("--max-change-km2", type=positive, default=MAX_CHANGE_KM2_PER_DAY,
                        help="plausible changed area per day, km² (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = (args.data or data_dir()).resolve()
    if not root.is_dir():
        where = f"--data {_shown(str(args.data))}" if args.data else f"the data folder {_shown(str(root))}"
        print(f"update failed: {where} is not a folder" if root.exists() else f"update failed: {where}: no such folder",
              file=sys.stderr)
        return FAILED
    try:
        with locked(root):
            return run(root, args)
    except (DataProblem, PublishError, OSError) as exc:
        print(f"update failed: {exc}", file=sys.stderr)
        return FAILED


def run(root: Path, args: argparse.Namespace) -> int:
    current = read_current(root)
    limits = Limits(args.timeout, time.monotonic() + args.max_run, args.max_change_km2, args.max_absent)
    shipped = set(current.history.days)
    pending, warning = read_state(root)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    pending = {d: p for d, p in pending.items() if d > current.history.first and d not in shipped}
    again = between(current, pending)
    if args.until <= current.last and not again:
        if args.until < current.last:
            print(f"warning: --until {args.until} is before the last shipped day {current.last}; nothing to ask "
                  "(the update only adds days after the last one)", file=sys.stderr)
        print(f"{root}: up to date (last day {current.last}, asked up to {args.until})")
        return OK
    print(f"{root}: last day {current.last}; asking {args.source} for "
          f"{max(0, (args.until - current.last).days)} day(s) up to {args.until}"
          + (f" and again for {len(again)} day(s) rejected before" if again else "")
          + (" (dry run: nothing is written)" if args.dry_run else ""), flush=True)
    plan = Plan()
    report = lambda text: print(text, flush=True)  # noqa: E731
    reask(current, pending, args.source, limits, plan, report)
    if not plan.stopped:
        collect(current, args.until, args.source, limits, report, plan)
    applied = [o.day for o in plan.outcomes if o.status == APPLIED]
    after, given_up = next_state(pending, plan, max([current.last, *applied]))
    for note in given_up:
        print(note)
    state_changed = after != pending or bool(warning)  # a broken file is rewritten, not warned of daily
    if (plan.records or state_changed) and not args.dry_run:
        how = publish(current, plan, state_text(after) if state_changed else None)
        print(f"wrote {len(plan.rows)} day(s): {how}")
    print(summary(plan, current.last, args.dry_run))
    if plan.stopped:
        return UNREACHABLE_EXIT
    return REJECTED_EXIT if plan.count(REJECTED) else OK


def summary(plan: Plan, last: date, dry_run: bool) -> str:
    applied = [o.day for o in plan.outcomes if o.status == APPLIED]
    end = applied[-1] if applied else last
    verb = "would apply" if dry_run else "applied"
    text = (f"summary: {len(applied)} {verb}, {plan.count(ABSENT_DAY)} absent upstream, "
            f"{plan.count(REJECTED)} rejected")
    if plan.stopped:
        text += f"; stopped early: {plan.stopped}"
    return text + f"; the data {'would end' if dry_run else 'ends'} on {max(end, last)}"


if __name__ == "__main__":
    raise SystemExit(main())
