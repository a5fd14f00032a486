"""The history file the map draws every day from (map/timeline.py): complete enough to rebuild
any day's occupied area, salient and events, small, and with every text escaped."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date, timedelta

import folium
import pytest
import shapely

from dashboard.data.figures import DEFAULT_WINDOW_DAYS, window_start
from dashboard.data.layers import events_on
from dashboard.data.settlements import load_settlements, settlements_spec, window_features
from dashboard.data.view import bounds_from
from dashboard.map.build import base_map
from dashboard.map.draw import rows_of
from dashboard.map.text import feature_popup, feature_tip
from dashboard.map.timeline import STEPS, TimeControl, geometry_code, history_payload
from tests.conftest import fresh
from tests.test_hardening_outputs import EVIL, damage

ARTICLE = "kursk-nov-2024"


def _ring(code: list[int], scale: int) -> list[tuple[float, float]]:
    out, x, y = [], 0, 0
    for i in range(0, len(code), 2):
        x, y = x + code[i], y + code[i + 1]
        out.append((x / scale, y / scale))
    return [*out, out[0]]


def _shape(code: list, scale: int) -> shapely.Geometry:
    if code and isinstance(code[0], int):
        return shapely.Point(code[0] / scale, code[1] / scale)
    return shapely.MultiPolygon([shapely.Polygon(_ring(p[0], scale), [_ring(r, scale) for r in p[1:]])
                                 for p in code])


def test_geometry_codes_round_trip_on_the_grid():
    poly = shapely.Polygon([(35.1, 51.1), (35.4, 51.1), (35.4, 51.3), (35.1, 51.3)],
                           [[(35.2, 51.15), (35.3, 51.15), (35.3, 51.2)]])
    back = _shape(geometry_code(poly), 10_000)
    assert back.equals(shapely.MultiPolygon([poly]))
    assert _shape(geometry_code(shapely.Point(35.12341, 51.5)), 10_000).equals(shapely.Point(35.1234, 51.5))
    assert geometry_code(None) == [] and geometry_code(shapely.MultiPolygon()) == []


def test_any_day_replays_from_the_file_to_the_servers_area(shipped):
    data = json.loads(history_payload(shipped, ARTICLE))
    occ, scale = data["daily"], data["scale"]
    days = occ["days"]
    assert days == [d.isoformat() for d in shipped.history.days] and len(occ["texts"]) == len(days)
    assert days[0] in occ["keys"], "the replay starts from a keyframe"
    # the browser's replay, done here with shapely: nearest keyframe, then gains and losses
    for target in (days[40], days[len(days) // 2], days[-1]):
        start = max(d for d in occ["keys"] if d <= target)
        geom = _shape(occ["keys"][start], scale)
        for d in days[days.index(start) + 1 : days.index(target) + 1]:
            if occ["gained"].get(d):
                geom = shapely.union(geom, _shape(occ["gained"][d], scale))
            if occ["lost"].get(d):
                geom = shapely.difference(geom, _shape(occ["lost"][d], scale))
        server = shipped.history.snapshot(date.fromisoformat(target)).geometry
        assert shapely.symmetric_difference(geom, server).area < 1e-3 * server.area, target
        assert f"on {target}" in occ["texts"][days.index(target)][0], "the day's own tooltip"
    # its status, for the same dash as the server's drawing ("assessed" is dashed)
    assert occ["status"] == shipped.catalog.by_role("history").status and occ["status"] in data["dash"]


def test_salients_and_events_carry_their_dates(shipped):
    layers = json.loads(history_payload(shipped, ARTICLE))["layers"]
    salient = layers["kursk-salient"]
    assert salient["kind"] == "extents"
    assert len(salient["records"]) == len(shipped.layers["kursk-salient"].gdf)
    events = layers["counteroffensive"]["records"]
    gdf = shipped.layers["counteroffensive"].gdf
    for day in (date(2024, 11, 10), date(2025, 2, 1), date(2025, 6, 1)):
        shown = [r for r in events if r["d"] <= day.isoformat() and (not r["u"] or r["u"] >= day.isoformat())]
        assert len(shown) == len(events_on(gdf, day)), day


def browser_window(layer: dict, day: date) -> list[dict]:
    """time.js `shown` for a "window" layer: start = max(first, day - window), start < d <= day."""
    since = max(date.fromisoformat(layer["first"]), day - timedelta(days=layer["window"])).isoformat()
    lo, hi = sorted((since, day.isoformat()))
    return [r for r in layer["records"] if lo < r["d"] <= hi]


def test_the_settlements_layer_holds_every_change_with_the_servers_texts(shipped):
    spec = settlements_spec(shipped.catalog)
    layer = json.loads(history_payload(shipped, ARTICLE))["layers"][spec.id]
    found = load_settlements(shipped.root, spec.table)
    every = window_features(found, found.table.first, found.table.last)
    assert layer["kind"] == "window" and layer["window"] == DEFAULT_WINDOW_DAYS
    assert layer["first"] == shipped.history.first.isoformat()
    assert len(layer["records"]) == len(every) > 50
    assert layer["style"]["prop"] == spec.style_by.property and set(layer["style"]["values"]) == {"left"}
    assert {r["v"] for r in layer["records"]} == {"came-in", "left"}
    first = layer["records"][0]
    assert _shape(first["g"], 10_000).equals(shapely.Point(round(every.geometry.iloc[0].x, 4),
                                                          round(every.geometry.iloc[0].y, 4)))


@pytest.mark.parametrize("day", [date(2024, 7, 8), date(2024, 7, 20), date(2024, 8, 7), date(2025, 2, 14),
                                 date(2025, 11, 8), date(2026, 8, 22)])
def test_the_browsers_window_is_the_servers_for_any_day(shipped, day):
    """The records time.js picks for a day are the markers, in order and with the texts, that
    `layers.settlement_changes` gives the server's map for that day (no comparison)."""
    spec = settlements_spec(shipped.catalog)
    layer = json.loads(history_payload(shipped, ARTICLE))["layers"][spec.id]
    server = window_features(load_settlements(shipped.root, spec.table),
                             window_start(day, None, shipped.history.first), day)
    rows = rows_of(server) if server is not None else []
    picked = browser_window(layer, day)
    assert [(r["tip"], r["popup"], r["v"]) for r in picked] == [
        (feature_tip(row), feature_popup(row), row["kind"]) for row in rows]
    assert [tuple(r["g"]) for r in picked] == [(round(p.x * 10_000), round(p.y * 10_000))
                                               for p in (server.geometry if server is not None else [])]


