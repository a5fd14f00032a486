"""The ingest itself: article text -> places, figures and dates (a Draft)."""

from __future__ import annotations

import bisect
from itertools import accumulate

from dashboard.data.gazetteer import Gazetteer, GazetteerError, load_gazetteer

from .dates import find_dates
from .figures import find_figures
from .model import Article, DateMention, Draft, Figure, IngestError
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
    return Draft(article=article, places=places, figures=figures, dates=_outside(dates, figures))


def _outside(dates: list[DateMention], figures: list[Figure]) -> list[DateMention]:
    """The dates no figure holds. Figures are in text order; among those starting at or before a
    date, the furthest end tells whether one holds it: a bisection per date, not a walk over every
    figure (a text of thousands of both was quadratic)."""
    starts = [f.start for f in figures]
    furthest = list(accumulate((f.end for f in figures), max))
    kept = []
    for d in dates:
        k = bisect.bisect_right(starts, d.start)
        if not (k and furthest[k - 1] >= d.end):
            kept.append(d)
    return kept
