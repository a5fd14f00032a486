"""`python -m dashboard.update` against a DeepStateMap stand-in on loopback (no internet).

The stand-in serves files made from the shipped last day: good days (a small square taken or
given back on the front near Pokrovsk), a 404, a truncated file, an implausibly large change,
an outline outside Ukraine, and a second server that accepts connections and never answers.
Each test updates a private copy of geodata/.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import shapely.affinity
import shapely.ops

from dashboard.check import main as check_main
from dashboard.data.geometry import GRID
from dashboard.data.history import OccupiedHistory
from dashboard.data.load import DEFAULT_DATA
from dashboard.data.series import Boundaries, measure_day, parse_snapshot, same_on_grid, table_frame
from dashboard.update.__main__ import main as update_main
from tests.conftest import ROOT

LAST = date(2026, 8, 22)  # the shipped series' last day
D1, D2, D3, D4, D5, D6 = (LAST + timedelta(n) for n in range(1, 7))
LAYER, TABLE = "layers/occupied_daily.geojson", "tables/occupied_areas.csv"


def snapshot_file(geom: shapely.Geometry) -> bytes:
    """A day's file as upstream writes it: one feature, CRS84."""
    return json.dumps({"type": "FeatureCollection", "name": "deepstatemap_data",
                       "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
                       "features": [{"type": "Feature", "properties": {},
                                     "geometry": shapely.geometry.mapping(geom)}]}).encode()


def on_front(geom: shapely.Geometry, near: tuple[float, float], half: float = 0.01) -> shapely.Geometry:
    """A square of about 2 x 1.5 km centred on the occupied area's edge nearest to `near`."""
    edge = shapely.ops.nearest_points(geom.boundary, shapely.Point(near))[0]
    return shapely.box(edge.x - half, edge.y - half, edge.x + half, edge.y + half)


@pytest.fixture(scope="module")
def files() -> dict[date, bytes]:
    layer = gpd.read_file(DEFAULT_DATA / LAYER)
    last = OccupiedHistory(layer).snapshot(LAST).geometry
    day1 = shapely.union(last, on_front(last, (37.18, 48.28)))  # advance near Pokrovsk
    day6 = shapely.difference(day1, on_front(day1, (37.6, 47.85)))  # pushed back further south
    good1 = snapshot_file(day1)
    return {D1: good1, D3: good1[: len(good1) // 2],
            D4: snapshot_file(shapely.union(day1, shapely.box(30.0, 47.0, 31.0, 48.0))),  # ~8,300 km²
            D5: snapshot_file(shapely.affinity.translate(day1, xoff=10.0)),  # in Kazakhstan
            D6: snapshot_file(day6)}  # D2 is not there: 404


@pytest.fixture
def source(files):
    """A loopback HTTP server with the day files; `served` picks which days it has."""
    served: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = served.get(self.path.rsplit("/", 1)[-1])
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):  # keep the test output readable
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(days: list[date]) -> str:
        served.update({f"deepstatemap_data_{d:%Y%m%d}.geojson": files[d] for d in days})
        return f"http://127.0.0.1:{server.server_port}/data"

    yield serve
    server.shutdown()
    server.server_close()


def run_update(data: Path, url: str, until: date, *extra: str) -> int:
    return update_main(["--source", url, "--data", str(data), "--until", until.isoformat(),
                        "--timeout", "10", *extra])


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def history_of(folder: Path) -> OccupiedHistory:
    return OccupiedHistory(gpd.read_file(folder / LAYER), pd.read_csv(folder / TABLE))


def assert_clean(folder: Path) -> None:
    assert check_main([str(folder)]) == 0


