"""The install takes the locks with --no-deps, so the locks must be complete: checked here."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import check_lock

REQUIRES = {
    "weasel": ["smart-open[http]>=5.2.1", "typer>=0.3.0"],
    "smart-open": ["wrapt", 'requests; extra == "http"', 'boto3; extra == "s3"'],
    "typer": ["click>=8.0.0"],
    "wrapt": [], "requests": ["idna<4,>=2.5"], "click": [], "idna": [],
}


def requires(name: str) -> list[str]:
    return REQUIRES.get(name, [])


def test_a_complete_lock_has_no_gaps():
    lock = {"weasel": "1.0.1", "smart-open": "9.0.2", "typer": "0.29.2", "wrapt": "2.5.2",
            "requests": "2.34.2", "click": "8.5.1", "idna": "3.20"}
    assert check_lock.gaps(lock, requires) == []


def test_a_package_an_extra_needs_is_named():
    lock = {"weasel": "1.0.1", "smart-open": "9.0.2", "typer": "0.29.2", "wrapt": "2.5.2", "click": "8.5.1"}
    problems = check_lock.gaps(lock, requires)
    assert problems == ["smart-open[http] needs requests; extra == \"http\" but the lock has no requests"]


def test_a_version_out_of_range_is_named():
    lock = {"weasel": "1.0.1", "smart-open": "9.0.2", "typer": "0.29.2", "wrapt": "2.5.2",
            "requests": "2.34.2", "click": "7.1.0", "idna": "3.20"}
    assert check_lock.gaps(lock, requires) == ["typer needs click>=8.0.0 but the lock pins click==7.1.0"]


def test_read_lock_takes_names_and_pins(tmp_path: Path):
    lock = tmp_path / "r.lock"
    lock.write_text("Smart_Open==9.0.2 \\\n    --hash=sha256:00\n# a comment==1\n"
                    "numpy==2.4.6 ; python_version >= '3.11'\n")
    assert check_lock.read_lock(lock) == {"smart-open": "9.0.2", "numpy": "2.4.6"}


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-test.lock"])
def test_the_shipped_locks_are_complete(lock: str):
    assert check_lock.check(ROOT / lock) == []


def test_setup_installs_without_resolving_and_checks_after():
    script = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    install = next(line for line in script.splitlines()
                   if "-m pip install" in line and not line.lstrip().startswith("#"))
    assert "--no-deps" in install and "--require-hashes" in install
    assert "scripts/check_lock.py" in script and "pip check" in script


def test_the_checker_fails_naming_the_package(tmp_path: Path):
    lock = tmp_path / "r.lock"
    lock.write_text("weasel==1.0.1\n")  # installed here; its requirements are not in this lock
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_lock.py"), str(lock)],
                         capture_output=True, text=True)
    assert out.returncode == 1 and "but the lock has no smart-open" in out.stderr
