"""Parse `geodata/catalog.toml` into the typed specs of `specs.py`. Pure.

Parsing never raises on bad content: every problem becomes a `Problem` naming the file and
where in it, and whatever could be read is still returned, so one bad entry cannot take the
rest of the dashboard down.
"""

from __future__ import annotations

import math
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from dashboard.data.meta import parse_meta
from dashboard.data.specs import (
    COMPUTED_FORMATS,
    LAYER_FORMATS,
    ROLES,
    STATUSES,
    ArticleSpec,
    Basemap,
    BasemapPart,
    Catalog,
    FigureSpec,
    LayerSpec,
    Problem,
    Source,
    StyleRule,
)
from dashboard.data.toml_reader import Reader, entries, line_of, salvage
from dashboard.data.values import check_style, is_colour, safe_url

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
#: A catalog bigger than this is refused unread (it is a hand-edited text file of ~12 KB).
MAX_CATALOG_BYTES = 2_000_000


def load_catalog(path: Path, base: Catalog | None = None) -> Catalog:
    """Parse the catalog. Never raises: problems are collected on the result. With `base`, the
    file is a fragment (a draft article's own file) added to that catalog: no [meta], styles or
    basemaps of its own, and every id must be new."""
    # A draft is named by its place in the data folder: drafts/<id>/article.toml.
    name = path.name if base is None else f"{path.parent.parent.name}/{path.parent.name}/{path.name}"
    problems: list[Problem] = []
    text = _read_text(path, name, problems)
    if text is None:
        return Catalog(meta=None, problems=problems)
    try:
        raw = tomllib.loads(text)
    except (ValueError, RecursionError):  # bad TOML, a number thousands of digits long, deep nesting
        raw = salvage(text, name, problems)  # block by block: only the broken blocks are lost
    if base is not None:
        return _fragment(raw, text, name, problems, base)
    catalog = Catalog(meta=parse_meta(name, raw.get("meta"), problems), problems=problems)
    _sources(catalog, raw, text, name)
    _articles(catalog, raw, text, name)
    _styles(catalog, raw, name)
    _basemaps(catalog, raw, text, name)
    _layers(catalog, raw, text, name)
    _figures(catalog, raw, text, name)
    return catalog


#: Draft articles read at most (each is a folder an editor saved under drafts/).
MAX_DRAFTS = 50


def with_drafts(catalog: Catalog, root: Path) -> Catalog:
    """The catalog plus every draft article saved under `root/drafts/<id>/article.toml` (the
    editor's page writes them). A broken draft is named and left out; the rest stays."""
    folder = root / "drafts"
    if not folder.is_dir() or catalog.meta is None:
        return catalog
    paths = sorted(p for p in folder.glob("*/article.toml") if not p.parent.name.startswith("."))
    if len(paths) > MAX_DRAFTS:
        catalog.problems.append(Problem("drafts", "0", f"{len(paths)} drafts; only the first {MAX_DRAFTS} read"))
    for path in paths[:MAX_DRAFTS]:
        merged = load_catalog(path, base=catalog)  # its problems are the draft's own
        found, merged.problems = merged.problems, catalog.problems
        catalog.problems.extend(found)
        if not any(p.severity == "error" for p in found):
            catalog = merged  # a broken draft is named, and its entries are left out
    return catalog


def _fragment(raw: dict[str, Any], text: str, name: str, problems: list[Problem], base: Catalog) -> Catalog:
    for key in ("meta", "styles", "basemaps"):
        if key in raw:
            problems.append(Problem(name, key, f"a draft article's file may not set [{key}]; ignored"))
    catalog = Catalog(meta=base.meta, sources=dict(base.sources), styles=base.styles, basemaps=base.basemaps,
                      layers=dict(base.layers), figures=dict(base.figures), articles=dict(base.articles),
                      problems=problems)
    _sources(catalog, raw, text, name)
    _articles(catalog, raw, text, name)
    _layers(catalog, raw, text, name)
    _figures(catalog, raw, text, name)
    return catalog


