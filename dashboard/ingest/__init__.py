"""Article ingest: read an article (text, Markdown, HTML) and draft what the map can show from it.

Pure Python (spaCy's blank tokenizer, numpy, stdlib); no Streamlit, no folium. Linear in the text
whatever it holds (tests/test_ingest_linear.py). In-process use (the CLI, tests):

    article = read_article(uploaded_bytes, filename)      # IngestError on bad input
    draft = ingest(article)                               # gazetteer loaded once per process
    draft.to_json() / draft.to_dict()

A web page reads through worker.read_in_worker (a worker process with a time limit).
"""

from importlib import import_module
from typing import Any

from dashboard.data.gazetteer import Gazetteer, load_gazetteer

from .model import Article, DateMention, Draft, Figure, IngestError, Place

#: Loaded on first use: they bring spaCy (about a second of imports), which the
#: map's readers never need; only the gazetteer is shared with the town search.
_LAZY = {"ingest": ".pipeline", "read_article": ".reader", "CLI_LIMIT": ".reader", "PAGE_LIMIT": ".reader"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "CLI_LIMIT",
    "PAGE_LIMIT",
    "Article",
    "DateMention",
    "Draft",
    "Figure",
    "Gazetteer",
    "IngestError",
    "Place",
    "ingest",
    "load_gazetteer",
    "read_article",
]
