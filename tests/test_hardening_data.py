"""One bad value costs only its own part: each kind of damage is a named problem (file, line or
feature, what is wrong), the rest of the dataset loads, and the map still builds without a
non-finite coordinate."""

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from dashboard import check
from dashboard.data import load
from dashboard.data.load import DEFAULT_DATA
from dashboard.data.view import bounds_from
from dashboard.map.build import build_map
from tests.conftest import fresh

ALL = {"oblasts", "occupied", "kursk-salient", "counteroffensive", "places"}


def edit_json(root: Path, rel: str, change) -> None:
    path = root / rel
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def edit_catalog(root: Path, old: str, new: str) -> None:
    path = root / "catalog.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def edit_table(root: Path, change) -> None:
    path = root / "tables" / "occupied_areas.csv"
    lines = path.read_text().splitlines()
    change(lines)
    path.write_text("\n".join(lines) + "\n")


def messages(ds, file: str) -> list[str]:
    return [f"{p.location}: {p.message}" for p in ds.problems if p.file == file]


def map_html(ds) -> str:
    view = bounds_from(ds.catalog).default
    view = replace(view, layers=tuple(ds.catalog.layers)) if ds.catalog.layers else view
    return build_map(ds, view).get_root().render()


def assert_map_builds(ds) -> None:
    html = map_html(ds)
    assert "NaN" not in html and "Infinity" not in html


# ------------------------------------------------------------------ item 4: one bad value
@pytest.mark.parametrize(("old", "new", "expected"), [
    ("default_zoom = 7", 'default_zoom = "seven"', "'default_zoom' must be a number"),
    ("default_center = [49.7, 37.2]", 'default_center = ["a", 1, 2]', "'default_center' must be [latitude"),
    ('history_start = "2024-07-08"', 'history_start = "20240708"', "'history_start' is not a YYYY-MM-DD date"),
    ('history_end = "2026-08-22"', 'history_end = "9999-12-31"', "'history_end' must be between"),
    ("radius = 5", 'radius = "big"', "'radius' must be a number"),
])
def test_bad_catalog_value_is_named_and_the_rest_loads(data_copy, old, new, expected):
    edit_catalog(data_copy, old, new)
    ds = fresh(data_copy)
    assert any(expected in m for m in messages(ds, "catalog.toml")), ds.problems
    assert ALL <= set(ds.layers)
    assert_map_builds(ds)


@pytest.mark.parametrize(("damage", "expected"), [
    (lambda p: p.write_bytes(p.read_bytes() + b"\n# \xff\xfe\n"), "not UTF-8"),
    (lambda p: p.unlink(), "missing"),
    (lambda p: (p.unlink(), p.mkdir()), "a folder"),
    (lambda p: p.write_text(p.read_text() + "\nx = " + "[" * 50_000 + "]" * 50_000), "nested too deeply"),
], ids=["latin1", "missing", "folder", "deep"])
def test_unusable_catalog_is_named_and_nothing_crashes(data_copy, damage, expected):
    damage(data_copy / "catalog.toml")
    ds = fresh(data_copy)
    assert any(expected in m for m in messages(ds, "catalog.toml")), ds.problems
    assert_map_builds(ds)
    assert check.main([str(data_copy)]) == 1


def test_a_folder_where_a_layer_file_should_be(data_copy):
    (data_copy / "layers" / "places.geojson").unlink()
    (data_copy / "layers" / "places.geojson").mkdir()
    ds = fresh(data_copy)
    assert messages(ds, "layers/places.geojson") == ["0: is a folder, not a file"]
    assert ALL - {"places"} <= set(ds.layers)


def test_json_nested_thousands_deep_is_named(data_copy):
    (data_copy / "layers" / "places.geojson").write_text("[" * 100_000 + "]" * 100_000)
    ds = fresh(data_copy)
    assert messages(ds, "layers/places.geojson") == ["0: nested too deeply to read"]
    assert ALL - {"places"} <= set(ds.layers)