def test_good_days_replay_exactly_and_bad_days_are_rejected_with_their_reason(data_copy, source, files, capsys):
    url = source([D1, D3, D4, D5, D6])
    assert run_update(data_copy, url, D6) == 1  # a day was rejected
    out = capsys.readouterr().out
    assert f"{D1}  applied" in out and f"{D6}  applied" in out
    assert f"{D2}  absent" in out and "404" in out
    assert f"{D3}  rejected" in out and "not valid JSON" in out
    assert f"{D4}  rejected" in out and "implausible change" in out
    assert f"{D5}  rejected" in out and "outside Ukraine" in out
    assert "2 applied, 1 absent upstream, 3 rejected" in out

    history = history_of(data_copy)
    assert history.days[-2:] == [D1, D6]  # nothing of the absent or the rejected days
    table = pd.read_csv(data_copy / TABLE)
    assert list(table["date"].iloc[-3:]) == [LAST.isoformat(), D1.isoformat(), D6.isoformat()]
    bounds = Boundaries.read(data_copy)
    for day in (D1, D6):
        fetched = parse_snapshot(files[day])
        assert same_on_grid(history.snapshot(day).geometry, shapely.set_precision(fetched, GRID))
        row = table.set_index("date").loc[day.isoformat()]
        expected = table_frame([measure_day(day, fetched, bounds)]).set_index("date").iloc[0]
        pd.testing.assert_series_equal(row, expected, check_names=False)
        # Measured again here without the shared code: the total and Donetsk's share.
        full = gpd.read_file(io.BytesIO(files[day])).geometry.make_valid().union_all()
        metric = gpd.GeoSeries([full], crs=4326).to_crs("EPSG:6933")
        assert abs(metric.area.iloc[0] / 1e6 - row["total_km2"]) <= 0.01
        oblasts = gpd.read_file(data_copy / "tables" / "ukraine_oblasts.geojson").to_crs("EPSG:6933")
        donetsk = oblasts.loc[oblasts["iso"] == "UA-14"].union_all()
        assert abs(metric.intersection(donetsk).area.iloc[0] / 1e6 - row["donetsk_km2"]) <= 0.01
    assert row["total_km2"] < table.set_index("date").loc[D1.isoformat(), "total_km2"]  # D6 gave back
    assert not list(data_copy.parent.glob(".geodata.update-*"))
    assert_clean(data_copy)


def test_every_day_applied_or_absent_exits_0_and_absent_days_are_asked_again(data_copy, source, capsys):
    url = source([D1])
    assert run_update(data_copy, url, D2) == 0
    assert history_of(data_copy).last == D1
    assert run_update(data_copy, url, D1) == 0
    assert "up to date" in capsys.readouterr().out
    url = source([D1, D6])  # D2..D5 never come; D6 is checked against D1, five days before
    assert run_update(data_copy, url, D6) == 0
    assert "4 absent upstream" in capsys.readouterr().out
    assert history_of(data_copy).days[-2:] == [D1, D6]
    assert_clean(data_copy)


def test_a_source_that_never_answers_exits_3_and_writes_nothing(data_copy, capsys):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections complete in the backlog; nobody ever reads or answers
    try:
        before = digest(data_copy)
        code = update_main(["--source", f"http://127.0.0.1:{silent.getsockname()[1]}/data",
                            "--data", str(data_copy), "--until", D3.isoformat(), "--timeout", "0.5"])
    finally:
        silent.close()
    assert code == 3
    out = capsys.readouterr().out
    assert f"{D1}  unreachable" in out and f"{D2}" not in out.split("summary")[0]
    assert digest(data_copy) == before


def test_dry_run_reports_and_writes_nothing(data_copy, source, capsys):
    before, siblings = digest(data_copy), sorted(os.listdir(data_copy.parent))
    assert run_update(data_copy, source([D1, D6]), D6, "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"{D1}  applied" in out and "2 would apply" in out and "would end on " + D6.isoformat() in out
    assert digest(data_copy) == before and sorted(os.listdir(data_copy.parent)) == siblings


def test_interrupted_between_the_two_files_shows_the_old_days_and_the_next_run_completes(
        data_copy, source, monkeypatch):
    """Where folders cannot be swapped the two files are replaced one by one, table first."""
    import dashboard.update.swap as swap

    monkeypatch.setattr(swap, "exchange", lambda a, b: False)
    real_replace, into_data = os.replace, []

    def replace_then_fail(src, dst):
        if Path(dst).resolve().is_relative_to(data_copy.resolve()):
            if into_data:
                raise OSError("killed between the two files")
            into_data.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_then_fail)
    url = source([D1])
    assert run_update(data_copy, url, D1) == 2
    assert into_data == [data_copy / TABLE]
    assert history_of(data_copy).last == LAST  # the layer, which decides the days, is the old one
    assert_clean(data_copy)
    monkeypatch.setattr(os, "replace", real_replace)
    assert run_update(data_copy, url, D1) == 0
    table = pd.read_csv(data_copy / TABLE)
    assert table["date"].is_unique and table["date"].iloc[-1] == D1.isoformat()
    assert history_of(data_copy).last == D1
    assert_clean(data_copy)


