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
    "> quote", "+ plus", "a | b\n--|--\nc | d", "line one\nline two", "back\\slash \\[x](y)", "&lt;b&gt;",
]
PLAIN = ["Towns in the story (reported)", "Russian-occupied Ukraine (DeepStateMap) (assessed)",
         "Donetsk: taken since 6 Aug", "Kursk (UA-held)", "Troops massed (Kursk)", "Offline map (Natural Earth)"]


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
    assert "\\" in markdown_text(value)


@pytest.mark.parametrize("value", ["see www.evil.example", "mail me@evil.example", "https://evil.example/x",
                                   "an :material/home: icon", "an :smile: emoji"])
def test_autolinks_and_shortcodes_are_broken(value):
    """GFM (Streamlit's Markdown) links bare addresses, and Streamlit draws shortcodes: the
    character that starts each is escaped (CommonMark above has neither, so this is checked by hand)."""
    escaped = label_text(value)
    assert re.search(r"www\\\.|\\@|\\:", escaped), escaped
