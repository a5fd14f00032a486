"""Validate a data folder: `python -m dashboard.check [DATA_DIR]`.

Prints every problem as `file:location: what is wrong` and exits 1 if any is an error
(warnings, such as a repaired geometry or a layer that will be slow to draw, are printed but do
not fail). It never crashes: an unexpected exception becomes the problem "internal error reading
FOLDER: TYPE" and exit status 1, so a CI job always gets a list, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from dashboard.data.load import data_dir, read_dataset
from dashboard.data.specs import Problem


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
    for problem in ds.problems:
        _say(str(problem), sys.stdout)
    errors = sum(p.severity == "error" for p in ds.problems)
    warnings = len(ds.problems) - errors
    _say(f"{root}: {len(ds.catalog.layers)} layers, {len(ds.layers)} loaded, "
         f"{errors} error(s), {warnings} warning(s)", sys.stderr)
    return 1 if errors else 0


def _say(line: str, stream: TextIO) -> None:
    """Print even where the terminal cannot show a character of the data (a C locale)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    print(line.encode(encoding, "backslashreplace").decode(encoding), file=stream)


if __name__ == "__main__":
    raise SystemExit(main())
