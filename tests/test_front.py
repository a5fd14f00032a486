"""Distance to the front, town lookup, line of contact and pace: checked against independent
computations (a UTM projection and shapely for distances, the area table read with pandas)."""

import json
import re
import subprocess
import sys
from datetime import date, timedelta

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from dashboard import front as cli
from dashboard.data import front
from dashboard.ui import chart
from dashboard.ui.front_panel import PICK_KEY, QUERY_KEY
from tests.conftest import ROOT

DATES = ("2024-11-10", "2025-06-01", "2026-08-22")
# name as a reader types it -> the GeoNames id meant (the most populous namesake in the war zone)
TOWNS = {"Kramatorsk": 704508, "Sloviansk": 693468, "Kostiantynivka": 705104, "Zaporizhzhia": 687700,
         "Kharkiv": 706483, "Sumy": 692194}
DONETSK_CITY = 709717
GAZETTEER = ROOT / "geodata" / "gazetteer" / "places.tsv"


def gazetteer_point(geonameid: int) -> tuple[float, float]:
    """(lon, lat) straight from the gazetteer file, not through the lookup under test."""
    table = pd.read_csv(GAZETTEER, sep="\t", comment="#", usecols=["geonameid", "lat", "lon"])
    row = table[table["geonameid"] == geonameid].iloc[0]
    return float(row["lon"]), float(row["lat"])


def utm_km(ds, lon: float, lat: float, day: str, epsg: int = 32637) -> float:
    """The independent measure: snapshot and town projected into UTM, shapely's planar distance."""
    geom = ds.history.snapshot(date.fromisoformat(day)).geometry
    shape = gpd.GeoSeries([geom], crs=4326).to_crs(epsg).iloc[0]
    point = gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).to_crs(epsg).iloc[0]
    return shape.distance(point) / 1000


def close(value: float, ref: float) -> bool:
    """Within 1 % or 0.5 km, whichever is looser (UTM's own scale error is about 0.1 % here)."""
    return abs(value - ref) <= max(0.01 * ref, 0.5)


@pytest.mark.parametrize("name", TOWNS)
def test_distance_matches_a_utm_measure(shipped, name):
    lon, lat = gazetteer_point(TOWNS[name])
    for day in DATES:
        got = front.distance_km(shipped, lon, lat, date.fromisoformat(day))
        ref = utm_km(shipped, lon, lat, day)
        assert ref > 1 and close(got, ref), (name, day, got, ref)


def test_far_town_is_measured_whole_and_in_its_own_zone(shipped):
    lon, lat = 30.5234, 50.4501  # Kyiv: hundreds of km out, west of UTM 37, so zone 36
    got = front.distance_km(shipped, lon, lat, date(2025, 6, 1))
    ref = utm_km(shipped, lon, lat, "2025-06-01", epsg=32636)
    assert ref > 300 and close(got, ref)


