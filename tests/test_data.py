import json
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.data.history import extent_for
from dashboard.data.load import REQUIRED_PROPERTIES
from tests.conftest import fresh

LAYERS = ["oblasts", "occupied", "kursk-salient", "places", "counteroffensive"]


def test_every_layer_loads_with_crs_valid_geometry_and_provenance(shipped):
    assert [p for p in shipped.problems if p.severity == "error"] == []
    for layer_id in LAYERS:
        gdf = shipped.layers[layer_id].gdf
        assert gdf.crs.to_epsg() == 4326, layer_id
        present = gdf.geometry.dropna()
        assert len(present) and present.is_valid.all(), layer_id
        for column in REQUIRED_PROPERTIES:
            assert gdf[column].astype(str).str.strip().ne("").all(), (layer_id, column)
        assert gdf["status"].isin(["reported", "assessed", "claimed"]).all()


def test_oblasts_and_border_follow_recognised_borders(shipped):
    gdf = shipped.layers["oblasts"].gdf
    oblasts = gdf[gdf["kind"] == "oblast"].set_index("id")
    assert set(oblasts.index) == {"RU-KRS", "RU-BEL", "RU-BRY", "UA-59", "UA-63", "UA-14", "UA-09", "UA-23",
                                  "UA-12"}
    assert (gdf["kind"] == "border").sum() == 1
    areas = oblasts.to_crs("EPSG:6933").area / 1e6
    # Kursk Oblast is about 30,000 km², Donetsk about 26,500 km² (official figures)
    assert areas["RU-KRS"] == pytest.approx(30_000, rel=0.05)
    assert areas["UA-14"] == pytest.approx(26_500, rel=0.05)
    assert areas["UA-12"] == pytest.approx(31_900, rel=0.05)  # Dnipropetrovsk


def test_places_include_the_story_towns(shipped):
    names = set(shipped.layers["places"].gdf["name"])
    assert {"Sudzha", "Korenevo", "Kursk", "Sumy", "Pokrovsk", "Kurakhove", "Vuhledar", "Toretsk",
            "Chasiv Yar", "Kramatorsk", "Donetsk", "Luhansk"} <= names
    sudzha = shipped.layers["places"].gdf.set_index("name").geometry["Sudzha"]
    assert (round(sudzha.y, 2), round(sudzha.x, 2)) == (51.19, 35.27)


def test_salient_measured_next_to_claimed(shipped):
    gdf = shipped.layers["kursk-salient"].gdf
    assert len(gdf) >= 5
    kursk = shipped.layers["oblasts"].gdf.set_index("id").geometry["RU-KRS"]
    for _, row in gdf.iterrows():
        assert row.geometry.buffer(1e-3).within(kursk.buffer(2e-3)), row["date"]  # clipped to Kursk Oblast
        measured = gpd.GeoSeries([row.geometry], crs=4326).to_crs("EPSG:6933").area.iloc[0] / 1e6
        assert row["measured_area_km2"] == pytest.approx(measured, abs=1)
        if row["claimed_area_km2"] == row["claimed_area_km2"]:  # not NaN
            assert row["measured_area_km2"] == pytest.approx(row["claimed_area_km2"], rel=0.10)


def test_extent_between_two_dates_is_the_earlier_one(shipped):
    gdf = shipped.layers["kursk-salient"].gdf
    assert extent_for(gdf, date(2024, 8, 20))["date"].tolist() == ["2024-08-12"]
    assert extent_for(gdf, date(2024, 8, 27))["date"].tolist() == ["2024-08-27"]
    assert extent_for(gdf, date(2024, 8, 1)).empty


def test_history_replay_matches_full_resolution_areas(shipped):
    hist = shipped.history
    assert hist.first == date(2024, 7, 8) and hist.last == date(2026, 8, 22)
    for day in (date(2024, 7, 8), date(2024, 11, 1), date(2025, 3, 15), date(2025, 10, 1), date(2026, 8, 22)):
        geom = hist.snapshot(day).geometry
        measured = gpd.GeoSeries([geom], crs=4326).to_crs("EPSG:6933").area.iloc[0] / 1e6
        assert measured == pytest.approx(hist.area_row(day)["total_km2"], rel=0.001), day
    # DeepState's own sanity figures for the source (README): about 110,760 km² on 1 Nov
    assert hist.area_row(date(2024, 11, 1))["total_km2"] == pytest.approx(110_760, abs=50)
    assert hist.area_row(date(2026, 8, 22))["total_km2"] == pytest.approx(117_000, rel=0.002)


def test_missing_upstream_day_shows_the_nearest_earlier(shipped):
    snap = shipped.history.snapshot(date(2024, 8, 18))
    assert snap.shown == date(2024, 8, 17) and not snap.exact
    assert shipped.history.snapshot(date(2024, 8, 20)).exact


