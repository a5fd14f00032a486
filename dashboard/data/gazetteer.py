"""The offline gazetteer (geodata/gazetteer/places.tsv), loaded once per process and indexed by key.

A bad line (too few columns, a non-number, a coordinate out of range or not finite) is skipped and
named in `Gazetteer.problems` as (file, line, what), at most MAX_PROBLEMS of them; a missing or
unreadable file raises GazetteerError("the gazetteer is unavailable: ...")."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .spelling import KEY_VERSION


class GazetteerError(ValueError):
    """The gazetteer file is missing, unreadable or built with other spelling rules."""

_REPO_DIR = Path(__file__).resolve().parents[2] / "geodata" / "gazetteer"
FILE_NAME = "places.tsv"
MAX_PROBLEMS = 20  # bad lines named one by one; the rest are counted in one more problem
UNAVAILABLE = "the gazetteer is unavailable"


@dataclass(frozen=True, slots=True)
class Entry:
    geonameid: int
    name: str
    kind: str
    lat: float
    lon: float
    country: str
    admin1: tuple[str, ...]
    population: int


@dataclass
class Gazetteer:
    entries: list[Entry] = field(default_factory=list)
    strong: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    weak: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    region_base: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    exact: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    # First word of every key -> most words in a key starting with it: the matcher skips any
    # capitalised word that starts no name, and looks no further ahead than needed.
    first_words: dict[str, int] = field(default_factory=dict)
    # (file, line, what is wrong) for each line skipped, as `dashboard.check` prints them.
    problems: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, entry: Entry, strong: list[str], weak: list[str]) -> None:
        idx = len(self.entries)
        self.entries.append(entry)
        for key in strong:
            if key.startswith("~"):
                self.region_base[key[1:]].append(idx)
            elif key.startswith("="):
                self.exact[key[1:]].append(idx)
            else:
                self.strong[key].append(idx)
            self._note_first_word(key.lstrip("~="))
        for key in weak:
            self.weak[key].append(idx)
            self._note_first_word(key)

    def _note_first_word(self, key: str) -> None:
        words = key.split(" ")
        self.first_words[words[0]] = max(self.first_words.get(words[0], 0), len(words))


def gazetteer_dir(root: Path) -> Path:
    """The gazetteer a data folder uses: its own gazetteer/ folder, else the repo's."""
    return root / "gazetteer" if (root / "gazetteer").is_dir() else _REPO_DIR


def default_dir() -> Path:
    """The gazetteer of $SITUATION_MAP_DATA (see gazetteer_dir), else the repo's geodata/gazetteer."""
    env = os.environ.get("SITUATION_MAP_DATA")
    return gazetteer_dir(Path(env)) if env else _REPO_DIR


def _entry(cols: list[str]) -> Entry:
    """One line's entry; ValueError saying what is wrong."""
    if len(cols) < 9:
        raise ValueError(f"{len(cols)} tab-separated columns, expected 10")
    try:
        geonameid = int(cols[0])
    except ValueError:
        raise ValueError(f"geonameid is not a whole number: {cols[0][:40]!r}") from None
    coords = []
    for name, text, limit in (("lat", cols[3], 90), ("lon", cols[4], 180)):
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and -limit <= value <= limit):
            raise ValueError(f"{name} is not a number within ±{limit}: {text[:40]!r}")
        coords.append(value)
    try:
        population = int(cols[7] or 0)
    except ValueError:
        raise ValueError(f"population is not a whole number: {cols[7][:40]!r}") from None
    if not cols[1].strip():
        raise ValueError("the name is empty")
    return Entry(geonameid, cols[1], cols[2], coords[0], coords[1], cols[5], tuple(cols[6].split(",")), population)


def _parse(path: Path) -> Gazetteer:
    gaz = Gazetteer()
    rel = f"{path.parent.name}/{path.name}"
    skipped = 0
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if line.startswith("#"):
                if "key_version=" in line and f"key_version={KEY_VERSION};" not in line:
                    raise GazetteerError(f"{UNAVAILABLE}: {path} was built with other matching rules; "
                                      "run scripts/build_gazetteer.py")
                continue
            cols = line.rstrip("\r\n").split("\t")
            if cols[0] == "geonameid" or not line.strip():
                continue
            try:
                entry = _entry(cols)
            except ValueError as exc:
                skipped += 1
                if skipped <= MAX_PROBLEMS:
                    gaz.problems.append((rel, str(number), f"{exc}; line skipped"))
                continue
            weak = cols[9] if len(cols) > 9 else ""
            gaz.add(entry, [k for k in cols[8].split("|") if k], [k for k in weak.split("|") if k])
    if skipped > MAX_PROBLEMS:
        gaz.problems.append((rel, "0", f"{skipped - MAX_PROBLEMS} more bad lines skipped"))
    return gaz


def read_gazetteer(folder: Path) -> Gazetteer:
    """The gazetteer in `folder`, read afresh; GazetteerError naming why when there is none to use."""
    file = folder / FILE_NAME
    if not file.is_file():
        raise GazetteerError(f"{UNAVAILABLE}: {file} not found; run scripts/build_gazetteer.py")
    try:
        return _parse(file)
    except UnicodeDecodeError as exc:
        raise GazetteerError(f"{UNAVAILABLE}: {file} is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise GazetteerError(f"{UNAVAILABLE}: cannot read {file} ({exc.strerror or type(exc).__name__})") from None


@lru_cache(maxsize=2)  # one gazetteer per folder; two covers the repo's and one override
def _load(path: str) -> Gazetteer:
    return read_gazetteer(Path(path))


def load_gazetteer(folder: str | Path | None = None) -> Gazetteer:
    """The gazetteer of a folder (default: default_dir()), parsed once per process."""
    return _load(str(Path(folder) if folder else default_dir()))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))