def test_nan_coordinates_drop_only_their_feature(data_copy):
    edit_json(data_copy, "layers/places.geojson",
              lambda d: d["features"][2]["geometry"].update(coordinates=[float("nan"), 51.0]))
    edit_json(data_copy, "layers/counteroffensive.geojson",
              lambda d: d["features"][1]["geometry"]["coordinates"][0].__setitem__(1, [float("inf"), 51.0]))
    ds = fresh(data_copy)
    assert messages(ds, "layers/places.geojson") == [
        "features[2]: coordinates are not finite numbers (NaN or infinity); feature left out"]
    assert messages(ds, "layers/counteroffensive.geojson") == [
        "features[1]: coordinates are not finite numbers (NaN or infinity); feature left out"]
    assert len(ds.layers["places"].gdf) == 15 and len(ds.layers["counteroffensive"].gdf) == 2
    assert_map_builds(ds)


@pytest.mark.parametrize(("geometry", "expected"), [
    ({"type": "Point", "coordinates": []}, "empty geometry; feature left out"),
    (None, "no geometry (null); feature left out"),
    ({"type": "Point", "coordinates": "x"}, "geometry is not valid GeoJSON"),
    ({"type": "Blob", "coordinates": [1, 2]}, "geometry is not valid GeoJSON"),
    ({"type": "Point", "coordinates": [200.0, 51.0]}, "outside longitude/latitude"),
], ids=["empty-point", "null", "bad-coordinates", "bad-type", "out-of-range"])
def test_one_bad_town_geometry_costs_only_that_town(data_copy, geometry, expected):
    edit_json(data_copy, "layers/places.geojson", lambda d: d["features"][4].update(geometry=geometry))
    ds = fresh(data_copy)
    found = messages(ds, "layers/places.geojson")
    assert len(found) == 1 and found[0].startswith("features[4]: ") and expected in found[0], found
    assert len(ds.layers["places"].gdf) == 15
    assert list(ds.layers["places"].gdf.index) == list(range(15))  # consumers zip rows by position
    assert_map_builds(ds)


def test_all_empty_geometries_are_called_empty_not_projected(data_copy):
    edit_json(data_copy, "layers/counteroffensive.geojson", lambda d: [
        f.update(geometry={"type": "Polygon", "coordinates": []}) for f in d["features"]])
    ds = fresh(data_copy)
    assert messages(ds, "layers/counteroffensive.geojson") == ["geometry: all geometries are empty"]


def test_bad_area_table_cells_cost_only_their_rows(data_copy):
    def damage(lines):
        cells = lines[3].split(",")
        lines[3] = ",".join([cells[0], "abc", *cells[2:]])           # line 4: text in total_km2
        lines[5] = "," + lines[5].split(",", 1)[1]                    # line 6: no date
        lines.insert(8, lines[7])                                     # line 9 repeats line 8
    edit_table(data_copy, damage)
    ds = fresh(data_copy)
    found = messages(ds, "tables/occupied_areas.csv")
    assert found[0].startswith("4: 'total_km2' is not a number: 'abc'")
    assert found[1].startswith("6: 'date' is not a YYYY-MM-DD date")
    assert found[2].startswith("9: date 2024-07-14 repeats line 8")
    areas = ds.history.areas
    assert areas["date"].is_unique and areas["date"].is_monotonic_increasing
    assert areas["total_km2"].dtype.kind == "f"
    assert "2024-07-10" not in set(areas["date"]) and ds.history.area_row(date(2024, 7, 10)) is None
    assert ds.history.area_row(date(2024, 11, 1))["total_km2"] > 100_000
    assert_map_builds(ds)


def test_reversed_area_table_is_named_and_sorted(data_copy):
    edit_table(data_copy, lambda lines: lines.__setitem__(slice(1, None), lines[:0:-1]))
    ds = fresh(data_copy)
    found = messages(ds, "tables/occupied_areas.csv")
    assert len(found) == 1 and "not in date order" in found[0] and "sorted" in found[0]
    assert ds.history.areas["date"].is_monotonic_increasing


# ------------------------------------------------------------------ item 8: outside the folder
@pytest.mark.parametrize("target", ["../../etc/passwd", "/etc/passwd", str(DEFAULT_DATA / "layers" / "places.geojson")])
def test_layer_file_outside_the_folder_is_refused(data_copy, target):
    edit_catalog(data_copy, 'file = "layers/places.geojson"', f'file = "{target}"')
    ds = fresh(data_copy)
    assert messages(ds, target) == ["path: outside the data folder; not read"]
    assert "places" not in ds.layers and ALL - {"places"} <= set(ds.layers)


