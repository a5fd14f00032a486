"""Hostile data folders for `python -m dashboard.update` (issue #21, second pass): the update reads
the folder's files as the app does, and a damaged folder is one line and exit 2, never a traceback.
Every run stops before asking a source (--until before the last day; the source is loopback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.data import files
from dashboard.update.__main__ import main as update_main

LAYER = "layers/occupied_daily.geojson"
TABLE = "tables/occupied_areas.csv"
ARGS = ["--until", "2020-01-01", "--source", "http://127.0.0.1:9"]


def run(root: Path, capsys) -> tuple[int, str]:
    status = update_main(["--data", str(root), *ARGS])
    return status, capsys.readouterr().err


@pytest.mark.parametrize("rel", [LAYER, TABLE])
def test_a_file_symlinked_out_of_the_folder_is_refused_as_the_app_refuses_it(data_copy, tmp_path, capsys, rel):
    """Found with the layer moved to /tmp and symlinked back: the update read it and said 'up to
    date' (a symlink to /dev/zero would have been read until memory ran out)."""
    outside = tmp_path / "outside"
    (data_copy / rel).rename(outside)
    (data_copy / rel).symlink_to(outside)
    status, err = run(data_copy, capsys)
    assert status == 2 and "outside the data folder" in err and "Traceback" not in err


def test_a_file_above_the_apps_size_cap_is_refused_unread(data_copy, capsys, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    status, err = run(data_copy, capsys)
    assert status == 2 and "larger than 1,000 bytes" in err


def edit_layer(root: Path, change) -> None:
    layer = json.loads((root / LAYER).read_text())
    change(layer)
    (root / LAYER).write_text(json.dumps(layer))


def test_a_last_record_without_its_provenance_is_named(data_copy, capsys):
    """Found by removing `source` from the last record: a KeyError traceback."""
    edit_layer(data_copy, lambda layer: layer["features"][-1]["properties"].pop("source"))
    status, err = run(data_copy, capsys)
    assert status == 2 and "source" in err and "Traceback" not in err


def test_a_table_whose_dates_are_numbers_is_named(data_copy, capsys):
    """Found with every date of the area table replaced by a number: a TypeError traceback
    (comparing numbers with the last day's text)."""
    lines = (data_copy / TABLE).read_text().splitlines()
    (data_copy / TABLE).write_text("\n".join([lines[0], *(f"{i}," + ln.split(",", 1)[1]
                                                          for i, ln in enumerate(lines[1:]))]) + "\n")
    status, err = run(data_copy, capsys)
    assert status == 2 and TABLE in err and "Traceback" not in err
