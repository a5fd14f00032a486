"""Validate a data folder: `python -m dashboard.check [DATA_DIR]`.

Prints every problem as `file:location: what is wrong` and exits 1 if any is an error
(warnings, such as a repaired geometry or a layer that will be slow to draw, are printed but do
not fail). It never crashes: an unexpected exception becomes the problem "internal error reading
FOLDER: TYPE" and exit status 1, so a CI job always gets a list, never a traceback.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from dashboard.data import outcomes
from dashboard.data.gazetteer import GazetteerError, gazetteer_dir, read_gazetteer
from dashboard.data.load import Dataset, data_dir, read_dataset
from dashboard.data.settlements import table_problems
from dashboard.data.specs import Problem

#: A report dated later than this after the history's last day is a typo, not news.
FUTURE_SLACK = timedelta(days=366)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else data_dir()
    try:
        if not root.is_dir():
            _say(f"{root}: no such data folder", sys.stderr)
            return 1
        return _report(root)
    except Exception as exc:  # noqa: BLE001 - named, never a traceback
        _say(str(Problem(str(root), "0", f"internal error reading {root}: {type(exc).__name__}")), sys.stdout)
        return 1


def _report(root: Path) -> int:
    ds = read_dataset(root.resolve())  # uncached: always read the files afresh
    problems = [*ds.problems, *_area_columns(ds), *_outcomes(ds), *_gazetteer(ds.root),
                *(Problem(*p) for p in table_problems(ds.root, ds.catalog))]  # the settlements table's rows
    for problem in problems:
        _say(str(problem), sys.stdout)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    _say(f"{root}: {len(ds.catalog.layers)} layers, {len(ds.layers)} loaded, "
         f"{errors} error(s), {warnings} warning(s)", sys.stderr)
    return 1 if errors else 0


def _area_columns(ds: Dataset) -> list[Problem]:
    spec = ds.catalog.by_role("history")
    areas = ds.history.areas if ds.history is not None else None
    if spec is None or areas is None or "front_km" in areas:
        return []
    return [Problem(spec.table, "columns", "no 'front_km' column: the line-of-contact figures and chart "
                                           "are unavailable", "warning")]


def _outcomes(ds: Dataset) -> list[Problem]:
    """The problems the page names (dashboard.data.outcomes), plus reports dated far past the data."""
    expectations, found = outcomes.load_outcomes.__wrapped__(ds.root)  # afresh, like the rest
    problems = list(found)
    if ds.history is None:
        return problems
    limit = ds.history.last + FUTURE_SLACK
    text = (ds.root / outcomes.FILE).read_text(encoding="utf-8") if expectations else ""
    for exp in expectations:
        for report in exp.reports:
            if report.date > limit:
                line = next((str(i) for i, row in enumerate(text.splitlines(), 1) if report.date.isoformat() in row),
                            "0")
                problems.append(Problem(outcomes.FILE, f"{line} (expectation {exp.id!r})",
                                        f"report dated {report.date}, more than a year after the history's "
                                        f"last day ({ds.history.last}): a typo?"))
    return problems


def _gazetteer(root: Path) -> list[Problem]:
    folder = gazetteer_dir(root)
    try:
        return [Problem(*problem) for problem in read_gazetteer(folder).problems]
    except GazetteerError as exc:
        return [Problem(f"{folder.name}/places.tsv", "0", str(exc))]


def _say(line: str, stream: TextIO) -> None:
    """Print even where the terminal cannot show a character of the data (a C locale)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    print(line.encode(encoding, "backslashreplace").decode(encoding), file=stream)


if __name__ == "__main__":
    raise SystemExit(main())