def test_symlink_out_of_the_folder_is_refused(data_copy):
    (data_copy / "layers" / "places.geojson").unlink()
    (data_copy / "layers" / "places.geojson").symlink_to(DEFAULT_DATA / "layers" / "places.geojson")
    ds = fresh(data_copy)
    assert messages(ds, "layers/places.geojson") == ["path: outside the data folder; not read"]


def test_area_table_and_basemap_part_outside_the_folder_are_refused(data_copy):
    edit_catalog(data_copy, 'table = "tables/occupied_areas.csv"', 'table = "../../../etc/passwd"')
    edit_catalog(data_copy, 'file = "basemap/lakes.geojson"', 'file = "/etc/passwd"')
    ds = fresh(data_copy)
    assert messages(ds, "../../../etc/passwd") == ["path: outside the data folder; not read"]
    assert messages(ds, "/etc/passwd") == ["path: outside the data folder; not read"]
    assert "occupied" in ds.layers and len(ds.basemap["vector"]) == 4


# ------------------------------------------------------------------ item 9: size limits
def test_too_big_file_is_refused_before_parsing(data_copy, monkeypatch):
    monkeypatch.setattr(load.files, "MAX_FILE_BYTES", 5000)
    (data_copy / "layers" / "places.geojson").write_text("{" + " " * 6000)  # not JSON either
    ds = fresh(data_copy)
    assert messages(ds, "layers/places.geojson") == ["0: larger than 5,000 bytes; not read"]
    assert "counteroffensive" in ds.layers  # 3.9 KB: under the limit


def test_too_many_features_and_towns_are_refused(data_copy, monkeypatch):
    monkeypatch.setattr(load.validate, "MAX_FEATURES", 16)
    monkeypatch.setattr(load.validate, "MAX_TOWNS", 5)
    ds = fresh(data_copy)
    assert messages(ds, "layers/kursk_salient.geojson") == [
        "features: 17 features, more than the limit of 16 per layer; layer not drawn"]
    assert messages(ds, "layers/places.geojson") == [
        "features: 16 towns, more than the limit of 5 drawn as named markers; layer not drawn"]
    assert "counteroffensive" in ds.layers


def test_slow_layers_are_warned_about(data_copy, monkeypatch):
    monkeypatch.setattr(load.validate, "WARN_MARKERS", 10)
    monkeypatch.setattr(load.validate, "WARN_VERTICES", 5000)
    ds = fresh(data_copy)
    warnings = {p.file: p.message for p in ds.problems if p.severity == "warning"}
    assert "16 point markers" in warnings["layers/places.geojson"]
    assert "5,319 vertices" in warnings["layers/oblasts.geojson"]
    assert "places" in ds.layers and "oblasts" in ds.layers


# ------------------------------------------------------------------ item 10: silent wrong diagnostics
@pytest.mark.parametrize("value", [20241110, "10 Nov 2024", "2024-13-01"])
def test_event_with_a_bad_date_is_named(data_copy, value):
    edit_json(data_copy, "layers/counteroffensive.geojson", lambda d: d["features"][1]["properties"].update(date=value))
    ds = fresh(data_copy)
    assert messages(ds, "layers/counteroffensive.geojson") == [
        f"features[1]: 'date' is not a YYYY-MM-DD date: {value!r}; feature left out"]
    assert len(ds.layers["counteroffensive"].gdf) == 2


def test_salient_with_an_integer_date_is_named(data_copy):
    edit_json(data_copy, "layers/kursk_salient.geojson", lambda d: d["features"][3]["properties"].update(date=5))
    ds = fresh(data_copy)
    assert messages(ds, "layers/kursk_salient.geojson") == [
        "features[3]: 'date' is not a YYYY-MM-DD date: 5; feature left out"]
    assert len(ds.layers["kursk-salient"].gdf) == 16


def test_history_record_with_a_bad_date_refuses_the_replay(data_copy):
    edit_json(data_copy, "layers/occupied_daily.geojson", lambda d: d["features"][3]["properties"].update(date="soon"))
    ds = fresh(data_copy)
    found = messages(ds, "layers/occupied_daily.geojson")
    assert found[0] == "features[3]: 'date' is not a YYYY-MM-DD date: 'soon'; feature left out"
    assert "replay" in found[-1] and ds.history is None and "occupied" not in ds.layers
    assert_map_builds(ds)


