"""Typed specs of what `geodata/catalog.toml` describes (parsed by `catalog.py`). Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

STATUSES = ("reported", "assessed", "claimed")
LAYER_FORMATS = ("plain", "daily-changes", "dated-extents", "dated-events", "computed")
#: Formats computed from other layers: no file of their own.
COMPUTED_FORMATS = ("computed",)
#: What a layer means to the app, beyond how its file is read:
#: history = the daily occupied area; salient = dated Ukrainian-held outlines in Russia;
#: changed-hands = computed from the two; towns = places drawn as named markers, searchable.
ROLES = ("", "history", "salient", "changed-hands", "towns")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, printed as `file:location: message`."""

    file: str
    location: str
    message: str
    severity: str = "error"  # "warning": repaired or harmless, shown but not fatal

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.file}:{self.location}: {tag}{self.message}"


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    url: str
    licence: str
    attribution: str
    via: str = ""


@dataclass(frozen=True)
class ArticleSpec:
    """A news article the map is built from: its layers and figures name it."""

    id: str
    title: str
    publisher: str
    date: str
    url: str
    sha256: str
    status: str = "published"  # or "draft": proposed by an editor, not yet confirmed


@dataclass(frozen=True)
class StyleRule:
    """Pick a style per feature: `values[feature[property]]`, else the layer's own style."""

    property: str
    values: dict[str, str]


@dataclass(frozen=True)
class LayerSpec:
    id: str
    title: str
    file: str
    style: str
    status: str
    source: str
    date: str
    article_section: str
    description: str
    format: str = "plain"
    role: str = ""
    style_by: StyleRule | None = None
    approximate: bool = False
    table: str = ""
    #: (area-table column, label) pairs shown as measured figures, in order.
    regions: tuple[tuple[str, str], ...] = ()
    #: The article this layer comes from ("" = shared by every article: boundaries, history).
    article: str = ""

    @property
    def dated(self) -> bool:
        return self.format != "plain"


@dataclass(frozen=True)
class BasemapPart:
    file: str
    style: str
    style_by: StyleRule | None = None


@dataclass(frozen=True)
class Basemap:
    id: str
    title: str
    kind: str
    source: str
    background: str = "#dbe7ef"
    url: str = ""
    attribution: str = ""
    parts: tuple[BasemapPart, ...] = ()


@dataclass(frozen=True)
class FigureSpec:
    id: str
    label: str
    status: str
    date: str
    source: str
    source_url: str
    article_section: str
    value: Any = None
    display: str = ""
    computed: str = ""
    note: str = ""
    article: str = ""


@dataclass(frozen=True)
class MapBounds:
    """Where the map may go: latitude and longitude limits and the zoom range."""

    min_lat: float = 40.0
    max_lat: float = 60.0
    min_lon: float = 20.0
    max_lon: float = 52.0
    min_zoom: int = 5
    max_zoom: int = 13


@dataclass(frozen=True)
class Meta:
    title: str
    article_title: str
    article_date: date
    article_date_basis: str
    equal_area_crs: str
    history_start: date
    history_end: date
    default_center: tuple[float, float]
    default_zoom: int
    bounds: MapBounds = field(default_factory=MapBounds)


@dataclass
class Catalog:
    meta: Meta | None
    sources: dict[str, Source] = field(default_factory=dict)
    styles: dict[str, dict[str, Any]] = field(default_factory=dict)
    basemaps: dict[str, Basemap] = field(default_factory=dict)
    layers: dict[str, LayerSpec] = field(default_factory=dict)
    figures: dict[str, FigureSpec] = field(default_factory=dict)
    articles: dict[str, ArticleSpec] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def for_article(self, article: str) -> list[LayerSpec]:
        """The layers a reader of `article` sees: its own and the shared ones, in catalog order."""
        return [spec for spec in self.layers.values() if spec.article in ("", article)]

    def by_role(self, role: str) -> LayerSpec | None:
        """The first layer with this role (the app uses one of each)."""
        return next((spec for spec in self.layers.values() if spec.role == role), None)

    def source_url(self, source_id: str) -> str:
        source = self.sources.get(source_id)
        return source.url if source else ""

    def source_name(self, source_id: str) -> str:
        source = self.sources.get(source_id)
        return source.name if source else source_id
