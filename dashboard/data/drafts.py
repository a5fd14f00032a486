"""A draft article: `drafts/<article-id>/` in the data folder, holding `article.toml` (the
catalog's own format: one source, one article, one places layer, its figures) and
`places.geojson`. Pure: no Streamlit.

A draft stores where things are said (character offsets into the article's plain text) and the
text's sha256, never the text: the folder can be reviewed and published without reproducing the
article. Writing goes to a temporary folder, is validated there with the catalog parser and the
GeoJSON reader, and only then renamed into place, so a draft is never half-written.
"""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from dashboard.data.catalog import load_catalog
from dashboard.data.draft_format import README, DraftFigure, DraftPlace, DraftSpec, files
from dashboard.data.load import REQUIRED_PROPERTIES, read_layer_file
from dashboard.data.specs import STATUSES, MapBounds, Problem
from dashboard.data.values import safe_url

#: Article ids leave room for the "-places" and "-fig-NN" suffixes within the catalog's 41 characters.
#: Always used with fullmatch: "$" also matches before a final newline, so re.match let "id\n" through.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
MAX_TEXT = {"title": 300, "publisher": 120, "name": 120, "label": 80, "display": 40, "description": 500}
TMP_DIR = ".drafts-tmp"  # beside drafts/, same file system: the final rename is atomic


__all__ = ["DraftError", "DraftExists", "DraftFigure", "DraftPlace", "DraftSpec", "check_spec", "draft_zip",
           "free_id", "slug", "valid_id", "validate_draft", "write_draft"]


class DraftError(ValueError):
    """A draft that cannot be written; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class DraftExists(DraftError):
    """A draft of that id is already there and may be someone else's: refused, never replaced."""

    def __init__(self, draft_id: str, suggestion: str | None) -> None:
        hint = f" (for example “{suggestion}”)" if suggestion else ""
        super().__init__([f"a draft with the id “{draft_id}” already exists and is not replaced; "
                          f"choose another draft id{hint}"])
        self.draft_id, self.suggestion = draft_id, suggestion


def valid_id(draft_id: object) -> bool:
    """A draft id: 1-32 lower-case letters, digits and dashes, the whole string (no trailing newline)."""
    return isinstance(draft_id, str) and ID_PATTERN.fullmatch(draft_id) is not None


def free_id(root: Path, draft_id: str) -> str | None:
    """The first of id-2, id-3, ... (cut to fit 32 characters) that no draft folder uses yet."""
    for n in range(2, 100):
        candidate = f"{draft_id[:32 - len(str(n)) - 1].rstrip('-')}-{n}"
        if valid_id(candidate) and not (root / "drafts" / candidate).exists():
            return candidate
    return None


def slug(title: str, fallback: str) -> str:
    """An article id from its title ("Fighting near Sudzha" -> "fighting-near-sudzha")."""
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    cut = words[:32].rsplit("-", 1)[0] if len(words) > 32 else words
    return cut.strip("-") or fallback


def check_spec(spec: DraftSpec, bounds: MapBounds | None = None) -> list[str]:
    """Every reason the draft cannot be written (empty when it can)."""
    b = bounds or MapBounds()
    problems = [] if valid_id(spec.id) else [
        f"article id {spec.id!r} must be 1-32 lower-case letters, digits and dashes"]
    problems += _texts(spec)
    if spec.url and not safe_url(spec.url):
        problems.append("the article URL must be an http(s) address (or left empty)")
    elif spec.places and not spec.url:  # the layer loader requires every feature's source_url
        problems.append("give the article's URL: every place on the map links to its source")
    if not re.fullmatch(r"[0-9a-f]{64}", spec.sha256):
        problems.append("the article's sha256 must be 64 lower-case hex digits")
    if not spec.places and not spec.figures:
        problems.append("accept at least one place or one figure")
    for i, p in enumerate(spec.places, 1):
        problems += [f"place {i} ({p.name[:40]}): {m}" for m in _place_problems(p, b, spec.text_length)]
    for i, f in enumerate(spec.figures, 1):
        problems += [f"figure {i} ({f.label[:40]}): {m}" for m in _figure_problems(f, spec.text_length)]
    return problems


def _texts(spec: DraftSpec) -> list[str]:
    problems = []
    for key, value in (("title", spec.title), ("publisher", spec.publisher)):
        if not value.strip() or len(value) > MAX_TEXT[key]:
            problems.append(f"the {key} must be 1-{MAX_TEXT[key]} characters")
    try:
        date.fromisoformat(spec.date)
    except ValueError:
        problems.append(f"the article date must be YYYY-MM-DD, got {spec.date[:20]!r}")
    return problems


def _offsets(start: int, end: int, length: int) -> list[str]:
    ok = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)) and 0 <= start < end <= length
    return [] if ok else [f"characters {start}-{end} are not inside the article ({length} characters)"]


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _place_problems(p: DraftPlace, b: MapBounds, length: int) -> list[str]:
    problems = _offsets(p.start, p.end, length)
    if not p.name.strip() or len(p.name) > MAX_TEXT["name"]:
        problems.append(f"the name must be 1-{MAX_TEXT['name']} characters")
    if not (_finite(p.lat) and _finite(p.lon) and b.min_lat <= p.lat <= b.max_lat and b.min_lon <= p.lon <= b.max_lon):
        problems.append(f"coordinates must be latitude {b.min_lat:g}..{b.max_lat:g}, "
                        f"longitude {b.min_lon:g}..{b.max_lon:g}")
    if p.status not in STATUSES:
        problems.append(f"status must be one of {', '.join(STATUSES)}")
    if not _finite(p.confidence) or not 0 <= p.confidence <= 1:
        problems.append("confidence must be a number from 0 to 1")
    return problems