def _read_text(path: Path, name: str, problems: list[Problem]) -> str | None:
    try:
        if not path.is_file():
            what = "a folder" if path.is_dir() else "missing"
            problems.append(Problem(name, "0", f"catalog is {what}, not a file: nothing to show"))
            return None
        if path.stat().st_size > MAX_CATALOG_BYTES:
            problems.append(Problem(name, "0", f"catalog larger than {MAX_CATALOG_BYTES:,} bytes; not read"))
            return None
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, "0", f"catalog is not UTF-8 text ({exc.reason} at byte {exc.start})"))
    except OSError as exc:
        problems.append(Problem(name, "0", f"cannot read catalog ({exc.strerror or type(exc).__name__})"))
    return None


def _where(text: str, key: str, i: int) -> str:
    return f"{line_of(text, key, i)} ({key} #{i + 1})"


def _sources(catalog: Catalog, raw: dict[str, Any], text: str, name: str) -> None:
    for i, entry in enumerate(entries(raw, "sources", name, catalog.problems)):
        r = Reader(name, _where(text, "sources", i), entry, catalog.problems)
        url = r.text("url", "")
        if url and not safe_url(url):
            r.fail("'url' must be an http(s) address")
        src = Source(r.ident(), r.text("name"), url, r.text("licence"), r.text("attribution"), r.text("via", ""))
        _add_unique(catalog.sources, src, r)


def _articles(catalog: Catalog, raw: dict[str, Any], text: str, name: str) -> None:
    for i, entry in enumerate(entries(raw, "articles", name, catalog.problems)):
        r = Reader(name, _where(text, "articles", i), entry, catalog.problems)
        url, sha = r.text("url", ""), r.text("sha256", "")
        if url and not safe_url(url):
            r.fail("'url' must be an http(s) address")
        if sha and not re.fullmatch(r"[0-9a-f]{64}", sha):
            r.fail("'sha256' must be 64 lower-case hex digits (the hash of the article's text)")
        day = r.day("date")
        article = ArticleSpec(r.ident(), r.text("title"), r.text("publisher"), day.isoformat() if day else "",
                              url, sha, r.choice("status", ("published", "draft"), "published"))
        _add_unique(catalog.articles, article, r)


def _article_ref(r: Reader, catalog: Catalog) -> str:
    article = r.text("article", "")
    if article and article not in catalog.articles:
        r.fail(f"article {article!r} is not listed under [[articles]]")
    return article


def _styles(catalog: Catalog, raw: dict[str, Any], name: str) -> None:
    styles = raw.get("styles", {})
    if not isinstance(styles, dict):
        catalog.problems.append(Problem(name, "styles", "[styles] must be a table of tables"))
        return
    for key, value in styles.items():
        if not isinstance(value, dict) or not _ID.fullmatch(key.replace("_", "-")):
            catalog.problems.append(Problem(name, f"styles.{key}"[:60], "not a style table with a plain name"))
            continue
        kept, messages = check_style(key, value)
        catalog.problems.extend(Problem(name, f"styles.{key}", m) for m in messages)
        catalog.styles[key] = kept


def _basemaps(catalog: Catalog, raw: dict[str, Any], text: str, name: str) -> None:
    for i, entry in enumerate(entries(raw, "basemaps", name, catalog.problems)):
        r = Reader(name, _where(text, "basemaps", i), entry, catalog.problems)
        parts = []
        raw_parts = r.table.get("parts", [])
        for part in raw_parts if isinstance(raw_parts, list) else []:
            pr = Reader(name, r.where, part, catalog.problems)
            if pr.ok:
                parts.append(BasemapPart(pr.text("file"), pr.text("style"), pr.style_rule()))
        background = r.text("background", "#dbe7ef")
        if not is_colour(background):
            r.fail("'background' must be a colour (#rgb, #rrggbb, rgb(...) or a name)")
        url = r.text("url", "")
        if url and not safe_url(url.replace("{", "").replace("}", "")):
            r.fail("'url' must be an http(s) tile address")
        bm = Basemap(r.ident(), r.text("title"), r.choice("kind", ("vector", "tiles")), r.text("source"),
                     background, url, r.text("attribution", ""), tuple(parts))
        _add_unique(catalog.basemaps, bm, r)


