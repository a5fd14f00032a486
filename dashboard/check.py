"""Validate a data folder: `python -m dashboard.check [DATA_DIR]`.

Prints every problem as `file:location: what is wrong` and exits 1 if any is an error
(warnings, such as a repaired geometry or a layer that will be slow to draw, are printed but do
not fail). It never crashes: an unexpected exception becomes the problem "FOLDER:0: internal
error reading the data folder: TYPE" and exit status 1, so a CI job always gets a list, never a
traceback. A long folder path is echoed once, shortened.
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
    shown = short_path(str(root))
    try:
        try:
            exists = root.is_dir()
        except OSError as exc:  # e.g. a name longer than the system takes (ENAMETOOLONG)
            _say(f"{shown}: cannot open the data folder ({exc.strerror or type(exc).__name__})", sys.stderr)
            return 1
        if not exists:
            _say(f"{shown}: no such data folder", sys.stderr)
            return 1
        return _report(root, shown)
    except Exception as exc:  # noqa: BLE001 - named, never a traceback
        _say(str(Problem(shown, "0", f"internal error reading the data folder: {type(exc).__name__}")), sys.stdout)
        return 1


def short_path(text: str, limit: int = 120) -> str:
    """A path as echoed back: whole when short, else its start and end (a path is input too, and
    a 5,000-character one must not fill the report)."""
    return text if len(text) <= limit else f"{text[:limit // 2]}…{text[-(limit // 2 - 1):]}"


def _report(root: Path, shown: str) -> int:
    ds = read_dataset(root.resolve())  # uncached: always read the files afresh
    problems = [*ds.problems, *_area_columns(ds), *_outcomes(ds), *_gazetteer(ds.root),
                *(Problem(*p) for p in table_problems(ds.root, ds.catalog))]  # the settlements table's rows
    for problem in problems:
        _say(str(problem), sys.stdout)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    _say(f"{shown}: {len(ds.catalog.layers)} layers, {len(ds.layers)} loaded, "
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
