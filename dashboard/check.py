"""Validate a data folder: `python -m dashboard.check [DATA_DIR]`.

Prints every problem as `file:location: what is wrong` and exits 1 if any is an error
(warnings, such as a repaired geometry, are printed but do not fail).
"""

from __future__ import annotations

import sys
from pathlib import Path

from dashboard.data.load import data_dir, read_dataset


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else data_dir()
    if not (root / "catalog.toml").exists() and not root.is_dir():
        print(f"{root}: no such data folder", file=sys.stderr)
        return 1
    ds = read_dataset(root.resolve())  # uncached: always read the files afresh
    for problem in ds.problems:
        print(problem)
    errors = sum(p.severity == "error" for p in ds.problems)
    warnings = len(ds.problems) - errors
    print(f"{root}: {len(ds.catalog.layers)} layers, {len(ds.layers)} loaded, "
          f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