def _layers(catalog: Catalog, raw: dict[str, Any], text: str, name: str) -> None:
    for i, entry in enumerate(entries(raw, "layers", name, catalog.problems)):
        r = Reader(name, _where(text, "layers", i), entry, catalog.problems)
        fmt = r.choice("format", LAYER_FORMATS, "plain")
        spec = LayerSpec(
            id=r.ident(), title=r.text("title"), file=r.text("file", "" if fmt in COMPUTED_FORMATS else None),
            style=r.text("style"), status=r.choice("status", STATUSES), source=r.text("source"),
            date=r.text("date"), article_section=r.text("article_section"),
            description=r.text("description", ""), format=fmt, role=r.choice("role", ROLES, ""),
            style_by=r.style_rule(), approximate=r.table.get("approximate", False) is True,
            table=r.text("table", ""), regions=_regions(r), article=_article_ref(r, catalog),
        )
        _check_refs(r, catalog, spec.style, spec.source, spec.style_by)
        if spec.format not in COMPUTED_FORMATS and not spec.file:
            r.fail("'file' is empty")
        if spec.role and any(s.role == spec.role for s in catalog.layers.values()):
            r.fail(f"role {spec.role!r} is already given to another layer")
        _add_unique(catalog.layers, spec, r)


def _regions(r: Reader) -> tuple[tuple[str, str], ...]:
    raw = r.table.get("regions", [])
    ok = isinstance(raw, list) and all(isinstance(x, dict) and isinstance(x.get("column"), str) and
                                       isinstance(x.get("label"), str) for x in raw)
    if not ok:
        r.fail("'regions' must be a list of {column = \"..._km2\", label = \"...\"}")
        return ()
    return tuple((x["column"], x["label"]) for x in raw)


def _figures(catalog: Catalog, raw: dict[str, Any], text: str, name: str) -> None:
    for i, entry in enumerate(entries(raw, "figures", name, catalog.problems)):
        r = Reader(name, _where(text, "figures", i), entry, catalog.problems)
        value = r.table.get("value")
        if value is not None and (isinstance(value, dict | list) or
                                  (isinstance(value, float) and not math.isfinite(value))):
            r.fail("'value' must be a number, text or date")
        source_url = r.text("source_url", "")
        if source_url and not safe_url(source_url):
            r.fail("'source_url' must be an http(s) address")
        fig = FigureSpec(
            id=r.ident(), label=r.text("label"), status=r.choice("status", STATUSES),
            date=r.text("date"), source=r.text("source"), source_url=source_url,
            article_section=r.text("article_section"), value=value,
            display=r.text("display", ""), computed=r.text("computed", ""), note=r.text("note", ""),
            article=_article_ref(r, catalog),
        )
        if fig.date and fig.date != "dated" and not _is_day(fig.date):
            r.fail(f"'date' must be a YYYY-MM-DD date or \"dated\" (the data's own); got {fig.date[:40]!r}")
        if fig.value is None and not fig.computed:
            r.fail("a figure needs a 'value' or a 'computed' measure")
        _add_unique(catalog.figures, fig, r)


def _is_day(text: str) -> bool:
    try:
        return len(text) == 10 and date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _add_unique(target: dict[str, Any], item: Any, r: Reader) -> None:
    if not r.ok:
        return  # a broken entry is reported, not half-used
    if item.id in target:
        r.fail(f"duplicate id {item.id!r}")
        return
    target[item.id] = item


def _check_refs(r: Reader, catalog: Catalog, style: str, source: str, rule: StyleRule | None) -> None:
    for name in [style, *(rule.values.values() if rule else [])]:
        if name and name not in catalog.styles:
            r.fail(f"style {name!r} is not defined under [styles]")
    if source and source not in catalog.sources:
        r.fail(f"source {source!r} is not listed under [[sources]]")