def test_the_whole_history_is_small_on_the_wire(shipped):
    assert len(gzip.compress(history_payload(shipped, ARTICLE), 6)) < 1_500_000


def test_catalog_and_record_text_reaches_the_history_escaped(data_copy):
    damage(data_copy, ('title = "Ukrainian-held area in Kursk Oblast', f'title = "{EVIL} Ukrainian-held'))
    path = data_copy / "layers" / "kursk_salient.geojson"
    salient = json.loads(path.read_text())
    salient["features"][0]["properties"]["name"] = EVIL
    path.write_text(json.dumps(salient))
    ds = fresh(data_copy)
    payload = history_payload(ds, ARTICLE).decode()
    assert "evil.example" in payload and not re.search(r"<img src=http", payload, re.IGNORECASE)
    titles = {spec.id: spec.title for spec in ds.catalog.layers.values()}
    m = folium.Map(tiles=None)
    TimeControl("../vendor", "history.json", date(2024, 7, 8), date(2026, 1, 1), titles).add_to(m)
    html = m.get_root().render()
    assert "evil.example" in html and not re.search(r"<img src=http", html, re.IGNORECASE)


@pytest.mark.parametrize("broken", ["gone", "garbage"])
def test_a_bad_settlements_table_only_omits_that_layer(data_copy, broken):
    table = data_copy / "tables" / "settlements.csv"
    if broken == "gone":
        table.unlink()
    else:
        table.write_text("geonameid,day,inside\nnot,a,row\n", encoding="utf-8")
    ds = fresh(data_copy)
    data = json.loads(history_payload(ds, ARTICLE))
    assert settlements_spec(ds.catalog).id not in data["layers"] and "towns" not in data
    assert data["daily"] and "kursk-salient" in data["layers"]


