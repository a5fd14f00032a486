"""`python -m dashboard.front --town NAME [--date D] [--json]`: a town's distance to the front.

Prints the distance in km from the town to the nearest Russian-occupied territory (DeepStateMap)
on the day asked (default: the last day of the history). NAME is a place name in any common
spelling or a GeoNames id. Of several namesakes the one in the war zone with the most people is
used, and stderr says which. Errors are one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from dashboard.data.front import METHOD, Town, distance_km, find_town, namesakes
from dashboard.data.load import Dataset, load_dataset


class CliError(Exception):
    """Something the user can fix; the message is one line."""


def shown(text: str, limit: int = 80) -> str:
    """`text` quoted for a message, cut to `limit` characters (an argument can be any size)."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def pick_town(ds: Dataset, name: str) -> tuple[Town, str]:
    """The town meant by `name`, and a note naming it when several places share the name."""
    towns = namesakes(name, ds)
    if not towns:
        starts = [t.name for t in find_town(name, ds, limit=3)]
        hint = f"names starting so: {', '.join(starts)}" if starts else "try another spelling or a GeoNames id"
        raise CliError(f"unknown town: {shown(name)} ({hint})")
    if len(towns) == 1:
        return towns[0], ""
    return towns[0], (f"{len(towns)} places are called {shown(name)}; using {towns[0].label()}, GeoNames "
                      f"{towns[0].geonameid}. Pass --town <GeoNames id> for another.")


def pick_day(ds: Dataset, text: str | None) -> date:
    hist = ds.history
    if hist is None:
        raise CliError("the occupied-area history did not load")
    if text is None:
        return hist.last
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CliError(f"not a date (YYYY-MM-DD): {shown(text)}") from None
    if not hist.first <= day <= hist.last:
        raise CliError(f"{day} is outside the history ({hist.first} to {hist.last})")
    return day


def run(args: argparse.Namespace) -> str:
    ds = load_dataset()
    day = pick_day(ds, args.date)
    town, note = pick_town(ds, args.town)
    if note:
        print(note, file=sys.stderr)
    km = distance_km(ds, town.lon, town.lat, day)
    if km is None:
        raise CliError(f"no occupied-area data for {day}")
    shown = ds.history.shown_day(day)
    if args.json:
        return json.dumps({"town": town.name, "lat": town.lat, "lon": town.lon, "date": shown.isoformat(),
                           "distance_km": round(km, 3)}, ensure_ascii=False)
    gap = "" if shown == day else f" (no snapshot on {day}; the one before is used)"
    return (f"{town.label()}: {km:,.1f} km from Russian-occupied territory on {shown}{gap}. "
            f"Source: DeepStateMap (assessed); {METHOD}, measured by this project.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.front", description=__doc__.splitlines()[2])
    parser.add_argument("--town", required=True, help="place name (any common spelling) or GeoNames id")
    parser.add_argument("--date", help="YYYY-MM-DD (default: the last day of the history)")
    parser.add_argument("--json", action="store_true", help='print {"town", "lat", "lon", "date", "distance_km"}')
    args = parser.parse_args(argv)
    try:
        print(run(args))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
