"""The ingest itself: article text -> places, figures and dates (a Draft)."""

from __future__ import annotations

from dashboard.data.gazetteer import Gazetteer, GazetteerError, load_gazetteer

from .dates import find_dates
from .figures import find_figures
from .model import Article, Draft, IngestError
from .places import find_places, tokenize


def ingest(article: Article, gazetteer: Gazetteer | None = None) -> Draft:
    """Everything the map can use from one article; offsets index into article.text."""
    try:
        gaz = gazetteer or load_gazetteer()
    except GazetteerError as exc:
        raise IngestError(str(exc)) from None
    text = article.text
    dates = find_dates(text, article.date)
    figures = find_figures(text, [(d.start, d.end) for d in dates])
    places = find_places(gaz, tokenize(text))
    # A number read as a figure is not also a date (a "2024" inside "2,024 troops" is impossible by
    # regex, but "1,000 km² in August 2024" keeps both): drop dates that sit inside a figure.
    dates = [d for d in dates if not any(f.start <= d.start and d.end <= f.end for f in figures)]
    return Draft(article=article, places=places, figures=figures, dates=dates)
