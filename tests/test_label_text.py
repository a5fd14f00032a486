"""Widget labels from catalog text: as safe as the page's Markdown escaping, and read out by a
screen reader without stray backslashes (map/text.label_text)."""

import re

import pytest
from markdown_it import MarkdownIt

from dashboard.map.text import label_text, markdown_text

RENDER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
HOSTILE = [
    "![x](http://evil.example/t.png)", "[click](javascript:alert(1))", "<img src=x onerror=alert(1)>",
    "**bold** _it_ ~~gone~~ `code`", "$x^2$", "- a list", "1. first", "12) twelfth", "# heading",
    "> quote", ">quote", "+ plus", "_it_ and __bold__",
    "a | b\n--|--\nc | d", "line one\nline two", "back\\slash \\[x](y)", "&lt;b&gt;",
]
PLAIN = ["Towns in the story (reported)", "Russian-occupied Ukraine (DeepStateMap) (assessed)",
         "Donetsk: taken since 6 Aug", "Kursk (UA-held)", "Troops massed (Kursk)", "Offline map (Natural Earth)",
         "1.5 million displaced", "-5 km", "#1 priority", "Front > 50 km", "snake_case"]


def _rendered(text: str) -> str:
    return RENDER.render(text).strip()


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_renders_as_its_own_plain_words(value):
    html = _rendered(label_text(value))
    assert re.fullmatch(r"<p>.*</p>", html, re.S), html  # one paragraph: no list, heading, quote, table
    assert not re.search(r"<(a|img|em|strong|code|s|del|table|h\d|ul|ol|blockquote)\b", html[3:-4]), html
    assert "<img" not in html and "<b>" not in html


@pytest.mark.parametrize("value", PLAIN)
def test_plain_titles_keep_their_words_for_a_screen_reader(value):
    """The accessible name is the raw label: no escape where nothing could be made of the text
    (markdown_text, for body text, escapes parentheses, hyphens and colons too)."""
    assert label_text(value) == value


#: What GitHub's autolinks and Streamlit's shortcodes find in the text once escapes are taken out.
FOUND_AFTER_ESCAPES = re.compile(r"(?i)www\.|[a-z][a-z0-9+.-]*://|[-.\w+]+@[-\w]+(\.[-\w]+)+|:[\w/+-]+:")


@pytest.mark.parametrize("escape", [label_text, markdown_text])
@pytest.mark.parametrize("value", ["see www.evil.example", "mail me@evil.example", "https://evil.example/x",
                                   "an :material/home: icon", "an :smile: emoji", ":streamlit:", "ftp://x.y"])
def test_autolinks_and_shortcodes_are_broken_even_once_escapes_are_dropped(escape, value):
    """GFM (Streamlit's Markdown) links bare addresses, and Streamlit draws shortcodes, on the
    text with its escapes taken out: a backslash cannot stop them, a word joiner does."""
    escaped = escape(value)
    plain = re.sub(r"\\(.)", r"\1", escaped)
    assert not FOUND_AFTER_ESCAPES.search(plain), plain
    assert plain.replace("\u2060", "") == value, "the words themselves are unchanged"
