"""Fuzz: random damage to the catalog's values and to GeoJSON features never takes the reader,
the checker, the map or the page down.

Each example damages a fresh copy of geodata/ (a new folder, so the per-folder cache of
`load_dataset` never hands back an earlier example's data) and asserts only what must always
hold: no exception, the checker answers 0 or 1, the map renders, the page shows no exception.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard import check
from dashboard.data.load import DEFAULT_DATA, read_dataset
from dashboard.data.view import bounds_from
from dashboard.map.build import build_map
from tests.conftest import ROOT

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
NASTY_TEXT = ["<script>alert(1)</script>", "**bold** [x](javascript:alert(1))", "", "   ", "2024-13-45",
              "../../etc/passwd", "/etc/passwd", "NaN", "undefined", "${x}`\\", "2024-11-10T00:00", "20241110"]
SCALARS = st.one_of(
    st.text(max_size=30), st.sampled_from(NASTY_TEXT), st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
)
#: Values TOML can hold (no null), nested a little.
TOML_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
JSON_VALUES = st.recursive(st.one_of(SCALARS, st.none()), lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
LAYER_FILES = ["layers/places.geojson", "layers/counteroffensive.geojson", "layers/kursk_salient.geojson",
               "layers/oblasts.geojson", "layers/occupied_daily.geojson", "basemap/labels.geojson"]
HISTORY_CUT = "2024-09-08"
GEOMETRY_TYPES = ["Point", "MultiPoint", "LineString", "Polygon", "MultiPolygon", "GeometryCollection", "Blob"]


@pytest.fixture(scope="session")
def small_data(tmp_path_factory) -> Path:
    """geodata/ with the daily history cut to its first two months: still a whole, valid
    dataset, but each example reads it in a fraction of the time (the full series is 1,572
    records and 3 MB)."""
    dest = tmp_path_factory.mktemp("fuzz-base") / "geodata"
    shutil.copytree(DEFAULT_DATA, dest)
    path = dest / "layers" / "occupied_daily.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if f["properties"]["date"] <= HISTORY_CUT]
    path.write_text(json.dumps(doc), encoding="utf-8")
    return dest


@contextlib.contextmanager
def fresh_copy(source: Path) -> Iterator[Path]:
    """A copy of `source` in a new folder, removed afterwards (hundreds of examples add up)."""
    folder = Path(tempfile.mkdtemp(dir=source.parent.parent))
    try:
        shutil.copytree(source, folder / "geodata")
        yield folder / "geodata"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------ a small TOML writer
def toml_key(key: str) -> str:
    return toml_string(str(key))


def toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def toml_dump(doc: dict[str, Any]) -> str:
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in doc.items()
             if not isinstance(v, dict) and not is_table_array(v)]
    for k, v in doc.items():
        if isinstance(v, dict):
            lines += toml_table([k], v)
        elif is_table_array(v):
            for entry in v:
                lines += [f"[[{toml_key(k)}]]", *(f"{toml_key(a)} = {toml_value(b)}" for a, b in entry.items())]
    return "\n".join(lines) + "\n"


def toml_table(path: list[str], table: dict[str, Any]) -> list[str]:
    lines = ["[" + ".".join(toml_key(p) for p in path) + "]"]
    lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items() if not isinstance(v, dict)]
    for k, v in table.items():
        if isinstance(v, dict):
            lines += toml_table([*path, k], v)
    return lines


# ------------------------------------------------------------------ damage
def damage_catalog(data: st.DataObject, root: Path) -> None:
    doc = tomllib.loads((root / "catalog.toml").read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3), label="damages")):
        section = data.draw(st.sampled_from(["meta", "layers", "figures", "styles"]), label="section")
        if section == "meta":
            target = doc["meta"]
        elif section == "styles":
            target = doc["styles"][data.draw(st.sampled_from(sorted(doc["styles"])), label="style")]
        else:
            target = data.draw(st.sampled_from(doc[section]), label="entry")
        key = data.draw(st.sampled_from([*sorted(target), "extra"]), label="key")
        target[key] = data.draw(TOML_VALUES, label="value")
    (root / "catalog.toml").write_text(toml_dump(doc), encoding="utf-8")


def damage_geojson(data: st.DataObject, root: Path) -> None:
    rel = data.draw(st.sampled_from(LAYER_FILES), label="file")
    doc = json.loads((root / rel).read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3), label="damages")):
        feature = data.draw(st.sampled_from(doc["features"]), label="feature")
        what = data.draw(st.sampled_from(["set", "drop", "geometry", "nan", "properties"]), label="what")
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        keys = sorted({*props, "name", "source", "source_url", "date", "status", "kind", "claimed_area_km2"})
        if what == "set":
            props[data.draw(st.sampled_from(keys), label="key")] = data.draw(JSON_VALUES, label="value")
        elif what == "drop" and props:
            props.pop(data.draw(st.sampled_from(sorted(props)), label="key"))
        elif what == "geometry":
            feature["geometry"] = data.draw(st.one_of(st.none(), st.fixed_dictionaries(
                {"type": st.sampled_from(GEOMETRY_TYPES), "coordinates": JSON_VALUES})), label="geometry")
        elif what == "nan" and isinstance(feature.get("geometry"), dict):
            feature["geometry"] = {**feature["geometry"], "coordinates": nan_somewhere(
                feature["geometry"].get("coordinates"), data)}
        elif what == "properties":
            feature["properties"] = data.draw(JSON_VALUES, label="properties")
    (root / rel).write_text(json.dumps(doc), encoding="utf-8")


def nan_somewhere(coords: Any, data: st.DataObject) -> Any:
    """The coordinates with one number replaced by NaN or infinity."""
    if isinstance(coords, list) and coords:
        i = data.draw(st.integers(0, len(coords) - 1), label="index")
        return [*coords[:i], nan_somewhere(coords[i], data), *coords[i + 1:]]
    return data.draw(st.sampled_from([math.nan, math.inf, -math.inf]), label="bad number")


# ------------------------------------------------------------------ what must always hold
def assert_survives(root: Path) -> None:
    ds = read_dataset(root.resolve())
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert check.main([str(root)]) in (0, 1)
    view = bounds_from(ds.catalog, ds.history.last if ds.history is not None else None).default
    build_map(ds, view).get_root().render()


@FUZZ
@given(data=st.data())
def test_damaged_catalog_values_never_crash(small_data, data):
    with fresh_copy(small_data) as root:
        damage_catalog(data, root)
        assert_survives(root)


@FUZZ
@given(data=st.data())
def test_damaged_geojson_features_never_crash(small_data, data):
    with fresh_copy(small_data) as root:
        damage_geojson(data, root)
        assert_survives(root)


@settings(FUZZ, max_examples=8)
@given(data=st.data(), where=st.sampled_from(["catalog", "geojson"]))
def test_damaged_data_never_shows_the_reader_an_exception(small_data, data, where):
    old = os.environ.get("SITUATION_MAP_DATA")
    with fresh_copy(small_data) as root:  # a new folder: load_dataset caches per folder
        (damage_catalog if where == "catalog" else damage_geojson)(data, root)
        os.environ["SITUATION_MAP_DATA"] = str(root)
        try:
            at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
            at.run()
            assert not at.exception, at.exception
        finally:
            if old is None:
                os.environ.pop("SITUATION_MAP_DATA", None)
            else:
                os.environ["SITUATION_MAP_DATA"] = old