@pytest.mark.parametrize("name", ["Kramatorsk", "Sumy"])
def test_search_box_and_shared_points_change_nothing(shipped, name):
    """The whole shape projected by GeoPandas (no clipping, no shared points) gives the same
    figures on every fifth day: the search box never cuts off the nearest point."""
    lon, lat = gazetteer_point(TOWNS[name])
    series = front.distance_series(shipped, lon, lat).iloc[::5]
    shapes = gpd.GeoSeries([shipped.history.snapshot(d).geometry for d in series["date"]], crs=4326)
    whole = shapes.to_crs(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m")
    assert whole.distance(shapely.Point(0, 0)).to_numpy() / 1000 == pytest.approx(series["distance_km"], abs=1e-6)


def test_inside_occupied_territory_is_zero(shipped):
    lon, lat = gazetteer_point(DONETSK_CITY)
    assert all(front.distance_km(shipped, lon, lat, date.fromisoformat(d)) == 0 for d in DATES)
    assert (front.distance_series(shipped, lon, lat)["distance_km"] == 0).all()


def test_days_outside_the_history_have_no_distance(shipped):
    lon, lat = gazetteer_point(TOWNS["Kramatorsk"])
    hist = shipped.history
    assert front.distance_km(shipped, lon, lat, hist.first - timedelta(days=1)) is None
    assert front.distance_km(shipped, lon, lat, hist.last + timedelta(days=1)) is None


def test_series_has_every_day_and_its_minimum_is_the_closest_day(shipped):
    lon, lat = gazetteer_point(TOWNS["Kostiantynivka"])
    series = front.distance_series(shipped, lon, lat)
    assert list(series["date"]) == shipped.history.days and len(series) == len(shipped.history.days)
    day, km = front.closest_day(series)
    assert km == series["distance_km"].min()
    assert day == min(d for d, v in zip(series["date"], series["distance_km"], strict=True) if v == km)
    for probe in (shipped.history.first, day, date(2025, 6, 1)):
        assert front.distance_km(shipped, lon, lat, probe) == pytest.approx(
            float(series.loc[series["date"] == probe, "distance_km"].iloc[0]))
    assert close(km, utm_km(shipped, lon, lat, day.isoformat()))


def test_series_is_memoised_per_rounded_point(shipped):
    lon, lat = gazetteer_point(TOWNS["Sumy"])
    assert front.distance_series(shipped, lon, lat) is front.distance_series(shipped, lon + 2e-5, lat - 2e-5)


def test_closest_day_of_nothing_is_none():
    assert front.closest_day(pd.DataFrame({"date": [], "distance_km": []})) is None


# ----------------------------------------------------------------------------- town lookup
@pytest.mark.parametrize("spelling", ["Sloviansk", "Slovyansk", "Slavyansk", "Слов'янськ", "Славянск"])
def test_spellings_find_the_same_town(shipped, spelling):
    assert front.find_town(spelling, shipped)[0].geonameid == TOWNS["Sloviansk"]


def test_namesakes_rank_the_war_zone_city_first(shipped):
    kost = front.namesakes("Kostiantynivka", shipped)
    assert len(kost) > 1 and kost[0].geonameid == TOWNS["Kostiantynivka"]
    assert kost[0].population == max(t.population for t in kost if t.in_war_zone)
    donetsk = front.namesakes("Donetsk", shipped)
    assert [t.country for t in donetsk][:2] == ["UA", "RU"] and donetsk[0].geonameid == DONETSK_CITY


def test_lookup_by_id_prefix_and_nothing(shipped):
    (town,) = front.find_town(str(TOWNS["Kharkiv"]), shipped)
    assert (town.name, town.region, town.population) == ("Kharkiv", "Kharkiv Oblast", 1421125)
    assert (town.lon, town.lat) == gazetteer_point(TOWNS["Kharkiv"])
    assert front.find_town("Kram", shipped)[0].geonameid == TOWNS["Kramatorsk"]
    assert front.find_town("Qqqxz", shipped) == [] and front.find_town("  ", shipped) == []
    assert front.find_town("999999999", shipped) == []
    assert len(front.find_town("k", shipped, limit=7)) == 7


def test_towns_layer_is_searched(shipped):
    spec = shipped.catalog.by_role("towns")
    layer = shipped.layers[spec.id].gdf
    for _, row in layer.iterrows():
        assert int(row["geonameid"]) in {t.geonameid for t in front.find_town(str(row["name"]), shipped, limit=50)}


# ----------------------------------------------------------------------------- line and pace
def area_table() -> pd.DataFrame:
    return pd.read_csv(ROOT / "geodata" / "tables" / "occupied_areas.csv")


def test_front_series_is_the_tables_column(shipped):
    table, series = area_table(), front.front_series(shipped)
    assert [d.isoformat() for d in series["date"]] == list(table["date"])
    assert series["front_km"].tolist() == table["front_km"].tolist()
    by_day = dict(zip(table["date"], table["front_km"], strict=True))
    # figures the build's README states
    assert round(by_day["2024-11-10"]) == 1096 and round(by_day["2026-08-22"]) == 1183


def test_front_figures_follow_the_table(shipped):
    table = area_table().set_index("date")
    figs = front.front_figures(shipped, date(2025, 5, 2), date(2025, 6, 1))
    assert figs.front_km == table.at["2025-06-01", "front_km"]
    assert figs.change_km == pytest.approx(table.at["2025-06-01", "front_km"] - table.at["2025-05-02", "front_km"])
    assert figs.pace_since == date(2025, 5, 4)
    expected = (table.at["2025-06-01", "total_km2"] - table.at["2025-05-04", "total_km2"]) / 4
    assert figs.pace_km2_week == pytest.approx(expected)


def test_weekly_pace_is_the_net_change_per_week(shipped):
    table = area_table()
    sundays = table.assign(date=pd.to_datetime(table["date"])).set_index("date")["total_km2"].resample("W-SUN").last()
    pace = front.weekly_pace(shipped)
    assert pace["net_km2"].tolist() == pytest.approx(sundays.diff().dropna().tolist())
    week = pace.iloc[10]
    assert week["avg_km2"] == pytest.approx(pace["net_km2"].iloc[7:11].mean())
    assert pace["avg_km2"].iloc[:3].isna().all()


# ----------------------------------------------------------------------------- CLI
def test_cli_json_has_exactly_the_keys(shipped, capsys):
    assert cli.main(["--town", "Kramatorsk", "--date", "2025-06-01", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"town", "lat", "lon", "date", "distance_km"}
    lon, lat = gazetteer_point(TOWNS["Kramatorsk"])
    assert (out["town"], out["lon"], out["lat"], out["date"]) == ("Kramatorsk", lon, lat, "2025-06-01")
    assert close(out["distance_km"], utm_km(shipped, lon, lat, "2025-06-01"))


def test_cli_names_the_namesake_it_picked_and_defaults_to_the_last_day(shipped, capsys):
    assert cli.main(["--town", "Kostiantynivka", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["date"] == shipped.history.last.isoformat()
    assert str(TOWNS["Kostiantynivka"]) in captured.err and "places are called" in captured.err


@pytest.mark.parametrize("argv", [["--town", "Qqqxz"], ["--town", "Sumy", "--date", "2023-01-01"],
                                  ["--town", "Sumy", "--date", "2030-01-01"], ["--town", "Sumy", "--date", "soon"]])
def test_cli_errors_are_one_line_and_non_zero(argv, capsys):
    assert cli.main(argv) != 0
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_cli_runs_as_a_module():
    run = subprocess.run([sys.executable, "-m", "dashboard.front", "--town", "704508", "--date", "2024-11-10"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and re.match(r"Kramatorsk \(.*\): [\d.]+ km .* on 2024-11-10", run.stdout)
    bad = subprocess.run([sys.executable, "-m", "dashboard.front", "--town", "Qqqxz"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0 and bad.stdout == ""


# ----------------------------------------------------------------------------- chart and panel
def test_series_chart_marks_the_closest_day_and_stays_boxes(shipped):
    lon, lat = gazetteer_point(TOWNS["Kostiantynivka"])
    series = front.distance_series(shipped, lon, lat)
    day, km = front.closest_day(series)
    html = chart.series_html(series, "distance_km", day, day, unit="km", label="x", mark=day, keep="min")
    cols = re.findall(r'class="col" data-tip="([^"]*)" style="position:absolute;left:([\d.]+)%;width:([\d.]+)%;'
                      r'top:([\d.]+)px;height:([\d.]+)px', html)
    assert 0 < len(cols) <= chart.SERIES_COLUMNS
    tallest = max(cols, key=lambda c: float(c[4]))
    lowest = min(cols, key=lambda c: float(c[4]))
    assert float(tallest[4]) / float(lowest[4]) == pytest.approx(series["distance_km"].max() / km, rel=0.05)
    assert f"{km:,.1f} km" in lowest[0] and f'class="mark" data-tip="{day.isoformat()}' in html
    assert "<svg" not in html and "<script" not in html
    assert chart.series_html(series.iloc[0:0], "distance_km", day, day, unit="km", label="x") == ""


def run_panel(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "tests" / "front_panel_app.py"), default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_panel_restores_the_town_from_the_link(shipped):
    at = run_panel({"town": str(TOWNS["Kramatorsk"]), "date": "2025-06-01"})
    metrics = {m.label: m.value for m in at.metric}
    lon, lat = gazetteer_point(TOWNS["Kramatorsk"])
    assert close(float(metrics["Kramatorsk to the front"].removesuffix(" km")), utm_km(shipped, lon, lat, "2025-06-01"))
    caption = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "on 2025-06-01" in caption and "assessed" in caption and "DeepStateMap" in caption and "Closest:" in caption
    measured = area_table().set_index("date").at["2025-06-01", "front_km"]
    assert metrics["Line of contact on 2025-06-01"] == f"{measured:,.0f} km"


def test_panel_search_puts_the_town_in_the_url():
    at = run_panel({})
    at.text_input(key=QUERY_KEY).input("Slavyansk").run()
    (select,) = [s for s in at.selectbox if s.key.startswith(PICK_KEY)]
    select.select(str(TOWNS["Sloviansk"])).run()
    assert not at.exception and at.query_params["town"] == str(TOWNS["Sloviansk"])
    assert any(m.label == "Slovyansk to the front" for m in at.metric)


def test_panel_unknown_town_is_a_notice():
    at = run_panel({"town": "999999999"})
    assert any("not in the gazetteer" in w.value for w in at.warning)
    assert all("to the front" not in m.label for m in at.metric)


# ----------------------------------------------------------------------------- review: ranking and a broken gazetteer
def test_an_exact_name_beats_a_district_known_by_that_name(shipped):
    towns = front.namesakes("Oleksandrivka", shipped)
    names = [t.name for t in towns]
    assert names[0] == "Oleksandrivka" and names.index("Oleksandrivskyi") > max(
        i for i, n in enumerate(names) if n == "Oleksandrivka")
    assert front.find_town("Oleksandrivka", shipped)[0].name == "Oleksandrivka"


def test_nonsense_and_overlong_queries_match_nothing(shipped):
    assert front.find_town("a" * 500, shipped) == [] and front.namesakes("a" * 500, shipped) == []
    assert front.find_town("aaaa", shipped) == []
    assert front.find_town("Kramatorsk" + "x" * 60, shipped) == []


def gazetteer_copy(data_copy, change) -> None:
    path = data_copy / "gazetteer" / "places.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    change(lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_damaged_gazetteer_lines_cost_only_themselves(data_copy, monkeypatch, capsys):
    def damage(lines):
        lines.insert(6, "garbage line without tabs")
        lines.append("\t".join(["1", "Nowhere", "settlement", "NaN", "30", "UA", "05", "many", "nowhere", ""]))
    gazetteer_copy(data_copy, damage)
    monkeypatch.setenv("SITUATION_MAP_DATA", str(data_copy))
    assert cli.main(["--town", "Kramatorsk", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["town"] == "Kramatorsk"


def test_missing_gazetteer_is_said_and_the_line_of_contact_still_draws(data_copy, monkeypatch, capsys):
    (data_copy / "gazetteer" / "places.tsv").unlink()
    monkeypatch.setenv("SITUATION_MAP_DATA", str(data_copy))
    assert cli.main(["--town", "Qqqxz"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    at = run_panel({"date": "2025-06-01"})
    at.text_input(key=QUERY_KEY).input("Kramatorsk").run()
    assert not at.exception
    assert any("gazetteer is unavailable" in w.value for w in at.warning)
    assert any(m.label == "Line of contact on 2025-06-01" for m in at.metric)


def test_a_failing_town_section_leaves_the_line_of_contact(monkeypatch):
    from dashboard.ui import front_panel

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(front_panel, "find_town", broken)
    at = run_panel({"town": str(TOWNS["Kramatorsk"]), "date": "2025-06-01"})
    assert any("could not be drawn" in e.value for e in at.error)
    assert any(m.label == "Line of contact on 2025-06-01" for m in at.metric)
    assert "boom" not in " ".join(e.value for e in at.error)


@pytest.mark.parametrize("argv", [["--town", "Zq" * 50_000], ["--town", "Kramatorsk", "--date", "9" * 100_000]])
def test_cli_error_does_not_echo_a_huge_argument(argv, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and len(err) < 300 and "…" in err


def test_gazetteer_loader_skips_and_names_bad_lines_capped(data_copy):
    from dashboard.data.gazetteer import MAX_PROBLEMS, read_gazetteer

    good = len(read_gazetteer(data_copy / "gazetteer").entries)
    gazetteer_copy(data_copy, lambda lines: lines.extend(["garbage line without tabs"] * (MAX_PROBLEMS + 5)))
    gaz = read_gazetteer(data_copy / "gazetteer")
    assert len(gaz.entries) == good
    assert len(gaz.problems) == MAX_PROBLEMS + 1 and gaz.problems[-1][2] == "5 more bad lines skipped"
    file, line, what = gaz.problems[0]
    assert file == "gazetteer/places.tsv" and int(line) > 5 and "columns" in what


def run_ingest_cli(data, *args):
    import os

    return subprocess.run([sys.executable, "-m", "dashboard.ingest", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "SITUATION_MAP_DATA": str(data)},
                          input="Drones hit Kramatorsk overnight.")


def test_ingest_cli_survives_a_damaged_gazetteer_and_names_a_missing_one(data_copy):
    gazetteer_copy(data_copy, lambda lines: lines.insert(6, "garbage line without tabs"))
    ok = run_ingest_cli(data_copy, "-", "--json")
    assert ok.returncode == 0 and "Kramatorsk" in {p["text"] for p in json.loads(ok.stdout)["places"]}, ok.stderr
    (data_copy / "gazetteer" / "places.tsv").unlink()
    bad = run_ingest_cli(data_copy, "-")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stdout == ""
    assert bad.stderr.startswith("error: the gazetteer is unavailable") and bad.stderr.count("\n") == 1


@pytest.mark.parametrize("name", ["Kramatorsk", "Sumy"])
def test_the_nearest_point_is_on_the_area_at_the_distance_given(shipped, name):
    """The map draws a line to this point, labelled with the panel's figure: the point lies on the
    day's occupied area, and its geodesic distance from the town is that figure."""
    import pyproj

    lon, lat = gazetteer_point(TOWNS[name])
    series = front.distance_series(shipped, lon, lat).iloc[::37]
    geod = pyproj.Geod(ellps="WGS84")
    for day, km, nlon, nlat in series[["date", "distance_km", "near_lon", "near_lat"]].itertuples(index=False):
        area = shipped.history.snapshot(day).geometry
        assert shapely.distance(area, shapely.Point(nlon, nlat)) < 1e-6, (name, day)
        assert geod.inv(lon, lat, nlon, nlat)[2] / 1000 == pytest.approx(km, abs=0.01), (name, day)
