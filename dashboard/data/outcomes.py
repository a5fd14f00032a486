"""What happened after the article: `outcomes.toml` in the data folder pairs each expectation of
the article with dated public reports (and, where the map's data can measure it, a measure).

Parsed like the catalog: never raises, every problem named by file and line, a broken entry
costs only itself."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dashboard.data.specs import STATUSES, Problem
from dashboard.data.toml_reader import Reader, entries, line_of
from dashboard.data.values import safe_url

FILE = "outcomes.toml"
MEASURES = ("", "salient_area", "donetsk_area")
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Report:
    date: date
    label: str
    display: str
    status: str
    source: str
    source_url: str
    note: str = ""
    value: float | None = None
    unit: str = ""


@dataclass(frozen=True)
class Expectation:
    id: str
    title: str
    article_claim: str
    article_figure: str
    measure: str
    reports: tuple[Report, ...]

    def latest(self, day: date) -> Report | None:
        """The newest report made on or before `day` (None before the first)."""
        return next((r for r in reversed(self.reports) if r.date <= day), None)

    def known_by(self, day: date) -> tuple[Report, ...]:
        return tuple(r for r in self.reports if r.date <= day)


@functools.lru_cache(maxsize=4)
def article_of(root: Path) -> str:
    """The article the outcomes file follows up (its top-level `article` key). Read once per
    folder, like the expectations: the page asks on every rerun."""
    path = root / FILE
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:  # a FIFO would block, a huge file stall
            return ""
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return ""
    article = raw.get("article", "")
    return article if isinstance(article, str) else ""


@functools.lru_cache(maxsize=4)
def load_outcomes(root: Path) -> tuple[tuple[Expectation, ...], tuple[Problem, ...]]:
    """The expectations of the data folder `root` and the problems found (read once per folder)."""
    problems: list[Problem] = []
    path = root / FILE
    if not path.is_file():
        return (), ()
    try:
        if path.stat().st_size > MAX_BYTES:
            return (), (Problem(FILE, "0", f"larger than {MAX_BYTES:,} bytes; not read"),)
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        return (), (Problem(FILE, "0", f"not readable TOML ({type(exc).__name__}: {str(exc)[:120]})"),)
    out = []
    for i, entry in enumerate(entries(raw, "expectations", FILE, problems)):
        expectation = _expectation(entry, f"{line_of(text, 'expectations', i)} (expectations #{i + 1})", problems)
        if expectation is not None:
            out.append(expectation)
    return tuple(out), tuple(problems)


def _expectation(entry: Any, where: str, problems: list[Problem]) -> Expectation | None:
    r = Reader(FILE, where, entry, problems)
    ident, title = r.ident(), r.text("title")
    claim, figure = r.text("article_claim"), r.text("article_figure", "")
    measure = r.choice("measure", MEASURES, "")
    reports = []
    raw_reports = r.table.get("reports", [])
    for j, item in enumerate(raw_reports if isinstance(raw_reports, list) else []):
        report = _report(item, f"{where} report #{j + 1}", problems)
        if report is not None:
            reports.append(report)
    if not r.ok:
        return None
    return Expectation(ident, title, claim, figure, measure, tuple(sorted(reports, key=lambda x: x.date)))


def _report(item: Any, where: str, problems: list[Problem]) -> Report | None:
    r = Reader(FILE, where, item, problems)
    day = r.day("date")
    status = r.choice("status", STATUSES)
    url = r.text("source_url")
    if url and not safe_url(url):
        r.fail("'source_url' must be an http(s) address")
    value = r.table.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        r.fail("'value' must be a number")
    report = Report(day or date.min, r.text("label"), r.text("display", ""), status, r.text("source"), url,
                    r.text("note", ""), float(value) if isinstance(value, int | float) else None,
                    r.text("unit", ""))
    return report if r.ok and day is not None else None
