"""Typed specs parsed from `geodata/catalog.toml`. Pure: no GeoPandas, no Streamlit.

Parsing never raises on bad content: every problem becomes a `Problem` naming the file and
where in it, and whatever could be read is still returned, so one bad entry cannot take the
rest of the dashboard down.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

STATUSES = ("reported", "assessed", "claimed")
LAYER_FORMATS = ("plain", "daily-changes", "dated-extents", "dated-events", "changes")
#: Formats computed from other layers: no file of their own.
COMPUTED_FORMATS = ("changes",)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, printed as `file:location: message`."""

    file: str
    location: str
    message: str
    severity: str = "error"  # "warning": repaired or harmless, shown but not fatal

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.file}:{self.location}: {tag}{self.message}"


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    url: str
    licence: str
    attribution: str
    via: str = ""


@dataclass(frozen=True)
class StyleRule:
    """Pick a style per feature: `values[feature[property]]`, else the layer's own style."""

    property: str
    values: dict[str, str]


@dataclass(frozen=True)
class LayerSpec:
    id: str
    title: str
    file: str
    style: str
    status: str
    source: str
    date: str
    article_section: str
    description: str
    format: str = "plain"
    style_by: StyleRule | None = None
    approximate: bool = False
    table: str = ""

    @property
    def dated(self) -> bool:
        return self.format != "plain"


@dataclass(frozen=True)
class BasemapPart:
    file: str
    style: str
    style_by: StyleRule | None = None


@dataclass(frozen=True)
class Basemap:
    id: str
    title: str
    kind: str
    source: str
    background: str = "#dbe7ef"
    url: str = ""
    attribution: str = ""
    parts: tuple[BasemapPart, ...] = ()


@dataclass(frozen=True)
class FigureSpec:
    id: str
    label: str
    status: str
    date: str
    source: str
    source_url: str
    article_section: str
    value: Any = None
    display: str = ""
    computed: str = ""
    note: str = ""


@dataclass(frozen=True)
class Meta:
    title: str
    article_title: str
    article_date: date
    article_date_basis: str
    equal_area_crs: str
    history_start: date
    history_end: date
    default_center: tuple[float, float]
    default_zoom: int


@dataclass
class Catalog:
    meta: Meta | None
    sources: dict[str, Source] = field(default_factory=dict)
    styles: dict[str, dict[str, Any]] = field(default_factory=dict)
    basemaps: dict[str, Basemap] = field(default_factory=dict)
    layers: dict[str, LayerSpec] = field(default_factory=dict)
    figures: dict[str, FigureSpec] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


