"""Read the history's area table (`date,total_km2,<region>_km2,...,front_km`) row by row.

A row with a bad cell (text where a number goes, an empty cell, a date that is not YYYY-MM-DD)
is named by its line and left out; a repeated date keeps its first row; rows out of date order
are named and sorted. What remains has one row per date, in order, with float measures: the
figures and the slider read it by date and never meet a bad value.
"""

from __future__ import annotations

import io
import itertools
import math
from collections import Counter
from pathlib import Path

import pandas as pd

from dashboard.data import files
from dashboard.data.specs import Problem
from dashboard.data.validate import MAX_NAMED, is_day

REQUIRED_COLUMNS = ("date", "total_km2")


def is_measure(column: str) -> bool:
    """Columns that hold measures (km² or km); any other column is kept as text."""
    return column.endswith(("_km2", "_km"))


def read_area_table(root: Path, rel: str, problems: list[Problem]) -> pd.DataFrame | None:
    text = files.read_text(root, rel, problems)
    if text is None:
        return None
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:  # EmptyDataError is a ValueError
        problems.append(Problem(rel, "0", f"area table unusable: {str(exc).strip()[:200]}"))
        return None
    absent = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if absent:
        problems.append(Problem(rel, "1", f"area table unusable: needs columns {', '.join(map(repr, absent))}"))
        return None
    return _clean(table, rel, problems)


def _clean(table: pd.DataFrame, rel: str, problems: list[Problem]) -> pd.DataFrame | None:
    counts: Counter[str] = Counter()

    def fail(line: int, kind: str, message: str) -> None:
        counts[kind] += 1
        if counts[kind] <= MAX_NAMED:
            problems.append(Problem(rel, str(line), message))

    measures = [c for c in table.columns if is_measure(c)]
    keep, first_line = [], {}
    for n, row in enumerate(table.to_dict("records")):
        line = n + 2  # line 1 is the header
        fault = _row_fault(row, measures)
        if fault:
            fail(line, fault[0], fault[1])
        elif row["date"] in first_line:
            fail(line, "repeated dates", f"date {row['date']} repeats line {first_line[row['date']]}; "
                                         "this row is ignored")
        else:
            first_line[row["date"]] = line
            keep.append(n)
    for kind, n in counts.items():
        if n > MAX_NAMED:
            problems.append(Problem(rel, "0", f"{n - MAX_NAMED} more rows with {kind}; left out"))
    if not keep:
        problems.append(Problem(rel, "0", "area table has no usable rows"))
        return None
    out = table.iloc[keep].copy()
    out[measures] = out[measures].astype(float)
    _check_order(out, first_line, rel, problems)
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def _row_fault(row: dict[str, str], measures: list[str]) -> tuple[str, str] | None:
    """(kind, message) for the first bad cell of a row, else None."""
    if not is_day(row["date"].strip()) or row["date"] != row["date"].strip():
        return "bad dates", f"'date' is not a YYYY-MM-DD date: {row['date'][:40]!r}; row left out"
    for column in measures:
        cell = row[column].strip()
        if not cell:
            return f"an empty '{column}'", f"'{column}' is empty; row left out"
        try:
            value = float(cell)
        except ValueError:
            return f"text in '{column}'", f"'{column}' is not a number: {cell[:40]!r}; row left out"
        if not math.isfinite(value):
            return f"text in '{column}'", f"'{column}' is not a finite number: {cell[:40]!r}; row left out"
    return None


def _check_order(table: pd.DataFrame, first_line: dict[str, int], rel: str, problems: list[Problem]) -> None:
    dates = list(table["date"])
    for before, after in itertools.pairwise(dates):
        if after < before:  # ISO dates order as text
            problems.append(Problem(rel, str(first_line[after]),
                                    f"rows are not in date order ({after} comes after {before}); sorted by date"))
            return
