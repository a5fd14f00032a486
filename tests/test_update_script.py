"""Issue #21, finding 6: deploy/k8s/update-data.sh's exit-status contract, run with `sh`.

Most cases put a stub `python` first on PATH that plays one outcome of `python -m
dashboard.update` (its status, whether it wrote into the copy) and of `python -m dashboard.check`;
the last ones run the real update (the venv's python, under the name `python`) against a
loopback source. Every case checks what `current` points to and that no `.partial` is left.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_update import D1, D2, history_of
from tests.test_update import files as _files  # noqa: F401 - registered as the fixture `_files`
from tests.test_update_hostile import Source, body, name

SCRIPT = ROOT / "deploy" / "k8s" / "update-data.sh"
STUB = """#!/bin/sh
case "$2" in
  dashboard.update)
    echo "stub update $*"
    [ -n "${STUB_SLEEP:-}" ] && { touch "$DATA_ROOT/started"; sleep "$STUB_SLEEP"; }
    [ -n "${STUB_WRITE:-}" ] && echo "$STUB_WRITE" > "$SITUATION_MAP_DATA/new-day.txt"
    exit "${STUB_UPDATE:-0}" ;;
  dashboard.check) exit "${STUB_CHECK:-0}" ;;
esac
exit 99
"""


@pytest.fixture(scope="module")
def files(_files):  # noqa: F811 - the imported fixture, by its pytest name
    """test_update's day files (good days from the shipped last day, and broken ones)."""
    return _files


@pytest.fixture
def box(tmp_path: Path) -> dict[str, Path]:
    bin_dir, seed, root = tmp_path / "bin", tmp_path / "seed", tmp_path / "data"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(STUB)
    (bin_dir / "python").chmod(0o755)
    seed.mkdir()
    (seed / "catalog.toml").write_text("# the image's data\n")
    return {"bin": bin_dir, "seed": seed, "root": root}


def run(box: dict[str, Path], *args: str, wait: bool = True, **env: str):
    environ = {**os.environ, "PATH": f"{box['bin']}:{os.environ['PATH']}", "DATA_ROOT": str(box["root"]),
               "SEED_DATA": str(box["seed"]), **env}
    cmd = ["sh", str(SCRIPT), *args]
    if not wait:
        return subprocess.Popen(cmd, env=environ, cwd=ROOT, start_new_session=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, env=environ, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def current(box: dict[str, Path]) -> Path | None:
    link = box["root"] / "current"
    return link.resolve() if link.is_symlink() else None


def partials(box: dict[str, Path]) -> list[str]:
    return [p.name for p in (box["root"] / "releases").glob(".*")]


def releases(box: dict[str, Path]) -> list[str]:
    return sorted(p.name for p in (box["root"] / "releases").iterdir() if not p.name.startswith("."))


def first_release(box: dict[str, Path]) -> Path:
    """A release an earlier run published, and `current` pointing at it."""
    first = box["root"] / "releases" / "20260101T000000.0Z"
    shutil.copytree(box["seed"], first)
    os.symlink(f"releases/{first.name}", box["root"] / "current")
    return first.resolve()


def test_the_first_run_publishes_the_images_data(box):
    assert run(box).returncode == 0  # no current yet: the image's data becomes the first release
    assert (current(box) / "catalog.toml").is_file() and partials(box) == []


@pytest.mark.parametrize(("update", "script"), [("0", 0), ("1", 0), ("3", 3)])
def test_accepted_days_are_published_under_update_status_0_1_and_3(update, script, box):
    first = first_release(box)
    proc = run(box, STUB_UPDATE=update, STUB_WRITE="2026-08-23")
    assert proc.returncode == script, proc.stdout + proc.stderr
    now = current(box)
    assert now != first and (now / "new-day.txt").read_text() == "2026-08-23\n"
    assert ("warning: a day was rejected" in proc.stdout) == (update == "1")
    assert partials(box) == []


@pytest.mark.parametrize(("update", "script"), [("0", 0), ("1", 0), ("3", 3)])
def test_nothing_new_publishes_no_release(update, script, box):
    first = first_release(box)
    proc = run(box, STUB_UPDATE=update)
    assert proc.returncode == script and current(box) == first and releases(box) == [first.name]
    assert "nothing new" in proc.stdout and partials(box) == []


@pytest.mark.parametrize(("update", "check", "script"), [("2", "0", 2), ("137", "0", 2), ("0", "1", 4),
                                                         ("1", "1", 4), ("3", "1", 4)])
def test_a_failed_update_or_check_publishes_nothing_and_leaves_no_partial(update, check, script, box):
    first = first_release(box)
    proc = run(box, STUB_UPDATE=update, STUB_CHECK=check, STUB_WRITE="bad")
    assert proc.returncode == script, proc.stdout + proc.stderr
    assert "nothing published" in proc.stderr
    assert current(box) == first and releases(box) == [first.name] and partials(box) == []


def test_partials_of_killed_runs_are_removed_and_a_terminated_run_removes_its_own(box):
    first_release(box)
    killed = box["root"] / "releases" / ".20260101T000000Z-99.partial"
    (killed / "layers").mkdir(parents=True)
    proc = run(box, wait=False, STUB_SLEEP="30")
    try:
        for _ in range(600):
            if (box["root"] / "started").exists():
                break
            time.sleep(0.05)
        assert not killed.exists()  # removed before this run began its own
        assert len(partials(box)) == 1  # its own
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert proc.returncode != 0 and partials(box) == []


def test_a_second_run_while_one_holds_the_lock_does_nothing(box):
    first = first_release(box)
    with open(box["root"] / ".update-data.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = run(box, STUB_WRITE="x")
    assert proc.returncode == 5 and "another run" in proc.stderr and current(box) == first


def test_three_newest_releases_are_kept_and_never_the_current_one_removed(box):
    first_release(box)
    for n in range(4):
        assert run(box, STUB_WRITE=str(n)).returncode == 0
    kept = releases(box)
    assert len(kept) == 3 and current(box).name == kept[-1]
    # releases named later than now (a clock that was ahead): the new one sorts first, and stays
    for n in range(3):
        (box["root"] / "releases" / f"2999010{n}T000000.0Z").mkdir()
    assert run(box, STUB_WRITE="later").returncode == 0
    assert current(box).name in releases(box) and (current(box) / "new-day.txt").read_text() == "later\n"


# The real update behind the script -----------------------------------------------------------------
@pytest.fixture
def real(box, tmp_path):
    (box["bin"] / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # the venv's, as `python`
    shutil.rmtree(box["seed"])
    shutil.copytree(ROOT / "geodata", box["seed"])
    src = Source()
    yield box, src
    src.close()


def test_a_rejected_day_still_publishes_the_accepted_days_and_an_unreachable_source_exits_3(real, files):
    box, src = real
    src.routes[name(D1)] = body(files[D1])
    src.routes[name(D2)] = body(b'{"type": "FeatureCollection", "crs": "EPSG:4326", "features": []}')
    proc = run(box, "--source", src.url, "--until", D2.isoformat())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{D2}  rejected" in proc.stdout and "warning: a day was rejected" in proc.stdout
    assert history_of(current(box)).last == D1 and partials(box) == []
    src.close()  # the source is gone: the update stops with status 3, nothing new is published
    before = current(box)
    proc = run(box, "--source", src.url, "--until", D2.isoformat(), "--timeout", "2")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "unreachable" in proc.stdout and current(box) == before and partials(box) == []