class _Reader:
    """Reads one table of the catalog, recording problems instead of raising."""

    def __init__(self, file: str, where: str, table: Any, problems: list[Problem]) -> None:
        self.file, self.where, self.problems = file, where, problems
        self.table = table if isinstance(table, dict) else {}
        self.ok = isinstance(table, dict)
        if not self.ok:
            self.fail(f"expected a table, got {type(table).__name__}")

    def fail(self, message: str) -> None:
        self.problems.append(Problem(self.file, self.where, message))
        self.ok = False

    def text(self, key: str, default: str | None = None) -> str:
        value = self.table.get(key, default)
        if value is None:
            self.fail(f"missing required key '{key}'")
            return ""
        if not isinstance(value, str):
            self.fail(f"'{key}' must be text, got {type(value).__name__}")
            return ""
        return value

    def day(self, key: str) -> date | None:
        raw = self.text(key)
        try:
            return date.fromisoformat(raw)
        except ValueError:
            if raw:
                self.fail(f"'{key}' is not a YYYY-MM-DD date: {raw!r}")
            return None

    def choice(self, key: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        value = self.text(key, default)
        if value and value not in allowed:
            self.fail(f"'{key}' must be one of {', '.join(allowed)}; got {value!r}")
        return value

    def ident(self, key: str = "id") -> str:
        value = self.text(key)
        if value and not _ID.match(value):
            self.fail(f"'{key}' must be lower-case letters, digits and dashes; got {value!r}")
        return value

    def style_rule(self) -> StyleRule | None:
        rule = self.table.get("style_by")
        if rule is None:
            return None
        if not isinstance(rule, dict) or not isinstance(rule.get("values"), dict):
            self.fail("'style_by' needs 'property' and a 'values' table")
            return None
        return StyleRule(str(rule.get("property", "")), {str(k): str(v) for k, v in rule["values"].items()})


def _line_of(text: str, marker: str, index: int) -> int:
    """Line number of the index-th occurrence of `[[marker]]`, to point people at an entry."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == f"[[{marker}]]"]
    return lines[index] if index < len(lines) else 0


def load_catalog(path: Path) -> Catalog:
    """Parse the catalog. Never raises: problems are collected on the result."""
    name = path.name
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Catalog(meta=None, problems=[Problem(name, "0", f"cannot read catalog: {exc}")])
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raw = _salvage(text, name, problems)

    catalog = Catalog(meta=_meta(name, raw.get("meta"), problems), problems=problems)
    for i, entry in enumerate(_entries(raw, "sources", name, problems)):
        r = _Reader(name, f"{_line_of(text, 'sources', i)} (sources #{i + 1})", entry, problems)
        src = Source(r.ident(), r.text("name"), r.text("url", ""), r.text("licence"),
                     r.text("attribution"), r.text("via", ""))
        _add_unique(catalog.sources, src, r)
    styles = raw.get("styles", {})
    if isinstance(styles, dict):
        catalog.styles = {k: dict(v) for k, v in styles.items() if isinstance(v, dict)}
    for i, entry in enumerate(_entries(raw, "basemaps", name, problems)):
        r = _Reader(name, f"{_line_of(text, 'basemaps', i)} (basemaps #{i + 1})", entry, problems)
        parts = []
        for part in r.table.get("parts", []):
            pr = _Reader(name, r.where, part, problems)
            parts.append(BasemapPart(pr.text("file"), pr.text("style"), pr.style_rule()))
        bm = Basemap(r.ident(), r.text("title"), r.choice("kind", ("vector", "tiles")), r.text("source"),
                     r.text("background", "#dbe7ef"), r.text("url", ""), r.text("attribution", ""),
                     tuple(parts))
        _add_unique(catalog.basemaps, bm, r)
    for i, entry in enumerate(_entries(raw, "layers", name, problems)):
        r = _Reader(name, f"{_line_of(text, 'layers', i)} (layers #{i + 1})", entry, problems)
        fmt = r.choice("format", LAYER_FORMATS, "plain")
        spec = LayerSpec(
            id=r.ident(), title=r.text("title"), file=r.text("file", "" if fmt in COMPUTED_FORMATS else None),
            style=r.text("style"),
            status=r.choice("status", STATUSES), source=r.text("source"), date=r.text("date"),
            article_section=r.text("article_section"), description=r.text("description", ""),
            format=fmt, style_by=r.style_rule(),
            approximate=bool(r.table.get("approximate", False)), table=r.text("table", ""),
        )
        _check_refs(r, catalog, spec.style, spec.source, spec.style_by)
        if spec.format not in COMPUTED_FORMATS and not spec.file:
            r.fail("'file' is empty")
        _add_unique(catalog.layers, spec, r)
    for i, entry in enumerate(_entries(raw, "figures", name, problems)):
        r = _Reader(name, f"{_line_of(text, 'figures', i)} (figures #{i + 1})", entry, problems)
        fig = FigureSpec(
            id=r.ident(), label=r.text("label"), status=r.choice("status", STATUSES),
            date=r.text("date"), source=r.text("source"), source_url=r.text("source_url", ""),
            article_section=r.text("article_section"), value=r.table.get("value"),
            display=r.text("display", ""), computed=r.text("computed", ""), note=r.text("note", ""),
        )
        if fig.value is None and not fig.computed:
            r.fail("a figure needs a 'value' or a 'computed' measure")
        _add_unique(catalog.figures, fig, r)
    return catalog


def _salvage(text: str, name: str, problems: list[Problem]) -> dict[str, Any]:
    """Parse a broken catalog block by block ([table] / [[array]] headers), keeping every block
    that parses and naming the line of each one that does not."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"^\s*\[", line)] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    raw: dict[str, Any] = {}
    for begin, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        block = "\n".join(lines[begin:end])
        try:
            part = tomllib.loads(block)
        except tomllib.TOMLDecodeError as exc:
            line = begin + (getattr(exc, "lineno", None) or _parse_line(str(exc)) or 1)
            problems.append(Problem(name, str(line), f"not valid TOML, this block skipped: {exc}"))
            continue
        _merge(raw, part)
    return raw


def _merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if isinstance(value, list) and isinstance(into.get(key), list):
            into[key].extend(value)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _parse_line(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 0


def _entries(raw: dict[str, Any], key: str, name: str, problems: list[Problem]) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        problems.append(Problem(name, key, f"'{key}' must be an array of tables ([[{key}]])"))
        return []
    return value


def _add_unique(target: dict[str, Any], item: Any, r: _Reader) -> None:
    if not r.ok:
        return  # a broken entry is reported, not half-used
    if item.id in target:
        r.fail(f"duplicate id {item.id!r}")
        return
    target[item.id] = item


def _check_refs(r: _Reader, catalog: Catalog, style: str, source: str, rule: StyleRule | None) -> None:
    for name in [style, *(rule.values.values() if rule else [])]:
        if name and name not in catalog.styles:
            r.fail(f"style {name!r} is not defined under [styles]")
    if source and source not in catalog.sources:
        r.fail(f"source {source!r} is not listed under [[sources]]")


def _meta(name: str, table: Any, problems: list[Problem]) -> Meta | None:
    r = _Reader(name, "meta", table, problems)
    if not r.ok:
        return None
    center = r.table.get("default_center", [49.7, 36.4])
    meta = Meta(
        title=r.text("title"), article_title=r.text("article_title"),
        article_date=r.day("article_date") or date(2024, 11, 10),
        article_date_basis=r.text("article_date_basis"), equal_area_crs=r.text("equal_area_crs"),
        history_start=r.day("history_start") or date(2024, 7, 8),
        history_end=r.day("history_end") or date(2024, 12, 31),
        default_center=(float(center[0]), float(center[1])),
        default_zoom=int(r.table.get("default_zoom", 7)),
    )
    return meta
