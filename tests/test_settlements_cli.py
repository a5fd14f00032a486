"""`python -m dashboard.settlements`: the same list as the data API, its filters, and one line with
exit status 2 for a bad argument (1 when the table cannot be read)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from dashboard import settlements as cli
from dashboard.data.load import DEFAULT_DATA
from dashboard.data.settlements import load_settlements
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def shipped_data(monkeypatch):
    monkeypatch.setenv("SITUATION_MAP_DATA", str(DEFAULT_DATA))


def run_json(capsys, *args: str) -> dict:
    assert cli.main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_lists_the_data_api_window_with_provenance(capsys):
    out = run_json(capsys, "--since", "2025-06-01", "--until", "2025-11-10")
    want = load_settlements(DEFAULT_DATA).changes(date(2025, 6, 1), date(2025, 11, 10))
    assert [(r["geonameid"], r["day"], r["direction"]) for r in out["settlements"]] == \
        [(c.geonameid, c.day.isoformat(), c.direction) for c in want]
    assert out["count"] == len(want) > 10 and out["total_population"] == sum(c.population for c in want)
    assert out["status"] == "assessed" and "GeoNames point" in out["rule"] and "DeepStateMap" in out["source"]
    assert all(r["rule"] == out["rule"] and r["status"] == "assessed" for r in out["settlements"])


def test_filters_by_oblast_and_size(capsys):
    out = run_json(capsys, "--since", "2025-06-01", "--until", "2025-11-10", "--oblast", "donetsk",
                   "--min-population", "5000")
    assert out["oblast"] == "Donetsk Oblast" and out["settlements"]
    assert all(r["oblast"] == "Donetsk Oblast" and r["population"] >= 5000 for r in out["settlements"])
    assert "Pokrovsk" in [r["name"] for r in out["settlements"]]
    wider = run_json(capsys, "--since", "2025-06-01", "--until", "2025-11-10")
    assert len(wider["settlements"]) > len(out["settlements"])


def test_until_defaults_to_the_table_last_day_and_text_names_the_rule(capsys):
    assert cli.main(["--since", "2026-08-01"]) == 0
    out = capsys.readouterr().out
    assert "up to 2026-08-22" in out and "Rule:" in out and "Status: assessed" in out


@pytest.mark.parametrize(("args", "what"), [
    (["--since", "2025-13-01"], "--since: must be a YYYY-MM-DD date"),
    (["--since", "yesterday"], "must be a YYYY-MM-DD date"),
    ([], "the following arguments are required: --since"),
    (["--since", "2025-01-01", "--min-population", "-5"], "must be a whole number of people"),
    (["--since", "2025-01-01", "--min-population", "1e9"], "must be a whole number of people"),
    (["--since", "2025-06-01", "--until", "2025-01-01"], "--until 2025-01-01 is before --since 2025-06-01"),
    (["--since", "2025-01-01", "--oblast", "Narnia"], "--oblast 'Narnia' is not an oblast"),
    (["--since", "2025-01-01", "--colour", "red"], "unrecognized arguments"),
])
def test_bad_arguments_get_one_line_and_exit_2(capsys, args, what):
    try:
        code = cli.main(args)
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and what in err and "Traceback" not in err


def test_an_unreadable_table_is_one_line_and_exit_1(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SITUATION_MAP_DATA", str(tmp_path))
    assert cli.main(["--since", "2025-01-01"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tables/settlements.csv" in err and "not found" in err


def test_the_module_runs_from_the_command_line():
    out = subprocess.run([sys.executable, "-m", "dashboard.settlements", "--since", "2025-10-31", "--until",
                          "2025-11-05", "--min-population", "50000"], cwd=ROOT, capture_output=True, text=True,
                         env={"SITUATION_MAP_DATA": str(DEFAULT_DATA), "PATH": ""}, check=False)
    assert out.returncode == 0, out.stderr
    assert "2025-11-03  came under occupation" in out.stdout and "Pokrovsk (Donetsk Oblast, population 60,127)" \
        in out.stdout