def test_area_table_oblasts_sum_to_total(shipped):
    table = shipped.history.areas
    columns = [c for c in table.columns if c.endswith("_km2") and c != "total_km2"]
    assert {"donetsk_km2", "sumy_km2", "dnipropetrovsk_km2"} <= set(columns)
    parts = table[columns].sum(axis=1)
    assert (parts - table["total_km2"]).abs().max() < 0.1


# ---------------------------------------------------------------- damaged data
def _damage(root: Path, rel: str, content: str | None) -> None:
    path = root / rel
    if content is None:
        path.unlink()
    else:
        path.write_text(content)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "file not found"),
        ('{"type": "FeatureCollection", "features": [{"type": "Feat', "not valid JSON"),
        ("name,lat,lon\nSudzha,51.19,35.27\n", "not valid JSON"),
        ('{"type": "Topology", "objects": {}}', "not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "no features"),
        ('{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:3857"}},'
         ' "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Point",'
         ' "coordinates": [3926000, 6650000]}}]}', "unexpected CRS"),
        ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry":'
         ' {"type": "Point", "coordinates": [3926000, 6650000]}}]}', "not longitude/latitude"),
    ],
    ids=["missing", "truncated", "csv", "topojson", "empty", "crs", "projected"],
)
def test_one_broken_layer_file_costs_only_that_layer(data_copy, content, expected):
    _damage(data_copy, "layers/places.geojson", content)
    ds = fresh(data_copy)
    errors = ds.errors_for("places")
    assert len(errors) == 1 and expected in errors[0].message
    assert errors[0].file == "layers/places.geojson"
    assert "places" not in ds.layers
    assert {"oblasts", "occupied", "kursk-salient", "counteroffensive"} <= set(ds.layers)


def test_invalid_geometry_is_repaired_with_a_warning(data_copy):
    path = data_copy / "layers" / "counteroffensive.geojson"
    data = json.loads(path.read_text())
    bowtie = [[[36.0, 51.0], [36.5, 51.5], [36.5, 51.0], [36.0, 51.5], [36.0, 51.0]]]
    data["features"][0]["geometry"] = {"type": "Polygon", "coordinates": bowtie}
    path.write_text(json.dumps(data))
    ds = fresh(data_copy)
    assert "counteroffensive" in ds.layers and ds.layers["counteroffensive"].gdf.is_valid.all()
    warnings = [p for p in ds.problems if p.severity == "warning"]
    assert warnings and "repaired" in warnings[0].message and warnings[0].location == "features[0]"


def test_missing_provenance_is_an_error(data_copy):
    path = data_copy / "layers" / "counteroffensive.geojson"
    data = json.loads(path.read_text())
    data["features"][1]["properties"]["source"] = "  "
    path.write_text(json.dumps(data))
    ds = fresh(data_copy)
    assert [str(p) for p in ds.errors_for("counteroffensive")] == [
        "layers/counteroffensive.geojson:features[1]: empty required property 'source'"]


def test_broken_area_table_keeps_the_map_layer(data_copy):
    (data_copy / "tables" / "occupied_areas.csv").write_text("nonsense\n1\n")
    ds = fresh(data_copy)
    assert "occupied" in ds.layers and ds.history.areas is None
    assert any(p.file == "tables/occupied_areas.csv" for p in ds.problems)
    assert isinstance(ds.history.snapshot(date(2024, 11, 1)).geometry.area, float)


def test_area_table_is_measured_not_copied(shipped):
    """The table is measured on the full-resolution snapshots, not on the shipped (snapped) shapes,
    and its oblast columns measure the occupied area inside each oblast."""
    table = pd.read_csv(shipped.root / "tables" / "occupied_areas.csv").set_index("date")
    assert table.index.is_monotonic_increasing and "2024-08-18" not in table.index
    oblasts = shipped.layers["oblasts"].gdf.set_index("id").to_crs("EPSG:6933")
    for day in ("2024-11-10", "2025-06-01", "2026-08-22"):
        geom = gpd.GeoSeries([shipped.history.snapshot(date.fromisoformat(day)).geometry], crs=4326)
        shape = geom.to_crs("EPSG:6933")
        snapped_total = shape.area.iloc[0] / 1e6
        # close to the snapped replay, but not equal to it: measured on other (full) shapes
        assert table.loc[day, "total_km2"] == pytest.approx(snapped_total, rel=5e-4)
        assert table.loc[day, "total_km2"] != round(snapped_total, 2)
        for iso, column in (("UA-14", "donetsk_km2"), ("UA-63", "kharkiv_km2")):
            inside = shape.intersection(oblasts.geometry[iso]).area.iloc[0] / 1e6
            # oblast boundaries shipped for display are generalised: within 2 % or 60 km²
            assert abs(table.loc[day, column] - inside) <= max(0.02 * inside, 60), (day, column)
