"""The shipped occupied-area series (scripts/build_occupied.py) replays and measures as built.

Reads only geodata/: the daily-changes layer, replayed with the app's own code, must give every
shipped day the area measured on the full-resolution snapshot, the table must hold one row
per shipped day with the oblast and front-line columns, and the shipped oblast boundaries must
measure the table's figures (the update measures new days against them).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.data.series import Boundaries, measure_day, table_frame

try:
    from dashboard.data.history import OccupiedHistory
except ImportError:
    from dashboard.history import OccupiedHistory

GEODATA = Path(__file__).resolve().parents[1] / "geodata"
FIRST, LAST = date(2024, 7, 8), date(2026, 8, 22)
#: Days with no snapshot upstream (cyterat/deepstate-map-data): no record, no row.
MISSING = {date(2024, 8, 18), date(2024, 8, 19), date(2025, 1, 1), date(2025, 3, 31),
           date(2025, 4, 1), date(2025, 11, 26), date(2026, 7, 9)}
SHIPPED = [FIRST + timedelta(n) for n in range((LAST - FIRST).days + 1)
           if FIRST + timedelta(n) not in MISSING]
OBLAST_COLUMNS = ["donetsk_km2", "luhansk_km2", "kharkiv_km2", "zaporizhzhia_km2", "kherson_km2",
                  "crimea_km2", "sevastopol_km2", "sumy_km2", "dnipropetrovsk_km2", "mykolaiv_km2"]
#: Replayed (grid-snapped) area against the table's full-resolution area. Snapping to the 1e-4°
#: grid moves each vertex by at most about 5 m, as often outwards as inwards: over the whole
#: series the two differ by at most about 0.3 km² (3e-6 of the total). 1 km² (about 0.001 %)
#: leaves room for that and still fails on a single lost or doubled daily change (median 7 km²),
#: which the 0.5 % an eye would accept (about 550 km²) would not.
AREA_TOLERANCE_KM2 = 1.0
#: A keyframe at least every 31 days: at most 30 days of changes to replay for any day.
MAX_REPLAY_DAYS = 30


@pytest.fixture(scope="module")
def records() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(GEODATA / "layers" / "occupied_daily.geojson")
    # The GeoJSON reader may parse the ISO dates itself: compare as dates either way.
    return gdf.assign(day=pd.to_datetime(gdf["date"]).dt.date)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(GEODATA / "tables" / "occupied_areas.csv")


def replayed_areas(changes: gpd.GeoDataFrame, days: list[date]) -> pd.Series:
    history = OccupiedHistory(changes.drop(columns="day"))
    geoms = [history.snapshot(d).geometry for d in days]
    km2 = gpd.GeoSeries(geoms, crs=4326).to_crs("EPSG:6933").area / 1e6
    return pd.Series(km2.to_numpy(), index=[d.isoformat() for d in days])


def test_one_row_and_one_set_of_records_per_shipped_day(records, table):
    assert table["date"].is_unique
    assert table["date"].is_monotonic_increasing
    assert list(table["date"]) == [d.isoformat() for d in SHIPPED]
    assert sorted(set(records["day"])) == SHIPPED
    assert not MISSING & set(records["day"])
    assert not {d.isoformat() for d in MISSING} & set(table["date"])


def test_records_are_a_base_then_gained_and_lost_each_day(records):
    assert set(records["kind"]) == {"base", "gained", "lost"}
    assert records.iloc[0]["kind"] == "base" and records.iloc[0]["day"] == FIRST
    counts = records.groupby(["day", "kind"]).size().unstack(fill_value=0)
    later = counts.drop(index=FIRST)
    assert (later["gained"] == 1).all() and (later["lost"] == 1).all()
    assert (counts["base"] <= 1).all()
    assert records["status"].eq("assessed").all()
    for column in ("name", "source", "source_url"):
        assert records[column].astype(str).str.strip().ne("").all(), column
    assert records.loc[records["kind"] == "base"].geometry.notna().all()


def test_keyframes_bound_the_replay(records):
    keyframes = set(records.loc[records["kind"] == "base", "day"])
    run = longest = 0
    for day in SHIPPED:
        run = 0 if day in keyframes else run + 1
        longest = max(longest, run)
    assert longest <= MAX_REPLAY_DAYS


def test_every_replayed_day_has_the_measured_area(records, table):
    replayed = replayed_areas(records, SHIPPED)
    measured = table.set_index("date")["total_km2"]
    off = (replayed - measured).abs()
    assert off.max() <= AREA_TOLERANCE_KM2, off.idxmax()


def test_changes_alone_rebuild_every_day(records, table):
    """Without the keyframes after the first, the daily changes must carry the whole series."""
    chained = records[(records["kind"] != "base") | (records["day"] == FIRST)]
    sample = [d for d in SHIPPED if d.day in (1, 2, 15) or d == LAST]
    replayed = replayed_areas(chained, sample)
    measured = table.set_index("date").loc[replayed.index, "total_km2"]
    off = (replayed - measured).abs()
    assert off.max() <= AREA_TOLERANCE_KM2, off.idxmax()


def test_area_columns(table):
    assert list(table.columns) == ["date", "total_km2", *OBLAST_COLUMNS, "other_km2", "front_km"]
    km2 = table[["total_km2", *OBLAST_COLUMNS, "other_km2"]]
    assert (km2 >= 0).all().all()
    parts = table[[*OBLAST_COLUMNS, "other_km2"]].sum(axis=1)
    assert (parts - table["total_km2"]).abs().max() <= 0.1  # rounding to 0.01 km² per column
    assert table["total_km2"].between(105_000, 125_000).all()
    in_2024 = table[table["date"] < "2025"]
    in_2025 = table[table["date"].str.startswith("2025")]
    for column in ("sumy_km2", "dnipropetrovsk_km2"):  # Russian forces entered both in 2025
        assert (in_2024[column] == 0).all(), column
        assert (in_2025[column] > 1).any(), column


def test_front_length_is_plausible(table):
    front = table["front_km"]
    # Commonly reported: roughly 1,000-1,300 km of active front; this count adds the Dnipro and
    # the Sumy/Kharkiv border fronts, and leaves out the state border and the coasts.
    assert front.between(900, 1_600).all()
    assert front.diff().abs().max() < 100  # a day's change, not a change of method


def test_shipped_boundaries_measure_the_table(records, table):
    """dashboard.update measures new days against geodata/tables/ukraine_oblasts.geojson with the
    build's code: measuring the replayed (snapped) day there must give the table's row. Snapping
    moves the area by at most about 0.4 km² a column; a missing, shifted or coarser oblast moves
    its column by far more than 1 km²."""
    history = OccupiedHistory(records.drop(columns="day"))
    bounds = Boundaries.read(GEODATA)
    rows = table.set_index("date")
    for day in (FIRST, date(2025, 6, 1), LAST):
        measured = table_frame([measure_day(day, history.snapshot(day).geometry, bounds)]).set_index("date")
        off = (measured.iloc[0] - rows.loc[day.isoformat()]).abs()
        assert off.max() <= AREA_TOLERANCE_KM2, (day, off.idxmax())