def test_the_tables_header_reaches_the_settlement_texts_escaped(data_copy):
    table = data_copy / "tables" / "settlements.csv"
    text = table.read_text(encoding="utf-8")
    table.write_text(re.sub(r"(?m)^# source: .*$", f"# source: {EVIL}", text, count=1), encoding="utf-8")
    ds = fresh(data_copy)
    records = json.loads(history_payload(ds, ARTICLE))["layers"][settlements_spec(ds.catalog).id]["records"]
    assert records and all("evil.example" in r["popup"] for r in records)
    assert not any(re.search(r"<img src=http", r["popup"], re.IGNORECASE) for r in records)


def test_the_steps_keep_the_sidebars_names():
    assert [s[0] for s in STEPS] == ["−1m", "−7d", "−1d", "+1d", "+7d", "+1m"]


def test_the_town_markers_days_are_the_tables_history(shipped):
    towns = json.loads(history_payload(shipped, ARTICLE))["towns"]
    found = load_settlements(shipped.root, settlements_spec(shipped.catalog).table)
    gdf = shipped.layers[towns["layer"]].gdf
    ids = dict(zip(gdf["name"], gdf["geonameid"].astype(int), strict=True))
    assert towns["layer"] == shipped.catalog.by_role("towns").id
    for name in ("Pokrovsk", "Toretsk", "Donetsk", "Kramatorsk"):
        assert towns["towns"][str(ids[name])] == [[d.isoformat(), int(s)] for d, s in found.table.history(ids[name])]
    assert towns["towns"][str(ids["Pokrovsk"])] == [["2025-11-03", 1]]
    assert [s for _, s in towns["towns"][str(ids["Toretsk"])]] == [1, 0, 1], "out again, then in again"
    assert str(ids["Sudzha"]) not in towns["towns"], "a town the table did not measure keeps its name"
    assert set(towns["towns"]) == {str(g) for g in ids.values() if found.measured(g)}
    assert towns["status"] == found.status == "assessed"
    assert towns["texts"]["in"][1] == towns["texts"]["out"][1] == " (assessed)"
    # the two states differ in fill (white, the occupied area's fill), not only in hue
    occupied = shipped.catalog.styles[shipped.catalog.by_role("history").style]
    assert towns["style"]["in"]["fillColor"] == occupied["fillColor"] != towns["style"]["out"]["fillColor"]


def test_the_map_clock_is_given_the_town_markers_layer(shipped):
    """The time control names the towns' GeoJSON layer, whose markers carry their GeoNames id."""
    bounds = bounds_from(shipped.catalog)
    m = base_map(shipped, bounds.default, publish=lambda name, data: f"{name}.json", tools=True)
    html = m.get_root().render()
    name = re.search(r"attach\([^\n]*\{towns: (geo_json_\w+)\}\)", html).group(1)
    assert f"var {name} = L.geoJson" in html
    assert html.index(f"var {name} = L.geoJson") < html.index("SmTime.attach(")
    assert '"geonameid": "704422"' in html and '"tip": "Pokrovsk"' in html


def test_hostile_town_and_table_words_reach_the_map_escaped(data_copy):
    table = data_copy / "tables" / "settlements.csv"
    text = table.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^# rule: .*$", f"# rule: {EVIL}", text, count=1)
    table.write_text(re.sub(r"(?m)^# source: .*$", f"# source: {EVIL}", text, count=1), encoding="utf-8")
    path = data_copy / "layers" / "places.geojson"
    places = json.loads(path.read_text())
    pokrovsk = next(f for f in places["features"] if f["properties"]["name"] == "Pokrovsk")
    pokrovsk["properties"]["name"] = EVIL
    path.write_text(json.dumps(places))
    ds = fresh(data_copy)
    towns = json.loads(history_payload(ds, ARTICLE))["towns"]
    assert "evil.example" in towns["source"] + towns["rule"]
    assert not re.search(r"<img src=http", json.dumps(towns, ensure_ascii=False), re.IGNORECASE)
    assert towns["towns"]["704422"] == [["2025-11-03", 1]]
    bounds = bounds_from(ds.catalog)
    html = base_map(ds, bounds.default, publish=lambda name, data: f"{name}.json", tools=True).get_root().render()
    assert "evil.example" in html and not re.search(r"<img src=http", html, re.IGNORECASE)
