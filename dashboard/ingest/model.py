"""Data returned by the ingest: plain dataclasses, turned into JSON by Draft.to_json()."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


class IngestError(ValueError):
    """Input that cannot be read as an article; the message is one line meant for the user."""


@dataclass(frozen=True)
class Article:
    """An article as plain text; every offset in a Draft indexes into `text`."""

    title: str
    date: str | None  # YYYY-MM-DD
    text: str


@dataclass
class Place:
    text: str
    start: int
    end: int
    name: str
    geonameid: int | None
    lat: float | None
    lon: float | None
    kind: str  # settlement | region | country | other
    confidence: float
    candidates: int


@dataclass
class Figure:
    text: str
    start: int
    end: int
    value: float
    unit: str
    counts: str


@dataclass
class DateMention:
    text: str
    start: int
    end: int
    date: str  # YYYY-MM-DD
    precision: str  # day | month | year


@dataclass
class Draft:
    article: Article
    places: list[Place] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "article": {"title": self.article.title, "date": self.article.date},
            "places": [asdict(p) for p in self.places],
            "figures": [asdict(f) for f in self.figures],
            "dates": [asdict(d) for d in self.dates],
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)
