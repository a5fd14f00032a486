"""The offline gazetteer (geodata/gazetteer/places.tsv), loaded once per process and indexed by key."""

from __future__ import annotations

import math
import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .model import IngestError
from .normalize import KEY_VERSION

_REPO_DIR = Path(__file__).resolve().parents[2] / "geodata" / "gazetteer"
FILE_NAME = "places.tsv"


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


def default_dir() -> Path:
    """$SITUATION_MAP_DATA/gazetteer when that folder holds a gazetteer, else the repo's geodata/gazetteer."""
    env = os.environ.get("SITUATION_MAP_DATA")
    if env and (Path(env) / "gazetteer" / FILE_NAME).is_file():
        return Path(env) / "gazetteer"
    return _REPO_DIR


def _parse(path: Path) -> Gazetteer:
    gaz = Gazetteer()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                if "key_version=" in line and f"key_version={KEY_VERSION};" not in line:
                    raise IngestError(f"{path} was built with other matching rules; run scripts/build_gazetteer.py")
                continue
            cols = line.rstrip("\n").split("\t")
            if cols[0] == "geonameid":
                continue
            entry = Entry(int(cols[0]), cols[1], cols[2], float(cols[3]), float(cols[4]), cols[5],
                          tuple(cols[6].split(",")), int(cols[7]))  # fmt: skip
            gaz.add(entry, [k for k in cols[8].split("|") if k], [k for k in cols[9].split("|") if k])
    return gaz


@lru_cache(maxsize=2)  # one gazetteer per folder; two covers the repo's and one override
def _load(path: str) -> Gazetteer:
    file = Path(path) / FILE_NAME
    if not file.is_file():
        raise IngestError(f"gazetteer not found at {file}; run scripts/build_gazetteer.py")
    return _parse(file)


def load_gazetteer(folder: str | Path | None = None) -> Gazetteer:
    """The gazetteer of a folder (default: default_dir()), parsed once per process."""
    return _load(str(Path(folder) if folder else default_dir()))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))