def test_history_without_a_base_on_its_first_day_is_named(data_copy):
    edit_json(data_copy, "layers/occupied_daily.geojson",
              lambda d: d["features"][0]["properties"].update(kind="gained"))
    ds = fresh(data_copy)
    assert any("first day" in m and "'base'" in m for m in messages(ds, "layers/occupied_daily.geojson"))
    assert ds.history is None


def test_renamed_town_name_property_is_named(data_copy):
    edit_json(data_copy, "layers/places.geojson", lambda d: [
        f["properties"].update(title=f["properties"].pop("name")) for f in d["features"]])
    ds = fresh(data_copy)
    assert messages(ds, "layers/places.geojson") == ["properties: features lack required property 'name'"]


def test_one_town_without_a_name_costs_only_that_town(data_copy):
    edit_json(data_copy, "layers/places.geojson", lambda d: d["features"][2]["properties"].pop("name"))
    ds = fresh(data_copy)
    assert messages(ds, "layers/places.geojson") == ["features[2]: empty required property 'name'"]
    assert len(ds.layers["places"].gdf) == 15 and "undefined" not in map_html(ds)


# ------------------------------------------------------------------ the checker never crashes
def test_unexpected_error_in_one_file_is_named_not_raised(data_copy, monkeypatch):
    real = load.validate.check_features

    def broken(rel, *args, **kwargs):
        if rel == "layers/places.geojson":
            raise ZeroDivisionError("boom")
        return real(rel, *args, **kwargs)

    monkeypatch.setattr(load.validate, "check_features", broken)
    ds = fresh(data_copy)
    assert messages(ds, "layers/places.geojson") == [
        "0: internal error reading layers/places.geojson: ZeroDivisionError"]
    assert ALL - {"places"} <= set(ds.layers)


def test_checker_turns_an_unexpected_error_into_a_named_problem(data_copy, monkeypatch, capsys):
    def broken(root):
        raise KeyError("x")

    monkeypatch.setattr(check, "read_dataset", broken)
    assert check.main([str(data_copy)]) == 1
    assert "internal error reading" in capsys.readouterr().out


def test_checker_prints_every_problem_with_file_and_location(data_copy, capsys):
    edit_json(data_copy, "layers/places.geojson", lambda d: d["features"][2]["properties"].pop("name"))
    edit_table(data_copy, lambda lines: lines.insert(3, lines[2]))
    assert check.main([str(data_copy)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "layers/places.geojson:features[2]: empty required property 'name'" in out
    assert any(line.startswith("tables/occupied_areas.csv:4: date 2024-07-09 repeats line 3") for line in out)


def test_a_number_too_long_to_read_is_named(data_copy):
    path = data_copy / "layers" / "places.geojson"
    path.write_text(path.read_text().replace("35.271", "3" * 5000, 1))
    ds = fresh(data_copy)
    assert messages(ds, "layers/places.geojson") == ["0: not valid JSON (a number too long to read)"]


def test_line_of_contact_figure_without_front_km_says_not_available(data_copy):
    from dashboard.data.figures import key_figures

    edit_table(data_copy, lambda lines: lines.__setitem__(slice(None), [x.rsplit(",", 1)[0] for x in lines]))
    ds = fresh(data_copy)
    figures = {f.spec.computed: f.value for f in key_figures(ds, date(2025, 6, 1)) if f.spec.computed}
    assert figures["front_length_km"] == "not available"
    assert figures["occupied_total_km2"].endswith("km²")  # the rest of the table still counts


def test_figure_dates_must_be_days_or_dated(data_copy):
    from dashboard.data.catalog import load_catalog

    edit_catalog(data_copy, 'date = "2024-11-23"', 'date = "2025-13-45"')
    problems = [str(p) for p in load_catalog(data_copy / "catalog.toml").problems]
    assert any("'date' must be a YYYY-MM-DD date" in p and "2025-13-45" in p for p in problems), problems
    shipped = load_catalog(DEFAULT_DATA / "catalog.toml")
    assert not shipped.problems and any(f.date == "dated" for f in shipped.figures.values())
