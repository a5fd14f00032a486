"""Shared fixtures: the shipped data, and damaged copies of it in temporary folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.data.load import DEFAULT_DATA, Dataset, load_dataset, read_dataset

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shipped() -> Dataset:
    return load_dataset(DEFAULT_DATA)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of geodata/ that a test may damage."""
    dest = tmp_path / "geodata"
    shutil.copytree(DEFAULT_DATA, dest)
    return dest


def fresh(root: Path) -> Dataset:
    """Load without the per-process cache (the files were just changed)."""
    return read_dataset(root.resolve())
