"""Hostile data folders for `python -m dashboard.update` (issue #21, second pass): the update reads
the folder's files as the app does, and a damaged folder is one line and exit 2, never a traceback.
Every run stops before asking a source (--until before the last day; the source is loopback)."""

from __future__ import annotations

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
