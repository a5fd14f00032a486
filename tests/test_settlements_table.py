"""The settlements table as hostile input (bad rows named by file and line, skipped; a table with
no usable header refused whole), its extension by new days, and the data check naming problems."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import shapely

from dashboard import check
from dashboard.data.gazetteer import load_gazetteer
from dashboard.data.load import DEFAULT_DATA
from dashboard.data.settlements import TABLE, SettlementsError, extend_table, load_settlements, table_problems
from dashboard.data.settlements_table import (
    MAX_PROBLEMS,
    TableError,
    Tracker,
    extend_text,
    ids_digest,
    measured_places,
    parse_table,
    table_text,
)

SHIPPED = (DEFAULT_DATA / TABLE).read_text(encoding="utf-8")
HEADER_LINES = SHIPPED.split("geonameid,day,inside\n")[0] + "geonameid,day,inside\n"
FIRST_ROW_LINE = HEADER_LINES.count("\n") + 1
POKROVSK, MYRNOHRAD = 704422, 710035


def with_rows(*rows: str) -> str:
    return HEADER_LINES + "".join(r + "\n" for r in rows)


def test_the_shipped_table_reads_cleanly_and_is_small():
    table = parse_table(SHIPPED, TABLE)
    assert table.problems == [] and len(table.ids) > 1000
    assert len(SHIPPED.encode()) <= 200_000
    assert table.header["status"] == "assessed" and "GeoNames point" in table.header["rule"]


@pytest.mark.parametrize(("row", "what"), [
    ("704422,2025-11-03", "2 comma-separated columns"),
    ("704422,2025-11-03,1,x", "4 comma-separated columns"),
    ("Pokrovsk,2025-11-03,1", "geonameid is not a positive whole number: 'Pokrovsk'"),
    ("-704422,2025-11-03,1", "geonameid is not a positive whole number"),
    ("704422,2025-02-30,1", "day is not a YYYY-MM-DD date: '2025-02-30'"),
    ("704422,3 Nov 2025,1", "day is not a YYYY-MM-DD date"),
    ("704422,2031-01-01,1", "outside the table's days"),
    ("704422,2025-11-03,yes", "inside must be 0 or 1, not 'yes'"),
    ("=cmd|' /C calc'!A0,2025-11-03,1", "geonameid is not a positive whole number"),
])
def test_a_bad_row_is_named_with_file_and_line_and_skipped(row, what):
    table = parse_table(with_rows("710035,2026-02-17,1", row, "694677,2024-10-28,1"), TABLE)
    assert len(table.problems) == 1
    file, line, message = table.problems[0]
    assert (file, line) == (TABLE, str(FIRST_ROW_LINE + 1)) and what in message and "skipped" in message
    assert sorted(table.ids) == [694677, 710035]  # the good rows around it are kept


def test_rows_that_are_not_changes_are_named():
    table = parse_table(with_rows("704422,2025-11-03,1", "704422,2025-11-03,1", "704422,2025-12-01,1",
                                  "710035,2026-02-17,0", "704422,2026-01-01,0"), TABLE)
    messages = {line: what for _, line, what in table.problems}
    assert "a second row for 704422 on 2025-11-03" in messages[str(FIRST_ROW_LINE + 1)]
    assert "already inside by 2025-12-01" in messages[str(FIRST_ROW_LINE + 2)]
    assert "710035 is already outside" in messages[str(FIRST_ROW_LINE + 3)]
    assert table.history(POKROVSK) == [(date(2025, 11, 3), True), (date(2026, 1, 1), False)]


def test_many_bad_rows_are_counted_not_listed():
    table = parse_table(with_rows(*["x,y,z"] * (MAX_PROBLEMS + 7)), TABLE)
    assert len(table.problems) == MAX_PROBLEMS + 1 and "7 more bad rows" in table.problems[-1][2]


@pytest.mark.parametrize(("text", "what"), [
    ("geonameid,day,inside\n704422,2025-11-03,1\n", "header lacks source"),
    (HEADER_LINES.replace("# last_day: 2026-08-22", "# last_day: soon"), "first_day/last_day"),
    (HEADER_LINES.replace("geonameid,day,inside", "id;day;inside"), "expected the column line"),
    ("", "header lacks"),
])
def test_a_table_without_a_usable_header_is_refused_whole(text, what):
    with pytest.raises(TableError, match=what):
        parse_table(text, TABLE)


def folder_with(tmp_path: Path, text: str | bytes) -> Path:
    (tmp_path / "tables").mkdir(parents=True)
    target = tmp_path / TABLE
    target.write_bytes(text if isinstance(text, bytes) else text.encode())
    return tmp_path


def test_the_loader_names_a_missing_or_damaged_file(tmp_path):
    with pytest.raises(SettlementsError, match="not found"):
        load_settlements(tmp_path)
    with pytest.raises(SettlementsError, match="not UTF-8"):
        load_settlements(folder_with(tmp_path, b"\xff\xfe" + HEADER_LINES.encode()))


def test_rows_for_ids_outside_the_gazetteer_are_named(tmp_path):
    found = load_settlements(folder_with(tmp_path, with_rows("704422,2025-11-03,1", "999999999,2025-11-03,1")))
    assert [c.geonameid for c in found.changes(date(2025, 11, 1), date(2025, 11, 5))] == [POKROVSK]
    assert any("999999999 is not a settlement of the gazetteer" in p[2] for p in found.problems)


def test_the_data_check_names_a_bad_row(tmp_path, capsys):
    root = tmp_path / "geodata"
    shutil.copytree(DEFAULT_DATA, root)
    (root / TABLE).write_text(SHIPPED + "704422,someday,1\n", encoding="utf-8")
    line = SHIPPED.count("\n") + 1
    assert check.main([str(root)]) == 1
    out = capsys.readouterr().out
    assert f"{TABLE}:{line}: day is not a YYYY-MM-DD date: 'someday'; row skipped" in out
    assert table_problems(DEFAULT_DATA) == []


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Geometry:
    return shapely.box(x0, y0, x1, y1)


def test_extending_measures_new_days_as_the_build_does():
    gaz = load_gazetteer(DEFAULT_DATA / "gazetteer")
    ids, lons, lats = measured_places(gaz)
    # Around Pokrovsk (37.18E 48.28N) and Myrnohrad (37.27E 48.31N): 0.2 degree boxes.
    pokrovsk, both = box(37.1, 48.2, 37.2, 48.35), box(37.1, 48.2, 37.3, 48.35)
    tracker = Tracker(ids, lons, lats)
    tracker.add(date(2025, 1, 1), pokrovsk)
    header = {"source": "test source", "source_url": "https://example.org", "status": "assessed", "rule": "point rule",
              "first_day": "2025-01-01", "last_day": "2025-01-01", "snapshots": "1", "settlements": str(len(ids)),
              "ids": ids_digest(ids.tolist())}
    text = table_text(header, tracker.rows)
    grown = extend_text(text, [(date(2025, 1, 3), pokrovsk), (date(2025, 1, 2), both), (date(2025, 1, 1), both)], gaz)
    table = parse_table(grown, TABLE)
    assert table.problems == [] and table.last == date(2025, 1, 3) and table.header["snapshots"] == "3"
    assert table.history(MYRNOHRAD) == [(date(2025, 1, 2), True), (date(2025, 1, 3), False)]
    assert table.history(POKROVSK) == [(date(2025, 1, 1), True)]
    # The same days measured in one go give the same table.
    again = Tracker(ids, lons, lats)
    for day, geom in ((date(2025, 1, 1), pokrovsk), (date(2025, 1, 2), both), (date(2025, 1, 3), pokrovsk)):
        again.add(day, geom)
    assert grown == table_text({**header, "last_day": "2025-01-03", "snapshots": "3"}, again.rows)
    assert extend_text(grown, [(date(2025, 1, 2), both)], gaz) == grown  # nothing new


def test_extending_refuses_a_table_measured_on_other_settlements_or_with_bad_rows():
    gaz = load_gazetteer(DEFAULT_DATA / "gazetteer")
    other = SHIPPED.replace(parse_table(SHIPPED, TABLE).header["ids"], "0123456789abcdef")
    with pytest.raises(TableError, match="another set of settlements"):
        extend_text(other, [(date(2026, 8, 23), box(37, 48, 38, 49))], gaz)
    with pytest.raises(TableError, match="inside must be 0 or 1"):
        extend_text(SHIPPED + "704422,2026-08-20,7\n", [(date(2026, 8, 23), box(37, 48, 38, 49))], gaz)


def test_the_update_hook_extends_through_a_new_file(tmp_path, shipped):
    """As the update calls it, in a staging folder whose files are hard links to the live ones."""
    live = folder_with(tmp_path / "live", SHIPPED)
    staging = tmp_path / "staging"
    (staging / "tables").mkdir(parents=True)
    (staging / TABLE).hardlink_to(live / TABLE)
    last = shipped.history.last
    kramatorsk = shapely.union(shipped.history.snapshot(last).geometry, box(37.5, 48.7, 37.62, 48.78))
    added = extend_table(staging, [(date(2026, 8, 23), kramatorsk)])
    assert added >= 1 and (live / TABLE).read_text(encoding="utf-8") == SHIPPED  # the live file untouched
    table = parse_table((staging / TABLE).read_text(encoding="utf-8"), TABLE)
    assert table.problems == [] and table.last == date(2026, 8, 23) and table.header["snapshots"] == "770"
    assert table.history(704508) == [(date(2026, 8, 23), True)]  # Kramatorsk
    assert extend_table(staging, [(date(2026, 8, 23), kramatorsk)]) == 0  # already measured


def test_the_update_hook_writes_nothing_from_a_damaged_table(tmp_path):
    root = folder_with(tmp_path, SHIPPED + "704422,2026-08-20,7\n")
    before = (root / TABLE).read_bytes()
    with pytest.raises(SettlementsError, match="inside must be 0 or 1"):
        extend_table(root, [(date(2026, 8, 23), box(37, 48, 38, 49))])
    assert (root / TABLE).read_bytes() == before


def test_a_table_that_is_not_a_regular_file_is_refused_not_read(tmp_path):
    """A FIFO named settlements.csv blocked the reader's page; the update read links as files."""
    import os
    import shutil

    import pytest as _pytest

    from dashboard.data.load import DEFAULT_DATA
    from dashboard.data.settlements import TABLE, SettlementsError, extend_table, load_settlements

    root = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, root)
    table = root / TABLE
    table.unlink()
    os.mkfifo(table)
    with _pytest.raises(SettlementsError, match="not a regular file"):
        load_settlements(root)
    with _pytest.raises(SettlementsError, match="not a regular file"):
        extend_table(root, [])
