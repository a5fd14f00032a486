"""Article ingest: read an article (text, Markdown, HTML) and draft what the map can show from it.

Pure Python (spaCy's blank tokenizer, dateparser, stdlib); no Streamlit, no folium. A page calls:

    article = read_article(uploaded_bytes, filename)      # IngestError on bad input
    draft = ingest(article)                               # gazetteer loaded once per process
    draft.to_json() / draft.to_dict()
"""

from .gazetteer import Gazetteer, load_gazetteer
from .model import Article, DateMention, Draft, Figure, IngestError, Place
from .pipeline import ingest
from .reader import CLI_LIMIT, PAGE_LIMIT, read_article

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