def _figure_problems(f: DraftFigure, length: int) -> list[str]:
    problems = _offsets(f.start, f.end, length)
    if not _finite(f.value):
        problems.append("the value must be a finite number")
    for key, value in (("label", f.label), ("display", f.display)):
        if not value.strip() or len(value) > MAX_TEXT[key]:
            problems.append(f"the {key} must be 1-{MAX_TEXT[key]} characters")
    if f.status not in STATUSES:
        problems.append(f"status must be one of {', '.join(STATUSES)}")
    return problems


def write_draft(root: Path, spec: DraftSpec, bounds: MapBounds | None = None, replace: bool = False) -> Path:
    """Write `drafts/<id>/` under the data folder `root`, validated before it appears.

    An existing draft of that id is replaced only with replace=True (the page passes it for a draft
    the same editor saved from the same article); otherwise DraftExists, also when another save of
    the same id lands between the check and the rename.
    """
    problems = check_spec(spec, bounds)
    if problems:
        raise DraftError(problems)
    final = root / "drafts" / spec.id
    if final.exists() and not replace:
        raise DraftExists(spec.id, free_id(root, spec.id))
    (root / TMP_DIR).mkdir(parents=True, exist_ok=True)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{spec.id}-", dir=root / TMP_DIR))
    try:
        for name, text in files(spec).items():
            (tmp / name).write_text(text, encoding="utf-8")
        errors = [p for p in validate_draft(tmp, root, spec.id) if p.severity == "error"]
        if errors:
            raise DraftError([str(p) for p in errors])
        _move_into_place(tmp, final, replace)
    except FileExistsError:
        raise DraftExists(spec.id, free_id(root, spec.id)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _move_into_place(tmp: Path, final: Path, replace: bool) -> None:
    """Rename the checked folder into place; an older draft of the same id is swapped out first
    when replacing. Without replace, a folder that appeared meanwhile makes the rename fail (a
    draft folder is never empty): FileExistsError, and nothing of the other draft is touched."""
    if not replace:
        try:
            os.rename(tmp, final)
        except OSError as exc:
            if final.exists():
                raise FileExistsError(str(final.name)) from exc
            raise
        return
    old = None
    if final.exists():
        old = tmp.with_name(tmp.name + "-old")
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def validate_draft(folder: Path, root: Path | None = None, article_id: str | None = None) -> list[Problem]:
    """What `python -m dashboard.check` would say about this draft once merged: article.toml is
    parsed by the catalog parser as a fragment of the data folder's catalog (so its style, ids and
    references are checked against it), and places.geojson is read with the layer reader."""
    root = root or folder.parents[1]
    article_id = article_id or folder.name
    toml_path = folder / "article.toml"
    if not toml_path.is_file():
        return [Problem("article.toml", "0", "file not found")]
    merged = load_catalog(toml_path, base=load_catalog(root / "catalog.toml"))
    problems = list(merged.problems)  # the fragment's own: the main catalog's are not the draft's fault
    layer = merged.layers.get(f"{article_id}-places")
    if layer is not None:
        if layer.file != f"drafts/{article_id}/places.geojson":
            problems.append(Problem("article.toml", "layers", f"layer file must be drafts/{article_id}/places.geojson"))
        problems += _places_problems(folder, merged.meta.bounds if merged.meta else MapBounds())
    return problems


def _places_problems(folder: Path, bounds: MapBounds) -> list[Problem]:
    problems: list[Problem] = []
    gdf = read_layer_file(folder, "places.geojson", problems)
    if gdf is None:
        return problems
    for column in REQUIRED_PROPERTIES:
        if column not in gdf.columns or (gdf[column].isna() | (gdf[column].astype(str).str.strip() == "")).any():
            problems.append(Problem("places.geojson", "properties", f"every feature needs '{column}'"))
    if "status" in gdf.columns and not gdf["status"].isin(STATUSES).all():
        problems.append(Problem("places.geojson", "properties", f"status must be one of {', '.join(STATUSES)}"))
    minx, miny, maxx, maxy = gdf.total_bounds
    if minx < bounds.min_lon or maxx > bounds.max_lon or miny < bounds.min_lat or maxy > bounds.max_lat:
        problems.append(Problem("places.geojson", "geometry", "a place lies outside the map's bounds"))
    if not (gdf.geometry.geom_type == "Point").all():
        problems.append(Problem("places.geojson", "geometry", "every place must be a Point"))
    return problems


def draft_zip(spec: DraftSpec, bounds: MapBounds | None = None) -> bytes:
    """The draft as a zip (drafts/<id>/article.toml, places.geojson, README.txt) for download."""
    problems = check_spec(spec, bounds)
    if problems:
        raise DraftError(problems)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files(spec).items():
            z.writestr(f"drafts/{spec.id}/{name}", text)
        z.writestr(f"drafts/{spec.id}/README.txt", README.format(**spec.__dict__))
    return buffer.getvalue()