HOLD = """
import sys, time
import dashboard.update.swap as swap
real = swap.exchange
def hold(a, b):
    if sys.argv[1] == "after":
        real(a, b)
    print("HOLD", flush=True)
    time.sleep(3600)
swap.exchange = hold
from dashboard.update.__main__ import main
sys.exit(main(sys.argv[2:]))
"""


def killed_at_the_swap(data: Path, url: str, when: str) -> None:
    """Run the update in its own process, hold it just before or after the swap, and kill it."""
    args = [sys.executable, "-c", HOLD, when, "--source", url, "--data", str(data), "--until", D1.isoformat()]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            if line.strip() == "HOLD":
                break
        else:
            pytest.fail(f"the update ended (status {proc.wait()}) before reaching the swap")
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


def test_killed_before_the_swap_leaves_the_old_folder(data_copy, source):
    before, url = digest(data_copy), source([D1])
    killed_at_the_swap(data_copy, url, "before")
    assert digest(data_copy) == before
    assert_clean(data_copy)
    assert list(data_copy.parent.glob(".geodata.update-*"))  # the clone it was about to swap in
    assert run_update(data_copy, url, D1) == 0
    assert history_of(data_copy).last == D1
    assert not list(data_copy.parent.glob(".geodata.update-*"))


def test_killed_after_the_swap_leaves_the_new_folder(data_copy, source):
    old_table = (data_copy / TABLE).read_text()
    killed_at_the_swap(data_copy, source([D1]), "after")
    assert history_of(data_copy).last == D1
    assert (data_copy / TABLE).read_text().startswith(old_table)
    assert pd.read_csv(data_copy / TABLE)["date"].iloc[-1] == D1.isoformat()
    assert_clean(data_copy)


# Hostile review: arguments are checked before anything is asked or read.
@pytest.mark.parametrize(("extra", "named"), [
    (["--timeout", "-1"], "--timeout"), (["--timeout", "0"], "--timeout"), (["--timeout", "nan"], "--timeout"),
    (["--timeout", "inf"], "--timeout"), (["--max-change-km2=nan"], "--max-change-km2"),
    (["--max-change-km2=inf"], "--max-change-km2"), (["--max-change-km2=-5"], "--max-change-km2"),
    (["--max-change-km2=0"], "--max-change-km2"), (["--source", "not a url"], "--source"),
    (["--source", "file:///etc"], "file://"), (["--source", "ftp://example.org/data"], "ftp://"),
    (["--source", "http://"], "--source"), (["--source", "https:///data"], "--source"),
])
def test_bad_arguments_are_one_line_and_exit_2(extra, named, data_copy, capsys):
    before = digest(data_copy)
    with pytest.raises(SystemExit) as exc:
        update_main(["--data", str(data_copy), "--until", D1.isoformat(), *extra])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert named in err and "\n" not in err and "Traceback" not in err and captured.out == ""
    assert digest(data_copy) == before


def test_bad_arguments_never_print_a_traceback_from_the_command_line(data_copy):
    for extra in (["--timeout", "-1"], ["--source", "not a url"]):
        proc = subprocess.run([sys.executable, "-m", "dashboard.update", "--data", str(data_copy), *extra],
                              capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


def test_data_that_is_a_file_or_missing_is_named(tmp_path, capsys):
    afile = tmp_path / "catalog.toml"
    afile.write_text("x")
    assert update_main(["--data", str(afile), "--until", D1.isoformat()]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert update_main(["--data", str(tmp_path / "nope"), "--until", D1.isoformat()]) == 2
    err = capsys.readouterr().err.strip()
    assert "no such folder" in err and "\n" not in err


def test_until_before_the_last_day_warns(data_copy, capsys):
    assert update_main(["--data", str(data_copy), "--until", "2025-01-01"]) == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err and "before the last shipped day" in captured.err and str(LAST) in captured.err
    assert update_main(["--data", str(data_copy), "--until", LAST.isoformat()]) == 0
    assert capsys.readouterr().err == ""  # asking up to the last day itself is just up to date


def test_loopback_http_source_is_accepted(data_copy, source, capsys):
    assert run_update(data_copy, source([D1]), D1, "--dry-run", "--max-change-km2", "600") == 0
    assert f"{D1}  applied" in capsys.readouterr().out
