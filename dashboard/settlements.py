"""`python -m dashboard.settlements --since D [--until D] [--oblast NAME] [--min-population N] [--json]`

Prints the settlements of Ukraine whose GeoNames point came into or left the Russian-occupied area
after --since up to and including --until (default: the table's last day), as the map's layer and
panel list them, with the source, status and rule. Reads $SITUATION_MAP_DATA (else geodata/).

Exit status: 0 listed (possibly none); 1 the table or gazetteer cannot be read (one line saying
why); 2 bad arguments (one line).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from dashboard.data.load import data_dir
from dashboard.data.settlements import Settlements, SettlementsError, load_settlements

OK, UNAVAILABLE, BAD_ARGS = 0, 1, 2


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr (no usage block) and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(BAD_ARGS, f"{self.prog}: error: {message} (see --help)\n")


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:60] + "…")


def day(text: str) -> date:
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        value = None
    if value is None or len(text.strip()) != 10:
        raise argparse.ArgumentTypeError(f"must be a YYYY-MM-DD date, not {_shown(text)}")
    return value


def population(text: str) -> int:
    if not text.strip().isdigit() or len(text.strip()) > 10:
        raise argparse.ArgumentTypeError(f"must be a whole number of people (0 or more), not {_shown(text)}")
    return int(text.strip())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineParser(prog="python -m dashboard.settlements", description=__doc__.split("\n\n")[1])
    parser.add_argument("--since", type=day, required=True, help="changes after this day (YYYY-MM-DD)")
    parser.add_argument("--until", type=day, default=None, help="up to and including this day (default: the last)")
    parser.add_argument("--oblast", default=None, help="only this oblast, e.g. Donetsk")
    parser.add_argument("--min-population", type=population, default=None, help="only places of at least N people")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        found = load_settlements(data_dir())
    except SettlementsError as exc:
        print(f"python -m dashboard.settlements: {exc}", file=sys.stderr)
        return UNAVAILABLE
    until = args.until or found.table.last
    if until < args.since:
        return _bad(f"--until {until.isoformat()} is before --since {args.since.isoformat()}")
    oblast = None
    if args.oblast is not None:
        oblast = found.match_oblast(args.oblast)
        if oblast is None:
            names = ", ".join(n.removesuffix(" Oblast") for n in found.oblast_names())
            return _bad(f"--oblast {_shown(args.oblast)} is not an oblast of the gazetteer (changes in: {names})")
    changes = found.changes(args.since, until, oblast, args.min_population)
    rows = [c.as_dict(found) for c in changes]
    total = sum(c.population for c in changes)
    if args.json:
        print(json.dumps({"since": args.since.isoformat(), "until": until.isoformat(), "oblast": oblast,
                          "min_population": args.min_population, "count": len(rows), "total_population": total,
                          "table_last_day": found.table.last.isoformat(), "source": found.source,
                          "status": found.status, "rule": found.rule, "settlements": rows}, ensure_ascii=False))
        return OK
    _text(found, args.since, until, changes, total)
    return OK


def _text(found: Settlements, since: date, until: date, changes: list, total: int) -> None:
    print(f"{len(changes)} change(s) after {since.isoformat()} up to {until.isoformat()}"
          f" (table through {found.table.last.isoformat()}); population of the places: {total:,}")
    for c in changes:
        print(f"{c.day.isoformat()}  {c.direction:<22}  {c.name} ({c.oblast}, population {c.population:,})")
    print(f"Source: {found.source}. Status: {found.status}.")
    print(f"Rule: {found.rule}")


def _bad(message: str) -> int:
    print(f"python -m dashboard.settlements: error: {message}", file=sys.stderr)
    return BAD_ARGS


if __name__ == "__main__":
    raise SystemExit(main())
